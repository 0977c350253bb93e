"""Step 8: money flows by source; spending buys capacity; nothing from nothing.

Sources (report, funding guarantee): government budget, welfare lottery, social
donations.  The budget arrives in quarterly instalments: the budgeted office
funds on time, the ad hoc part late and variable.  Lottery money comes once a year
and is earmarked for welfare services (purchased household services).  Donations
come monthly through partnered units and vary.  Each community point pays its
staff subsidies and centre running costs from the budget (then donations); what
it cannot pay cuts the capacity of the staff it pays on the next day.  Budget
held beyond a reserve buys household services, as welfare-lottery money does.  Street and
department salaries, grid workers (a district programme) and sent-down staff who
keep their pay are paid from the district payroll, counted in the cost.

Per community: received + transferred in - transferred out = spent + held, per source.
"""

from __future__ import annotations

import numpy as np

from sim.agents.officials import GRID_WORKER

BUDGET, LOTTERY, DONATIONS = 0, 1, 2
SOURCES = ("budget", "lottery", "donations")
QUARTER_DAYS = (0, 91, 182, 273)
MONTH_DAYS = tuple(int(d) for d in (np.arange(12) * 365) // 12)  # the first day of each month


def month_start(day: int) -> bool:
    """Whether ``day`` opens a month (twelve a year)."""
    return day % 365 in MONTH_DAYS


class Money:
    """Community accounts by source, and the district payroll."""

    def __init__(self, model):
        self.model = model
        C = model.org.n_communities
        self.held = np.zeros((C, 3))
        self.received = np.zeros((C, 3))
        self.spent = np.zeros((C, 3))
        self.transfer_in = np.zeros((C, 3))
        self.transfer_out = np.zeros((C, 3))
        self.payroll_yuan = 0.0
        self.dept_task_yuan = 0.0
        self.pay_factor = np.ones(C)
        self.task_shortfall = np.zeros(C)
        self.daily_need = np.full(C, np.inf)  # running costs per day, known from the first payday
        self._adhoc: dict[int, np.ndarray] = {}  # arrival day -> amounts by (original) unit
        self.spent_today = 0.0

    # -- inflows -------------------------------------------------------------
    def _pay_in(self, source: int, amounts: np.ndarray) -> None:
        self.held[:, source] += amounts
        self.received[:, source] += amounts

    def receive(self, day: int) -> None:
        """Today's inflows; also opens the day's spending tally."""
        self.spent_today = 0.0
        m = self.model
        f = m.levers.get("funding")
        mp = m.cfg.params.money
        year, doy = divmod(day, 365)
        if doy in QUARTER_DAYS:
            # the quarter's budget: the budgeted part now, the ad hoc part late and variable,
            # both under the funding settings in force today
            gov = self.annual_by_unit(f) * f.share_budget / 4
            self._pay_in(BUDGET, self._to_leads(gov * f.budgeted_share))
            rng = m.streams.generator("adhoc_funds", year, QUARTER_DAYS.index(doy))
            delay = rng.exponential(mp.adhoc_delay_days_mean, len(gov))
            amount = gov * (1 - f.budgeted_share) * _lognormal(rng, mp.adhoc_cv, len(gov))
            arrive = day + np.round(delay).astype(int)
            for d in np.unique(arrive):
                self._adhoc[int(d)] = self._adhoc.get(int(d), 0.0) + np.where(arrive == d, amount, 0.0)
        due = self._adhoc.pop(day, None)
        if due is not None:  # paid to whoever leads the unit on the day it arrives
            self._pay_in(BUDGET, self._to_leads(due))
        if doy == mp.lottery_day % 365:
            rng = m.streams.generator("lottery_funds", year)
            elderly = np.bincount(m.org.lead[m.residents.community], weights=m.residents.elderly,
                                  minlength=m.org.n_communities)
            share = elderly / max(elderly.sum(), 1)
            total = self.annual(f).sum() * f.share_lottery
            self._pay_in(LOTTERY, total * share * _lognormal(rng, mp.lottery_cv, 1)[0])
        if month_start(day):
            self._donations(day)

    def _donations(self, day: int) -> None:
        """Monthly: partnered units give, and the donation pot reaches communities through them."""
        m = self.model
        f = m.levers.get("funding")
        rng = m.streams.generator("donations", day)
        units = m.unit_list
        factor = _lognormal(rng, m.cfg.params.money.donation_cv, len(units))
        weight = np.zeros(m.org.n_communities)
        for u, k in zip(units, factor):
            if u.partnered:
                weight[m.org.lead[u.community]] += u.donation_yuan_year / 12 * k
        if weight.sum() == 0:
            return
        pot = self.annual(f).sum() * f.share_donations / 12
        self._pay_in(DONATIONS, weight + pot * weight / weight.sum())

    def annual_by_unit(self, f) -> np.ndarray:
        """Yearly funds of each unit: office funds (community or village committee) plus per household."""
        org = self.model.org
        office = np.where(org.unit_kind == 1, f.yuan_per_village_year, f.yuan_per_community_year)
        return office + f.yuan_per_household_year * org.households_c

    def annual(self, f) -> np.ndarray:
        """Yearly funds by community point: a merged community receives the funds of all its units."""
        return self._to_leads(self.annual_by_unit(f))

    def _to_leads(self, per_unit: np.ndarray) -> np.ndarray:
        org = self.model.org
        return np.bincount(org.lead, weights=per_unit, minlength=org.n_communities)

    # -- outflows ------------------------------------------------------------
    def _spend(self, amount: np.ndarray, sources: tuple, caps: tuple | None = None) -> np.ndarray:
        """Spend ``amount`` per community from ``sources`` in order (each at most its cap, if given,
        and never more than is held); adds to today's tally and returns what could not be paid."""
        left = np.asarray(amount, dtype=float).copy()
        for i, source in enumerate(sources):
            available = self.held[:, source] if caps is None else np.minimum(caps[i], self.held[:, source])
            use = np.minimum(left, available)
            self.held[:, source] -= use
            self.spent[:, source] += use
            self.spent_today += float(use.sum())
            left -= use
        return left

    def pay(self, day: int) -> None:
        """Pay subsidies and running costs; a shortfall cuts tomorrow's capacity."""
        m = self.model
        mp = m.cfg.params.money
        o = m.officials
        C = m.org.n_communities
        act = o.active
        paid_here = act & (o.level == 0) & (o.kind != GRID_WORKER) & ~(o.sent_down & o.pay_kept)
        n_staff = np.bincount(o.point[paid_here], minlength=m.org.n_points)[:C]
        per_point = np.where(m.org.point_is_centre, 1.0, mp.village_office_cost_factor)
        if m.centres_standard():
            per_point = np.where(m.org.point_is_centre, mp.standard_centre_cost_factor, per_point)
        op = mp.centre_operation_yuan_day * np.bincount(m.org.lead[m.org.point_community], weights=per_point,
                                                        minlength=C)
        need = mp.subsidy_yuan_day * n_staff + op
        self.daily_need = need
        left = self._spend(need, (BUDGET, DONATIONS)) + self.task_shortfall
        need = need + self.task_shortfall
        unpaid = np.where(need > 0, left / np.maximum(need, 1e-12), 0.0)
        self.pay_factor = 1 - mp.shortfall_capacity_effect * unpaid
        # district payroll: street and department staff, and sent-down staff who keep their pay
        payroll = act & ((o.level > 0) | (o.kind == GRID_WORKER) | (o.sent_down & o.pay_kept))
        self.payroll_yuan += mp.dept_salary_yuan_day * int(payroll.sum())
        self.spent_today += mp.dept_salary_yuan_day * int(payroll.sum())

    def _surplus(self) -> np.ndarray:
        """Budget held beyond a reserve of ``reserve_days`` of running costs: free to buy services."""
        mp = self.model.cfg.params.money
        if not np.isfinite(self.daily_need).all():  # before the first payday nothing is spare
            return np.zeros_like(self.daily_need)
        return np.maximum(0.0, self.held[:, BUDGET] - mp.reserve_days * self.daily_need)

    def purchasable_cases(self) -> np.ndarray:
        """Household services (政府購買服務) the lottery balance and any budget surplus can buy today."""
        mp = self.model.cfg.params.money
        return (self.held[:, LOTTERY] + self._surplus()) / mp.purchase_yuan_per_case / mp.purchase_horizon_days

    def spend_purchased(self, pool, served_idx: np.ndarray, civic_cap: np.ndarray) -> None:
        """Pay for the purchased cases among today's civic service (free capacity is used first)."""
        from sim.mechanisms.needs import HOUSEHOLD

        C = self.held.shape[0]
        h = served_idx[pool["cat"][served_idx] == HOUSEHOLD]
        served = np.bincount(pool["point"][h], minlength=C)[:C]
        buyable = self.purchasable_cases()
        free = civic_cap[:, HOUSEHOLD] - buyable
        bought = np.clip(served - free, 0, buyable)
        cost = bought * self.model.cfg.params.money.purchase_yuan_per_case
        self._spend(cost, (LOTTERY, BUDGET), caps=(np.inf, self._surplus()))

    def task_costs(self, community_cases: np.ndarray, dept_cases: int, funds_follow: bool) -> None:
        """Processing costs of public-service cases: departments pay their own; communities pay for
        cases sunk to them from their budget, unless the funds follow the tasks (費隨事轉), when the
        department pays that money into the community's budget first."""
        price = self.model.cfg.params.money.task_cost_yuan_per_case
        self.dept_task_yuan += price * dept_cases
        self.spent_today += price * dept_cases
        cost = price * community_cases
        if funds_follow:
            self._pay_in(BUDGET, cost)
        # unpaid work is taken out of the staff's capacity tomorrow
        self.task_shortfall = self._spend(cost, (BUDGET, DONATIONS))

    def transfer(self, src: np.ndarray, dst: np.ndarray) -> None:
        """Move whole balances from communities ``src`` to ``dst`` (merging)."""
        amount = self.held[src].copy()
        self.held[src] -= amount
        self.transfer_out[src] += amount
        np.add.at(self.held, dst, amount)
        np.add.at(self.transfer_in, dst, amount)

    def cost_total(self) -> float:
        return float(self.spent.sum() + self.payroll_yuan + self.dept_task_yuan)


def _lognormal(rng: np.random.Generator, cv: float, size) -> np.ndarray:
    """Multipliers with mean 1 and coefficient of variation ``cv``."""
    sigma = np.sqrt(np.log1p(cv**2))
    return rng.lognormal(-sigma**2 / 2, sigma, size)
