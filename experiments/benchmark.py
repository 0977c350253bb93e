"""Benchmark: wall time, throughput and peak memory of one-year runs from 10 k to 1 M households.

    python -m experiments.benchmark                      # sizes, tiny, per-agent ratio, bandwidth, start-up
    python -m experiments.benchmark --region             # ... and the whole Inner Mongolia region
    python -m experiments.benchmark --sizes 10k,100k --repeats 5 --out results/benchmark/quick.csv

Sizes scale ``zhucheng_rural`` with ``world.scale`` (households, villages, area
and district staff together, so densities and community sizes of about 1,500
households stay the same); ``350k`` is the full-scale world (scale 1).  Each run
of a size is a fresh subprocess, so its peak memory (RSS) is its own; it
builds the model, runs it and computes every outcome (summary, daily series,
community and group tables).  Short runs are repeated and medians reported.
``--tiny`` times the tiny world in this process; ``--reference`` times the
per-agent reference model (experiments/reference) against the vectorised one on
the same docking config and prints the speed ratio.  Runs are timed without a
warm-up (``warmup_days=0``): a warm-up day costs what a measured day costs.

Targets (printed with the measured figures, never asserted in tests):

* ``--region``: the region's days (``inner_mongolia``, full scale, ``--region-days``)
  beside a 100 k-household world's, in one measurement: time per household-day
  within 1.3x of the 100 k world's, peak memory within 10 GiB.
* the full-scale year within 3x the memory-bandwidth floor: the machine's streaming
  bandwidth is measured here (numpy copy of a 256 MiB array: bytes read plus bytes
  written per second), and the floor is the bytes a day must touch over it.  What a
  day must touch: every household's satisfaction (read), trust (read and written: it
  follows satisfaction daily) and participation (read: the daily series), and every
  open need once (the queues are served daily).  Everything else a day does
  touches only the day's needs and the communities' arrays.  Beside it the benchmark
  prints what a day costs whatever its size (the tiny world's day, ``fixed_day_ms``):
  when that alone exceeds the floor's day, no day made of numpy calls can meet the target.
* vectorised / per-agent reference at 100 k households: 40x or more.
* ``python -m sim --help`` within 4x the start-up of ``python -c "import numpy"``.
* ``--main-command``: the README's main command (``MAIN_COMMAND``, one process, a fresh results
  store) costs no more CPU time than the same command of the code before the warm-up was added
  (``--before``, a commit extracted with ``git archive`` into a temporary folder), back to back
  (``--main-repeats`` rounds of them, interleaved: medians).
  Every policy branches from each seed's warmed baseline, so the warm-up is paid once per seed;
  the same command without a warm-up (``warmup_days=0``) shows what it costs on the same code.
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

MAIN_COMMAND = ("world=zhucheng_rural", "world.scale=0.1", "seeds=10")  # the README's first command's report
# the first version, the last commit before the warm-up (89a12df to 38c8b35 added it, and the commits
# between them do not run on their own)
BEFORE_WARMUP = "2dcef1d"
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
    """Peak resident memory of this process.  On Linux the high-water mark of its own memory
    (``VmHWM``: ``ru_maxrss`` would carry over the parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == "darwin" else r / 1024


def one_run(world: str, scale: float, days: int, seed: int, progress: bool = False,
            overrides: tuple[str, ...] = ()) -> dict:
    """Build, run and compute all outcomes of one model; the timings in seconds."""
    from sim.config.load import load
    from sim.model import GovernanceModel

    cfg, _ = load([f"world={world}", "policy=status_quo", f"seed={seed}", f"days={days}",
                   f"world.scale={scale:.6g}", "warmup_days=0", *overrides])
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
            "build_s": t1 - t0, "run_s": t2 - t1, "outcomes_s": t3 - t2, "total_s": t3 - t0,
            "bytes_per_day": bytes_per_day(model)}


def bytes_per_day(model) -> int:
    """The bytes a day must touch (module docstring): household state that changes or is read
    daily, and the open needs once."""
    res = model.residents
    pool = sum(v.nbytes for v in model.needs.a.values())
    return int(res.satisfaction.nbytes + 2 * res.trust.nbytes + res.participating.nbytes + pool)


def bandwidth_gbs(mib: int = 256, repeats: int = 7) -> float:
    """Streaming bandwidth (GB/s, read plus write) of a numpy copy, best of ``repeats``."""
    import numpy as np

    a = np.ones(mib * 2**20 // 8)
    b = np.empty_like(a)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t)
    return 2 * a.nbytes / best / 1e9


def startup_s(cmd: list[str], repeats: int = 7) -> float:
    """Median wall time of a fresh process running ``cmd`` (the first run, filling caches, not counted)."""
    root = Path(__file__).resolve().parents[1]
    times = []
    for i in range(repeats + 1):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, cwd=root)
        if i:
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure_startup() -> dict:
    numpy_s = startup_s([sys.executable, "-c", "import numpy"])
    help_s = startup_s([sys.executable, "-m", "sim", "--help"])
    return {"kind": "startup", "label": "sim --help", "numpy_import_s": round(numpy_s, 3),
            "sim_help_s": round(help_s, 3), "ratio": round(help_s / numpy_s, 2), "target": 4.0,
            "load_1min": round(os.getloadavg()[0], 2)}


def cpu_s(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """CPU time (user + system) and wall time of one command run to its end in ``cwd``, importing from it.
    The CPU time is what this process's waited-for children gained meanwhile (it runs nothing else then)."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or [""])[-1]
        raise SystemExit(f"benchmark: {' '.join(cmd)} in {cwd} failed ({p.returncode}): {last}")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def measure_main(before: str, repeats: int = 1) -> dict:
    """The README's main command now and at ``before``, back to back, each in one process with a fresh store;
    ``repeats`` rounds of the three, one after another (a shared machine's speed drifts by several per cent
    within minutes, so each is the median of its rounds)."""
    import shutil
    import tempfile

    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="bench-main-") as tmp:
        old = Path(tmp) / "before"
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(here), "archive", before], stdout=subprocess.PIPE)
        if archive.returncode != 0:
            raise SystemExit(f"benchmark: --before={before!r}: no such commit in {here} (git archive failed)")
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        times: dict[str, list] = {}
        # now, now without the warm-up (what the warm-up itself costs, shared by branching), and before
        for r in range(repeats):
            for i, (name, tree, extra) in enumerate((("now", here, ()), ("now, no warm-up", here, ("warmup_days=0",)),
                                                     ("before", old, ()))):
                print(f"[main command] {name} ({tree}), round {r + 1} of {repeats} ...", end=" ", file=sys.stderr,
                      flush=True)
                run = f"{tmp}/{r}-{i}"
                cmd = [sys.executable, "-m", "experiments.report", *MAIN_COMMAND, *extra, "n_jobs=1",
                       f"out={run}-report", f"store={run}-store"]
                t = cpu_s(cmd, tree)
                times.setdefault(name, []).append(t)
                shutil.rmtree(f"{run}-report", ignore_errors=True)
                shutil.rmtree(f"{run}-store", ignore_errors=True)
                print(f"CPU {t[0]:.1f} s, wall {t[1]:.1f} s", file=sys.stderr, flush=True)
    med = {name: (statistics.median(c for c, _ in ts), statistics.median(w for _, w in ts))
           for name, ts in times.items()}
    (now, now_wall), (bare, _), (old_s, old_wall) = med["now"], med["now, no warm-up"], med["before"]
    return {"kind": "main", "label": "main command", "cpu_s": round(now, 1), "before_s": round(old_s, 1),
            "no_warmup_s": round(bare, 1), "wall_s": round(now_wall, 1), "before_wall_s": round(old_wall, 1),
            "before": before, "repeats": repeats,
            "cpu_s_all": " ".join(f"{c:.1f}" for c, _ in times["now"]),
            "before_s_all": " ".join(f"{c:.1f}" for c, _ in times["before"]),
            "load_1min": round(os.getloadavg()[0], 2)}


def worker(a: argparse.Namespace) -> None:
    """Child process: one run, one JSON line on stdout."""
    r = one_run(a.world, a.scale, a.days, a.seed, progress=a.progress)
    r["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(r), flush=True)


def measure_size(label: str, scale: float, a: argparse.Namespace, i: int, n: int, world: str | None = None,
                 days: int | None = None, repeats: int | None = None) -> dict:
    """Median figures of up to ``repeats`` fresh-process runs of one size."""
    runs = []
    world = world or a.world
    days = days or a.days
    repeats = repeats or a.repeats
    for rep in range(repeats):
        print(f"[{i}/{n}] {label:>5} (scale {scale:.4g}) run {rep + 1}/{repeats} ...", end=" ",
              file=sys.stderr, flush=True)
        cmd = [sys.executable, "-m", "experiments.benchmark", "--worker", "--world", world, "--scale",
               f"{scale:.6g}", "--days", str(days), "--seed", str(a.seed + rep)]
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
    hh_days = hh * days
    return {"kind": "size", "label": label, "world": world, "scale": round(scale, 6), "households": hh,
            "communities": int(statistics.median(r["communities"] for r in runs)), "days": days,
            "bytes_per_day": int(statistics.median(r["bytes_per_day"] for r in runs)),
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


COLUMNS = ("kind", "label", "world", "scale", "households", "communities", "days", "repeats", "build_s", "run_s",
           "outcomes_s", "total_s", "hh_days_per_s", "ns_per_hh_day", "time_per_hh_day_vs_smallest", "peak_rss_mib",
           "bytes_per_day", "bandwidth_gbs", "floor_s", "floor_day_ms", "fixed_day_ms", "numpy_import_s", "sim_help_s",
           "cpu_s", "before_s", "no_warmup_s", "wall_s", "before_wall_s", "before", "cpu_s_all", "before_s_all",
           "ratio", "target", "load_1min", "machine")


def report(rows: list[dict]) -> str:
    head = (f"{'size':>14} {'households':>10} {'build s':>8} {'run s':>8} {'outcomes s':>10} {'hh-days/s':>11} "
            f"{'ns/hh-day':>9} {'vs smallest':>11} {'peak MiB':>9}")
    lines = [head]
    nan = float("nan")
    for r in rows:
        if "run_s" not in r:
            continue
        lines.append(f"{r['label']:>14} {r['households']:>10,} {r.get('build_s', nan):>8.2f} {r['run_s']:>8.2f} "
                     f"{r.get('outcomes_s', nan):>10.2f} {r['hh_days_per_s']:>11,} {r['ns_per_hh_day']:>9.1f} "
                     f"{r.get('time_per_hh_day_vs_smallest', ''):>11} {r.get('peak_rss_mib', nan):>9.0f}")
    return "\n".join(lines)


def target(label: str, ratio: float, goal: float, at_least: bool = False, **extra) -> dict:
    """A target row: the measured ratio beside its goal, and whether it is met."""
    met = ratio >= goal if at_least else ratio <= goal
    return {"kind": "target", "label": label, "ratio": round(ratio, 2), "target": goal, "met": met, **extra}


def targets(rows: list[dict], a: argparse.Namespace) -> list[dict]:
    """The issue's targets from the measured rows (those the run measured)."""
    out = []
    sized = {r["label"]: r for r in rows if r["kind"] == "size"}
    region, beside = sized.get("region"), sized.get("100k beside")
    if region and beside:
        out.append(target("region vs 100k: time per household-day", region["ns_per_hh_day"] / beside["ns_per_hh_day"],
                          1.3, households=region["households"], days=region["days"]))
        out.append(target("region: peak memory (GiB)", region["peak_rss_mib"] / 1024, 10.0))
    bw = next((r for r in rows if r["kind"] == "bandwidth"), None)
    full = sized.get("350k")
    if bw and full:
        floor = full["days"] * full["bytes_per_day"] / (bw["bandwidth_gbs"] * 1e9)
        extra = {}
        tiny = next((r for r in rows if r["kind"] == "tiny"), None)
        if tiny:  # what a day costs whatever its size (the tiny world's day), beside the floor's day
            extra["fixed_day_ms"] = round(tiny["run_s"] / tiny["days"] * 1e3, 3)
        out.append(target("full-scale year vs bandwidth floor", full["run_s"] / floor, 3.0,
                          bytes_per_day=full["bytes_per_day"], bandwidth_gbs=bw["bandwidth_gbs"],
                          floor_s=round(floor, 3), floor_day_ms=round(floor / full["days"] * 1e3, 3), **extra))
    ref = {r["kind"]: r for r in rows if r["kind"] in ("vectorised", "reference")}
    if len(ref) == 2:
        out.append(target(f"vectorised / per-agent at {ref['reference']['label'].split()[0]}",
                          ref["reference"]["run_s"] / ref["vectorised"]["run_s"], 40.0, at_least=True))
    st = next((r for r in rows if r["kind"] == "startup"), None)
    if st:
        out.append(target("python -m sim --help vs import numpy", st["ratio"], 4.0))
    mc = next((r for r in rows if r["kind"] == "main"), None)
    if mc:
        out.append(target("README main command vs before the warm-up (CPU time)", mc["cpu_s"] / mc["before_s"], 1.0,
                          cpu_s=mc["cpu_s"], before_s=mc["before_s"], before=mc["before"]))
        # not a target of its own: how much of that the warm-up is, on the same code
        out.append({"kind": "main", "label": "README main command vs the same without warm-up (CPU time)",
                    "ratio": round(mc["cpu_s"] / mc["no_warmup_s"], 2), "cpu_s": mc["cpu_s"],
                    "no_warmup_s": mc["no_warmup_s"]})
    return out


def csv_path(given: str) -> Path | str:
    """Where the CSV goes: ``given``, or ``benchmark.csv`` inside it if it is a folder; else one line why not."""
    out = Path(given)
    if out.is_dir() or given.endswith(("/", "\\")):
        out = out / "benchmark.csv"
    if out.exists() and not out.is_file():
        return f"--out={given!r}: {out} is not a file; give a .csv path or a folder"
    for parent in (out.parent, *out.parent.parents):
        if parent.exists():
            if not parent.is_dir():
                return f"--out={given!r}: {parent} is a file, not a folder; give a .csv path or a folder"
            break
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark one-year runs from 10 k to 1 M households, the region, "
                                 "the bandwidth floor and start-up.")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated (default {DEFAULT_SIZES}); '' for none")
    ap.add_argument("--repeats", type=int, default=3, help="runs per size (sizes over 20 s run once); medians")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--world", default="zhucheng_rural")
    ap.add_argument("--out", default="results/benchmark/benchmark.csv",
                    help="the CSV to write (a folder: benchmark.csv inside it)")
    ap.add_argument("--tiny", action=argparse.BooleanOptionalAction, default=True, help="time the tiny world")
    ap.add_argument("--reference", action=argparse.BooleanOptionalAction, default=True,
                    help="time the per-agent reference model and print the speed ratio")
    ap.add_argument("--reference-size", default="100k")
    ap.add_argument("--reference-days", type=int, default=60,
                    help="days of the per-agent comparison (queues settle within a few weeks)")
    ap.add_argument("--reference-repeats", type=int, default=1)
    ap.add_argument("--region", action=argparse.BooleanOptionalAction, default=False,
                    help="time the whole inner_mongolia region (about 10 M households) beside a 100 k world")
    ap.add_argument("--region-days", type=int, default=60)
    ap.add_argument("--region-scale", type=float, default=1.0)
    ap.add_argument("--bandwidth", action=argparse.BooleanOptionalAction, default=True,
                    help="measure the streaming bandwidth (the floor of the full-scale year)")
    ap.add_argument("--startup", action=argparse.BooleanOptionalAction, default=True,
                    help="time python -m sim --help against python -c 'import numpy'")
    ap.add_argument("--main-command", action=argparse.BooleanOptionalAction, default=False,
                    help="time the README's main command against the code before the warm-up (about 5 minutes)")
    ap.add_argument("--main-repeats", type=int, default=1,
                    help="rounds of the three main-command runs, interleaved; each is the median of its rounds")
    ap.add_argument("--before", default=BEFORE_WARMUP, help=f"the commit to compare it with (default {BEFORE_WARMUP})")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    ap.add_argument("--progress", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        worker(a)
        return
    out = csv_path(a.out)  # checked before minutes of timing, not after
    if a.main_repeats < 1:
        out = f"--main-repeats={a.main_repeats}: give 1 or more rounds"
    if isinstance(out, str):
        print(f"benchmark: {out}", file=sys.stderr)
        sys.exit(2)

    mach = machine()
    print(f"machine: {mach}; load average {os.getloadavg()[0]:.2f} at start", file=sys.stderr)
    rows = []
    if a.bandwidth:
        gbs = bandwidth_gbs()
        print(f"[bandwidth] numpy copy: {gbs:.1f} GB/s (read + write)", file=sys.stderr, flush=True)
        rows.append({"kind": "bandwidth", "label": "bandwidth", "bandwidth_gbs": round(gbs, 2),
                     "load_1min": round(os.getloadavg()[0], 2)})
    sizes = [parse_size(s) for s in a.sizes.split(",") if s.strip()]
    n = len(sizes) + 2 * a.region
    sized = [measure_size(label, scale, a, i + 1, n) for i, (label, scale) in enumerate(sizes)]
    if sized:
        base = sized[0]["ns_per_hh_day"]
        for r in sized:
            r["time_per_hh_day_vs_smallest"] = round(r["ns_per_hh_day"] / base, 2)
    rows += sized
    if a.region:  # the region and a 100 k world, the same days, one after the other in this measurement
        rows.append(measure_size("region", a.region_scale, a, n - 1, n, world="inner_mongolia", days=a.region_days,
                                 repeats=1))
        rows.append(measure_size("100k beside", parse_size("100k")[1], a, n, n, days=a.region_days))
    if a.tiny:
        print("[tiny] in-process ...", file=sys.stderr, flush=True)
        rows.append(measure_tiny(a))
    if a.reference:
        rows += measure_reference(a)
    if a.startup:
        print("[start-up] ...", file=sys.stderr, flush=True)
        rows.append(measure_startup())
    if a.main_command:
        rows.append(measure_main(a.before, a.main_repeats))
    rows += targets(rows, a)
    for r in rows:
        r["machine"] = mach
    print(report(rows))
    if len(sized) > 1:
        first, last = sized[0], sized[-1]
        print(f"time per household-day, {first['label']} -> {last['label']}: "
              f"x{last['ns_per_hh_day'] / first['ns_per_hh_day']:.2f}")
    tiny = [r for r in rows if r["kind"] == "tiny"]
    if tiny:
        t = tiny[0]
        print(f"tiny world, {a.days} days, in-process: build {t['build_s']:.2f} s + run {t['run_s']:.2f} s "
              f"+ outcomes {t['outcomes_s']:.2f} s = {t['total_s']:.2f} s (median of {t['repeats']}); "
              f"a day's fixed cost about {t['run_s'] / t['days'] * 1e3:.1f} ms")
    st = next((r for r in rows if r["kind"] == "startup"), None)
    if st:
        print(f"start-up: python -c 'import numpy' {st['numpy_import_s']:.3f} s, python -m sim --help "
              f"{st['sim_help_s']:.3f} s")
    for r in (r for r in rows if r["kind"] == "main" and "ratio" in r):
        print(f"{r['label']}: x{r['ratio']:g} (CPU {r['cpu_s']:.1f} s against {r['no_warmup_s']:.1f} s)")
    for t in (r for r in rows if r["kind"] == "target"):
        extra = ""
        if "floor_s" in t:
            extra = (f" ({t['bytes_per_day'] / 1e6:.1f} MB a day at {t['bandwidth_gbs']:.1f} GB/s: "
                     f"floor {t['floor_s']:.2f} s a year, {t['floor_day_ms']:.2f} ms a day")
            if "fixed_day_ms" in t:
                extra += (f"; a day's fixed cost alone, the tiny world's {t['fixed_day_ms']:.2f} ms, is "
                          f"x{t['fixed_day_ms'] / t['floor_day_ms']:.1f} the floor's day")
            extra += ")"
        if "before_s" in t:
            extra = f" (CPU {t['cpu_s']:.1f} s now, {t['before_s']:.1f} s at {t['before']})"
        print(f"target: {t['label']}: {t['ratio']:g} ({'at least' if 'per-agent' in t['label'] else 'at most'} "
              f"{t['target']:g}) {'met' if t['met'] else 'NOT met'}{extra}")
    print(f"machine: {mach}; load average {os.getloadavg()[0]:.2f} at end")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=(*COLUMNS, "met"), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
