"""A per-agent reference model of the core daily loop, written the plain Mesa way.

Docking (Axtell, Axelrod, Epstein & Cohen 1996, "Aligning simulation models"):
the same rules as the vectorised ``sim`` model, written independently, one
``mesa.Agent`` per household and per service point, each acting on its own with
scalar Python code and its own random draws.  If both implement the same model,
their outcome distributions over seeds agree.

Covered (MODEL.md section 3, steps 1-6, with time in fractions of a day): needs
arise at a moment of their day; the household chooses walk-in, online or not at
all (a grid worker may find the need first); the need reaches its community's
queue after the trip; staff serve in hours, first come first served, in office
hours; cases go up a layer after intake (lognormal transfer delays, coordination
delay unless cross-appointed) or are passed back; needs are resolved or given up;
satisfaction by expectation-disconfirmation; trust follows satisfaction.

Kept fixed, so inert in the vectorised docking run (:data:`DOCKING_OVERRIDES`):
participation (and its effect on raising needs), money (pay factor 1, nothing
bought), staff (no turnover, recruitment or training), unit partnerships (none),
facilities and civic capacity (none), levers (none starts), the warm-up (none).
The initial state is taken from a freshly built :class:`sim.model.GovernanceModel`
of the same config: docking compares the dynamics, not the world generator.
"""

from __future__ import annotations

import math

import mesa

from sim.config.schema import Config
from sim.model import GovernanceModel

HOUSEHOLD, CULTURAL, PUBLIC, DISPUTE, SAFETY = range(5)
WALK_IN, GRID, ONLINE, UNRAISED = range(4)
CHANNELS = ("walk_in", "grid", "online", "unraised")

# Overrides that make the parts the reference keeps fixed inert in the vectorised model
DOCKING_OVERRIDES = (
    "warmup_days=0",  # the reference starts from the freshly built state
    "params.channel.beta_participating=0",  # participation moves weekly there, is fixed here: no effect on raising
    "params.service.volunteer_cases_per_participant_day=0",  # ... and no volunteer capacity
    "params.money.subsidy_yuan_day=0",  # nothing owed -> no arrears, pay factor 1
    "params.money.centre_operation_yuan_day=0",
    "params.money.task_cost_yuan_per_case=0",
    "policy.funding.office_funds_yuan_per_community_year=0",  # no money, so no purchased services
    "policy.funding.office_funds_yuan_per_village_year=0",
    "policy.funding.service_yuan_per_household_year=0",
    "policy.funding.lottery_yuan_per_elderly_household_year=0",
    "policy.funding.donations_yuan_per_household_year=0",
    "params.staffing.turnover_per_year=0",  # no leavers, so no recruits
    "params.units.p_partner_month=0",  # initial share p_join / (p_join + p_lapse) = 0: no partnered units
)


class Need:
    """One need of one household, from arising to resolution or abandonment."""

    __slots__ = ("uid", "household", "cat", "ctype", "created", "patience", "channel", "point", "queued",
                 "ready", "req", "passbacks", "escalated", "trip_hours", "open")

    def __init__(self, uid: int, household: Household, cat: int, ctype: int, created: float, patience: float):
        self.uid, self.household, self.cat, self.ctype = uid, household, cat, ctype
        self.created, self.patience = created, patience
        self.channel = UNRAISED
        self.point: ServicePoint | None = None
        self.queued = self.ready = created
        self.req = 0
        self.passbacks = 0
        self.escalated = False
        self.trip_hours = 0.0
        self.open = True


class Household(mesa.Agent):
    """A household: its needs arise, it raises them, waits, gives up, and judges the service it got."""

    def __init__(self, model: ReferenceModel, row: int, community: int, rates: list[float], travel_hours: float,
                 literacy: float, participating: bool, grid_find_p: float, satisfaction: float, expectation: float,
                 trust: float):
        super().__init__(model)
        self.row = row
        self.community = community
        self.rates = rates  # expected needs per day, by category
        self.rate_total = sum(rates)
        self.p_none = math.exp(-self.rate_total)
        self.travel_hours = travel_hours  # one way, to the nearest door of its community
        self.literacy = literacy
        self.participating = participating  # fixed here; it moves weekly in sim (dock with beta_participating=0)
        self.grid_find_p = grid_find_p
        self.satisfaction, self.expectation, self.trust = satisfaction, expectation, trust
        self.needs: list[Need] = []  # raised and still open
        self.experiences: list[float] = []  # today's experienced performance

    # step 1: a Poisson number of needs today (all categories together, then split by their rates)
    def arise(self, t: int) -> list[Need]:
        m = self.model
        r = m.random.random
        k, prod = 0, r()
        while prod > self.p_none:  # Knuth's method: the daily rate is small
            k += 1
            prod *= r()
        new = []
        for _ in range(k):
            x = r() * self.rate_total
            cat = 0
            while cat < SAFETY and x >= self.rates[cat]:
                x -= self.rates[cat]
                cat += 1
            ctype = m.draw_case_type() if cat == PUBLIC else -1
            patience = m.random.expovariate(1.0 / m.patience_mean[cat])
            new.append(Need(m.next_uid(), self, cat, ctype, t + r(), patience))
        return new

    # step 2: the household's own choice, and the grid worker's report, whichever reaches the queue first
    def raise_need(self, need: Need) -> None:
        m = self.model
        c = m.prm.channel
        lift = c.beta_trust * self.trust + c.beta_participating * self.participating  # worth asking at all
        e_walk = math.exp(c.asc_walk - c.beta_travel_hours * m.trip_factor * self.travel_hours + lift)
        e_online = math.exp(c.asc_online + c.beta_literacy * self.literacy * m.online_level + lift) \
            if m.online_level > 0 else 0.0
        u = m.random.random() * (1.0 + e_walk + e_online)
        own = WALK_IN if u < e_walk else ONLINE if u < e_walk + e_online else UNRAISED
        arrive = need.created + self.travel_hours / 24 if own == WALK_IN else need.created if own == ONLINE \
            else math.inf
        if self.grid_find_p > 0 and m.random.random() < self.grid_find_p:
            reported = need.created + m.random.expovariate(1.0 / c.grid_report_days)
            if reported < arrive:
                own, arrive = GRID, reported
        need.channel = own
        m.tally["channel"][own] += 1
        if own == UNRAISED:
            m.tally["unraised"] += 1
            self.experiences.append(m.prm.satisfaction.performance_unraised)
            return
        need.trip_hours = c.round_trip_factor * self.travel_hours if own == WALK_IN else 0.0
        need.req = m.authority[need.ctype] if need.cat == PUBLIC else 0
        self.needs.append(need)
        m.points[m.lead[self.community]].enqueue(need, arrive)

    # steps 5-6 at the end of the day: give up what waited too long, judge today's experiences, trust
    def end_day(self) -> None:
        m = self.model
        s = m.prm.satisfaction
        if self.needs:
            end, keep = m.t + 1, []
            for need in self.needs:
                if end - need.created >= need.patience:  # open longer than its patience
                    need.open = False
                    m.conclude(need, resolved=False, days=end - need.created)
                    self.experiences.append(s.performance_abandoned)
                else:
                    keep.append(need)
            self.needs = keep
        if self.experiences:
            n = len(self.experiences)
            p = sum(self.experiences) / n
            e = self.expectation
            event = min(1.0, max(0.0, s.base + s.w_performance * p + s.w_disconfirmation * (p - e)))
            self.satisfaction += min(1.0, s.memory * n) * (event - self.satisfaction)  # several weigh more
            self.expectation += s.expectation_adapt * (p - e)
            self.experiences = []
        self.trust += (self.satisfaction - self.trust) / s.trust_memory_days


class ServicePoint(mesa.Agent):
    """A community's service point, a street office or a department: its staff serve its queue in hours."""

    def __init__(self, model: ReferenceModel, index: int, level: int, hours: float, skill: float):
        super().__init__(model)
        self.index = index
        self.level = level
        self.hours = hours  # staff hours on residents' cases per day
        self.skill = skill  # mean skill of its officials
        self.queue: list[Need] = []

    def enqueue(self, need: Need, when: float) -> None:
        if need.point is not None:  # it leaves the queue it was in (it may come back to this one: a pass-back)
            need.point.queue.remove(need)
        need.point = self
        need.queued = need.ready = when
        self.queue.append(need)

    def hours_for(self, need: Need) -> float:
        """Intake if the case must go up from here, else the hours of its kind (its complexity, wherever handled)."""
        m = self.model
        s = m.prm.service
        if need.req > self.level:
            return s.hours_intake
        if need.cat == PUBLIC:
            return s.hours_public[m.base_authority[need.ctype]]
        return m.hours_by_cat[need.cat]

    def serve(self, t: int) -> list[tuple[Need, float]]:
        """Today's needs served by staff, first come first served, with their completion times."""
        s = self.model.prm.service
        self.queue = [n for n in self.queue if n.open]
        if not self.queue:
            return []
        close = t + s.office_close_hour / 24
        opening, span = t + s.office_open_hour / 24, (s.office_close_hour - s.office_open_hour) / 24
        # a need can be taken today if it can be done before closing and its owner has not given up by opening
        ready = sorted((n for n in self.queue if n.ready + self.hours_for(n) / 24 <= close
                        and n.created + n.patience > opening), key=self.order)
        out, used = [], 0.0
        for need in ready:
            h = self.hours_for(need)
            if used + h > self.hours and (used >= self.hours or not self.takes_last(need, (self.hours - used) / h)):
                break
            used += h
            place = min(used / self.hours, 1.0)  # where in the day's work it is finished
            done = max(opening + place * span, need.ready + h / 24)
            if done <= close and done <= need.created + need.patience:  # else its owner left: the hours are spent
                out.append((need, done))
        return out

    @staticmethod
    def order(need: Need) -> tuple[float, int]:
        return need.queued, need.uid  # first come, first served

    def takes_last(self, need: Need, share: float) -> bool:
        """The need that would run past the day's hours is taken with the chance its share of them allows."""
        return self.model.random.random() < share


class ReferenceModel(mesa.Model):
    """The core daily loop with one Mesa agent per household and service point; ``ReferenceModel(cfg).run()``."""

    household_class: type[Household] = Household  # agent classes: a variant may change a rule of one of them
    point_class: type[ServicePoint] = ServicePoint

    def __init__(self, cfg: Config, rng: int | None = None):
        vec = GovernanceModel(cfg)  # the initial state: same world, households, officials, organisation
        super().__init__(rng=cfg.seed * 7919 + 13 if rng is None else rng)
        self.cfg = cfg = vec.cfg  # as scaled
        self.prm = prm = cfg.params
        self.t = 0
        L = vec.levers
        L.day = 0  # the settings in force from day 0 (no lever changes during a docking run)
        self.online_level = float(L.get("informatisation").online_level)
        self.cross_appointment = bool(L.get("party_building").cross_appointment)
        self.approval_platform = bool(L.get("informatisation").approval_platform)
        self.departments_cooperate = bool(L.get("authority_sunk").departments_cooperate)
        self.trip_factor = prm.channel.round_trip_factor  # utility counts the trip there and back
        self.patience_mean = list(prm.needs.patience_days)
        self.target = list(prm.needs.target_days)
        shares = list(prm.needs.case_type_shares)
        self.case_type_cum = [sum(shares[: i + 1]) for i in range(len(shares))]
        s = prm.service
        self.hours_by_cat = [s.hours_household, s.hours_cultural, 0.0, s.hours_dispute, s.hours_safety]
        org, res = vec.org, vec.residents
        self.authority = [int(a) for a in org.authority]
        self.base_authority = [int(a) for a in org.base_authority]
        self.case_department = [int(d) for d in org.case_department]
        self.lead = [int(x) for x in org.lead]
        self.community_street = [int(x) for x in org.community_street]
        self.street_active = bool(org.street_active)
        C, S = org.n_communities, org.n_streets
        self.n_communities, self.n_streets = C, S
        hours, skill = self._staff(vec)
        self.points = [self.point_class(self, p, 0 if p < C else 1 if p < C + S else 2, hours[p], skill[p])
                       for p in range(org.n_points)]
        n = prm.needs
        base = [n.rate_household, n.rate_cultural, n.rate_public_service, n.rate_dispute, n.rate_safety]
        find_p = vec.grids.find_p
        self.households = []
        for i in range(res.n):
            old, kids = bool(res.elderly[i]), bool(res.children[i])
            rates = [base[0] * (n.rel_elderly_household if old else 1.0) / 365,
                     base[1] * (n.rel_children_cultural if kids else 1.0) / 365,
                     base[2] * (n.rel_elderly_public if old else 1.0) / 365, base[3] / 365, base[4] / 365]
            self.households.append(self.household_class(
                self, i, int(res.community[i]), rates, float(res.travel_hours[i]), float(res.literacy[i]),
                bool(res.participating[i]), float(find_p[i]), float(res.satisfaction[i]), float(res.expectation[i]),
                float(res.trust[i])))
        self._uid = 0
        self.tally = {"generated": 0, "unraised": 0, "resolved": 0, "abandoned": 0, "escalated": 0,
                      "channel": [0, 0, 0, 0]}
        self.concluded: list[tuple[float, int]] = []  # (days from creation, kind) of each concluded need

    def _staff(self, vec: GovernanceModel) -> tuple[list[float], list[float]]:
        """Per point: hours on cases a day of its officials, less a community's own overheads; their mean skill."""
        s = self.prm.service
        o, org = vec.officials, vec.org
        hours, skills = [0.0] * org.n_points, [[] for _ in range(org.n_points)]
        for i in range(o.n):
            if o.active[i]:
                p, skill = int(o.point[i]), float(o.skill[i])
                hours[p] += s.hours_per_official * float(o.case_share[i]) * (s.productivity_at_zero_skill + skill)
                skills[p].append(skill)
        for c in range(org.n_communities):
            if self.lead[c] != c:
                continue
            # each community runs a back office and, while that layer exists, reports to its street office
            hours[c] -= s.back_office_hours_village if int(org.unit_kind[c]) == 1 else s.back_office_hours_community
            if self.street_active and self.community_street[c] >= 0:
                hours[c] -= s.street_reporting_hours
        return [max(0.0, h) for h in hours], [sum(k) / len(k) if k else 0.0 for k in skills]

    def next_uid(self) -> int:
        self._uid += 1
        return self._uid

    def draw_case_type(self) -> int:
        x = self.random.random() * self.case_type_cum[-1]
        for k, c in enumerate(self.case_type_cum):
            if x < c:
                return k
        return len(self.case_type_cum) - 1

    def delay(self, mean: float) -> float:
        """A lognormal delay (days) with this mean and coefficient of variation ``delay_cv``."""
        cv = self.prm.escalation.delay_cv
        if mean <= 0 or cv == 0:
            return max(mean, 0.0)
        sigma = math.sqrt(math.log(1 + cv * cv))
        return self.random.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)

    # -- the day ---------------------------------------------------------------
    def step(self) -> None:
        t = self.t
        households = self.agents_by_type[self.household_class]
        for h in households:  # 1-2. needs arise and are raised
            for need in h.arise(t):
                self.tally["generated"] += 1
                h.raise_need(need)
        # 3. every point serves its queue; then 4-5. each case served moves on or is resolved (after all
        # points served: a case sent up today is not served again today, wherever its new point comes)
        served = [(need, p, done) for p in self.points for need, done in p.serve(t)]
        for need, p, done in served:
            self.route(need, p, done)
        households.do("end_day")  # 5. ... or is given up; 6. satisfaction and trust
        self.t += 1

    def route(self, need: Need, p: ServicePoint, done: float) -> None:
        esc = self.prm.escalation
        platform = esc.platform_delay_factor if self.approval_platform else 1.0
        if p.level > 0:
            p_back = esc.p_passback_street if p.level == 1 else esc.p_passback_department * (
                esc.cooperation_passback_factor if self.departments_cooperate else 1.0)
            if self.random.random() < p_back:  # passed back down to the household's community
                need.passbacks += 1
                home = self.points[self.lead[need.household.community]]
                home.enqueue(need, done + self.delay(esc.passback_delay_days * platform))
                return
        if need.req > p.level:  # intake done: up one layer
            street = self.community_street[need.household.community]
            to_street = p.level == 0 and self.street_active and street >= 0
            mean = (esc.delay_to_street_days if to_street else esc.delay_to_department_days) * platform
            if p.level == 0 and not self.cross_appointment:
                mean += esc.coordination_delay_days  # two committees agree before a case leaves the community
            up = self.n_communities + street if to_street else \
                self.n_communities + self.n_streets + self.case_department[need.ctype]
            need.escalated = True
            self.points[up].enqueue(need, done + self.delay(mean))
            return
        self.resolve(need, p, done)

    def performance(self, need: Need, quality: float, wait: float) -> float:
        st = self.prm.satisfaction
        perf = (quality - st.w_wait * (wait / self.target[need.cat]) ** st.wait_exponent
                - st.w_passback * need.passbacks - st.w_travel_hours * need.trip_hours)
        return min(1.0, max(0.0, perf))

    def resolve(self, need: Need, p: ServicePoint, done: float) -> None:
        s = self.prm.service
        q = s.quality_base + s.quality_skill * p.skill + s.quality_noise * (2 * self.random.random() - 1)
        wait = done - need.created
        need.open = False
        h = need.household
        h.needs.remove(need)
        h.experiences.append(self.performance(need, min(1.0, max(0.0, q)), wait))
        self.conclude(need, resolved=True, days=wait)

    def conclude(self, need: Need, resolved: bool, days: float) -> None:
        self.tally["resolved" if resolved else "abandoned"] += 1
        self.tally["escalated"] += need.escalated
        self.concluded.append((days, (0 if resolved else 2) + need.escalated))

    def run(self, days: int | None = None) -> ReferenceModel:
        for _ in range(self.cfg.days if days is None else days):
            self.step()
        return self

    # -- outcomes (the names of sim.outcomes) ------------------------------------
    def summary(self) -> dict:
        c = self.tally
        gen = max(c["generated"], 1)
        hh = self.households
        still_open = [self.t - need.created for h in hh for need in h.needs]
        return {
            "satisfaction_mean": sum(h.satisfaction for h in hh) / len(hh),
            "trust_mean": sum(h.trust for h in hh) / len(hh),
            **with_open_needs(self.concluded, still_open),
            "unraised_share": c["unraised"] / gen,
            "channel_shares": {k: v / gen for k, v in zip(CHANNELS, c["channel"])},
            "needs_generated": c["generated"], "needs_resolved": c["resolved"], "needs_abandoned": c["abandoned"],
            "days": self.t,
        }


def with_open_needs(concluded: list[tuple[float, int]], open_ages: list[float]) -> dict:
    """Resolution time (mean, p90), escalation and abandonment shares, counting the needs still open.

    The definition of sim.outcomes, computed here need by need on exact times rather than
    on bins: going through the times in order, a need concluding leaves the survival S
    and adds S / (needs still at risk) to its kind's incidence; a need still open at its
    age only leaves those at risk (Kaplan-Meier survival, Aalen-Johansen incidence).
    Kinds: 0 resolved, 1 resolved after escalation, 2 abandoned, 3 abandoned after escalation.
    """
    times = sorted([(d, k) for d, k in concluded] + [(a, -1) for a in open_ages], key=lambda x: x[0])
    survival, incidence, resolved = 1.0, [0.0] * 4, []
    for i, (d, kind) in enumerate(times):
        if kind < 0:
            continue
        share = survival / (len(times) - i)
        incidence[kind] += share
        survival -= share
        if kind < 2:
            resolved.append((d, share))
    total, res = sum(incidence), sum(w for _, w in resolved)
    mean = sum(d * w for d, w in resolved) / res if res else None
    p90, below = None, 0.0
    for d, w in resolved:  # the smallest time by which 90 % of the resolved mass is resolved
        below += w
        if below >= 0.9 * res:
            p90 = d
            break
    return {"resolution_days_mean": mean, "resolution_days_p90": p90,
            "escalation_share": (incidence[1] + incidence[3]) / total if total else None,
            "abandonment_share": (incidence[2] + incidence[3]) / total if total else None}
