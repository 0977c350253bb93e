"""The numbers of docs/experiments.md come from a script: its blocks are regenerated, and a stale one is found."""

import pytest

from experiments import docs_numbers


def test_the_docs_hold_the_generated_block_of_the_command_they_quote():
    text = docs_numbers.DOC.read_text()
    blocks = {m.group("name"): m.group("body") for m in docs_numbers.BLOCK.finditer(text)}
    assert set(blocks) == set(docs_numbers.GENERATORS)
    w = docs_numbers.WHY_PAIRED
    assert (f"python -m experiments.compare world={w['world']} policies=[{','.join(w['policies'])}] "
            f"seeds={w['seeds']}") in blocks["why-paired"]
    assert blocks["why-paired"].count("\n| ") == len(docs_numbers.WHY_ROWS) + 1


def _doc(tmp_path, monkeypatch, generate):
    """A docs/experiments.md of one stale block, and ``generate`` as its generator."""
    doc = tmp_path / "docs" / "experiments.md"
    doc.parent.mkdir()
    doc.write_text("intro\n<!-- numbers:why-paired -->\n| old | 0.1062 |\n<!-- /numbers -->\nafter\n")
    monkeypatch.setattr(docs_numbers, "DOC", doc)
    monkeypatch.setattr(docs_numbers, "ROOT", tmp_path)
    monkeypatch.setattr(docs_numbers, "GENERATORS", {"why-paired": generate})
    return doc


def test_check_finds_a_stale_block_and_a_rerun_fixes_it(tmp_path, monkeypatch, capsys):
    doc = _doc(tmp_path, monkeypatch, lambda: "| new | 0.0820 |\n")
    assert docs_numbers.main(["--check"]) == 1 and "0.1062" in doc.read_text()
    assert docs_numbers.main([]) == 0
    assert doc.read_text() == "intro\n<!-- numbers:why-paired -->\n| new | 0.0820 |\n<!-- /numbers -->\nafter\n"
    assert docs_numbers.main(["--check"]) == 0


def test_help_runs_nothing_and_writes_nothing(tmp_path, monkeypatch, capsys):
    def run():
        raise AssertionError("--help ran the block's runs")

    doc = _doc(tmp_path, monkeypatch, run)
    with pytest.raises(SystemExit) as e:
        docs_numbers.main(["--help"])
    assert e.value.code == 0 and "--check" in capsys.readouterr().out
    assert "0.1062" in doc.read_text()
