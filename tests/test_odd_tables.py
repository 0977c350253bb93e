"""docs/ODD.md's measured blocks: only the named blocks are rewritten, the others keep their tables."""

import pytest

from experiments import odd_tables

DOC = """# ODD

<!-- tables:scale -->
an old scale table
<!-- /tables -->

<!-- tables:decompose-tiny -->
old
<!-- /tables -->
"""


def test_named_block_only(tmp_path, monkeypatch):
    doc = tmp_path / "ODD.md"
    doc.write_text(DOC)
    (tmp_path / "results" / "decompose" / "tiny").mkdir(parents=True)
    (tmp_path / "results" / "decompose" / "tiny" / "decomposition.md").write_text("| new | table |\n")
    monkeypatch.setattr(odd_tables, "DOC", doc)
    monkeypatch.setattr(odd_tables, "RESULTS", tmp_path / "results")
    assert odd_tables.main(["--check", "decompose-tiny"]) == 1
    assert odd_tables.main(["decompose-tiny"]) == 0
    text = doc.read_text()
    assert "| new | table |" in text and "an old scale table" in text  # results/scale is absent: kept
    assert odd_tables.main(["--check", "decompose-tiny"]) == 0
    before = doc.read_text()
    assert odd_tables.main([]) == 0  # every block: the scale table has no results here, so it keeps its table
    assert doc.read_text() == before


def test_help_writes_nothing(tmp_path, monkeypatch, capsys):
    doc = tmp_path / "ODD.md"
    doc.write_text(DOC)
    monkeypatch.setattr(odd_tables, "DOC", doc)
    monkeypatch.setattr(odd_tables, "RESULTS", tmp_path / "results")  # no results at all
    with pytest.raises(SystemExit) as e:
        odd_tables.main(["--help"])
    assert e.value.code == 0 and "--check" in capsys.readouterr().out
    assert doc.read_text() == DOC


def test_unknown_block(tmp_path, monkeypatch, capsys):
    doc = tmp_path / "ODD.md"
    doc.write_text(DOC)
    monkeypatch.setattr(odd_tables, "DOC", doc)
    assert odd_tables.main(["decompose-nowhere"]) == 2
    assert "decompose-nowhere" in capsys.readouterr().err
    assert doc.read_text() == DOC
