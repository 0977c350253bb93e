"""GovernanceModel: the world, the four agent kinds and the daily loop in one place."""

from __future__ import annotations

import mesa
import numpy as np
from mesa.agent import AgentSet
from scipy.spatial import cKDTree

from sim.agents.officials import GRID_WORKER, Officials
from sim.agents.party import PartyMembers
from sim.agents.residents import Residents
from sim.agents.units import place_units
from sim.config.schema import Config
from sim.mechanisms import channels, escalation, satisfaction, service
from sim.mechanisms.levers import Levers
from sim.mechanisms.money import Money, month_start
from sim.mechanisms.needs import PUBLIC, SAFETY, NeedPool, NeedSource
from sim.mechanisms.participation import Participation
from sim.mechanisms.staffing import Staffing
from sim.outcomes import Ledger
from sim.rng import Streams
from sim.world.generate import generate
from sim.world.org import Organisation
from sim.world.scale import scaled
from sim.world.space import ServiceCentre, build_space


class GovernanceModel(mesa.Model):
    """Community governance on a grid.  ``GovernanceModel(cfg).run()``, then ``.summary()``.

    Agents by kind: ``residents`` (arrays), ``party_members`` (arrays),
    ``officials`` (arrays), ``units`` (Mesa agents); ``frame(kind)`` gives any
    of them as a DataFrame.
    """

    def __init__(self, cfg: Config):
        cfg = scaled(cfg)
        self.streams = Streams(cfg.seed)
        super().__init__(rng=int(self.streams.generator("mesa").integers(2**63)))
        self.cfg = cfg
        self.day = 0
        self.geo = generate(cfg.world, self.streams)
        self.space = build_space(self, self.geo)
        self.org = Organisation(self.geo, cfg)
        self.residents = Residents.create(self.geo, cfg, self.streams)
        self.residents.community = self.org.unit_of_hh  # villages are units of their own until merged
        self.party_members = PartyMembers.create(self.residents, cfg, self.streams)
        self.officials = Officials.create(self.org, cfg, self.streams)
        self.officials_start = self.officials.headcount()
        self.units = AgentSet(place_units(self, self.streams.generator("units")), random=self.random)
        self.unit_list = sorted(self.units, key=lambda a: a.unique_id)  # a fixed order for draws and arrays
        self._unit_arrays()
        self.levers = Levers(self)
        self.money = Money(self)
        self.staffing = Staffing(self)
        self.participation = Participation(self)
        self.source = NeedSource(self.residents, cfg.params, self.streams)
        self.needs = NeedPool()
        self.ledger = Ledger(self)
        self.target_days = np.asarray(cfg.params.needs.target_days)
        self.grid_find_p = np.zeros(self.residents.n)
        self.grid_households: np.ndarray | None = None  # households per grid, once grids exist
        self._grid_workers: np.ndarray | None = None
        self.centres: list[ServiceCentre] = []
        self.refresh_geometry()
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.ledger.today[k]) for k in self.ledger.DAILY})

    # -- the day ---------------------------------------------------------------
    def step(self) -> None:
        """One day: MODEL.md section 3, steps 1 to 9, in order."""
        d = self.day
        self.levers.apply(d)                                   # reforms starting today
        self.money.receive(d)                                  # 8. money arrives by source
        self.refresh_grid()
        self.staff_cap, self.point_skill = service.staff_capacity(self)
        self.civic_cap = service.civic_capacity(self)
        new = self.source.draw(d)                              # 1. needs
        new = self._thin(new)
        self._raise(new, channels.choose(self, new), d)        # 2. channels
        served = service.serve(self, d)                        # 3. capacity-limited service
        done_staff = escalation.route(self, served["staff"], d)  # 4. escalation / pass-back
        self._resolve(served["civic"], done_staff, d)          # 5. resolution (civic service never escalates) ...
        self._abandon(d)                                       # ... or abandonment
        satisfaction.experience(self, *self.ledger.experiences())  # 6. satisfaction
        satisfaction.remember(self)
        if d % self.cfg.params.participation.update_every_days == 0:
            self.participation.update(d)                       # 7. participation
        self.money.pay(d)                                      # 8. spending; shortfall cuts capacity
        self.staffing.workload(self.staff_cap, self.demand_today)  # 9. staff
        self.staffing.turnover(d)
        self.staffing.recruit(d)
        self.staffing.train(d)
        self._units_monthly(d)
        self._education(d)
        self.ledger.record(d)
        self.datacollector.collect(self)
        self.day += 1

    def run(self, days: int | None = None, progress: bool = False) -> GovernanceModel:
        """Run for ``days`` (default: the config's), with an optional progress bar."""
        from tqdm.auto import tqdm

        n = self.cfg.days if days is None else days
        for _ in tqdm(range(n), desc=f"{self.cfg.world.name}/{self.cfg.policy.name} seed {self.cfg.seed}",
                      unit="day", disable=None if progress else True, leave=False):
            self.step()
        return self

    # -- steps -----------------------------------------------------------------
    def _thin(self, new: dict) -> dict:
        """Video surveillance deters a share of public-safety incidents (report, Zhucheng)."""
        if not self.levers.get("informatisation").video_surveillance:
            return new
        u = self.streams.uniform("video_deterrence", new["uid"])
        keep = ~((new["cat"] == SAFETY) & (u < self.cfg.params.service.video_safety_reduction))
        self.ledger.deterred += int((~keep).sum())
        return {k: v[keep] for k, v in new.items()}

    def _raise(self, new: dict, channel: np.ndarray, day: int) -> None:
        self.ledger.generated(new, channel)
        raised = np.flatnonzero(channel != channels.UNRAISED)
        r = {k: v[raised] for k, v in new.items()}
        n = len(raised)
        point = self.org.lead[self.residents.community[r["hh"]]]
        req = np.where(r["cat"] == PUBLIC, self.org.authority[np.maximum(r["ctype"], 0)], 0)
        self.needs.add({**r, "channel": channel[raised], "point": point, "queued": np.full(n, day),
                        "ready": np.full(n, day), "req": req, "passbacks": np.zeros(n), "escalated": np.zeros(n)})

    def _resolve(self, civic: np.ndarray, staff: np.ndarray, day: int) -> None:
        pool = self.needs
        s = self.cfg.params.service
        idx = np.concatenate([civic, staff])
        base_q = np.concatenate([np.full(len(civic), s.quality_volunteer),
                                 s.quality_base + s.quality_skill * self.point_skill[pool["point"][staff]]])
        if self.levers.get("service_centres").standard:
            point, C = pool["point"][idx], self.org.n_communities
            at_centre = (point < C) & self.has_centre()[np.minimum(point, C - 1)]
            base_q = base_q + np.where(at_centre, s.standard_centre_quality, 0)
        noise = s.quality_noise * (2 * self.streams.uniform("quality", pool["uid"][idx]) - 1)
        quality = np.clip(base_q + noise, 0, 1)
        self._task_costs(idx)
        wait = day - pool["created"][idx]
        perf = satisfaction.performance(self, pool["cat"][idx], wait, pool["passbacks"][idx], quality)
        self.ledger.resolved(pool.take(idx), wait, perf, day)
        keep = np.ones(len(pool), bool)
        keep[idx] = False
        pool.keep(keep)

    def _task_costs(self, idx: np.ndarray) -> None:
        pool, org = self.needs, self.org
        pub = idx[pool["cat"][idx] == PUBLIC]
        point = pool["point"][pub]
        here = point < org.n_communities
        sunk = here & (org.base_authority[pool["ctype"][pub]] > 0)
        cases = np.bincount(point[sunk], minlength=org.n_communities)
        self.money.task_costs(cases, int((~here).sum()), self.levers.get("staff_sent_down").funds_follow)

    def _abandon(self, day: int) -> None:
        pool = self.needs
        gone = (day - pool["created"]) >= pool["patience"]
        if gone.any():
            self.ledger.abandoned(pool.take(np.flatnonzero(gone)))
            pool.keep(~gone)

    def _units_monthly(self, day: int) -> None:
        if not month_start(day):
            return
        units = self.unit_list
        draws = self.streams.uniform("unit_partnership", np.array([u.unique_id for u in units]), day)
        for u, draw in zip(units, draws):
            u.review_partnership(day, float(draw))
        self._unit_arrays()

    def _education(self, day: int) -> None:
        gain = self.levers.get("education").digital_literacy_gain_per_year
        if gain:
            self.residents.literacy += gain / 365 * (1 - self.residents.literacy)

    # -- state the mechanisms share ----------------------------------------------
    def _unit_arrays(self) -> None:
        units = self.unit_list
        self.unit_community = np.array([u.community for u in units], dtype=np.int64)
        self.unit_partnered = np.array([u.partnered for u in units], dtype=bool)
        self.unit_school = np.array([u.kind == "school" for u in units], dtype=bool)
        self.unit_cap = np.array([u.capacity_cases_day for u in units], dtype=float)
        self.unit_vol = np.array([u.volunteer_cases_day for u in units], dtype=float)

    def facility_capacity(self) -> np.ndarray:
        """Cases/day from shared unit facilities and standard centres, by community point."""
        C = self.org.n_communities
        lead = self.org.lead[self.unit_community]
        cap = np.bincount(lead, weights=self.unit_cap * self.unit_partnered, minlength=C)
        if self.levers.get("service_centres").standard:
            cap += self.cfg.params.service.standard_centre_cases_day * self.has_centre()
        return cap

    def has_centre(self) -> np.ndarray:
        """Community points whose (big) community runs a service centre (village committees do not)."""
        org = self.org
        return np.bincount(org.lead[org.point_community[org.point_is_centre]], minlength=org.n_communities) > 0

    def unit_volunteers(self) -> np.ndarray:
        C = self.org.n_communities
        return np.bincount(self.org.lead[self.unit_community], weights=self.unit_vol * self.unit_partnered,
                           minlength=C)

    def school_capacity(self) -> np.ndarray:
        """Open schools share their facilities for cultural needs (report: education function)."""
        C = self.org.n_communities
        if not self.levers.get("education").open_schools:
            return np.zeros(C)
        return np.bincount(self.org.lead[self.unit_community], minlength=C,
                           weights=self.unit_school * self.cfg.params.service.school_cultural_cases_day)

    def centres_standard(self) -> bool:
        return self.levers.get("service_centres").standard

    def online_level(self) -> float:
        return self.levers.get("informatisation").online_level

    def merge_units(self, groups: list[np.ndarray], leads: np.ndarray, keep_points: bool,
                    station_radius_km: float | None = None) -> None:
        """Merge groups of community units into their leads: staff, money, queues and service points follow.

        ``keep_points``: the merged units' points stay as service stations of the big
        community (big urban communities); otherwise they close, except, with
        ``station_radius_km``, those farther than that from the lead (village merger).
        """
        org, o = self.org, self.officials
        stopped = org.merge(groups, leads)
        if len(stopped) == 0:
            return
        C = org.n_communities
        local = o.level == 0
        o.point[local] = org.lead[np.minimum(o.point[local], C - 1)]
        self.money.transfer(stopped, org.lead[stopped])
        pool = self.needs
        at_unit = pool["point"] < C
        pool["point"][at_unit] = org.lead[pool["point"][at_unit]]
        for v in self.staffing.vacancies:
            lv = v["point"] < C
            v["point"][lv] = org.lead[v["point"][lv]]
        lead_xy = org.centre_xy[org.lead[org.point_community]]  # a lead's own point sits at its centre
        far = np.hypot(*(org.point_xy - lead_xy).T) > (station_radius_km if station_radius_km is not None else np.inf)
        is_lead = org.lead[org.point_community] == org.point_community
        touched = np.isin(org.point_community, np.concatenate(groups))
        keep = np.ones(len(org.point_xy), bool) if keep_points else (~touched | is_lead | far)
        # a village merger builds a centre at the lead; far villages keep a station (a walk-in point, no centre)
        org.point_is_centre = (org.point_is_centre | (touched & is_lead & (not keep_points)))[keep]
        org.point_xy = org.point_xy[keep]
        org.point_community = org.point_community[keep]
        self.refresh_geometry()

    def refresh_requirements(self) -> None:
        """Required authority of open public-service needs after authority moved."""
        pool = self.needs
        pub = pool["cat"] == PUBLIC
        pool["req"][pub] = self.org.authority[pool["ctype"][pub]]

    def reroute_street_queues(self) -> None:
        """Needs waiting at abolished street offices go down to communities or up to departments."""
        pool = self.needs
        org = self.org
        at_street = (pool["point"] >= org.n_communities) & (pool["point"] < org.n_communities + org.n_streets)
        idx = np.flatnonzero(at_street)
        to_comm = pool["req"][idx] == 0
        lead = org.lead[self.residents.community[pool["hh"][idx]]]
        dept = org.dept_point(org.case_department[np.maximum(pool["ctype"][idx], 0)])
        pool["point"][idx] = np.where(to_comm, lead, dept)
        pool["ready"][idx] = self.day + 1
        pool["queued"][idx] = self.day

    def refresh_grid(self) -> None:
        """Probability that a grid worker finds a household's need (0 outside active grids).

        Recomputed only when the grid workers in post change (hires, leavers)."""
        if self.grid_households is None:
            return
        o = self.officials
        n_grids = len(self.grid_households)
        workers = np.bincount(o.grid[o.active & (o.kind == GRID_WORKER)], minlength=n_grids)[:n_grids]
        if self._grid_workers is not None and np.array_equal(workers, self._grid_workers):
            return
        self._grid_workers = workers
        hh = self.grid_households
        p = channels.p_find(np.where(workers > 0, hh / np.maximum(workers, 1), 0.0),
                            self.cfg.params.channel.grid_find_at_300)
        self.grid_active = workers > 0
        grid = self.residents.grid
        self.grid_find_p = np.where(grid >= 0, p[np.maximum(grid, 0)], 0.0)

    def add_service_points(self, k: int) -> None:
        """Extra service points in each community's most populous cells without one."""
        org, res, geo = self.org, self.residents, self.geo
        taken = set(geo.cell_of(org.point_xy).tolist())
        xy, comm = [org.point_xy], [org.point_community]
        for c in org.leads():
            cells, counts = np.unique(res.cell[org.lead[res.community] == c], return_counts=True)
            free = [cl for cl in cells[np.argsort(-counts, kind="stable")] if cl not in taken][:k]
            for cl in free:
                xy.append(np.array([[(cl // geo.ny + 0.5) * geo.cell_km, (cl % geo.ny + 0.5) * geo.cell_km]]))
                comm.append(np.array([c]))
        org.point_xy = np.concatenate(xy)
        org.point_community = np.concatenate(comm)
        org.point_is_centre = np.r_[org.point_is_centre, np.ones(len(org.point_xy) - len(org.point_is_centre), bool)]
        self.refresh_geometry()

    def refresh_geometry(self) -> None:
        """Distances to service points, travel times, spatial coverage, centre agents."""
        org, res, geo = self.org, self.residents, self.geo
        w = self.cfg.world
        self.level_of_point = org.level_of_point()
        hh_xy = np.stack([res.x_km, res.y_km], 1)
        # nearest point of the household's own (big) community
        lead_of_point = org.lead[org.point_community]
        order = np.argsort(lead_of_point, kind="stable")
        slots = np.bincount(lead_of_point, minlength=org.n_communities)
        width = int(slots.max())
        table = np.full((org.n_communities, width, 2), np.nan)
        rank = np.arange(len(order)) - np.repeat(np.r_[0, np.cumsum(slots)[:-1]], slots)[np.arange(len(order))]
        table[lead_of_point[order], rank] = org.point_xy[order]
        lead = org.lead[res.community]
        dist = np.full(res.n, np.inf)
        for j in range(width):
            d = np.hypot(*(hh_xy - table[lead, j]).T)
            dist = np.fmin(dist, d)
        res.dist_km = dist * w.travel.detour
        speed = np.array([w.travel.speed_urban_kmh, w.travel.speed_village_kmh, w.travel.speed_pastoral_kmh])
        res.travel_hours = res.dist_km / speed[res.settlement]
        centres = org.point_xy[org.point_is_centre]
        self.dist_nearest_km = cKDTree(centres).query(hh_xy)[0] if len(centres) else np.full(res.n, np.inf)
        covered = self.dist_nearest_km <= w.service_radius_km
        self.covered = covered
        cov = np.bincount(res.cell, weights=covered, minlength=geo.nx * geo.ny) / np.maximum(
            np.bincount(res.cell, minlength=geo.nx * geo.ny), 1)
        self.space.coverage.data = cov.reshape(geo.nx, geo.ny)
        for c in self.centres:
            c.remove()
        cells = geo.cell_of(org.point_xy)
        self.centres = [ServiceCentre(self, self.space[(int(cl // geo.ny), int(cl % geo.ny))], int(pc), i, bool(ic))
                        for i, (cl, pc, ic) in enumerate(zip(cells, org.point_community, org.point_is_centre))]

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
