"""Grid management (網格化管理): grids of households, the staff who walk them, and who they find.

Two ways the report's grids are staffed:

* Zhucheng (``households_per_grid = 0``, ``staffed_by = sent_down``): each community is
  one management grid, served by the staff sent down from city departments and towns
  (report: 將每個社區作為一個管理網格 ... 下沉管理人員2400多名);
* a dense grid (``households_per_grid = 300``, ``staffed_by = new_workers``): one new
  grid worker per grid of about 300 households (a county standard; Beijing Dongcheng).

Grids are cut from the communities as organised, so they are cut again whenever the
communities change (a merger).  The chance that a grid's staff find a need
(sim/mechanisms/channels.py, ``p_find``) follows the households per active grid staff.
"""

from __future__ import annotations

import numpy as np

from sim.agents.officials import GRID_WORKER, case_shares
from sim.mechanisms.channels import p_find


class Grids:
    """The grids in force, the staff assigned to them, and each household's chance of being found."""

    def __init__(self, model):
        self.model = model
        self.active = False
        self.grid_lead = np.empty(0, np.int64)
        self.households = np.empty(0, np.int64)
        self.staff = np.empty(0, np.int64)
        self.find_p = np.zeros(model.residents.n)
        self.finds = False  # whether a grid's staff can find any household's need

    @property
    def n(self) -> int:
        return len(self.grid_lead)

    def derive(self, settings, levers) -> None:
        """Cut grids from today's communities and staff them (hiring new grid workers if that is the setting)."""
        m = self.model
        res, org, o = m.residents, m.org, m.officials
        grid, self.grid_lead = org.grids(org.lead[res.community], res.cell, settings.households_per_grid)
        res.grid = grid
        self.households = np.bincount(grid, minlength=self.n)
        self.active = True
        self.settings = settings
        o.grid[:] = -1
        for v in m.staffing.vacancies:  # posts advertised for the old grids are filled into the new ones
            v["grid"][:] = -1
        if settings.staffed_by == "sent_down":
            sent = np.flatnonzero(o.sent_down)
            o.case_share[sent] = case_shares(m.cfg.params.service)[o.kind[sent]]
            self._assign(np.flatnonzero(o.active & o.sent_down & (o.level == 0)))
        else:
            workers = np.flatnonzero(o.active & (o.kind == GRID_WORKER))
            self._assign(workers)
            staffed = np.bincount(o.grid[workers][o.grid[workers] >= 0], minlength=self.n) > 0
            self._fill_with_open_posts(staffed)  # a post being refilled counts: no second worker for it
            empty = np.flatnonzero(~staffed)
            if len(empty):
                m.staffing.hire(m.t, levers, np.full(len(empty), GRID_WORKER), self.grid_lead[empty],
                                np.full(len(empty), -1), empty)
        self.staff = np.empty(0, np.int64)
        self.refresh()

    def _fill_with_open_posts(self, staffed: np.ndarray) -> None:
        """Open grid-worker posts take the unstaffed grids of their community (``staffed`` is updated)."""
        free: dict[int, list[int]] = {}
        for g in np.flatnonzero(~staffed):
            free.setdefault(int(self.grid_lead[g]), []).append(int(g))
        for v in self.model.staffing.vacancies:
            for i in np.flatnonzero(v["kind"] == GRID_WORKER):
                slots = free.get(int(v["point"][i]))
                if slots:
                    g = slots.pop(0)
                    v["grid"][i] = g
                    staffed[g] = True

    def adopt(self, ids: np.ndarray) -> None:
        """Recruits filling grid posts join a grid of their community."""
        if not self.active:
            return
        o = self.model.officials
        if self.settings.staffed_by == "sent_down":
            mine = o.sent_down[ids] & (o.level[ids] == 0)
        else:
            mine = o.kind[ids] == GRID_WORKER
        self._assign(ids[mine & (o.grid[ids] < 0)])
        if self.settings.staffed_by == "sent_down":  # refills of a grid post arrive on their grid
            self._walk(ids[mine & (o.grid[ids] >= 0)])

    def _assign(self, ids: np.ndarray) -> None:
        """Officials ``ids`` to the grids of the community they serve, round robin."""
        o = self.model.officials
        if len(ids) == 0 or self.n == 0:
            return
        lead = o.point[ids]
        order = np.argsort(self.grid_lead, kind="stable")
        first = np.searchsorted(self.grid_lead[order], np.arange(self.model.org.n_communities))
        count = np.bincount(self.grid_lead, minlength=self.model.org.n_communities)
        has = count[lead] > 0
        ids, lead = ids[has], lead[has]
        rank = np.zeros(len(ids), np.int64)
        srt = np.argsort(lead, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(lead[srt])) + 1]
        rank[srt] = np.arange(len(ids)) - np.repeat(starts, np.diff(np.r_[starts, len(ids)]))
        o.grid[ids] = order[first[lead] + rank % count[lead]]
        if self.settings.staffed_by == "sent_down":
            self._walk(ids)

    def _walk(self, ids: np.ndarray) -> None:
        """Staff sent down to walk a grid keep no more of their hours for cases than a grid worker has (a
        department official's own share, 0.3, is already below it)."""
        o = self.model.officials
        o.case_share[ids] = np.minimum(o.case_share[ids], self.model.cfg.params.service.case_share_grid_worker)

    def refresh(self) -> None:
        """Each household's chance that a grid's staff find its need (0 outside grids with active staff)."""
        if not self.active:
            return
        m = self.model
        o = m.officials
        on = o.active & (o.grid >= 0)
        staff = np.bincount(o.grid[on], minlength=self.n)
        if np.array_equal(staff, self.staff):
            return
        self.staff = staff
        p = p_find(np.where(staff > 0, self.households / np.maximum(staff, 1), 0.0),
                   m.cfg.params.channel.grid_find_at_300)
        self.find_p = p[m.residents.grid]
        self.finds = bool(self.find_p.any())

    def coverage(self) -> float:
        """Share of households in a grid with at least one active grid staff."""
        if not self.active:
            return 0.0
        return float((self.households * (self.staff > 0)).sum() / self.model.residents.n)
