"""The levers of a policy in time: which settings are in force on a day, and the reform events.

A policy is a set of changes to the baseline (MODEL.md 4).  Before a lever's start
day the baseline's settings of that lever are in force (``cfg.baseline``: the status
quo as the user configured it), from it on the policy's.  :meth:`Levers.get` is the
one way to ask.  Levers that change the structure act once: the baseline's own
structure is built when the run starts (from the schema defaults), and each lever
whose policy settings differ from the baseline's fires its event on its start day.
Events of one day fire in causal order (``EVENT_ORDER``: the communities first, then
what is built on them), and a change of the communities re-derives what depends on
them (grids, distances, staff and queues follow: :meth:`GovernanceModel.restructured`).

The levers decide who and when; the organisation, the officials and the need pool
carry the change out.
"""

from __future__ import annotations

import numpy as np

from sim.agents.officials import DEPT_STAFF, STREET_STAFF
from sim.config.policy import EVENT_ORDER, LEVERS, PolicyConfig
from sim.world.generate import bisect

DEFAULTS = PolicyConfig()


class Levers:
    """Lever settings in force, and the structural events of the reform."""

    def __init__(self, model):
        self.model = model
        self.policy = model.cfg.policy
        self.baseline = model.cfg.baseline
        self.day = -(10**9)
        self.start = {}
        for name in LEVERS:
            s = getattr(self.policy, name).start_day
            self.start[name] = self.policy.reform_day if s is None else s

    def on(self, name: str) -> bool:
        return self.day >= self.start[name]

    def get(self, name: str):
        """The settings of lever ``name`` in force today."""
        return getattr(self.policy if self.on(name) else self.baseline, name)

    def changes(self, name: str) -> bool:
        """Whether the policy changes lever ``name`` from the baseline (its timing aside)."""
        a, b = getattr(self.policy, name), getattr(self.baseline, name)
        return _settings(a) != _settings(b)

    # -- events ----------------------------------------------------------------
    def build_baseline(self) -> list[str]:
        """Before the warm-up: the baseline's own structure, built from the schema defaults."""
        fired = []
        for name in EVENT_ORDER:
            old, new = getattr(DEFAULTS, name), getattr(self.baseline, name)
            if _settings(old) != _settings(new) or name == "authority_sunk":
                getattr(self, "_" + name)(old, new)
                fired.append(name)
        return fired

    def apply(self, day: int) -> list[str]:
        """Set today's date; fire, in causal order, the events of levers the policy changes from today."""
        self.day = day
        fired = []
        for name in EVENT_ORDER:
            if self.start[name] == day and self.changes(name):
                getattr(self, "_" + name)(getattr(self.baseline, name), getattr(self.policy, name))
                fired.append(name)
        return fired

    def _authority_sunk(self, old, new) -> None:
        m = self.model
        m.org.set_authority(list(new.case_types), self.get("abolish_street_offices").functions_to)
        m.needs_requirements()

    def _abolish_street_offices(self, old, new) -> None:
        m = self.model
        if not new.enabled or old.enabled:
            return
        org, o = m.org, m.officials
        # big communities: within each former street office, merge_size communities into one
        if new.merge_size > 1:
            groups, leads = [], []
            served = org.households_by_lead()
            for s in range(max(org.n_streets, 1)):
                members = np.flatnonzero(org.community_street == s) if org.n_streets else np.arange(org.n_communities)
                # big communities are formed from communities; village committees merge only by village_merger
                members = members[org.is_lead()[members] & (org.unit_kind[members] == 0)]
                if len(members) < 2:
                    continue
                k = max(1, round(len(members) / new.merge_size))
                lab = bisect(org.centre_xy[members], served[members] + 1e-9, k)
                for j in range(k):
                    group = members[lab == j]
                    if len(group) > 1:
                        groups.append(group)
                        leads.append(group[np.argmax(served[group])])
            if groups:
                m.merge(groups, np.array(leads), close_within_km=new.close_within_km, build_centre=False)
        # street staff go down to communities or up to departments, with their own skills and case shares
        street_staff = np.flatnonzero(o.active & (o.kind == STREET_STAFF))
        if new.staff_to == "communities":  # civil servants: they keep post and pay (district payroll)
            part = org.street_part[o.point[street_staff] - org.n_communities]
            o.move(street_staff, spread(org, len(street_staff), part), 0)
            m.staffing.retarget(STREET_STAFF, 0, lambda pts: (
                spread(org, len(pts), org.street_part[pts - org.n_communities]), np.full(len(pts), -1)))
        else:
            # each goes to a department of their own part, round robin over the kinds
            part = org.street_part[o.point[street_staff] - org.n_communities]
            kind = np.arange(len(street_staff)) % org.n_dept_kinds
            o.move(street_staff, org.dept_point(kind, part), 2)
            o.department[street_staff] = part * org.n_dept_kinds + kind
            m.staffing.retarget(STREET_STAFF, 2, lambda pts: (
                org.dept_point(np.arange(len(pts)) % org.n_dept_kinds, org.street_part[pts - org.n_communities]),
                org.street_part[pts - org.n_communities] * org.n_dept_kinds + np.arange(len(pts)) % org.n_dept_kinds))
        org.street_active = False
        org.set_authority(list(self.get("authority_sunk").case_types), new.functions_to)
        m.needs_requirements()
        m.reroute_street_queues()
        m.restructured()

    def _staff_sent_down(self, old, new) -> None:
        m = self.model
        o = m.officials
        pool = np.flatnonzero(o.active & (o.kind == DEPT_STAFF) & (o.level == 2))
        total = m.dept_staff_total
        want = min(len(pool), max(0, _wanted(new, total) - _wanted(old, total)))
        if want == 0:
            m.needs_requirements()  # authority may follow those already sent down
            return
        order = np.argsort(m.streams.uniform("sent_down", o.post[pool]), kind="stable")
        chosen = pool[order[:want]]
        part = o.department[chosen] // m.org.n_dept_kinds  # each to a community of their own part
        o.send_down(chosen, spread(m.org, want, part), new.keep_post, new.keep_pay)
        m.needs_requirements()
        m.restructured()

    def _grid_management(self, old, new) -> None:
        if new.enabled:
            self.model.grids.derive(new, self)

    def _village_merger(self, old, new) -> None:
        m = self.model
        if new.enabled and not old.enabled and (m.org.unit_kind == 1).any():
            groups, leads = m.org.village_groups()
            m.merge(groups, leads, close_within_km=new.service_radius_km, build_centre=True)
        if new.infrastructure != old.infrastructure or (new.infrastructure
                                                        and new.service_radius_km != old.service_radius_km):
            m.restructured()  # the concentrated areas' roads

    def _service_centres(self, old, new) -> None:
        k = new.extra_points_per_community - old.extra_points_per_community
        if k > 0:
            self.model.add_points(k)

    def _unit_integration(self, old, new) -> None:
        if new.university_partnership and not old.university_partnership:
            self.model.partner_universities()


def _settings(lever) -> dict:
    return {k: v for k, v in vars(lever).items() if k != "start_day"}


def _wanted(sd, total: int) -> int:
    return sd.n + round(sd.share * total)


def spread(org, n: int, part: np.ndarray | None = None) -> np.ndarray:
    """Points for ``n`` staff over the communities as organised, in proportion to households (largest
    remainder); with ``part`` (each official's part), within each official's own part, in their order."""
    if part is not None and org.n_parts > 1:
        out = np.empty(n, np.int64)
        for p in np.unique(part):
            sel = np.flatnonzero(part == p)
            out[sel] = _spread(org, len(sel), org.leads()[org.unit_part[org.leads()] == p])
        return out
    return _spread(org, n, org.leads())


def _spread(org, n: int, leads: np.ndarray) -> np.ndarray:
    hh = org.households_by_lead()[leads]
    quota = n * hh / max(hh.sum(), 1)
    k = np.floor(quota).astype(np.int64)
    rest = n - k.sum()
    k[np.argsort(-(quota - k), kind="stable")[:rest]] += 1
    return np.repeat(leads, k)
