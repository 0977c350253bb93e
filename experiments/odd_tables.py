"""The measured tables of docs/ODD.md, copied in from the commands that make them.

``python -m experiments.odd_tables [--check] [NAME ...]``

Each block of docs/ODD.md between ``<!-- tables:NAME -->`` and ``<!-- /tables -->`` is the
output of one command (below), read from its results folder:

* ``warmup``: ``python -m experiments.warmup`` (results/warmup/warmup.csv), and the region's
  ``python -m experiments.warmup worlds=[inner_mongolia] out=results/warmup_region`` after it
* ``scale``: ``python -m experiments.scale_table`` (results/scale/scale_table.md)
* ``scale-region``: ``python -m experiments.scale_table worlds=[inner_mongolia] scales=[0.07,0.14]
  out=results/scale_region store=results/scale_region/store`` (results/scale_region/scale_table.md)
* ``decompose-WORLD``: ``python -m experiments.decompose world=WORLD ...`` (results/decompose/WORLD/decomposition.md)

``--check`` writes nothing and exits 1 when a block differs from its results file.  A block
whose results are not on this machine keeps its table (and is not checked).  Given
block names (e.g. ``levers decompose-jinan_urban``), only those blocks are read and written: the
others keep their tables even where their results folder is not on this machine.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ODD.md"
RESULTS = ROOT / "results"
BLOCK = re.compile(r"(<!-- tables:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /tables -->)", re.S)


def warmup() -> str:
    df = pd.concat([pd.read_csv(RESULTS / d / "warmup.csv") for d in ("warmup", "warmup_region")
                    if (RESULTS / d / "warmup.csv").exists() or d == "warmup"], ignore_index=True)
    lines = ["| world | scale | settling (days): satisfaction, its spread, participation, open needs | warm-up | "
             "MSER-5 (days, not used) | year-on-year drift after it: satisfaction; participation (95 % CI) |",
             "|---|---:|---|---:|---|---|"]
    for r in df.itertuples():
        settle = ", ".join(str(getattr(r, f"settling_{c}")) for c in
                           ("satisfaction_mean", "satisfaction_sd", "participation_rate", "pending"))
        mser = ", ".join(str(getattr(r, f"mser_{c}")) for c in ("satisfaction_mean", "participation_rate"))
        drift = "; ".join(f"{getattr(r, f'drift_{c}'):+.4f} ± {getattr(r, f'drift_{c}_half_width'):.4f}"
                          for c in ("satisfaction_mean", "participation_rate"))
        lines.append(f"| `{r.world}` | {r.scale:g} | {settle} | {r.warmup_days} | {mser} | {drift} |")
    return "\n".join(lines) + "\n"


WORLDS = ("zhucheng_rural", "jinan_urban", "hohhot_urban", "im_pastoral")


def levers() -> str:
    """Each lever alone, on satisfaction, on the worlds decomposed."""
    frames = {w: pd.read_csv(RESULTS / "decompose" / w / "decomposition.csv") for w in WORLDS
              if (RESULTS / "decompose" / w / "decomposition.csv").exists()}
    if not frames:
        raise FileNotFoundError(str(RESULTS / "decompose"))
    lines = ["| lever | " + " | ".join(f"`{w}`" for w in frames) + " |", "|---|" + "---:|" * len(frames)]
    first = next(iter(frames.values()))
    for lever in dict.fromkeys(first[first["kind"] == "alone"]["lever"]):
        cells = []
        for df in frames.values():
            r = df[(df["kind"] == "alone") & (df["lever"] == lever) & (df["outcome"] == "satisfaction_mean")]
            cells.append(f"{r['effect'].iloc[0]:+.4f} [{r['ci_low'].iloc[0]:+.4f}, {r['ci_high'].iloc[0]:+.4f}]"
                         if len(r) else "—")
        lines.append(f"| `{lever}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def from_file(path: Path) -> str:
    return path.read_text().strip("\n") + "\n"


COMMANDS = {"warmup": "python -m experiments.warmup", "scale": "python -m experiments.scale_table",
            "levers": "python -m experiments.decompose world=W world.scale=S seeds=3 (for each world below)",
            "scale-region": "python -m experiments.scale_table worlds=[inner_mongolia] scales=[0.07,0.14] "
                            "out=results/scale_region store=results/scale_region/store seeds=2"}


def command(name: str) -> str:
    if name.startswith("decompose-"):
        w = name.removeprefix("decompose-")
        return f"python -m experiments.decompose world={w} seeds=3 out=results/decompose/{w} (at the scale above)"
    return COMMANDS[name]


def generators() -> dict:
    out = {"warmup": warmup, "scale": lambda: from_file(RESULTS / "scale" / "scale_table.md"), "levers": levers,
           "scale-region": lambda: from_file(RESULTS / "scale_region" / "scale_table.md")}
    for d in sorted((RESULTS / "decompose").glob("*/decomposition.md")):
        out[f"decompose-{d.parent.name}"] = (lambda p=d: from_file(p))
    return out


def block_names(text: str) -> list[str]:
    return [m["name"] for m in BLOCK.finditer(text)]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.odd_tables", description=(
        "Copy the measured tables into docs/ODD.md from their results folders. A block whose results are "
        "not on this machine keeps its table."))
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a block differs from its results")
    ap.add_argument("blocks", nargs="*", metavar="NAME", help="only these blocks (e.g. levers decompose-jinan_urban)")
    a = ap.parse_args(argv)
    only = set(a.blocks)
    text = DOC.read_text()
    known = set(block_names(text))
    unknown = sorted(only - known)
    if unknown:
        print(f"odd_tables: no block {unknown[0]!r} in docs/ODD.md; blocks: {', '.join(sorted(known))}",
              file=sys.stderr)
        return 2
    gens = generators()
    stale, missing = [], []

    def fill(m):
        name = m["name"]
        if only and name not in only:
            return m.group(0)
        if name not in gens:
            missing.append((name, RESULTS / "decompose" / name.removeprefix("decompose-")))
            return m.group(0)
        try:
            body = gens[name]()
        except FileNotFoundError as e:  # a measured table is never replaced by nothing
            missing.append((name, e.filename))
            return m.group(0)
        if body != m["body"]:
            stale.append(name)
        return m.group(1) + body + m.group(4)

    new = BLOCK.sub(fill, text)
    for name, where in missing:
        print(f"block {name}: no results on this machine ({where}), so it is {'not checked' if a.check else 'kept'}; "
              f"`{command(name)}` makes them", file=sys.stderr)
    if a.check:
        for name in stale:
            print(f"docs/ODD.md block {name} differs from its results", file=sys.stderr)
        return 1 if stale else 0
    DOC.write_text(new)
    print(f"docs/ODD.md: {len(stale)} blocks updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
