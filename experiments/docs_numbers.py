"""The numbers quoted in docs/experiments.md, regenerated: ``python -m experiments.docs_numbers [--check]``.

Each generated block sits between ``<!-- numbers:NAME -->`` and ``<!-- /numbers -->`` and is
rewritten from a run of the command it quotes (runs come from results/store, so a second
call is fast).  ``--check`` writes nothing and exits 1 when a block differs from what the
current model gives, so a stale number in the docs is found, not read.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

import numpy as np

from experiments.compare import compare
from experiments.labels import label
from experiments.numbers import fmt

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "experiments.md"
BLOCK = re.compile(r"(<!-- numbers:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /numbers -->)", re.S)

WHY_PAIRED = dict(world="tiny", policies=["im_reform", "zhucheng_model"], seeds=10)
WHY_ROWS = (("satisfaction_mean", "im_reform"), ("satisfaction_mean", "zhucheng_model"),
            ("trust_mean", "zhucheng_model"), ("coverage_service", "im_reform"),
            ("resolution_days_mean", "im_reform"))


def why_paired(store: str = "results/store", n_jobs: int = 1) -> str:
    """The 'Why paired' table: paired and unpaired half-widths of the docs' example comparison."""
    comp = compare(WHY_PAIRED["world"], "status_quo", WHY_PAIRED["policies"], WHY_PAIRED["seeds"], store=store,
                   n_jobs=n_jobs)
    t = comp.table()
    days = next(iter(comp.summaries.values()))["days"]
    s = t.set_index(["outcome", "policy"])
    lines = [f"`{WHY_PAIRED['world']}`, {days} days, seeds 0–{WHY_PAIRED['seeds'] - 1}, "
             f"{' and '.join(f'`{p}`' for p in WHY_PAIRED['policies'])} against `status_quo`",
             f"(`python -m experiments.compare world={WHY_PAIRED['world']} "
             f"policies=[{','.join(WHY_PAIRED['policies'])}] seeds={WHY_PAIRED['seeds']}`):", "",
             "| outcome | policy | difference | paired 95 % half-width | unpaired (Welch) half-width |",
             "|---|---|---:|---:|---:|"]
    for o, p in WHY_ROWS:
        r = s.loc[(o, p)]
        lines.append(f"| {label(o)} (`{o}`) | {p} | {fmt(r['difference'], '−')} | {fmt(r['half_width'])} | "
                     f"{fmt(r['unpaired_half_width'])} |")
    ratio = (t["half_width"] / t["unpaired_half_width"]).replace([np.inf, -np.inf], np.nan).dropna()
    ratio = ratio[ratio > 0]
    med = float(ratio.median())
    lines += ["", *textwrap.wrap(
        f"Because the same seed gives both policies the same residents, world and random draws, the seed-to-seed "
        f"noise cancels in the difference: the paired interval is narrower (median ratio of paired to unpaired "
        f"half-width {med:.2f} over all outcomes), i.e. the same precision needs about {med ** 2 * 100:.0f} % of "
        f"the seeds.", 92)]
    return "\n".join(lines) + "\n"


GENERATORS = {"why-paired": why_paired}


def regenerate(text: str, blocks: dict[str, str]) -> str:
    """``text`` with each generated block replaced by its new body."""
    def repl(m: re.Match) -> str:
        name = m.group("name")
        return m.group(1) + blocks.get(name, m.group("body")) + m.group(4)

    return BLOCK.sub(repl, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.docs_numbers", description=(
        f"Re-run the runs behind the generated numbers of {DOC.relative_to(ROOT)} and write them in."))
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a number differs")
    check = ap.parse_args(sys.argv[1:] if argv is None else argv).check
    text = DOC.read_text()
    names = [m.group("name") for m in BLOCK.finditer(text)]
    unknown = [n for n in names if n not in GENERATORS]
    if unknown:
        print(f"error: {DOC.relative_to(ROOT)}: no generator for the block {unknown[0]!r}", file=sys.stderr)
        return 2
    new = regenerate(text, {n: GENERATORS[n]() for n in names})
    if check:
        if new != text:
            print(f"{DOC.relative_to(ROOT)}: numbers differ from what the model gives now; run "
                  "python -m experiments.docs_numbers", file=sys.stderr)
            return 1
        print(f"{DOC.relative_to(ROOT)}: {len(names)} generated blocks are up to date")
        return 0
    DOC.write_text(new)
    print(f"rewrote {len(names)} generated blocks in {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
