"""docs/parameters.md is the schema's parameter table, and every parameter names its source."""

import dataclasses
from pathlib import Path

from sim.config.schema import Config
from sim.config.table import markdown, rows

DOC = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
REFRESH = "run `python -m sim.config.table > docs/parameters.md`"


def test_parameter_table_is_up_to_date():
    assert DOC.exists(), f"docs/parameters.md is missing; {REFRESH}"
    assert DOC.read_text(encoding="utf-8") == markdown(), f"docs/parameters.md is out of date; {REFRESH}"


def test_every_parameter_has_a_source():
    missing = [r.key for r in rows() if not r.src.strip()]
    assert not missing, f"parameters without a source (declare them with param(default, src, ...)): {missing}"


def test_the_table_lists_every_leaf_of_the_schema_once():
    def leaves(obj, prefix=""):
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if dataclasses.is_dataclass(v):
                yield from leaves(v, prefix + f.name + ".")
            else:
                yield prefix + f.name

    keys = [r.key for r in rows()]
    assert len(keys) == len(set(keys))
    assert keys == list(leaves(Config()))
    table = markdown()
    for k in keys:
        assert f"| `{k}` |" in table
    assert "`params.needs.rate_household`" in table
