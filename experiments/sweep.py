"""Sweeps through Hydra's multirun: ``python -m experiments.sweep policy=a,b 'seed=range(8)' experiment=NAME``.

The main process expands the sweep, validates every run and the launcher settings
(one-line error, nothing written), writes a manifest of the planned runs and
watches the store for a progress bar; the launcher (basic, joblib, submitit) runs
:func:`task` for each job, which skips a run the store already holds and records
a run that raises.  Ctrl-C ends in one line saying how many runs are complete;
running the same command again resumes.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

import yaml
from omegaconf import DictConfig

from experiments.cli import did_you_mean
from experiments.store import ENV_CODE_VERSION, Store, code_version, run_key
from sim.config.load import CONFIG_DIR, GROUPS, load, malformed, options
from sim.config.validate import ConfigError
from sim.files import write_text

USAGE = """usage: python -m experiments.sweep [key=a,b ...] ['seed=range(8)'] experiment=NAME [hydra/launcher=...]

  runs every combination into results/NAME/runs/<key>/ (runs already there are skipped, so
  running the same command again resumes a sweep that was stopped);
  'policy=glob(only_*)' sweeps every policy whose name matches (also world=glob(...));
  hydra/launcher=joblib hydra.launcher.n_jobs=N runs on N local processes, hydra/launcher=slurm on a cluster;
  configs/experiment/NAME.yaml may hold the sweep;
  python -m experiments.collect results/NAME writes runs.parquet and runs.csv
"""
ENV_STORE = "SIM_EXPERIMENT_DIR"
ENV_PARENT = "SIM_SWEEP_PARENT"  # pid of the process that started the sweep: its workers leave Ctrl-C to it
# Hydra's own log lines would break the progress bar; the sweep prints its own summary.
QUIET = ("hydra/job_logging=disabled", "hydra/hydra_logging=disabled")
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
    elif name != DEFAULT_EXPERIMENT:
        known = [p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml")]
        if hint := did_you_mean(name, known):
            print(f"sweep: no configs/experiment/{name}.yaml, so the sweep is only what the command line gives "
                  f"({hint.strip()})", file=sys.stderr)
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

    model = expand_globs([o for o in overrides if not is_hydra(o)])
    parser = OverridesParser.create()
    for text in model:  # the first one Hydra cannot parse, in the words python -m sim uses
        try:
            parser.parse_overrides([text])
        except HydraException as e:
            why = malformed(text)
            if "it cannot be parsed" in why:  # no plain slip found: Hydra's own reason, without its links
                why = f"{text}: " + re.sub(r"\s*See https?://\S+( for details)?\.?", "", " ".join(str(e).split()))[:300]
            raise ConfigError(why + "; a sweep lists values as key=a,b or seed=range(8)") from None
        key, _, value = text.partition("=")
        if key.lstrip("+~") in GROUPS and value.startswith("["):
            names = ",".join(v.strip(" '\"") for v in value.strip("[]").split(","))
            raise ConfigError(f"{text}: a sweep over {key.lstrip('+~')} lists its names without brackets, "
                              f"e.g. {key.lstrip('+~')}={names} (in configs/experiment/: a text, not a list)")
    try:
        parsed = parser.parse_overrides(model)
    except HydraException as e:
        raise ConfigError(" ".join(str(e).split())[:300]) from None
    try:
        batches = BasicSweeper.split_arguments(parsed, None)
    except HydraException as e:
        globbed = [o.input_line for o in parsed if "glob(" in o.input_line]
        if globbed:  # glob() of a key that is not a config group (world, policy) has nothing to match
            raise ConfigError(f"{globbed[0]}: glob() works for {' and '.join(GROUPS)} only; list the values, "
                              "e.g. seed=0,1,2 or seed=range(3)") from None
        raise ConfigError(" ".join(str(e).split())[:300]) from None
    jobs = [list(job) for batch in batches for job in batch]
    if not jobs:
        empty = [o.input_line for o in parsed if o.is_sweep_override() and not list(o.sweep_iterator())]
        what = f"{empty[0]} gives no values" if empty else "no combinations"
        raise ConfigError(f"the sweep is empty: {what}; give at least one value, e.g. seed=range(4) or policy=a,b")
    return jobs


def expand_globs(overrides: list[str]) -> list[str]:
    """``policy=glob(only_*)`` -> ``policy=only_funding,only_grid_management,...`` (the names of configs/policy/)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import ValueType
    from hydra.errors import HydraException

    parser, out = OverridesParser.create(), []
    for text in overrides:
        try:
            (o,) = parser.parse_overrides([text])
        except HydraException:
            out.append(text)  # the plan reports it in one line
            continue
        if o.value_type == ValueType.GLOB_CHOICE_SWEEP and o.key_or_group in GROUPS:
            names = o.value().filter(options(o.key_or_group))
            if not names:
                raise ConfigError(f"{text}: matches no {o.key_or_group}; choose from: "
                                  f"{', '.join(options(o.key_or_group))}")
            text = f"{o.key_or_group}={','.join(names)}"
        out.append(text)
    return out


def check_hydra(hydra_overrides: list[str], job: list[str]) -> None:
    """Compose Hydra's own config with the launcher settings: a misspelt launcher is one line, before anything."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            loader = GlobalHydra.instance().config_loader()
            for o in hydra_overrides:
                key, _, value = o.lstrip("+~").partition("=")
                if "/" in key:  # a config group of Hydra's, e.g. hydra/launcher=joblib
                    group = key.removeprefix("hydra/")
                    names = loader.get_group_options(key)
                    if not names:
                        raise ConfigError(f"{o}: Hydra has no option group {group!r}; "
                                          "e.g. hydra/launcher=joblib")
                    if value not in names:
                        close = difflib.get_close_matches(value, names, n=1)
                        hint = f"did you mean {close[0]}? " if close else ""
                        raise ConfigError(f"{o}: unknown {group.split('/')[-1]}; {hint}choose one of: "
                                          f"{', '.join(names)}")
            try:
                compose("config", overrides=[*hydra_overrides, *job], return_hydra_config=True)
            except (HydraException, OmegaConfBaseException) as e:
                raise ConfigError(_hydra_line(e, hydra_overrides)) from None
    finally:
        GlobalHydra.instance().clear()


def _hydra_line(e: Exception, hydra_overrides: list[str]) -> str:
    """One line for a Hydra setting it refused: which one, and why in Hydra's own words."""
    text = " ".join(str(e).split())
    m = re.search(r"Could not override '([^']+)'", text)
    if m:
        chosen = [o.partition("=")[2] for o in hydra_overrides if o.lstrip("+~").startswith("hydra/launcher=")]
        if not chosen and m.group(1).startswith("hydra.launcher."):  # Hydra's basic launcher has no settings
            return (f"{m.group(1)}: the basic launcher (the default, one run after another) has no settings; "
                    "choose a launcher first, e.g. hydra/launcher=joblib hydra.launcher.n_jobs=2")
        return (f"{m.group(1)}: not a setting of the launcher {chosen[-1] if chosen else 'basic'}; "
                "check the spelling (e.g. hydra.launcher.n_jobs)")
    cause = e.__cause__ or e.__context__
    why = " ".join(str(cause).split()).split(" full_key:")[0] if cause else text
    where = next((o for o in hydra_overrides if o.split("=", 1)[0].lstrip("+~") in text), " ".join(hydra_overrides))
    return f"{where}: {why}"[:300]


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
    doc = {"argv": argv, "created": stamp, "code_version": code_version(), "runs": runs}
    write_text(f, json.dumps(doc, indent=1) + "\n")
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
        self.bar = tqdm(total=len(keys), initial=self.base, desc=f"experiment {store.root.name}", unit="run",
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


class SafeInterrupts:
    """Ctrl-C raised only where it breaks no library in the middle of its work.

    Between jobs Hydra loads config files in ``try``/``finally`` blocks that fail on an interrupt raised
    inside ``open`` (an ``UnboundLocalError`` that Hydra reports as a crash, status 1). An interrupt that
    lands in Hydra, OmegaConf or the YAML reader is therefore held and tried again every 50 ms until
    the sweep is back in its own code or the model's, where ``KeyboardInterrupt`` unwinds cleanly.
    A second Ctrl-C while one is held is raised at once: the user means it.

    Frames are judged by the module they run in, not by their file's path: site-packages may sit inside
    the standard library's folder (conda, a pyenv global), and a checkout's path may contain "yaml".
    """

    HELD_IN = frozenset({"hydra", "omegaconf", "yaml", "antlr4", "packaging"})
    # the standard library's frames are judged by their caller's (Hydra spends much of its time in them)
    STDLIB = frozenset(sys.stdlib_module_names)
    RETRY_S = 0.05

    @staticmethod
    def _package(frame) -> str:
        return str(frame.f_globals.get("__name__") or "").partition(".")[0]

    def _handler(self, signum, frame) -> None:
        if signum == signal.SIGINT:
            if self.pending:  # a second Ctrl-C
                self._raise()
            self.pending = True
        if not self.pending:
            return
        while frame is not None and self._package(frame) in self.STDLIB:
            frame = frame.f_back
        if frame is not None and self._package(frame) in self.HELD_IN:
            signal.setitimer(signal.ITIMER_REAL, self.RETRY_S)
            return
        self._raise()

    def _raise(self) -> None:
        self.pending = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise KeyboardInterrupt

    def __enter__(self) -> SafeInterrupts:
        self.pending = False
        # no Ctrl-C between the two swaps: a held one would arm the alarm while SIGALRM still kills
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._saved = [(s, signal.signal(s, self._handler)) for s in (signal.SIGINT, signal.SIGALRM)]
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return self

    def __exit__(self, *exc) -> None:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for s, h in self._saved:
                signal.signal(s, h)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        # an interrupt held to the end is the user's, also when the library ended with sys.exit
        if self.pending and (exc[0] is None or issubclass(exc[0], SystemExit)):
            raise KeyboardInterrupt


def task(cfg: DictConfig) -> str:
    """One job of a multirun: run it into the store unless it is already there."""
    from hydra.core.hydra_config import HydraConfig

    root = os.environ.get(ENV_STORE)
    if not root:
        raise RuntimeError(f"{ENV_STORE} is not set; start sweeps with `python -m experiments.sweep ... "
                           "experiment=NAME`")
    if os.environ.get(ENV_PARENT) == str(os.getppid()):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a local worker: the sweep's own process handles Ctrl-C
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Hydra's job logging would keep one line per day
    overrides = list(HydraConfig.get().overrides.task)
    # The run comes from the same door as every other run (load), not from Hydra's composed cfg,
    # so that whatever load() derives from the overrides is in the key and in the run.
    out = Store(root).ensure(overrides)
    return out.status


def stale_runs(store: Store, version: str, planned: set[str]) -> int:
    """How many run folders of the store were made with another code version."""
    return sum(1 for k in store.keys() if k not in planned
               and (m := store.meta(k)) is not None and m.get("code_version") != version)


def multirun(argv: list[str]) -> int:
    """Plan, validate and run a sweep; returns the exit status (130 after Ctrl-C)."""
    args = [a for a in argv if a not in ("-m", "--multirun")]
    unknown = [a for a in args if a.startswith("-")]
    try:
        if unknown:
            raise ConfigError(f"{unknown[0]}: unknown option; use key=value overrides (see --help)")
        name, overrides = split_experiment(args)
        overrides = expand_globs(overrides)
        version = code_version()
        jobs = plan(overrides)
        load(jobs[0])  # the model's door first, so a bad model value is named as such, not as Hydra's
        check_hydra([o for o in overrides if is_hydra(o)], jobs[0])
        store = Store(Path("results") / name)
        runs, mfile = manifest(store, jobs, argv)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted before any run started; nothing was written", file=sys.stderr)
        return 130
    keys = [r["key"] for r in runs]
    try:
        return _run(name, store, runs, len(jobs), overrides, version, mfile)
    except KeyboardInterrupt:
        _stop_local_workers()
        done = sum(store.check(k)[0] == "ok" for k in keys)
        print(f"interrupted: {done} of {len(keys)} runs complete; run the same command again to resume",
              file=sys.stderr)
        return 130


def _stop_local_workers() -> None:
    """Shut joblib's worker pool down cleanly after Ctrl-C (else its resource tracker warns at exit)."""
    if "joblib" in sys.modules:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True, kill_workers=True)


def _run(name: str, store: Store, runs: list[dict], jobs_given: int, overrides: list[str], version: str,
         mfile: Path) -> int:
    import hydra

    keys = [r["key"] for r in runs]
    state = {k: store.check(k) for k in keys}
    todo = [r for r in runs if state[r["key"]][0] != "ok"]
    print(f"experiment {name}: {len(runs)} runs planned, {len(runs) - len(todo)} already in {store.root}/runs, "
          f"{len(todo)} to do", file=sys.stderr)
    for k, (st, why) in state.items():
        if st == "damaged":
            print(f"  run folder {k} is damaged ({why}): it will be redone", file=sys.stderr)
    if jobs_given > len(runs):
        print(f"  {jobs_given - len(runs)} repeated combinations are run once", file=sys.stderr)
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
        os.environ[ENV_PARENT] = str(os.getpid())
        # After Ctrl-C the worker pool's resource tracker cleans up a semaphore of a killed worker and says so
        # on stderr; the cleanup is right, the warning only noise under the one-line message.
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"),
                                                              "ignore:resource_tracker:UserWarning"]))
        given = {o.split("=", 1)[0].lstrip("+~") for o in overrides}
        quiet = [q for q in QUIET if q.split("=", 1)[0] not in given]
        sys.argv = ["sim", "--multirun", *overrides, *quiet,
                    f"hydra.sweep.dir={store.root}/hydra/{stamp}", "hydra.sweep.subdir=${hydra.job.num}",
                    f"++hydra.job.env_set.{ENV_STORE}={store.root}",
                    f"++hydra.job.env_set.{ENV_CODE_VERSION}={version}"]
        try:
            with Progress(store, keys, [r["key"] for r in todo]), SafeInterrupts():
                hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")(task)()
        finally:
            sys.argv = sys_argv
            os.environ.clear()
            os.environ.update(env)
    state = {k: store.check(k)[0] for k in keys}
    failed = [r for r in runs if state[r["key"]] == "failed"]
    missing = [r for r in runs if state[r["key"]] in ("absent", "damaged")]
    ok = len(runs) - len(failed) - len(missing)
    print(f"experiment {name}: {ok} ok, {len(failed)} failed, {len(missing)} missing; "
          f"manifest {mfile.relative_to(store.root)}; `python -m experiments.collect {store.root}` for the table",
          file=sys.stderr)
    for r in failed[:10]:
        print(f"  failed {r['key']} {' '.join(r['overrides'])}: {store.meta(r['key']).get('error')}", file=sys.stderr)
    return 1 if failed or missing else 0



def main(argv: list[str] | None = None) -> int:
    """``python -m experiments.sweep``: usage on -h, else the sweep."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return 0
    return multirun(argv)


if __name__ == "__main__":
    sys.exit(main())
