"""Sweeps through Hydra's multirun: ``python -m sim -m policy=a,b 'seed=range(8)' experiment=NAME``.

The main process expands the sweep, validates every run (one-line error, nothing
written), writes a manifest of the planned runs and watches the store for a
progress bar; the launcher (basic, joblib, submitit) runs :func:`task` for each
job, which skips a run the store already holds and records a run that raises.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from datetime import datetime
from pathlib import Path

import yaml
from omegaconf import DictConfig

from experiments.store import ENV_CODE_VERSION, Store, code_version, run_key
from sim.config.load import CONFIG_DIR, load
from sim.config.validate import ConfigError

ENV_STORE = "SIM_EXPERIMENT_DIR"
DEFAULT_EXPERIMENT = "sweep"
# A folder name directly under results/: no separators, no "..", nothing hidden, not too long.
NAME = re.compile(r"\w[\w-]{0,99}")


def split_experiment(argv: list[str]) -> tuple[str, list[str]]:
    """Take ``experiment=NAME`` out of the arguments; a file configs/experiment/NAME.yaml adds its overrides.

    The file's ``overrides`` and ``sweep`` come first, so the command line wins.
    """
    name, rest = DEFAULT_EXPERIMENT, []
    for a in argv:
        if a.startswith("experiment="):
            name = a.split("=", 1)[1]
        else:
            rest.append(a)
    if not NAME.fullmatch(name):
        raise ConfigError(f"experiment={name!r}: must be a plain folder name of letters, digits, _ or - "
                          "(at most 100, not starting with -), e.g. experiment=grid_2024; it becomes results/NAME")
    f = CONFIG_DIR / "experiment" / f"{name}.yaml"
    extra: list[str] = []
    if f.exists():
        spec = yaml.safe_load(f.read_text()) or {}
        extra += [str(o) for o in spec.get("overrides", [])]
        extra += [f"{k}={v}" for k, v in (spec.get("sweep") or {}).items()]
    given = {a.split("=", 1)[0].lstrip("+~") for a in rest if "=" in a}
    extra = [o for o in extra if o.split("=", 1)[0].lstrip("+~") not in given]
    return name, extra + rest


def is_hydra(arg: str) -> bool:
    return arg.lstrip("+~").startswith("hydra")


def plan(overrides: list[str]) -> list[list[str]]:
    """Every combination of the sweep, as lists of plain overrides (Hydra's basic sweeper semantics)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    model = [o for o in overrides if not is_hydra(o)]
    try:
        parsed = OverridesParser.create().parse_overrides(model)
    except HydraException as e:
        raise ConfigError(" ".join(str(e).split())[:300]) from None
    try:
        batches = BasicSweeper.split_arguments(parsed, None)
    except HydraException as e:
        globbed = [o.input_line for o in parsed if "glob(" in o.input_line]
        if globbed:  # glob() needs Hydra's config loader, which the plan does not start
            raise ConfigError(f"{globbed[0]}: glob() is not supported in sweeps; list the values, "
                              "e.g. policy=status_quo,im_reform") from None
        raise ConfigError(" ".join(str(e).split())[:300]) from None
    jobs = [list(job) for batch in batches for job in batch]
    if not jobs:
        empty = [o.input_line for o in parsed if o.is_sweep_override() and not list(o.sweep_iterator())]
        what = f"{empty[0]} gives no values" if empty else "no combinations"
        raise ConfigError(f"the sweep is empty: {what}; give at least one value, e.g. seed=range(4) or policy=a,b")
    return jobs


def manifest(store: Store, jobs: list[list[str]], argv: list[str]) -> tuple[list[dict], Path]:
    """Validate and key each job; write results/NAME/sweeps/<time>.json; returns the planned runs."""
    runs, seen = [], set()
    for job in jobs:
        _, dcfg = load(job)  # ConfigError here stops the sweep before anything runs
        key = run_key(dcfg)
        if key not in seen:  # e.g. seed=1,1: one run, planned and counted once
            seen.add(key)
            runs.append({"key": key, "overrides": job})
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    d = store.root / "sweeps"
    d.mkdir(parents=True, exist_ok=True)
    f = d / f"{stamp}.json"
    tmp = d / f".{stamp}.tmp"
    doc = {"argv": argv, "created": stamp, "code_version": code_version(), "runs": runs}
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    os.replace(tmp, f)
    return runs, f


class Progress:
    """A progress bar fed by watching the store (works with every launcher, even a cluster).

    A run to do counts as done once its folder is a new one (a run is published by renaming a new
    folder into place), so a failed or damaged folder being redone is not counted before it is.
    """

    def __init__(self, store: Store, keys: list[str], todo: list[str], interval_s: float = 0.5):
        from tqdm import tqdm

        self.store, self.todo, self.interval = store, todo, interval_s
        self.base = len(keys) - len(todo)
        self.start = {k: self._inode(k) for k in todo}
        self.bar = tqdm(total=len(keys), initial=self.base, desc=f"sweep {store.root.name}", unit="run",
                        file=sys.stderr, disable=not sys.stderr.isatty())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _inode(self, key: str) -> int | None:
        try:
            return self.store.path(key).stat().st_ino
        except OSError:
            return None

    def _done(self) -> int:
        return self.base + sum((i := self._inode(k)) is not None and i != self.start[k] for k in self.todo)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.bar.update(self._done() - self.bar.n)

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.bar.update(self._done() - self.bar.n)
        self.bar.close()


def task(cfg: DictConfig) -> str:
    """One job of a multirun: run it into the store unless it is already there."""
    from hydra.core.hydra_config import HydraConfig

    root = os.environ.get(ENV_STORE)
    if not root:
        raise RuntimeError(f"{ENV_STORE} is not set; start sweeps with `python -m sim -m ... experiment=NAME`")
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Hydra's job logging would keep one line per day
    overrides = list(HydraConfig.get().overrides.task)
    out = Store(root).ensure_config(cfg, overrides)
    return out.status


def stale_runs(store: Store, version: str, planned: set[str]) -> int:
    """How many run folders of the store were made with another code version."""
    return sum(1 for k in store.keys() if k not in planned
               and (m := store.meta(k)) is not None and m.get("code_version") != version)


def multirun(argv: list[str]) -> int:
    """The ``-m`` path of ``python -m sim``; returns the exit status."""
    import hydra

    args = [a for a in argv if a not in ("-m", "--multirun")]
    unknown = [a for a in args if a.startswith("-")]
    try:
        if unknown:
            raise ConfigError(f"{unknown[0]}: unknown option; use key=value overrides (see --help)")
        name, overrides = split_experiment(args)
        version = code_version()
        jobs = plan(overrides)
        store = Store(Path("results") / name)
        runs, mfile = manifest(store, jobs, argv)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    keys = [r["key"] for r in runs]
    state = {k: store.check(k) for k in keys}
    todo = [r for r in runs if state[r["key"]][0] != "ok"]
    print(f"sweep {name}: {len(runs)} runs planned, {len(runs) - len(todo)} already in {store.root}/runs, "
          f"{len(todo)} to do", file=sys.stderr)
    for k, (st, why) in state.items():
        if st == "damaged":
            print(f"  run folder {k} is damaged ({why}): it will be redone", file=sys.stderr)
    if len(jobs) > len(runs):
        print(f"  {len(jobs) - len(runs)} repeated combinations are run once", file=sys.stderr)
    stale = stale_runs(store, version, set(keys))
    if stale:
        print(f"  {stale} runs in {store.root}/runs were made with other model code: kept, not reused, "
              "left out by collect", file=sys.stderr)
    if todo:
        stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S-%f")
        # Jobs already in the store return at once (the task checks the key before running).
        sys_argv, env = sys.argv, dict(os.environ)
        os.environ[ENV_STORE] = str(store.root)
        os.environ[ENV_CODE_VERSION] = version
        sys.argv = ["sim", "--multirun", *overrides,
                    f"hydra.sweep.dir={store.root}/hydra/{stamp}", "hydra.sweep.subdir=${hydra.job.num}",
                    f"++hydra.job.env_set.{ENV_STORE}={store.root}",
                    f"++hydra.job.env_set.{ENV_CODE_VERSION}={version}"]
        try:
            with Progress(store, keys, [r["key"] for r in todo]):
                hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")(task)()
        finally:
            sys.argv = sys_argv
            os.environ.clear()
            os.environ.update(env)
    state = {k: store.check(k)[0] for k in keys}
    failed = [r for r in runs if state[r["key"]] == "failed"]
    missing = [r for r in runs if state[r["key"]] in ("absent", "damaged")]
    ok = len(runs) - len(failed) - len(missing)
    print(f"sweep {name}: {ok} ok, {len(failed)} failed, {len(missing)} missing; "
          f"manifest {mfile.relative_to(store.root)}; `python -m experiments.collect {store.root}` for the table",
          file=sys.stderr)
    for r in failed[:10]:
        print(f"  failed {r['key']} {' '.join(r['overrides'])}: {store.meta(r['key']).get('error')}", file=sys.stderr)
    return 1 if failed or missing else 0

