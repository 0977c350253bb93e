"""Every parameter of the schema has a Chinese name, and no name outlives its parameter."""

import dataclasses
import re

from experiments.param_names import ITEMS, ZH, item_name
from sim.config.schema import Config

CJK = re.compile(r"[\u4e00-\u9fff]")


def _leaves(cls: type, prefix: str = ""):
    """Dotted keys of the schema's leaf fields; a field whose default_factory makes a dataclass is a section."""
    for f in dataclasses.fields(cls):
        key = prefix + f.name
        if f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
            if dataclasses.is_dataclass(value):
                yield from _leaves(type(value), key + ".")
                continue
        yield key


def test_every_parameter_has_a_chinese_name():
    keys = [k for k in _leaves(Config) if k.startswith(("params.", "world."))]
    missing = [k for k in keys if not ZH.get(k, "").strip()]
    assert not missing, f"parameters without a Chinese name in experiments/param_names.py: {missing}"
    not_chinese = {k: v for k, v in ZH.items() if not CJK.search(v)}
    assert not not_chinese, f"names without a Chinese character: {not_chinese}"
    stale = sorted(set(ZH) - set(keys))
    assert not stale, f"names of keys the schema lacks (renamed or removed?): {stale}"


def test_every_item_of_a_list_parameter_is_named():
    """A list parameter's items are named by what they stand for (a category, a case type), not by a number:
    every list of numbers (what a sensitivity analysis varies item by item), and no name outlives its list."""
    from sim.config.load import load

    _, d = load(["world=tiny"])
    lists = {}

    def walk(x, path):
        if hasattr(x, "items"):
            for k, v in x.items():
                walk(v, f"{path}.{k}")
        elif isinstance(x, list) or type(x).__name__ == "ListConfig":
            lists[path] = list(x)

    walk(d.params, "params")
    walk(d.world, "world")
    numeric = {k for k, v in lists.items() if v and all(isinstance(i, int | float) for i in v)}
    assert numeric and numeric <= set(ITEMS), sorted(numeric - set(ITEMS))
    assert set(ITEMS) <= set(lists), sorted(set(ITEMS) - set(lists))
    for key, names in ITEMS.items():
        assert len(names) == len(lists[key]), key
        for i in range(len(names)):
            en, zh = item_name(key, i), item_name(key, i, "zh")
            assert en and "[" not in en and CJK.search(zh), (key, i, en, zh)
    assert item_name("params.needs.patience_days", 99) == "[99]"
