"""Every number a run reports, under one flat name each, for tables, comparisons and figures.

* ``summary.json``: each number by its key (``unraised_share``), nested dicts joined with
  a dot (``channel_shares.walk_in``, ``resolution_days_by_category.dispute``).
* the groups table: ``<dimension>/<group>/<outcome>`` (``settlement/urban/satisfaction_mean``,
  ``distance_band/0-0.5 km/coverage_service``).

Nothing here lists the outcomes: whatever the model writes is a measure, so new keys
appear without a change here.
"""

from __future__ import annotations

from numbers import Real

import pandas as pd

# Provenance, not outcomes: who ran what, not what happened.
PROVENANCE = ("seed", "world", "policy", "days", "versions", "git_commit")
GROUP_SEP = "/"


def flat_summary(summary: dict, prefix: str = "") -> dict[str, float]:
    """The numbers of a summary (true/false as 1/0), nested dicts flattened with dots; provenance left out."""
    out: dict[str, float] = {}
    for k, v in summary.items():
        if not prefix and k in PROVENANCE:
            continue
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flat_summary(v, name + "."))
        elif isinstance(v, bool):
            out[name] = float(v)
        elif isinstance(v, Real):
            out[name] = float(v)
        elif v is None:
            out[name] = float("nan")
    return out


def flat_groups(groups: pd.DataFrame) -> dict[str, float]:
    """``dimension/group/column`` for every numeric column of a run's groups table."""
    if groups is None or groups.empty:
        return {}
    cols = [c for c in groups.columns if c not in ("dimension", "group") and pd.api.types.is_numeric_dtype(groups[c])]
    out = {}
    for row in groups.itertuples(index=False):
        r = row._asdict()
        for c in cols:
            out[GROUP_SEP.join((str(r["dimension"]), str(r["group"]), c))] = float(r[c])
    return out


def is_group_measure(name: str) -> bool:
    return name.count(GROUP_SEP) == 2


def split_group(name: str) -> tuple[str, str, str]:
    """``settlement/urban/satisfaction_mean`` -> (dimension, group, outcome)."""
    dim, group, outcome = name.split(GROUP_SEP)
    return dim, group, outcome


def run_measures(store, key: str) -> dict[str, float]:
    """Every measure of one completed run of ``store``."""
    out = flat_summary(store.summary(key))
    try:
        out.update(flat_groups(store.table(key, "groups")))
    except (OSError, ValueError):
        pass  # a run without a groups table still has its summary
    return out
