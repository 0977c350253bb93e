"""A per-agent reference model of the core daily loop, written the plain Mesa way.

Docking (Axtell, Axelrod, Epstein & Cohen 1996, "Aligning simulation models"):
the same rules as the vectorised ``sim`` model, written independently, one
``mesa.Agent`` per household and per service point, each stepping on its own
with scalar Python code and its own random draws.  If both implement the same
model, their outcome distributions over seeds agree.

What it covers (MODEL.md section 3, steps 1-6): need arrivals, channel choice,
capacity-limited first-come-first-served service (civic and staff capacity),
escalation with delays and pass-back, resolution or abandonment, satisfaction by
expectation-disconfirmation, trust.  What it keeps fixed (steps 7-9):
participation (who takes part stays as on day 0), money (no shortfall: pay
factor 1), staff (no turnover, recruitment or training), unit partnerships (as on
day 0), and no lever starts during the run.  Dock it against the vectorised
model run with :data:`DOCKING_OVERRIDES`, which make those parts inert there too.

The initial state (world, households, officials, organisation) is taken from a
freshly built :class:`sim.model.GovernanceModel` of the same validated config:
docking compares the dynamics, not the world generator.
"""

from __future__ import annotations

import math
from collections import defaultdict

import mesa

from sim.config.schema import Config
from sim.mechanisms import service
from sim.model import GovernanceModel

HOUSEHOLD, CULTURAL, PUBLIC, DISPUTE, SAFETY = range(5)
WALK_IN, GRID, ONLINE, UNRAISED = range(4)

# Overrides that make the parts outside the core loop inert in the vectorised model
DOCKING_OVERRIDES = (
    "params.service.volunteer_cases_per_participant_day=0",  # participation gives no capacity
    "params.money.subsidy_yuan_day=0",  # nothing to pay -> no shortfall, pay factor 1
    "params.money.centre_operation_yuan_day=0",
    "params.money.task_cost_yuan_per_case=0",
    "policy.funding.share_lottery=0", "policy.funding.share_budget=0.97",  # no purchased services ...
    "policy.funding.yuan_per_community_year=0", "policy.funding.yuan_per_village_year=0",  # ... from any source
    "policy.funding.yuan_per_household_year=0",
    "params.staffing.turnover_per_year=0",  # no leavers, so no recruits
    "params.units.p_partner_month=0",  # no unit partnerships
)


class Need:
    """One need of one household, from arrival to resolution or abandonment."""

    __slots__ = ("uid", "household", "cat", "ctype", "created", "patience", "channel", "point", "queued",
                 "ready", "req", "passbacks", "escalated", "open")

    def __init__(self, uid, household, cat, ctype, created, patience):
        self.uid, self.household, self.cat, self.ctype = uid, household, cat, ctype
        self.created, self.patience = created, patience
        self.channel = UNRAISED
        self.point = None
        self.queued = self.ready = created
        self.req = 0
        self.passbacks = 0
        self.escalated = False
        self.open = True


class Household(mesa.Agent):
    """A household: raises its needs, waits, gives up, and judges the service it got."""

    def __init__(self, model, row: int, community: int, point, rates, travel_hours, literacy, grid_find_p,
                 satisfaction, expectation, trust):
        super().__init__(model)
        self.row = row
        self.community = community
        self.point = point  # its community's service point
        self.rates = rates  # expected needs per day by category
        self.rate_total = sum(rates)
        self.p_none = math.exp(-self.rate_total)
        self.travel_hours = travel_hours
        self.literacy = literacy
        self.grid_find_p = grid_find_p
        self.satisfaction = satisfaction
        self.expectation = expectation
        self.trust = trust
        self.needs: list[Need] = []  # open, raised needs
        self.experiences: list[float] = []  # today's experienced performance

    # step 1: arrivals (Poisson per category = Poisson in total, split by category)
    def arrivals(self) -> list[Need]:
        m = self.model
        r = m.random.random
        k, prod = 0, r()
        while prod > self.p_none:  # Knuth's method; the daily rate is small
            k += 1
            prod *= r()
        new = []
        for _ in range(k):
            x = r() * self.rate_total
            cat = 0
            while cat < 4 and x >= self.rates[cat]:
                x -= self.rates[cat]
                cat += 1
            ctype = m.draw_case_type() if cat == PUBLIC else -1
            patience = m.random.expovariate(1.0 / m.patience_mean[cat])
            new.append(Need(0, self, cat, ctype, m.day, patience))
        return new

    # step 2: the channel
    def choose_channel(self, need: Need) -> int:
        m = self.model
        c = m.prm.channel
        if self.grid_find_p > 0 and m.random.random() < self.grid_find_p:
            return GRID
        trust = c.beta_trust * self.trust
        e_walk = math.exp(c.asc_walk - c.beta_travel_hours * 2 * self.travel_hours + trust)
        e_online = math.exp(c.asc_online + c.beta_literacy * self.literacy * m.online_level + trust) \
            if m.online_level > 0 else 0.0
        u = m.random.random() * (1.0 + e_walk + e_online)
        return WALK_IN if u < e_walk else ONLINE if u < e_walk + e_online else UNRAISED

    # step 5: abandonment
    def give_up(self) -> None:
        m = self.model
        keep = []
        for need in self.needs:
            if m.day - need.created >= need.patience:
                need.open = False
                m.count["abandoned"] += 1
                m.count["escalated"] += need.escalated
                self.experiences.append(m.prm.satisfaction.performance_abandoned)
            else:
                keep.append(need)
        self.needs = keep

    # step 6: satisfaction and trust
    def judge(self) -> None:
        s = self.model.prm.satisfaction
        if self.experiences:
            n = len(self.experiences)
            p = sum(self.experiences) / n
            e = self.expectation
            event = min(1.0, max(0.0, s.base + s.w_performance * p + s.w_disconfirmation * (p - e)))
            self.satisfaction += min(1.0, s.memory * n) * (event - self.satisfaction)
            self.expectation += s.expectation_adapt * (p - e)
            self.experiences = []
        self.trust += (self.satisfaction - self.trust) / s.trust_memory_days


class ServicePoint(mesa.Agent):
    """A community centre, street office or department: serves its queue first come, first served."""

    def __init__(self, model, index: int, level: int, staff_cap: float, skill: float, civic_cap: list[float]):
        super().__init__(model)
        self.index = index
        self.level = level
        self.staff_cap = staff_cap
        self.skill = skill
        self.civic_cap = civic_cap  # by category (community points only)
        self.queue: list[Need] = []  # kept in (queued day, uid) order

    def enqueue(self, need: Need) -> None:
        need.point = self
        self.queue.append(need)

    def serve(self) -> tuple[list[Need], list[Need]]:
        """Today's served needs: (by civic capacity, by staff capacity)."""
        m = self.model
        day = m.day
        self.queue = [n for n in self.queue if n.open and n.point is self]
        self.queue.sort(key=lambda n: (n.queued, n.uid))
        ready = [n for n in self.queue if n.ready <= day]
        civic, rest = [], []
        if self.level == 0:
            left = [math.floor(c + m.random.random()) for c in self.civic_cap]
            for n in ready:
                if n.req == 0 and n.cat != PUBLIC and left[n.cat] > 0:
                    left[n.cat] -= 1
                    civic.append(n)
                else:
                    rest.append(n)
        else:
            rest = ready
        staff = rest[: math.floor(self.staff_cap + m.random.random())]
        return civic, staff


class ReferenceModel(mesa.Model):
    """The core daily loop with one Mesa agent per household; ``ReferenceModel(cfg).run()``."""

    def __init__(self, cfg: Config, rng: int | None = None):
        vec = GovernanceModel(cfg)  # the initial state: same world, households, officials, organisation
        super().__init__(rng=cfg.seed * 7919 + 13 if rng is None else rng)
        self.cfg = cfg
        self.prm = prm = cfg.params
        self.day = 0
        org, res, o = vec.org, vec.residents, vec.officials
        self.online_level = vec.online_level()
        self.cross_appointment = vec.levers.cross_appointment()
        self.target = list(prm.needs.target_days)
        self.patience_mean = list(prm.needs.patience_days)
        shares = list(prm.needs.case_type_shares)
        self.case_type_cum = [sum(shares[: i + 1]) for i in range(len(shares))]
        self.authority = [int(a) for a in org.authority]
        self.case_department = [int(d) for d in org.case_department]
        self.street_active = bool(org.street_active)
        # service points with the capacity of their officials (money, staff and partnerships fixed)
        s = prm.service
        per_kind = [s.cases_community_worker, s.cases_grid_worker, s.cases_street_staff, s.cases_dept_staff]
        cap, skill_sum, n_staff = defaultdict(float), defaultdict(float), defaultdict(int)
        for i in range(o.n):
            if o.active[i]:
                p = int(o.point[i])
                cap[p] += per_kind[int(o.kind[i])] * (0.5 + float(o.skill[i]))
                skill_sum[p] += float(o.skill[i])
                n_staff[p] += 1
        facility = vec.facility_capacity()
        civic = service.civic_capacity(vec)  # participation, councils, groups: as on day 0
        levels = org.level_of_point()
        self.points = []
        for p in range(org.n_points):
            extra = float(facility[p]) if p < org.n_communities else 0.0
            civ = [float(x) for x in civic[p]] if p < org.n_communities else [0.0] * 5
            self.points.append(ServicePoint(self, p, int(levels[p]), cap[p] + extra,
                                            skill_sum[p] / max(n_staff[p], 1), civ))
        self.community_street = [int(x) for x in org.community_street]
        self.lead = [int(x) for x in org.lead]
        self.n_communities = org.n_communities
        self.n_streets = org.n_streets
        # households
        n = prm.needs
        base = [n.rate_household, n.rate_cultural, n.rate_public_service, n.rate_dispute, n.rate_safety]
        self.households = []
        for i in range(res.n):
            old, kids = bool(res.elderly[i]), bool(res.children[i])
            rates = [base[0] * (n.rel_elderly_household if old else 1.0) / 365,
                     base[1] * (n.rel_children_cultural if kids else 1.0) / 365,
                     base[2] * (n.rel_elderly_public if old else 1.0) / 365, base[3] / 365, base[4] / 365]
            c = int(res.community[i])
            self.households.append(Household(
                self, i, c, self.points[self.lead[c]], rates, float(res.travel_hours[i]), float(res.literacy[i]),
                float(vec.grid_find_p[i]), float(res.satisfaction[i]), float(res.expectation[i]),
                float(res.trust[i])))
        self.next_uid = 0
        self.count = defaultdict(int)
        self.channels = [0, 0, 0, 0]
        self.days: list[int] = []

    def draw_case_type(self) -> int:
        x = self.random.random() * self.case_type_cum[-1]
        for t, c in enumerate(self.case_type_cum):
            if x < c:
                return t
        return len(self.case_type_cum) - 1

    # -- the day ---------------------------------------------------------------
    def step(self) -> None:
        # 1-2. needs arrive and take a channel; same-day ties queue by category (as the vectorised draw does)
        new = []
        for h in self.households:
            new.extend(h.arrivals())
        new.sort(key=lambda nd: nd.cat)
        for nd in new:
            nd.uid = self.next_uid
            self.next_uid += 1
            h = nd.household
            nd.channel = h.choose_channel(nd)
            self.channels[nd.channel] += 1
            self.count["generated"] += 1
            if nd.channel == UNRAISED:
                self.count["unraised"] += 1
                h.experiences.append(self.prm.satisfaction.performance_unraised)
                continue
            nd.req = self.authority[nd.ctype] if nd.cat == PUBLIC else 0
            h.needs.append(nd)
            h.point.enqueue(nd)
        # 3. every point serves its ready queue
        served = []
        for p in self.points:
            civic, staff = p.serve()
            served += [(nd, p, True) for nd in civic] + [(nd, p, False) for nd in staff]
        # 4-5. escalate, pass back or resolve
        for nd, p, by_civic in served:
            self.route(nd, p, by_civic)
        households = self.agents_by_type[Household]
        households.do("give_up")
        # 6. satisfaction and trust
        households.do("judge")
        self.day += 1

    def route(self, nd: Need, p: ServicePoint, by_civic: bool) -> None:
        esc = self.prm.escalation
        day = self.day
        if p.level > 0:
            p_back = esc.p_passback_street if p.level == 1 else esc.p_passback_department
            if self.random.random() < p_back:  # passed back down to the household's community
                nd.passbacks += 1
                nd.queued, nd.ready = day, day + max(1, round(esc.passback_delay_days))
                self.points[self.lead[nd.household.community]].enqueue(nd)
                return
        if nd.req > p.level:  # climb one layer
            street = self.community_street[nd.household.community]
            to_street = p.level == 0 and self.street_active and street >= 0
            delay = (0.0 if self.cross_appointment else esc.coordination_delay_days) if p.level == 0 else 0.0
            delay += esc.delay_to_street_days if to_street else esc.delay_to_department_days
            target = self.n_communities + street if to_street else \
                self.n_communities + self.n_streets + self.case_department[max(nd.ctype, 0)]
            nd.queued, nd.ready = day, day + max(1, round(delay))
            nd.escalated = True
            self.points[target].enqueue(nd)
            return
        self.resolve(nd, p, by_civic)

    def resolve(self, nd: Need, p: ServicePoint, by_civic: bool) -> None:
        s, st = self.prm.service, self.prm.satisfaction
        q = s.quality_volunteer if by_civic else s.quality_base + s.quality_skill * p.skill
        q = min(1.0, max(0.0, q + s.quality_noise * (2 * self.random.random() - 1)))
        wait = self.day - nd.created
        perf = q - st.w_wait * (wait / self.target[nd.cat]) ** st.wait_exponent - st.w_passback * nd.passbacks
        nd.open = False
        h = nd.household
        h.needs.remove(nd)
        h.experiences.append(min(1.0, max(0.0, perf)))
        self.count["resolved"] += 1
        self.count["escalated"] += nd.escalated
        self.days.append(wait)

    def run(self, days: int | None = None) -> ReferenceModel:
        for _ in range(self.cfg.days if days is None else days):
            self.step()
        return self

    # -- outcomes (the names of sim.outcomes) ------------------------------------
    def summary(self) -> dict:
        c = self.count
        concluded = c["resolved"] + c["abandoned"]
        hh = self.households
        days = sorted(self.days)
        gen = max(c["generated"], 1)
        return {
            "satisfaction_mean": sum(h.satisfaction for h in hh) / len(hh),
            "trust_mean": sum(h.trust for h in hh) / len(hh),
            "resolution_days_mean": sum(days) / max(len(days), 1),
            "resolution_days_p90": float(days[min(len(days) - 1, math.ceil(0.9 * len(days)) - 1)]) if days else 0.0,
            "escalation_share": c["escalated"] / max(concluded, 1),
            "abandonment_share": c["abandoned"] / max(concluded, 1),
            "unraised_share": c["unraised"] / gen,
            "channel_shares": {k: v / gen for k, v in zip(("walk_in", "grid", "online", "unraised"), self.channels)},
            "needs_generated": c["generated"], "needs_resolved": c["resolved"], "needs_abandoned": c["abandoned"],
            "days": self.day,
        }
