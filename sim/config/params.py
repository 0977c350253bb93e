"""Schema of the behavioural parameters: the numbers inside each mechanism."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import group, param

A = "assumption"

CATEGORIES = ("household", "cultural", "public_service", "dispute", "safety")
CASE_TYPES = (
    "utilities", "health", "education_training", "employment",
    "social_security", "property", "registration", "family_planning",
)  # report, 三個立足 (3): basic public services


@dataclass
class Needs:
    """Step 1: need arrivals, Poisson per household and category (per household-year)."""

    rate_household: float = param(5.0, A + "; report lists cleaning, elderly care, repair ...", lo=0, hi=365,
                                  unit="/hh/yr")
    rate_cultural: float = param(3.0, A + "; report: reading, counselling, fitness, arts", lo=0, hi=365, unit="/hh/yr")
    rate_public_service: float = param(4.0, A + "; report: utilities ... family planning", lo=0, hi=365, unit="/hh/yr")
    rate_dispute: float = param(0.6, A, lo=0, hi=365, unit="/hh/yr")
    rate_safety: float = param(0.5, A, lo=0, hi=365, unit="/hh/yr")
    rel_elderly_household: float = param(
        1.8, "MODEL.md 7: elderly -> more household-care needs (size: assumption)", lo=0, hi=10)
    rel_elderly_public: float = param(1.3, "MODEL.md 7: elderly -> more health needs (size: assumption)", lo=0, hi=10)
    rel_children_cultural: float = param(1.4, "MODEL.md 7: children -> education (size: assumption)", lo=0, hi=10)
    case_type_shares: list = param(
        [0.18, 0.18, 0.10, 0.12, 0.16, 0.06, 0.12, 0.08], A + " (order of CASE_TYPES)", lo=0, hi=1)
    patience_days: list = param([10.0, 20.0, 30.0, 20.0, 5.0], A + " (mean, by category)", gt=0, unit="days")
    target_days: list = param(
        [3.0, 7.0, 5.0, 7.0, 1.0], A + "; Tongling: a certificate took >= 5 days", gt=0, unit="days")


@dataclass
class Channel:
    """Step 2: channel choice, multinomial logit over walk-in, online, not raised."""

    asc_walk: float = param(1.2, A, unit="utility")
    asc_online: float = param(-0.5, A, unit="utility")
    beta_travel_hours: float = param(
        1.5, "distance decay, Luo & Wang 2003; McGrail & Humphreys 2009 (size: assumption)", lo=0, unit="/hour"
    )
    beta_literacy: float = param(3.0, A, lo=0)
    beta_trust: float = param(2.0, A, lo=0)
    grid_find_at_300: float = param(
        0.90, "MODEL.md: Dongcheng grid management found about 90 % at ~1 worker per 300 households", lo=0, hi=0.999
    )


@dataclass
class Service:
    """Step 3: capacity-limited service."""

    cases_community_worker: float = param(12.0, A, gt=0, unit="cases/day")
    cases_grid_worker: float = param(6.0, A, gt=0, unit="cases/day")
    cases_street_staff: float = param(4.0, A, gt=0, unit="cases/day")
    cases_dept_staff: float = param(3.0, A, gt=0, unit="cases/day")
    volunteer_cases_per_participant_day: float = param(0.01, A, lo=0, unit="cases/day")
    civic_group_cases_day: float = param(3.0, A + "; report: sanitation, patrol, arts teams", lo=0, unit="cases/day")
    council_cases_day: float = param(0.5, A + " per council; report: eight councils", lo=0, unit="cases/day")
    standard_centre_cases_day: float = param(
        6.0, "report: standard centres (plaza, library, e-reading room ...); size: assumption", lo=0, unit="cases/day"
    )
    standard_centre_quality: float = param(0.1, "report: standard centres (quality gain: assumption)", lo=0, hi=1)
    video_safety_reduction: float = param(0.3, "report: video surveillance (deterrence share: assumption)", lo=0, hi=1)
    school_cultural_cases_day: float = param(1.0, "report: open schools share facilities (size: assumption)", lo=0)
    quality_base: float = param(0.45, A + " (quality of service by an official of skill 0)", lo=0, hi=1)
    quality_skill: float = param(0.5, A + " (quality gained per unit of skill)", lo=0, hi=1)
    quality_volunteer: float = param(0.65, A, lo=0, hi=1)
    quality_noise: float = param(0.15, A, lo=0, hi=1)


@dataclass
class Escalation:
    """Step 4: authority levels, delays and pass-back up the layers."""

    # required level of each case type: 0 community, 1 street office, 2 department
    authority_level: list = param([0, 2, 2, 1, 1, 2, 2, 1], A + " (order of CASE_TYPES)", lo=0, hi=2)
    case_department: list = param(
        ["housing", "health", "education_culture", "human_resources",
         "civil_affairs", "housing", "public_security", "health"],
        A + " (order of CASE_TYPES)",
    )
    delay_to_street_days: float = param(2.0, A + "; Tongling: >= 5 days before the reform", lo=0, unit="days")
    delay_to_department_days: float = param(3.0, A, lo=0, unit="days")
    coordination_delay_days: float = param(1.0, A + "; removed by cross-appointment (report)", lo=0, unit="days")
    p_passback_street: float = param(0.15, A, lo=0, hi=1)
    p_passback_department: float = param(0.15, A, lo=0, hi=1)
    passback_delay_days: float = param(1.0, A, lo=0, hi=365, unit="days")


@dataclass
class Satisfaction:
    """Step 6: subtractive expectation-disconfirmation (Van Ryzin 2004, 2006)."""

    base: float = param(0.25, A + " (calibrated: status quo satisfaction near its start)", lo=0, hi=1)
    w_performance: float = param(0.75, "Van Ryzin 2004: performance has the larger effect (size: assumption)", lo=0)
    w_disconfirmation: float = param(0.35, "Van Ryzin 2004, 2006 (size: assumption)", lo=0)
    w_wait: float = param(0.25, "Larson 1987: waiting hurts (size: assumption)", lo=0)
    wait_exponent: float = param(1.5, "Larson 1987: more than linearly (exponent: assumption)", lo=1)
    w_passback: float = param(0.15, "Larson 1987: being passed around hurts (size: assumption)", lo=0)
    performance_abandoned: float = param(0.05, A, lo=0, hi=1)
    performance_unraised: float = param(0.35, A, lo=0, hi=1)
    memory: float = param(0.3, A + " (weight of a new experience)", lo=0, hi=1)
    expectation_adapt: float = param(0.1, "Van Ryzin 2004: expectations adapt (rate: assumption)", lo=0, hi=1)
    trust_memory_days: float = param(90.0, A + " (trust = smoothed satisfaction)", lo=1, unit="days")
    satisfied_threshold: float = param(0.6, A, lo=0, hi=1)


@dataclass
class Participation:
    """Step 7: threshold contagion among neighbours (Granovetter 1978)."""

    threshold_mean: float = param(0.38, A + " (calibrated: about 20 % take part before any reform)", lo=0, hi=1)
    threshold_concentration: float = param(6.0, A, gt=0)
    noise_sd: float = param(0.08, A, lo=0)
    w_neighbours: float = param(0.3, "MODEL.md 7: share of participating neighbours (weight: assumption)", lo=0)
    w_trust: float = param(0.3, A, lo=0)
    w_mobilisation: float = param(0.2, A + " per mobilising member per 10 households in reach", lo=0)
    w_council: float = param(0.01, A + " per active council", lo=0)
    w_election: float = param(0.03, A + " (public nomination and direct election)", lo=0)
    update_every_days: int = param(7, A, lo=1, unit="days")
    activity_retired: float = param(0.5, A + " (share of time mobilising neighbours)", lo=0, hi=1)
    activity_in_service: float = param(0.1, A, lo=0, hi=1)
    activity_in_service_reporting: float = param(
        0.3, "report: 在職黨員 report to the community (size: assumption)", lo=0, hi=1)
    activity_floating: float = param(0.0, A, lo=0, hi=1)
    reach_cells: int = param(1, A + " (Moore radius of a member's mobilisation)", lo=0, hi=5)
    reach_cells_network: int = param(2, "report: three-level network reaches further (size: assumption)", lo=0, hi=5)
    civic_education_shift: float = param(0.05, A + " (lower participation thresholds)", lo=0, hi=1)
    retired_leaders_per_group: int = param(5, A + " (retired members needed to lead a civic group)", lo=1)


@dataclass
class Money:
    """Step 8: money flows by source (yuan)."""

    subsidy_yuan_day: float = param(100.0, A + " (about 3,000 yuan a month)", lo=0, unit="yuan/day")
    dept_salary_yuan_day: float = param(200.0, A, lo=0, hi=1e6, unit="yuan/day")
    centre_operation_yuan_day: float = param(150.0, A + " (about 55,000 yuan a year)", lo=0, unit="yuan/day")
    task_cost_yuan_per_case: float = param(
        60.0, A + " (processing cost of a public-service case, paid where it is resolved)", lo=0, hi=1e6, unit="yuan")
    purchase_yuan_per_case: float = param(150.0, A, lo=1, unit="yuan")
    adhoc_delay_days_mean: float = param(45.0, A + "; ad hoc funds arrive late", lo=0, unit="days")
    adhoc_cv: float = param(0.35, A, lo=0, hi=10)
    lottery_day: int = param(120, A + "; lottery funds allocated once a year", lo=0, unit="day of year")
    lottery_cv: float = param(0.2, A, lo=0)
    donation_cv: float = param(0.5, A, lo=0, hi=10)
    reserve_days: float = param(90.0, A + " (running costs a community keeps before buying services)", lo=0,
                                unit="days")
    purchase_horizon_days: float = param(30.0, A + " (lottery balance spread over this many days)", lo=1, unit="days")
    shortfall_capacity_effect: float = param(
        0.5, A + " (share of an unpaid day's work lost: unpaid staff do less)", lo=0, hi=1)
    village_office_cost_factor: float = param(0.3, A + " (a village committee office costs less than a centre)", lo=0)
    standard_centre_cost_factor: float = param(1.5, A + " (running a standard centre costs more)", lo=1)


@dataclass
class Staffing:
    """Step 9: turnover, recruitment, training."""

    turnover_per_year: float = param(0.10, A, lo=0, hi=1, unit="/yr")
    workload_effect: float = param(1.0, A + " (hazard x exp(effect x (load - 1)))", lo=0)
    rel_turnover_lost_post: float = param(
        2.5, "MODEL.md: Tongling cadres feared losing their status (size: assumption)", lo=1)
    rel_turnover_lost_pay: float = param(2.0, A, lo=1)
    rel_turnover_promotion: float = param(0.7, A + " (promotion of the best)", lo=0, hi=1)
    recruit_delay_days: float = param(60.0, A, lo=0, unit="days")
    skill_exam_mean: float = param(0.65, A + " (unified exam)", lo=0, hi=1)
    training_gain_per_year: float = param(0.1, A + " (university partnership)", lo=0, hi=1)
    workload_memory_days: float = param(30.0, A, lo=1, unit="days")


@dataclass
class UnitsBehaviour:
    """Units decide each month whether to partner with their community."""

    p_partner_month: float = param(0.01, A + " (without outreach)", lo=0, hi=1)
    p_partner_outreach_month: float = param(0.08, A + " (outreach and joint meetings)", lo=0, hi=1)
    p_lapse_month: float = param(0.02, A, lo=0, hi=1)


@dataclass
class Params:
    """All behavioural parameters."""

    needs: Needs = group(Needs)
    channel: Channel = group(Channel)
    service: Service = group(Service)
    escalation: Escalation = group(Escalation)
    satisfaction: Satisfaction = group(Satisfaction)
    participation: Participation = group(Participation)
    money: Money = group(Money)
    staffing: Staffing = group(Staffing)
    units: UnitsBehaviour = group(UnitsBehaviour)
