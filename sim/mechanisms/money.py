"""Step 8: money flows by source; what the work costs; shortfalls cut capacity; nothing from nothing.

Sources (report, funding guarantee: 政府投入、福利彩票基金分配、社會捐助): the
government budget (office funds per community or village committee plus service
funds per household) arrives in quarterly instalments, its budgeted part on time,
the ad hoc rest late and variable; welfare-lottery money once a year by older
households, earmarked for welfare services (purchased household services);
donations monthly through partnered units, spent within the month (on bills after the
budget, the rest on community activities, which the model does not represent).  With the budget system for staff
subsidies (工作人員補貼財政預算制度) the district pays community staff's subsidies on
time from a budget line; otherwise the community pays them from its funds.

Each day a community owes its community-paid staff's subsidies, its doors' running
costs and the materials of the cases sunk to it.  It pays what it owes (arrears
first) from the budget, then donations; what it cannot pay is **arrears**, and pay left
in arrears too long is lost to the staff (``arrears_writeoff_days``).  The
unpaid share (arrears over ``unpaid_memory_days`` of what it owes) cuts the hours of
the staff it pays and raises their turnover; under the budget system for subsidies the
staff are paid from the budget line, so a community's arrears (running costs, materials)
never cut their hours.  **Cost** is what the work costs: owed
subsidies and running costs whether paid or in arrears, the district payroll,
purchased services and departments' case materials; a shortfall is never a saving.

Unspent budget beyond the reserve, and unspent lottery money, go back to the district at the
year's end (``lapse_at_year_end``), so balances do not pile up over the years.

Per community and source: received + transferred in - transferred out = spent + held + returned.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx, expit, log_ndtr, ndtri_exp

BUDGET, LOTTERY, DONATIONS = 0, 1, 2
SOURCES = ("budget", "lottery", "donations")
QUARTER_DAYS = (0, 91, 182, 273)
CALENDAR_KEY_OFFSET = 1_000_000  # stream keys are non-negative: warm-ups and histories reach back far less
MONTH_DAYS = tuple(int(d) for d in (np.arange(12) * 365) // 12)  # the first day of each month


def draw_balance(u: np.ndarray, m: np.ndarray, s2: np.ndarray, R: np.ndarray, tau: float) -> np.ndarray:
    """Held less arrears, drawn by inverse CDF (uniforms ``u``) from the long-run density of an account that
    drifts by ``m`` a day with variance ``s2`` a day, is cut back to ``R`` (its reserve) and, below 0, is in
    arrears written off at ``1 / tau`` a day (a pull back towards 0 of ``-x / tau``):

        exp(2 m x / s2)                  on [0, R]
        exp((2 m x - x**2 / tau) / s2)   below 0, a normal N(m tau, s2 tau / 2) cut at 0,

    the two joining at 0.  Well in surplus: about R; well short: arrears about ``-m tau``, the level at which
    what is written off meets the shortfall."""
    s2 = np.maximum(s2, 1e-12)
    y = 2 * m * R / s2  # the exponent across [0, R]
    mu, sd = m * tau, np.sqrt(s2 * tau / 2)
    a = mu / sd
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # log of each part's weight: [0, R] integrates to R (e^y - 1) / y, below 0 to sd sqrt(2 pi) e^(a^2/2) Phi(-a)
        log_ratio = np.where(np.abs(y) < 1e-9, 0.0, np.where(y > 0, y + np.log1p(-np.exp(-y)) - np.log(y),
                                                             np.log(-np.expm1(y)) - np.log(-y)))
        log_pos = np.where(R > 0, np.log(R) + log_ratio, -np.inf)
        log_neg = np.log(sd * np.sqrt(2 * np.pi)) + np.where(a < 0, a ** 2 / 2 + log_ndtr(-a),
                                                              np.log(0.5 * erfcx(a / np.sqrt(2))))
        p_neg = expit(log_neg - log_pos)
        v = np.clip(u / p_neg, 1e-300, 1.0)  # within the part below 0
        below = np.minimum(0.0, mu + sd * ndtri_exp(np.log(v) + log_ndtr(-a)))
        w = np.clip((u - p_neg) / np.maximum(1 - p_neg, 1e-300), 0.0, 1.0)  # within [0, R]
        above = R * np.where(np.abs(y) < 1e-9, w, np.where(y > 0, 1 + np.log(w + (1 - w) * np.exp(-y)) / y,
                                                            np.log1p(w * np.expm1(y)) / y))
    x = np.where(u < p_neg, below, np.clip(above, 0.0, R))
    return np.where(np.isfinite(x), x, 0.0)


def calendar_key(day: int) -> int:
    """The key of the money streams on ``day`` of the measured calendar (negative before day 0): the funds of
    a quarter, the year's lottery funds and a month's gifts are drawn by the date, so that they are the same
    whatever the length of the warm-up (and whether the accounts' history or the warm-up reaches them)."""
    return day + CALENDAR_KEY_OFFSET


def month_start(day: int) -> bool:
    """Whether ``day`` (of the measured calendar; negative in the warm-up) opens a month (twelve a year)."""
    return day % 365 in MONTH_DAYS


class Money:
    """Community accounts by source, arrears, and what the work costs."""

    def __init__(self, model):
        self.model = model
        C = model.org.n_communities
        self.held = np.zeros((C, 3))
        self.received = np.zeros((C, 3))
        self.spent = np.zeros((C, 3))
        self.transfer_in = np.zeros((C, 3))
        self.transfer_out = np.zeros((C, 3))
        self.returned = np.zeros((C, 3))  # lapsed at the year's end, back to the district
        self.activities = np.zeros(C)  # donations spent on community activities (part of spent; not a cost)
        self.arrears = np.zeros(C)
        self.written_off = 0.0  # owed (and counted as cost) but never paid
        self.unpaid = np.zeros(C)  # unpaid share felt by the staff a community pays (0-1)
        self.pay_factor = np.ones(C)
        self.daily_owed = np.full(C, np.inf)  # known from the first payday
        self.task_cases = np.zeros(C)  # sunk cases resolved today, by community point
        self.dept_task_cases = 0
        self._adhoc: dict[int, np.ndarray] = {}  # arrival day (t) -> amounts by (original) unit
        self.cost_today = 0.0
        self.cost_parts = np.zeros(5)  # accrued: community owed, district payroll, budgeted subsidies,
        # purchases, department case materials

    # -- inflows -------------------------------------------------------------
    def _pay_in(self, source: int, amounts: np.ndarray) -> None:
        self.held[:, source] += amounts
        self.received[:, source] += amounts

    def receive(self, day: int, t: int, levers) -> None:
        """Today's inflows; also opens the day's cost tally."""
        self.cost_today = 0.0
        m = self.model
        f = levers.get("funding")
        mp = m.cfg.params.money
        doy = day % 365
        if doy in QUARTER_DAYS:
            # the quarter's budget: the budgeted part now, the ad hoc part late and variable,
            # both under the funding settings in force today
            gov = self.annual_by_unit(f) / 4
            self._pay_in(BUDGET, self._to_leads(gov * f.budgeted_share))
            rng = m.streams.generator("adhoc_funds", calendar_key(day))
            delay = rng.exponential(mp.adhoc_delay_days_mean, len(gov))
            amount = self._adhoc_quarter(f) * _lognormal(rng, mp.adhoc_cv, len(gov))
            arrive = t + np.round(delay).astype(int)
            for d in np.unique(arrive):
                self._adhoc[int(d)] = self._adhoc.get(int(d), 0.0) + np.where(arrive == d, amount, 0.0)
        due = self._adhoc.pop(t, None)
        if due is not None:  # paid to whoever leads the unit on the day it arrives
            self._pay_in(BUDGET, self._to_leads(due))
        if doy == mp.lottery_day % 365:
            rng = m.streams.generator("lottery_funds", calendar_key(day))
            elderly = np.bincount(m.org.lead[m.residents.community], weights=m.residents.elderly,
                                  minlength=m.org.n_communities)
            total = f.lottery_yuan_per_elderly_household_year * elderly
            self._pay_in(LOTTERY, total * _lognormal(rng, mp.lottery_cv, 1)[0])
        if month_start(day):
            self._donations(day, f)

    def _adhoc_quarter(self, f) -> np.ndarray:
        """Each unit's expected ad hoc funds of a quarter (the part of its budget not budgeted)."""
        return self.annual_by_unit(f) / 4 * (1 - f.budgeted_share)

    def open(self, day: int, levers) -> None:
        """Before the first day (the baseline's settings: no lever has started): the accounts as they stand.

        ``history_years`` before ``day`` the accounts open at their long-run state as the smooth walk of
        ``_open_long_run`` has it; then the accounts' own daily rules run up to ``day`` (``_history``), so that
        what the smooth walk leaves out (funds paid in lumps, the cut back at the year's end only, posts
        falling vacant one by one, the funds on their way) is as the rules make it."""
        years = self.model.cfg.params.money.history_years
        start = day - 365 * years
        self._open_long_run(start, levers)
        if years:
            self._history(start, day, levers)

    def _history(self, start: int, day: int, levers) -> None:
        """The accounts from ``start`` to ``day`` under their own rules: the budget's instalments and ad hoc
        funds, lottery funds and donations as ``receive`` pays them (drawn by their dates, as in the run),
        what the community owes (today's bills, less the pay of posts vacant: each community-paid post falls
        vacant at the base turnover, raised by the unpaid share, on stream ``history_turnover``, and is filled
        again after the recruitment delay) settled as ``pay`` settles it, arrears written off and the year's
        end cut back (to a reserve judged on the bills less the vacant posts' pay).  No need arises, so no case
        materials are owed and nothing is bought: the lottery account opens empty, and every flow and tally
        starts at the opening."""
        m = self.model
        mp, sp, f = m.cfg.params.money, m.cfg.params.staffing, levers.get("funding")
        org, o = m.org, m.officials
        owed, _ = self.owed_today(levers)
        posts = np.flatnonzero(o.community_paid())
        point = o.point[posts]
        pay = 0.0 if f.subsidies_budgeted else mp.subsidy_yuan_day
        n, C = day - start, org.n_communities
        top = max(1.0, 1.0 + sp.rel_turnover_unpaid)  # the highest hazard, as a multiple of the base
        leaves = self._history_leaves(len(posts), n, sp.turnover_per_year / 365 * top) if pay > 0 else {}
        filled: dict[int, list[int]] = {}  # day -> the posts filled again that day
        delay = int(round(sp.recruit_delay_days))
        back = np.full(len(posts), -1)  # the last day a post stands vacant
        vacant = np.zeros(C)
        for t in range(n):
            d = start + t
            self.receive(d, t, levers)
            if t in filled:  # filled again the day after its last vacant day
                vacant -= np.bincount(point[filled.pop(t)], minlength=C)[:C]
            self._settle(d, owed - pay * vacant, levers)
            if t in leaves:  # an event at the highest hazard is kept with chance hazard / highest (thinning)
                c, u = leaves[t]
                c = np.unique(c[(back[c] < t) & (u * top < 1.0 + sp.rel_turnover_unpaid * self.unpaid[point[c]])])
                if len(c):
                    back[c] = t + delay
                    filled.setdefault(t + delay + 1, []).extend(c.tolist())
                    vacant += np.bincount(point[c], minlength=C)[:C]
        self._adhoc = {k - n: v for k, v in self._adhoc.items()}  # on their way: due on the run's days
        self.held[:, LOTTERY] = 0.0
        for a in (self.spent, self.transfer_in, self.transfer_out, self.returned, self.activities, self.cost_parts):
            a[...] = 0.0
        self.received[...] = self.held  # what is held at the opening counts as received then (as it stands)
        self.written_off, self.cost_today = 0.0, 0.0

    def _history_leaves(self, n_posts: int, n: int, top: float) -> dict:
        """The days on which each post of the history may fall vacant: events at ``top`` a day, the highest
        hazard a post can have (the base turnover raised by a wholly unpaid share), each kept with chance
        hazard / ``top`` on its day (``_history``).  Day -> (posts, uniforms)."""
        if top <= 0 or n_posts == 0 or n == 0:
            return {}
        rng = self.model.streams.generator("history_turnover", n_posts, n)
        count = rng.poisson(top * n, n_posts)
        post = np.repeat(np.arange(n_posts), count)
        when, u = rng.integers(0, n, len(post)), rng.random(len(post))
        order = np.argsort(when, kind="stable")
        post, when, u = post[order], when[order], u[order]
        days, first = np.unique(when, return_index=True)
        return {int(d): (p, v) for d, p, v in zip(days, np.split(post, first[1:]), np.split(u, first[1:]))}

    def _open_long_run(self, day: int, levers) -> None:
        """Each community's long-run balance on ``day``; the current quarter's funds for the days left of it,
        as far as they have come; and the ad hoc funds still on their way.  With an exponential delay, the ad
        hoc funds of a quarter that began ``age`` days ago are still to come with chance exp(-age / mean), and
        then after a fresh delay of the same law (their expected amount is scheduled)."""
        f, mp = levers.get("funding"), self.model.cfg.params.money
        doy = day % 365
        since = doy - max(q for q in QUARTER_DAYS if q <= doy)  # days since the current quarter began
        mean = mp.adhoc_delay_days_mean
        late = np.exp(-since / mean) if mean > 0 else 0.0  # of the current quarter's ad hoc funds, still to come
        if since:  # (on a quarter's first day the quarter is paid on day 0)
            nxt = next((q for q in QUARTER_DAYS if q > doy), 365)
            come = f.budgeted_share + (1 - f.budgeted_share) * (1 - late)
            self._pay_in(BUDGET, self._to_leads(self.annual_by_unit(f) * (nxt - doy) / 365 * come))
        self._open_reserve(levers)
        if mean > 0:
            adhoc = self._adhoc_quarter(f)
            rng = self.model.streams.generator("adhoc_funds_opening", 0)
            for k in range(0 if since else 1, 13):  # this quarter and three years before it (e^-24 is nothing)
                still = np.exp(-(since + 91 * k) / mean)
                still = still * (nxt - doy) / 91 if k == 0 else still  # the share of it the days left would use
                arrive = np.round(rng.exponential(mean, len(adhoc))).astype(int)
                for d in np.unique(arrive):
                    self._adhoc[int(d)] = self._adhoc.get(int(d), 0.0) + np.where(arrive == d, adhoc * still, 0.0)

    def _open_reserve(self, levers) -> None:
        """Each community's budget balance (or its arrears) as it stands after years of the same funding.

        The balance drifts by the community's daily margin (funds less bills, with the base share of posts
        vacant), is shaken by the ad hoc funds' variable amounts and by posts falling vacant and being filled
        again, is cut back to its reserve at the year's end and, once empty, runs into arrears that are
        written off.  The opening is drawn from that long-run density (``draw_balance``), not set at its mean:
        such a walk takes years (about R**2 / s2) to spread out, and a community opened at the mean would be
        years from ever running dry.  Well in surplus a community holds its reserve, well short it carries
        arrears, near the line anything between, so the opening moves smoothly with funding and staff."""
        m, mp = self.model, self.model.cfg.params.money
        f, sp = levers.get("funding"), m.cfg.params.staffing
        org, o = m.org, m.officials
        C = org.n_communities
        owed, _ = self.owed_today(levers)
        staff = np.bincount(o.point[o.community_paid()], minlength=org.n_points)[:C].astype(float)
        # a post falls vacant at the base turnover rate and stays so for the recruitment delay
        hazard = sp.turnover_per_year / 365
        vacant = hazard * sp.recruit_delay_days / (1 + hazard * sp.recruit_delay_days)
        pay = 0.0 if f.subsidies_budgeted else mp.subsidy_yuan_day
        margin = self._to_leads(self.annual_by_unit(f)) / 365 - (owed - pay * vacant * staff)
        adhoc = self._adhoc_quarter(f) * mp.adhoc_cv  # sd of a quarter's ad hoc funds
        s2 = self._to_leads(adhoc ** 2) / 91 + hazard * staff * (pay * sp.recruit_delay_days) ** 2
        u = np.clip(m.streams.uniform("opening_balance", np.arange(C)), 1e-12, 1 - 1e-12)
        x = draw_balance(u, margin, s2, mp.reserve_days * owed, mp.arrears_writeoff_days)
        x = np.where(owed > 0, x, 0.0)  # owing nothing, a community has no arrears (and no reserve)
        self._pay_in(BUDGET, np.maximum(x, 0.0))
        self.arrears += np.maximum(-x, 0.0)

    def _donations(self, day: int, f) -> None:
        """Monthly: partnered units give, and the district's donation pot reaches communities through them.
        First, what is left of the last month's gifts after the bills goes to the community's activities."""
        m = self.model
        left = self.held[:, DONATIONS].copy()  # gifts are for community building (社區建設): used within the month
        self.held[:, DONATIONS] -= left
        self.spent[:, DONATIONS] += left
        self.activities += left
        rng = m.streams.generator("donations", calendar_key(day))
        factor = _lognormal(rng, m.cfg.params.money.donation_cv, len(m.unit_list))
        give = m.unit_donation / 12 * factor * m.unit_partnered
        weight = np.bincount(m.org.lead[m.unit_community], weights=give, minlength=m.org.n_communities)
        if weight.sum() == 0:
            return
        pot = f.donations_yuan_per_household_year * m.residents.n / 12
        self._pay_in(DONATIONS, weight + pot * weight / weight.sum())

    def annual_by_unit(self, f) -> np.ndarray:
        """Yearly government funds of each unit: office funds (community or village committee) plus per household."""
        org = self.model.org
        office = np.where(org.unit_kind == 1, f.office_funds_yuan_per_village_year,
                          f.office_funds_yuan_per_community_year)
        return office + f.service_yuan_per_household_year * org.households_c

    def _to_leads(self, per_unit: np.ndarray) -> np.ndarray:
        org = self.model.org
        return np.bincount(org.lead, weights=per_unit, minlength=org.n_communities)

    # -- outflows ------------------------------------------------------------
    def _spend(self, amount: np.ndarray, sources: tuple, caps: tuple | None = None) -> np.ndarray:
        """Spend ``amount`` per community from ``sources`` in order (each at most its cap, if given,
        and never more than is held); returns what could not be paid."""
        left = np.asarray(amount, dtype=float).copy()
        for i, source in enumerate(sources):
            available = self.held[:, source] if caps is None else np.minimum(caps[i], self.held[:, source])
            use = np.minimum(left, available)
            self.held[:, source] -= use
            self.spent[:, source] += use
            left -= use
        return left

    def _accrue(self, part: int, yuan: float) -> None:
        self.cost_parts[part] += yuan
        self.cost_today += yuan

    def owed_today(self, levers) -> tuple[np.ndarray, np.ndarray]:
        """(what each community owes today, subsidies the district pays instead under the budget system)."""
        m = self.model
        mp = m.cfg.params.money
        org, o = m.org, m.officials
        C = org.n_communities
        n_staff = np.bincount(o.point[o.community_paid()], minlength=org.n_points)[:C]
        subsidies = mp.subsidy_yuan_day * n_staff
        centre = np.where(levers.get("service_centres").standard, mp.standard_centre_cost_factor, 1.0)
        # every centre building runs as a centre (with its facilities), also when a merger made it a station
        # or closed its door; other doors run as stations
        owner = org.lead[org.point_unit]
        per_door = np.where(org.point_site, centre, mp.station_cost_factor)
        closed = org.facility_sites() - np.bincount(owner, weights=org.point_site, minlength=C)
        running = mp.centre_operation_yuan_day * (np.bincount(owner, weights=per_door, minlength=C) + centre * closed)
        if levers.get("funding").subsidies_budgeted:
            return running, subsidies
        return subsidies + running, np.zeros(C)

    def pay(self, day: int, levers) -> None:
        """Pay what is owed (arrears first); a shortfall becomes arrears and cuts tomorrow's capacity."""
        m = self.model
        mp = m.cfg.params.money
        owed, budget_line = self.owed_today(levers)
        tasks = mp.task_cost_yuan_per_case * self.task_cases
        if levers.get("staff_sent_down").funds_follow:  # 費隨事轉: the department pays the sunk tasks' money in
            self._pay_in(BUDGET, tasks)
        owed = owed + tasks
        self.daily_owed = owed
        self._settle(day, owed, levers)
        o = m.officials
        payroll = mp.dept_salary_yuan_day * int((o.active & o.district_paid()).sum())
        self._accrue(0, float(owed.sum()))
        self._accrue(1, payroll)
        self._accrue(2, float(budget_line.sum()))
        self._accrue(4, mp.task_cost_yuan_per_case * self.dept_task_cases)
        self.task_cases = np.zeros_like(self.task_cases)
        self.dept_task_cases = 0

    def _settle(self, day: int, owed: np.ndarray, levers) -> None:
        """Pay ``owed`` and the arrears, write off what stayed unpaid too long, and at the year's end send
        what is held beyond the reserve back."""
        mp = self.model.cfg.params.money
        self.arrears = self._spend(self.arrears + owed, (BUDGET, DONATIONS))
        lost = self.arrears / mp.arrears_writeoff_days  # pay in arrears too long is never paid
        self.arrears -= lost
        self.written_off += float(lost.sum())
        self.unpaid = np.minimum(1.0, self.arrears / np.maximum(mp.unpaid_memory_days * owed, 1e-9))
        if levers.get("funding").subsidies_budgeted:  # the budget line pays the staff: arrears are bills, not pay
            self.unpaid = np.zeros_like(self.unpaid)
        self.pay_factor = 1 - mp.shortfall_capacity_effect * self.unpaid
        if mp.lapse_at_year_end and day % 365 == 364:
            reserve = mp.reserve_days * owed + self.arrears
            for source in (BUDGET, LOTTERY):
                back = np.maximum(0.0, self.held[:, source] - (reserve if source == BUDGET else 0.0))
                self.held[:, source] -= back
                self.returned[:, source] += back

    def _surplus(self) -> np.ndarray:
        """Budget held beyond a reserve of ``reserve_days`` of what is owed, with no arrears: free to buy services."""
        mp = self.model.cfg.params.money
        if not np.isfinite(self.daily_owed).all():  # before the first payday nothing is spare
            return np.zeros_like(self.daily_owed)
        return np.maximum(0.0, self.held[:, BUDGET] - self.arrears - mp.reserve_days * self.daily_owed)

    def purchase_funds(self) -> np.ndarray:
        """(C,) yuan that can buy household services today: the lottery balance and any budget surplus."""
        return self.held[:, LOTTERY] + self._surplus()

    def purchasable_cases(self) -> np.ndarray:
        """Household services (政府購買服務) the lottery balance and any budget surplus can buy today."""
        mp = self.model.cfg.params.money
        return self.purchase_funds() / mp.purchase_yuan_per_case / mp.purchase_horizon_days

    def affordable_cases(self) -> np.ndarray:
        """Whole household cases the lottery balance and any budget surplus pay for in full today: no
        community buys more (nothing from nothing)."""
        return np.floor(self.purchase_funds() / self.model.cfg.params.money.purchase_yuan_per_case).astype(np.int64)

    def spend_purchased(self, cases: np.ndarray) -> None:
        """Pay for the household cases bought today, lottery money first."""
        cost = cases * self.model.cfg.params.money.purchase_yuan_per_case
        left = self._spend(cost, (LOTTERY, BUDGET), caps=(np.inf, self._surplus()))
        self._accrue(3, float((cost - left).sum()))

    def tasks(self, community_cases: np.ndarray, dept_cases: int) -> None:
        """Public-service cases of a type above the community resolved today: at communities (sunk) or above."""
        self.task_cases += community_cases
        self.dept_task_cases += dept_cases

    def merge(self, src: np.ndarray, dst: np.ndarray) -> None:
        """Move whole balances and arrears from communities ``src`` to ``dst`` (merging)."""
        amount = self.held[src].copy()
        self.held[src] -= amount
        self.transfer_out[src] += amount
        np.add.at(self.held, dst, amount)
        np.add.at(self.transfer_in, dst, amount)
        np.add.at(self.arrears, dst, self.arrears[src])
        self.arrears[src] = 0.0

    @property
    def cost_total(self) -> float:
        return float(self.cost_parts.sum())


def _lognormal(rng: np.random.Generator, cv: float, size) -> np.ndarray:
    """Multipliers with mean 1 and coefficient of variation ``cv``."""
    sigma = np.sqrt(np.log1p(cv**2))
    return rng.lognormal(-sigma**2 / 2, sigma, size)
