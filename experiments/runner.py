"""Run many configs into a store, on local cores, with a progress bar."""

from __future__ import annotations

import sys

from experiments.store import Outcome, Store, code_version
from sim.config.load import load


def _ensure(root: str, overrides: list[str], version: str) -> Outcome:
    import os

    os.environ["SIM_CODE_VERSION"] = version  # the same key in every worker as in the parent
    return Store(root).ensure(overrides)


def run_many(store: Store, jobs: list[list[str]], n_jobs: int = 1, desc: str = "runs") -> list[Outcome]:
    """Validate every job first (ConfigError, nothing run), then run the missing ones.

    Results do not depend on ``n_jobs``: each run is determined by its config alone.
    """
    from tqdm import tqdm

    for job in jobs:
        load(job)
    version = code_version()
    bar = tqdm(total=len(jobs), desc=desc, unit="run", file=sys.stderr, disable=not sys.stderr.isatty())
    if n_jobs == 1 or len(jobs) <= 1:
        out = []
        for job in jobs:
            out.append(_ensure(str(store.root), job, version))
            bar.update()
    else:
        from joblib import Parallel, delayed

        out = []
        for o in Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_ensure)(str(store.root), job, version) for job in jobs):
            out.append(o)
            bar.update()
    bar.close()
    return out
