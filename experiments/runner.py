"""Run many configs into a store, on local cores, with a progress bar."""

from __future__ import annotations

import os
import sys
import warnings

from experiments.sources import Runs
from experiments.store import ENV_CODE_VERSION, Outcome, Store, code_version, run_key
from sim.api import ScaleWarning
from sim.config.load import load


def _ensure(root: str, job, version: str, save_maps: bool = True, arm: str | None = None) -> Outcome:
    os.environ[ENV_CODE_VERSION] = version  # the same key in every worker as in the parent
    overrides, settings = _split(job)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScaleWarning)  # said once, by the parent (scale_warnings)
        return Store(root).ensure(overrides, settings=settings, save_maps=save_maps, arm=arm)


def scale_warnings(cfgs) -> None:
    """Say each world's scale warning (sim/world/scale.py) once for a batch of runs, which then keep quiet:
    the warnings module would repeat it for every run, as the tools' own warning filters reset its memory."""
    from sim.world.scale import warning

    worlds = {repr(c.world): c.world for c in cfgs}
    for line in dict.fromkeys(d for w in worlds.values() if (d := warning(w))):
        print(f"warning: {line}", file=sys.stderr)


def _split(job) -> tuple[list[str], dict | None]:
    """A job is a list of overrides, or (overrides, settings) (see :func:`sim.config.load.load`)."""
    if isinstance(job, tuple):
        return list(job[0]), job[1]
    return list(job), None


def run_many(runs: Runs | Store, jobs: list, n_jobs: int = 1, desc: str = "runs",
             remake_maps: bool = False, save_maps: bool = True, arms: list[str] | None = None) -> list[Outcome]:
    """Validate every job first (ConfigError, nothing run), then run the ones no store of ``runs`` holds
    (with ``remake_maps``, also those held without their map tables, which the map figure reads).
    ``save_maps=False`` makes new runs without map tables (smaller and faster; the map figure remakes
    the runs it draws).  ``arms``: a comparison's name of each job (``NAME+key=value``), recorded with a new run.

    A job is a list of overrides or a pair (overrides, settings).  New runs go into ``runs.write``.
    Results do not depend on ``n_jobs``: each run is determined by its config alone.
    """
    from tqdm import tqdm

    runs = runs if isinstance(runs, Runs) else Runs(runs)
    arms = arms or [None] * len(jobs)
    loaded = [load(*_split(job)) for job in jobs]
    configs = [d for _, d in loaded]
    keys = [run_key(c) for c in configs]
    version = code_version()
    out: list[Outcome | None] = [None] * len(jobs)
    for i, k in enumerate(keys):
        found = runs.find(k)
        if found is not None and not (remake_maps and not found.has_maps(k)):
            out[i] = Outcome(k, "skipped", summary=runs.summary(k))
    todo = [i for i in range(len(jobs)) if out[i] is None]
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), desc=desc, unit="run", file=sys.stderr,
               disable=not sys.stderr.isatty())
    root = str(runs.write.root)
    scale_warnings(c for c, _ in loaded)  # made or found: the world is the same
    if n_jobs == 1 or len(todo) <= 1:
        for i in todo:  # in process: the config validated above is the run's (Store.ensure would load it again)
            overrides, settings = _split(jobs[i])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScaleWarning)  # said once above
                out[i] = runs.write.ensure_config(configs[i], overrides, settings=settings, save_maps=save_maps,
                                                  arm=arms[i])
            bar.update()
    else:
        from joblib import Parallel, delayed

        done = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_ensure)(root, jobs[i], version, save_maps, arms[i]) for i in todo)
        for i, o in zip(todo, done):
            out[i] = o
            bar.update()
    bar.close()
    for i in todo:  # made again where the runs are written (a run without maps may have been found elsewhere)
        runs.forget(keys[i])
    return out
