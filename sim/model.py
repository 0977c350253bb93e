"""GovernanceModel: the world, the four agent kinds and the daily loop in one place."""

from __future__ import annotations

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.agents.officials import DEPT_STAFF, Officials
from sim.agents.party import PartyMembers
from sim.agents.residents import Residents
from sim.agents.units import UNIT_SERVES, place_units
from sim.config.schema import Config
from sim.mechanisms import channels, escalation, satisfaction, service
from sim.mechanisms.grids import Grids
from sim.mechanisms.levers import Levers
from sim.mechanisms.money import Money, month_start
from sim.mechanisms.needs import PUBLIC, SAFETY, NeedPool, NeedSource
from sim.mechanisms.participation import Participation
from sim.mechanisms.staffing import Staffing
from sim.outcomes import Ledger
from sim.rng import Streams
from sim.world import access
from sim.world.generate import VILLAGE, generate
from sim.world.org import Organisation
from sim.world.region import region_parts
from sim.world.scale import scaled
from sim.world.space import ServiceCentre, build_space


class GovernanceModel(mesa.Model):
    """Community governance on a grid.  ``GovernanceModel(cfg).run()``, then ``.summary()``.

    Agents by kind: ``residents`` (arrays), ``party_members`` (arrays),
    ``officials`` (arrays), ``units`` (Mesa agents); ``frame(kind)`` gives any
    of them as a DataFrame.  Time: ``t`` counts days from the start of the warm-up
    (``cfg.warmup`` days of the baseline), ``day = t - warmup`` is the measured
    calendar (day 0 opens the first measured year; the reform starts on
    ``policy.reform_day``, where the measurement window begins).
    """

    def __init__(self, cfg: Config, state: dict | None = None):
        """``state``: a snapshot (``snapshot()``) of a model of the same world, seed and baseline to continue
        from; its accounts are the snapshot's, so their history is not run again."""
        cfg = scaled(cfg)
        self.streams = Streams(cfg.seed)
        super().__init__(rng=int(self.streams.generator("mesa").integers(2**63)))
        self.cfg = cfg
        self.warmup = cfg.warmup
        self.t = 0
        self.geo = generate(cfg.world, self.streams, region_parts(cfg.world))
        self.space = build_space(self, self.geo)
        self.org = Organisation(self.geo, cfg)
        self.level_of_point = self.org.level_of_point()
        self.target_days = np.asarray(cfg.params.needs.target_days)
        self.residents = Residents.create(self.geo, cfg, self.streams)
        self.residents.community = self.org.unit_of_hh  # villages are units of their own until merged
        self.party_members = PartyMembers.create(self.residents, cfg, self.streams)
        self.officials = Officials.create(self.org, cfg, self.streams)
        self.dept_staff_total = int((self.officials.kind == DEPT_STAFF).sum())
        self.units = AgentSet(place_units(self, self.streams.generator("units")), random=self.random)
        self.unit_list = sorted(self.units, key=lambda a: a.unique_id)  # a fixed order for draws and arrays
        self.university_partner = np.zeros(self.org.n_communities, bool)  # per unit
        self._unit_arrays()
        self.levers = Levers(self)
        self.money = Money(self)
        self.staffing = Staffing(self)
        self.participation = Participation(self)
        self.grids = Grids(self)
        self.source = NeedSource(self.residents, cfg.params, self.streams)
        self.needs = NeedPool()
        self.experiences = satisfaction.Experiences()
        self.centres: list[ServiceCentre] = []
        self.refresh_access()
        self.levers.build_baseline()                           # the baseline's own structure
        self._initial_partnerships()
        if state is None:
            self.money.open(-self.warmup, self.levers)          # the accounts as they stand (baseline)
        self.ledger = Ledger(self)
        self.datacollector = self._collector()
        if state is not None:
            self.restore(state)

    @property
    def day(self) -> int:
        return self.t - self.warmup

    # -- the day ---------------------------------------------------------------
    def step(self) -> None:
        """One day: MODEL.md section 3, steps 1 to 9, in order."""
        d, t, L = self.day, self.t, self.levers
        if d == 0:
            self.ledger, self.datacollector = Ledger(self), self._collector()  # the warm-up is not measured
        if d == self.cfg.policy.reform_day:
            self.ledger.open(t)                                # the measurement window starts with the reform
        L.apply(d)                                             # reforms starting today (structure first)
        self.money.receive(d, t, L)                            # 8. money arrives by source
        self.grids.refresh()
        capacity = service.capacity(self, L)                   # 3. today's capacity
        new = self.source.draw(t)                              # 1. needs
        new = self._deter(new, L)
        self._raise(new, L)                                    # 2. channels
        served = service.serve(self, capacity, t)              # 3. facilities, staff, then civic capacity
        self.money.spend_purchased(np.bincount(self.needs["point"][served.civic[served.bought]],
                                               minlength=self.org.n_communities))
        resolved = escalation.route(self, served.staff, served.done_staff, t, L)  # 4. escalation / pass-back
        still_open = self._resolve(served, resolved, capacity, t)  # 5. resolution ...
        self._abandon(t, still_open)                           # ... or abandonment
        satisfaction.experience(self, *self.experiences.pop())  # 6. satisfaction
        satisfaction.remember(self)
        if t % self.cfg.params.participation.update_every_days == 0:
            self.participation.update(t, L)                    # 7. participation
        self.money.pay(d, L)                                   # 8. spending; arrears cut capacity
        self.staffing.workload(capacity.hours, served.demand_hours)  # 9. staff
        self.staffing.turnover(t, L)
        self.staffing.recruit(t, L)
        self.staffing.train(d, L)
        self.staffing.assess(d, t, L)
        self._monthly(d, t, L)
        if d >= 0:
            self.ledger.record(d)
            self.datacollector.collect(self)
        self.t += 1

    def run(self, days: int | None = None, progress: bool = False) -> GovernanceModel:
        """Run the warm-up (if not done yet) and ``days`` measured days (default: the config's)."""
        from tqdm.auto import tqdm

        n = (self.cfg.days if days is None else days) + max(0, -self.day)
        for _ in tqdm(range(n), desc=f"{self.cfg.world.name}/{self.cfg.policy.name} seed {self.cfg.seed}",
                      unit="day", disable=None if progress else True, leave=False):
            self.step()
        return self

    def warm_up(self) -> GovernanceModel:
        """Run the warm-up only (the baseline until day 0)."""
        while self.day < 0:
            self.step()
        return self

    # -- steps -----------------------------------------------------------------
    def _deter(self, new: dict, L) -> dict:
        """Video surveillance deters a share of public-safety incidents (report, Zhucheng)."""
        if not L.get("informatisation").video_surveillance:
            return new
        u = self.streams.uniform("video_deterrence", new["uid"])
        keep = ~((new["cat"] == SAFETY) & (u < self.cfg.params.service.video_safety_reduction))
        self.ledger.deterred(int((~keep).sum()))
        return {k: v[keep] for k, v in new.items()}

    def _raise(self, new: dict, L) -> None:
        channel, ready, trip, found = channels.choose(self, new, self.grids.find_p if self.grids.finds else None,
                                                      L.get("informatisation").online_level)
        self.ledger.generated(new, channel, found)
        unraised = channel == channels.UNRAISED
        perf = self.cfg.params.satisfaction.performance_unraised
        self.experiences.add(new["hh"][unraised], np.full(int(unraised.sum()), perf))
        raised = np.flatnonzero(~unraised)
        n = len(raised)
        if n < len(channel):  # (else every need is raised: no copies)
            new = {k: v[raised] for k, v in new.items()}
            channel, ready, trip = channel[raised], ready[raised], trip[raised]
        point = self.org.lead[self.residents.community[new["hh"]]]
        req = np.zeros(n, np.int8)
        pub = new["cat"] == PUBLIC
        req[pub] = self.required_level(new["ctype"][pub], point[pub])
        self.needs.add({**new, "channel": channel, "point": point, "queued": ready, "ready": ready,
                        "req": req, "passbacks": np.zeros(n, np.int16), "escalated": np.zeros(n, bool),
                        "trip_hours": trip})

    def _resolve(self, served, resolved: np.ndarray, cap, t: int) -> np.ndarray:
        """Needs served today are resolved; returns which needs of the pool are still open."""
        pool = self.needs
        s = self.cfg.params.service
        staff = served.staff[resolved]
        idx = np.concatenate([served.facility, staff, served.civic])
        done = np.concatenate([served.done_facility, served.done_staff[resolved], served.done_civic])
        rows = pool.take(idx, (*Ledger.NEED_FIELDS, "uid", "passbacks", "trip_hours", "point"))
        quality = np.concatenate([
            np.full(len(served.facility), s.quality_facility),
            s.quality_base + s.quality_skill * cap.skill[pool["point"][staff]],
            np.where(served.bought, s.quality_purchased, s.quality_volunteer)])
        noise = s.quality_noise * (2 * self.streams.uniform("quality", rows["uid"]) - 1)
        quality = np.clip(quality + noise, 0, 1)
        self._case_materials(rows, len(served.facility))
        wait = done - rows["created"]
        perf = satisfaction.performance(self, rows["cat"], wait, rows["passbacks"], quality, rows["trip_hours"])
        self.ledger.resolved(rows, wait, done)
        self.experiences.add(rows["hh"], perf)
        still_open = np.ones(len(pool), bool)
        still_open[idx] = False
        return still_open

    def _case_materials(self, rows: dict, n_facility: int) -> None:
        """Public-service cases of a type above the community among today's resolved ``rows`` (the first
        ``n_facility`` by facilities): materials paid where they are resolved; a facility (a health station, a
        partnered hospital) is its department's outlet, so its department pays."""
        org = self.org
        upper = rows["cat"] == PUBLIC
        upper[upper] = org.base_authority[rows["ctype"][upper]] > 0
        point = rows["point"][n_facility:][upper[n_facility:]]
        here = point < org.n_communities
        self.money.tasks(np.bincount(point[here], minlength=org.n_communities),
                         int((~here).sum()) + int(upper[:n_facility].sum()))

    def _abandon(self, t: int, still_open: np.ndarray) -> None:
        """Needs open at the end of the day longer than their patience are given up; the pool keeps the rest."""
        pool = self.needs
        gone = still_open & ((t + 1 - pool["created"]) >= pool["patience"])
        if gone.any():
            rows = pool.take(np.flatnonzero(gone), Ledger.NEED_FIELDS)
            self.ledger.abandoned(rows, t + 1)
            perf = self.cfg.params.satisfaction.performance_abandoned
            self.experiences.add(rows["hh"], np.full(len(rows["hh"]), perf))
            still_open &= ~gone
        pool.keep(still_open)

    def _monthly(self, day: int, t: int, L) -> None:
        if not month_start(day):
            return
        self._literacy(L)
        p_join, p_lapse = self._partner_odds(L)
        units = self.unit_list
        draws = self.streams.uniform("unit_partnership", np.array([u.unique_id for u in units]), t)
        for u, draw in zip(units, draws):
            u.review_partnership(float(draw), p_join, p_lapse)
        self._unit_arrays()
        vm = L.get("village_merger")
        if vm.enabled and vm.concentrated_residence:
            self._resettle(t, vm)

    def _partner_odds(self, L) -> tuple[float, float]:
        """Monthly chance that an unpartnered unit joins, and that a partnered one lapses."""
        prm = self.cfg.params.units
        p_join = prm.p_partner_outreach_month if L.get("unit_integration").outreach else prm.p_partner_month
        if "unit_joint_meeting" in L.get("party_building").councils:
            p_join = min(1.0, p_join * prm.rel_partner_joint_meeting)
        return p_join, prm.p_lapse_month

    def _initial_partnerships(self) -> None:
        """Units start partnered at the baseline's stationary share, join / (join + lapse)."""
        p_join, p_lapse = self._partner_odds(self.levers)
        share = p_join / (p_join + p_lapse) if p_join + p_lapse > 0 else 0.0
        u = self.streams.uniform("unit_partnership", np.array([u.unique_id for u in self.unit_list]), -1)
        for unit, draw in zip(self.unit_list, u):
            unit.partnered = bool(draw < share)
        self._unit_arrays()

    def _literacy(self, L) -> None:
        """Monthly: digital literacy grows with education and, in the villages, with broadband."""
        gain = L.get("education").digital_literacy_gain_per_year
        res = self.residents
        if gain:
            res.literacy += gain / 12 * (1 - res.literacy)
        vm = L.get("village_merger")
        if vm.infrastructure:  # 八通: broadband reaches the concentrated areas (聚合區)
            v = access.concentrated(res.settlement, res.dist_centre_km, vm.service_radius_km)
            g = self.cfg.params.resettlement.infrastructure_literacy_gain_per_year
            res.literacy[v] += g / 12 * (1 - res.literacy[v])

    def _resettle(self, t: int, vm) -> None:
        """Concentrated residence (聚合居住): each month a share of the village households farther than the
        service radius from their community's centre move next to it (report: 先安置、后拆遷、再復墾)."""
        res, org = self.residents, self.org
        lead = org.lead[res.community]
        d = res.dist_centre_km
        far = (res.settlement == VILLAGE) & np.isfinite(d) & (d > vm.service_radius_km)
        p = self.cfg.params.resettlement.share_per_year / 12
        move = np.flatnonzero(far & (self.streams.uniform("resettle", np.arange(res.n), t) < p))
        if len(move) == 0:
            return
        u1 = self.streams.uniform("resettle_x", move, t)
        u2 = self.streams.uniform("resettle_y", move, t)
        r = self.cfg.world.villages.radius_km * np.sqrt(-2 * np.log1p(-u1))  # a normal spread around the centre
        xy = org.centre_xy[lead[move]] + np.stack([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)], 1)
        xy[:, 0] = np.clip(xy[:, 0], 0, self.geo.nx * self.geo.cell_km - 1e-6)
        xy[:, 1] = np.clip(xy[:, 1], 0, self.geo.ny * self.geo.cell_km - 1e-6)
        res.x_km[move], res.y_km[move] = xy[:, 0], xy[:, 1]
        res.cell[move] = self.geo.cell_of(xy)
        pm = self.party_members
        pm.cell = res.cell[pm.household]
        self.participation.refresh_cells()
        self.space.population.data = np.bincount(res.cell, minlength=self.geo.nx * self.geo.ny).reshape(
            self.geo.nx, self.geo.ny)
        self.restructured()

    # -- structural change: the organisation changes, the mechanisms follow -----------
    def merge(self, groups: list[np.ndarray], leads: np.ndarray, close_within_km: float, build_centre: bool) -> None:
        """Merge groups of community units into their leads; staff, money, queues and posts follow."""
        org, o = self.org, self.officials
        merged = org.merge(groups, leads, close_within_km, build_centre, self.cfg.world.travel.detour)
        if len(merged.stopped) == 0:
            return
        local = o.level == 0
        o.point[local] = org.lead[o.point[local]]
        self.money.merge(merged.stopped, org.lead[merged.stopped])
        at_unit = self.needs["point"] < org.n_communities
        self.needs["point"][at_unit] = org.lead[self.needs["point"][at_unit]]
        self.staffing.follow_merge()
        self.needs_requirements()  # queued needs of merged units: their new community's authority
        self.restructured()

    def add_points(self, k: int) -> None:
        """``k`` more stations in each community (service_centres.extra_points_per_community)."""
        res = self.residents
        self.org.add_points(k, self.org.lead[res.community], res.cell, self.geo)
        self.restructured()

    def restructured(self) -> None:
        """Re-derive what depends on the communities and their doors: grids, distances, Mesa centres."""
        g = self.levers.get("grid_management")
        if g.enabled and self.grids.active:
            self.grids.derive(g, self.levers)
        self.refresh_access()

    def needs_requirements(self) -> None:
        """Required authority of open public-service needs after authority moved."""
        pool = self.needs
        pub = pool["cat"] == PUBLIC
        lead = self.org.lead[self.residents.community[pool["hh"][pub]]]
        pool["req"][pub] = self.required_level(pool["ctype"][pub], lead)

    def required_level(self, ctype: np.ndarray, lead: np.ndarray) -> np.ndarray:
        """The layer that must decide each public case of type ``ctype`` from community ``lead``.

        The case type's authority, except where authority follows the staff sent down (權隨責走): a
        community with a post sent down from the department that decides a department-level type (held,
        or open while it is refilled by another sent down) decides it itself.  Types a street office
        decides still go to the street office.
        """
        req = self.org.authority[ctype]
        if not self.levers.get("staff_sent_down").authority_follows:
            return req
        o, org = self.officials, self.org
        here = np.flatnonzero(o.active & o.sent_down & (o.level == 0))
        points, depts = [o.point[here]], [o.department[here]]
        for v in self.staffing.vacancies:
            open_ = v["sent_down"] & (v["level"] == 0)
            points.append(v["point"][open_])
            depts.append(v["department"][open_])
        points, depts = np.concatenate(points), np.concatenate(depts)
        if len(points) == 0:
            return req
        has = np.zeros((org.n_communities, org.n_dept_kinds), bool)
        has[points, depts % org.n_dept_kinds] = True
        local = has[lead, org.case_department[ctype]] & (req == 2)
        return np.where(local, 0, req).astype(req.dtype)

    def reroute_street_queues(self) -> None:
        """Needs waiting at abolished street offices go down to communities or up to departments."""
        pool, org = self.needs, self.org
        at_street = (pool["point"] >= org.n_communities) & (pool["point"] < org.n_communities + org.n_streets)
        idx = np.flatnonzero(at_street)
        to_comm = pool["req"][idx] == 0
        lead = org.lead[self.residents.community[pool["hh"][idx]]]
        dept = org.case_dept_point(pool["ctype"][idx], self.residents.community[pool["hh"][idx]])  # public cases only
        pool.send(idx, np.where(to_comm, lead, dept), np.full(len(idx), float(self.t + 1)))

    def partner_universities(self) -> None:
        """Each university partners with its nearest communities (report: 與山東大學等多家高校建立合作關系)."""
        org = self.org
        leads = org.leads()
        for u in self.unit_list:
            if u.kind != "university":
                continue
            k = u.partner_communities
            d = np.hypot(*(org.centre_xy[leads] - org.centre_xy[u.community]).T)
            free = ~self.university_partner[leads] & (org.unit_part[leads] == org.unit_part[u.community])
            pick = leads[free][np.argsort(d[free], kind="stable")[:k]]
            self.university_partner[pick] = True

    def university_partner_leads(self) -> np.ndarray:
        """Per unit: whether the community it leads partners with a university."""
        org = self.org
        return np.bincount(org.lead, weights=self.university_partner, minlength=org.n_communities) > 0

    def interns(self, L) -> np.ndarray:
        """Communities that host university interns (report: 實習基地), 1 per such community point."""
        ui = L.get("unit_integration")
        if not (ui.internships and ui.university_partnership):
            return np.zeros(self.org.n_communities)
        return (self.university_partner_leads() & self.org.is_lead()).astype(float)

    def refresh_access(self) -> None:
        """Distances to doors and centres, travel times, the coverage layer and the Mesa centre agents."""
        org, res, geo, w = self.org, self.residents, self.geo, self.cfg.world
        factor = self.cfg.params.resettlement.infrastructure_speed_factor
        vm = self.levers.get("village_merger")
        a = access.measure(org, res, w.travel, factor if vm.infrastructure else 1.0, vm.service_radius_km)
        res.dist_km, res.dist_centre_km, res.travel_hours = a.door_km, a.centre_km, a.travel_hours
        self.radius_km = org.part_radius_km[org.unit_part[res.community]]  # each part's own service radius
        self.covered = res.dist_km <= self.radius_km
        n = geo.nx * geo.ny
        hh = np.maximum(np.bincount(res.cell, minlength=n), 1)
        cov = np.bincount(res.cell, weights=self.covered, minlength=n) / hh
        self.space.coverage.data = cov.reshape(geo.nx, geo.ny)
        for c in self.centres:
            c.remove()
        cells = geo.cell_of(org.point_xy)
        self.centres = [ServiceCentre(self, self.space[(int(cl // geo.ny), int(cl % geo.ny))], int(pu), i, int(pk))
                        for i, (cl, pu, pk) in enumerate(zip(cells, org.point_unit, org.point_kind))]

    # -- state the mechanisms share ----------------------------------------------
    def _unit_arrays(self) -> None:
        units = self.unit_list
        self.unit_community = np.array([u.community for u in units], dtype=np.int64)
        self.unit_partnered = np.array([u.partnered for u in units], dtype=bool)
        self.unit_kind = np.array([u.kind for u in units], dtype=object)
        self.unit_cap = np.array([u.capacity_cases_day for u in units], dtype=float)
        self.unit_vol = np.array([u.volunteer_cases_day for u in units], dtype=float)
        self.unit_donation = np.array([u.donation_yuan_year for u in units], dtype=float)
        self.unit_field = np.array([service.field_key(UNIT_SERVES[u.kind]) for u in units], dtype=np.int64)

    def unit_volunteers(self) -> np.ndarray:
        C = self.org.n_communities
        return np.bincount(self.org.lead[self.unit_community], weights=self.unit_vol * self.unit_partnered,
                           minlength=C)

    def _collector(self) -> mesa.DataCollector:
        return mesa.DataCollector(model_reporters={k: (lambda m, k=k: m.ledger.today[k]) for k in Ledger.DAILY})

    # -- snapshots (sim/snapshot.py) ------------------------------------------------
    STATEFUL = ("money", "staffing", "participation", "grids")  # mechanisms whose attributes are state

    def snapshot(self) -> dict:
        """The whole dynamic state at a day boundary (the end of the warm-up): see sim/snapshot.py."""
        import copy

        return copy.deepcopy({
            "t": self.t, "residents": self.residents, "party_members": self.party_members,
            "officials": self.officials, "org": self.org, "needs": self.needs.a, "next_uid": self.source.next_uid,
            "units": [u.partnered for u in self.unit_list], "university_partner": self.university_partner,
            "mechanisms": {name: {k: v for k, v in vars(getattr(self, name)).items() if k != "model"}
                           for name in self.STATEFUL},
        })

    def restore(self, state: dict) -> None:
        """Continue from a snapshot taken by a model of the same world, seed and baseline."""
        import copy

        state = copy.deepcopy(state)
        self.t = state["t"]
        self.residents, self.party_members = state["residents"], state["party_members"]
        self.officials, self.org = state["officials"], state["org"]
        self.needs.a = state["needs"]
        self.source.next_uid = state["next_uid"]
        for u, p in zip(self.unit_list, state["units"]):
            u.partnered = p
        self.university_partner = state["university_partner"]
        for name, attrs in state["mechanisms"].items():
            vars(getattr(self, name)).update(attrs)
        self._unit_arrays()
        self.space.population.data = np.bincount(self.residents.cell, minlength=self.geo.nx * self.geo.ny).reshape(
            self.geo.nx, self.geo.ny)
        self.refresh_access()

    # -- views -------------------------------------------------------------------
    AGENT_KINDS = ("residents", "party_members", "units", "officials")

    def frame(self, kind: str):
        """State of one agent kind as a DataFrame, one row per agent (``residents``, ``party_members``,
        ``units`` or ``officials``)."""
        if kind not in self.AGENT_KINDS:
            raise ValueError(f"kind={kind!r}: choose one of {', '.join(self.AGENT_KINDS)}")
        if kind == "units":
            return self.units_frame()
        return getattr(self, kind).to_frame()

    def units_frame(self):
        import pandas as pd

        return pd.DataFrame([u.state for u in self.unit_list]).set_index("unique_id")

    def summary(self) -> dict:
        return self.ledger.summary()
