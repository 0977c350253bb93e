"""Benchmark: wall time, throughput and peak memory of one-year runs from 10 k to 1 M households.

    python -m experiments.benchmark                      # 10k,100k,350k,1M + tiny + per-agent ratio
    python -m experiments.benchmark --sizes 10k,100k --repeats 5 --out results/benchmark/quick.csv

Sizes scale ``zhucheng_rural`` with ``world.scale`` (households, villages, area
and district staff together, so densities and community sizes of about 1,500
households stay the same); ``350k`` is the full-scale world (scale 1).  Each run
of a size is a fresh subprocess, so its peak memory (RSS) is its own; it
builds the model, runs it and computes every outcome (summary, daily series,
community and group tables).  Short runs are repeated and medians reported.
``--tiny`` times the tiny world in this process; ``--reference`` times the
per-agent reference model (experiments/reference) against the vectorised one on
the same docking config and prints the speed ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

FULL_SCALE_HOUSEHOLDS = 352_500  # zhucheng_rural: 55,500 urban + 990 villages x 300 households (expected)
DEFAULT_SIZES = "10k,100k,350k,1M"
REPEAT_IF_UNDER_S = 20.0  # repeat a size only while one run takes less than this


def parse_size(text: str) -> tuple[str, float]:
    """'100k' -> ('100k', scale); '350k' and 'full' are the full-scale world (scale 1)."""
    t = text.strip().lower()
    if t in ("350k", "full", "zhucheng"):
        return "350k", 1.0
    mult = {"k": 1e3, "m": 1e6}.get(t[-1], 1.0)
    n = float(t[:-1] if t[-1] in "km" else t) * mult
    return text.strip(), n / FULL_SCALE_HOUSEHOLDS


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}"


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux reports KiB, macOS bytes)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == "darwin" else r / 1024


def one_run(world: str, scale: float, days: int, seed: int, progress: bool = False,
            overrides: tuple[str, ...] = ()) -> dict:
    """Build, run and compute all outcomes of one model; the timings in seconds."""
    from sim.config.load import load
    from sim.model import GovernanceModel

    cfg, _ = load([f"world={world}", "policy=status_quo", f"seed={seed}", f"days={days}",
                   f"world.scale={scale:.6g}", *overrides])
    t0 = time.perf_counter()
    model = GovernanceModel(cfg)
    t1 = time.perf_counter()
    model.run(progress=progress)
    t2 = time.perf_counter()
    model.summary()
    model.ledger.daily()
    model.ledger.communities()
    model.ledger.groups()
    t3 = time.perf_counter()
    return {"households": int(model.residents.n), "communities": int(model.org.n_communities),
            "build_s": t1 - t0, "run_s": t2 - t1, "outcomes_s": t3 - t2, "total_s": t3 - t0}


def worker(a: argparse.Namespace) -> None:
    """Child process: one run, one JSON line on stdout."""
    r = one_run(a.world, a.scale, a.days, a.seed, progress=a.progress)
    r["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(r), flush=True)


def measure_size(label: str, scale: float, a: argparse.Namespace, i: int, n: int) -> dict:
    """Median figures of up to ``a.repeats`` fresh-process runs of one size."""
    runs = []
    for rep in range(a.repeats):
        print(f"[{i}/{n}] {label:>5} (scale {scale:.4g}) run {rep + 1}/{a.repeats} ...", end=" ",
              file=sys.stderr, flush=True)
        cmd = [sys.executable, "-m", "experiments.benchmark", "--worker", "--world", a.world, "--scale",
               f"{scale:.6g}", "--days", str(a.days), "--seed", str(a.seed + rep)]
        if sys.stderr.isatty():
            cmd.append("--progress")
        t = time.perf_counter()
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True,
                             cwd=Path(__file__).resolve().parents[1]).stdout
        r = json.loads(out.strip().splitlines()[-1])
        runs.append(r)
        print(f"{r['households']:,} households, run {r['run_s']:.2f} s, total {r['total_s']:.2f} s, "
              f"peak {r['peak_rss_mib']:.0f} MiB ({time.perf_counter() - t:.1f} s with start-up)",
              file=sys.stderr, flush=True)
        if r["total_s"] >= REPEAT_IF_UNDER_S:
            break
    med = {k: statistics.median(r[k] for r in runs) for k in ("build_s", "run_s", "outcomes_s", "total_s")}
    hh = int(statistics.median(r["households"] for r in runs))
    hh_days = hh * a.days
    return {"kind": "size", "label": label, "scale": round(scale, 6), "households": hh,
            "communities": int(statistics.median(r["communities"] for r in runs)), "days": a.days,
            "repeats": len(runs), **{k: round(v, 3) for k, v in med.items()},
            "hh_days_per_s": round(hh_days / med["run_s"]), "ns_per_hh_day": round(med["run_s"] / hh_days * 1e9, 1),
            "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
            "load_1min": round(os.getloadavg()[0], 2)}


def measure_tiny(a: argparse.Namespace) -> dict:
    """The tiny world, in this process (as tests and sweeps run it), median of repeats."""
    one_run("tiny", 1.0, 5, a.seed)  # warm up imports and caches
    runs = [one_run("tiny", 1.0, a.days, a.seed + r) for r in range(max(a.repeats, 5))]
    med = {k: statistics.median(r[k] for r in runs) for k in ("build_s", "run_s", "outcomes_s", "total_s")}
    hh = runs[0]["households"]
    return {"kind": "tiny", "label": "tiny", "scale": 1.0, "households": hh, "communities": runs[0]["communities"],
            "days": a.days, "repeats": len(runs), **{k: round(v, 3) for k, v in med.items()},
            "hh_days_per_s": round(hh * a.days / med["run_s"]),
            "ns_per_hh_day": round(med["run_s"] / (hh * a.days) * 1e9, 1), "peak_rss_mib": round(peak_rss_mib(), 1),
            "load_1min": round(os.getloadavg()[0], 2)}


def measure_reference(a: argparse.Namespace) -> list[dict]:
    """Per-agent reference vs vectorised, same docking config, build excluded; median of repeats."""
    from experiments.reference.docking import config
    from experiments.reference.model import ReferenceModel
    from sim.model import GovernanceModel

    label, scale = parse_size(a.reference_size)
    rows = []
    times = {"vectorised": [], "reference": []}
    for rep in range(a.reference_repeats):
        cfg = config(a.seed + rep, "zhucheng_rural", a.reference_days, (f"world.scale={scale:.6g}",))
        for kind, cls in (("vectorised", GovernanceModel), ("reference", ReferenceModel)):
            print(f"[ref] {kind} {label} run {rep + 1}/{a.reference_repeats} ...", end=" ", file=sys.stderr,
                  flush=True)
            m = cls(cfg)
            t = time.perf_counter()
            m.run()
            times[kind].append(time.perf_counter() - t)
            n = len(m.households) if kind == "reference" else m.residents.n
            print(f"{times[kind][-1]:.2f} s", file=sys.stderr, flush=True)
    for kind in ("vectorised", "reference"):
        run_s = statistics.median(times[kind])
        d = a.reference_days
        rows.append({"kind": kind, "label": f"{label} {kind[:3]}", "scale": round(scale, 6), "households": n,
                     "days": d, "repeats": len(times[kind]), "run_s": round(run_s, 3),
                     "hh_days_per_s": round(n * d / run_s), "ns_per_hh_day": round(run_s / (n * d) * 1e9, 1),
                     "load_1min": round(os.getloadavg()[0], 2)})
    return rows


COLUMNS = ("kind", "label", "scale", "households", "communities", "days", "repeats", "build_s", "run_s", "outcomes_s",
           "total_s", "hh_days_per_s", "ns_per_hh_day", "time_per_hh_day_vs_smallest", "peak_rss_mib", "load_1min",
           "machine")


def report(rows: list[dict]) -> str:
    head = (f"{'size':>14} {'households':>10} {'build s':>8} {'run s':>8} {'outcomes s':>10} {'hh-days/s':>11} "
            f"{'ns/hh-day':>9} {'vs smallest':>11} {'peak MiB':>9}")
    lines = [head]
    for r in rows:
        nan = float("nan")
        lines.append(f"{r['label']:>14} {r['households']:>10,} {r.get('build_s', nan):>8.2f} {r['run_s']:>8.2f} "
                     f"{r.get('outcomes_s', nan):>10.2f} {r['hh_days_per_s']:>11,} {r['ns_per_hh_day']:>9.1f} "
                     f"{r.get('time_per_hh_day_vs_smallest', ''):>11} {r.get('peak_rss_mib', nan):>9.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark one-year runs from 10 k to 1 M households.")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated (default {DEFAULT_SIZES}); '' for none")
    ap.add_argument("--repeats", type=int, default=3, help="runs per size (sizes over 20 s run once); medians")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--world", default="zhucheng_rural")
    ap.add_argument("--out", default="results/benchmark/benchmark.csv")
    ap.add_argument("--tiny", action=argparse.BooleanOptionalAction, default=True, help="time the tiny world")
    ap.add_argument("--reference", action=argparse.BooleanOptionalAction, default=True,
                    help="time the per-agent reference model and print the speed ratio")
    ap.add_argument("--reference-size", default="100k")
    ap.add_argument("--reference-days", type=int, default=60,
                    help="days of the per-agent comparison (queues settle within a few weeks)")
    ap.add_argument("--reference-repeats", type=int, default=1)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    ap.add_argument("--progress", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        worker(a)
        return

    mach = machine()
    print(f"machine: {mach}; load average {os.getloadavg()[0]:.2f} at start", file=sys.stderr)
    sizes = [parse_size(s) for s in a.sizes.split(",") if s.strip()]
    rows = [measure_size(label, scale, a, i + 1, len(sizes)) for i, (label, scale) in enumerate(sizes)]
    if rows:
        base = rows[0]["ns_per_hh_day"]
        for r in rows:
            r["time_per_hh_day_vs_smallest"] = round(r["ns_per_hh_day"] / base, 2)
    if a.tiny:
        print("[tiny] in-process ...", file=sys.stderr, flush=True)
        rows.append(measure_tiny(a))
    if a.reference:
        rows += measure_reference(a)
    for r in rows:
        r["machine"] = mach
    print(report(rows))
    sized = [r for r in rows if r["kind"] == "size"]
    if len(sized) > 1:
        first, last = sized[0], sized[-1]
        ratio = last["ns_per_hh_day"] / first["ns_per_hh_day"]
        print(f"time per household-day, {first['label']} -> {last['label']}: x{ratio:.2f}")
        hundred = [r for r in sized if r["households"] >= 90_000]
        if len(hundred) > 1:
            print(f"time per household-day, {hundred[0]['label']} -> {hundred[-1]['label']}: "
                  f"x{hundred[-1]['ns_per_hh_day'] / hundred[0]['ns_per_hh_day']:.2f} (target: within 1.5)")
    ref = {r["kind"]: r for r in rows if r["kind"] in ("vectorised", "reference")}
    if len(ref) == 2:
        print(f"speed ratio vectorised / per-agent reference at {ref['reference']['label']} "
              f"({ref['reference']['households']:,} households, {ref['reference']['days']} days, run only, "
              f"docking settings): "
              f"x{ref['reference']['run_s'] / ref['vectorised']['run_s']:.1f} (goal: 30)")
    tiny = [r for r in rows if r["kind"] == "tiny"]
    if tiny:
        print(f"tiny world, {a.days} days, in-process: build {tiny[0]['build_s']:.2f} s + run {tiny[0]['run_s']:.2f} s "
              f"+ outcomes {tiny[0]['outcomes_s']:.2f} s = {tiny[0]['total_s']:.2f} s (median of {tiny[0]['repeats']})")
    print(f"machine: {mach}; load average {os.getloadavg()[0]:.2f} at end")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
