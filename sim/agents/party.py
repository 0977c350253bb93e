"""Party members: in-service, retired or floating; branches and groups.

They live in households (arrays, tens of thousands at city scale).  What they do
is in ``sim.mechanisms.participation`` (mobilising neighbours, leading civic
groups, sitting on councils).
"""

from __future__ import annotations

import numpy as np

from sim.agents.table import ArrayPopulation
from sim.config.schema import Config
from sim.rng import Streams

IN_SERVICE, RETIRED, FLOATING = 0, 1, 2
KINDS = ("in_service", "retired", "floating")


class PartyMembers(ArrayPopulation):
    """Party members, one row each; ``household`` is the row of their household."""

    fields = {"household": np.int32, "community": np.int32, "cell": np.int32,
              "kind": np.int8, "branch": np.int32, "group": np.int32}

    @classmethod
    def create(cls, residents, cfg: Config, streams: Streams) -> PartyMembers:
        p = cfg.world.party
        rng = streams.generator("party_members")
        per_hh = rng.poisson(p.members_per_household, residents.n)
        hh = np.repeat(np.arange(residents.n), per_hh)
        m = cls(len(hh))
        m.household = hh
        m.community = residents.community[hh]
        m.cell = residents.cell[hh]
        # retired members are in elderly households first (assumption)
        u = rng.random(len(hh))
        old = residents.elderly[hh]
        p_ret = np.clip(np.where(old, p.rel_retired_elderly, p.rel_retired_other) * p.share_retired, 0, 1)
        m.kind = np.where(u < p_ret, RETIRED, np.where(u > 1 - p.share_floating, FLOATING, IN_SERVICE))
        # branches and groups: consecutive members of the same community
        order = np.lexsort((m.cell, m.community))
        rank = np.empty(len(hh), dtype=np.int64)
        starts = np.r_[0, np.flatnonzero(np.diff(m.community[order])) + 1]
        counts = np.diff(np.r_[starts, len(hh)])
        rank[order] = np.arange(len(hh)) - np.repeat(starts, counts)
        m.branch = rank // p.branch_size  # numbered within the community, as groups are
        m.group = rank // p.group_size
        return m
