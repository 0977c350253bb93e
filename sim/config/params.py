"""Schema of the behavioural parameters: the numbers inside each mechanism.

Each assumption carries a plausible range ``(low, high, reason)``; the robust
analysis samples these ranges (MODEL.md section 8).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import group, param

A = "assumption"
MAX_NEIGHBOURHOOD_CELLS = 5  # widest Moore radius a household looks over (a region's tiles lie farther apart)

CATEGORIES = ("household", "cultural", "public_service", "dispute", "safety")
CASE_TYPES = (
    "utilities", "health", "education_training", "employment",
    "social_security", "property", "registration", "family_planning",
)  # report, 三個立足 (3): basic public services


@dataclass
class Needs:
    """Step 1: need arrivals, Poisson per household and category (per household-year)."""

    rate_household: float = param(5.0, A + "; report lists cleaning, elderly care, repair ...", lo=0, hi=365,
                                  unit="/hh/yr", plausible=(3, 8, "a household service every 1-4 months"))
    rate_cultural: float = param(3.0, A + "; report: reading, counselling, fitness, arts", lo=0, hi=365,
                                 unit="/hh/yr", plausible=(1.5, 5, "cultural activities a few times a year"))
    rate_public_service: float = param(4.0, A + "; report: utilities ... family planning", lo=0, hi=365,
                                       unit="/hh/yr", plausible=(2, 6, "a few public-service errands a year"))
    rate_dispute: float = param(0.6, A, lo=0, hi=365, unit="/hh/yr",
                                plausible=(0.3, 1.0, "a neighbourhood dispute every one to three years"))
    rate_safety: float = param(0.5, A, lo=0, hi=365, unit="/hh/yr",
                               plausible=(0.25, 1.0, "a safety incident every one to four years"))
    rel_elderly_household: float = param(
        1.8, "MODEL.md 7: elderly -> more household-care needs (size: assumption)", lo=0, hi=10,
        plausible=(1.3, 2.5, "elderly households use care services about twice as often"))
    rel_elderly_public: float = param(1.3, "MODEL.md 7: elderly -> more health needs (size: assumption)", lo=0, hi=10,
                                      plausible=(1.0, 1.6, "more health errands, fewer employment ones"))
    rel_children_cultural: float = param(1.4, "MODEL.md 7: children -> education (size: assumption)", lo=0, hi=10,
                                         plausible=(1.1, 1.8, "children's activities add to cultural needs"))
    case_type_shares: list = param(
        [0.18, 0.18, 0.10, 0.12, 0.16, 0.06, 0.12, 0.08], A + " (order of CASE_TYPES)", lo=0, hi=1,
            fixed='shares that must sum to 1 (the mix of public-service cases)')
    patience_days: list = param([10.0, 20.0, 30.0, 20.0, 5.0], A + " (mean, by category)", gt=0, unit="days",
                                plausible=(0.6, 1.5, 'residents wait days to weeks'))
    target_days: list = param(
        [3.0, 7.0, 5.0, 7.0, 1.0], A + "; Tongling: a certificate took >= 5 days", gt=0, unit="days",
        fixed="the service standard outcomes are measured against (coverage_service), a definition, not a behaviour")


@dataclass
class Channel:
    """Step 2: channel choice, multinomial logit over walk-in, online, not raised."""

    asc_walk: float = param(1.2, A, unit="utility", plausible=(0.8, 1.6, "most needs are raised in person"))
    asc_online: float = param(-0.5, A, unit="utility", plausible=(-1.0, 0.0, "online is second choice"))
    beta_travel_hours: float = param(
        1.5, "distance decay, Luo & Wang 2003; McGrail & Humphreys 2009 (size: assumption)", lo=0, unit="/hour",
        plausible=(0.8, 2.5, "an hour's trip halves to quarters the odds of walking in"))
    round_trip_factor: float = param(2.0, "a walk-in is a trip there and back", lo=1, hi=2)
    beta_literacy: float = param(3.0, A, lo=0, plausible=(2.0, 4.0, "literacy decides who goes online"))
    beta_trust: float = param(2.0, A, lo=0, plausible=(1.0, 3.0, "trust makes asking worthwhile"))
    beta_participating: float = param(
        0.5, "MODEL.md 7 and report: 居民自治、居民訴求 (households that take part raise their needs; size: "
        "assumption)", lo=0, plausible=(0.0, 1.0, "voice comes with taking part"))
    grid_find_at_300: float = param(
        0.90, "MODEL.md: Dongcheng grid management found about 90 % at ~1 worker per 300 households", lo=0, hi=0.999)
    grid_report_days: float = param(0.5, A + " (mean time from a need to a grid worker's report)", lo=0, hi=30,
                                    unit="days", plausible=(0.25, 1.5, "grid workers walk their grid daily"))


@dataclass
class Service:
    """Step 3: service in hours of staff time, facilities and civic capacity."""

    office_open_hour: float = param(8.5, "assumption: offices open at 8:30", lo=0, hi=23, unit="h",
                                    fixed='office hours are a published rule')
    office_close_hour: float = param(17.5, "assumption: offices close at 17:30", lo=1, hi=24, unit="h",
                                     fixed='office hours are a published rule')
    hours_per_official: float = param(8.0, "a working day", gt=0, hi=24, unit="h/day")
    productivity_at_zero_skill: float = param(
        0.5, A + " (an official of skill s does (this + s) of a standard hour's work per hour)", lo=0, hi=2,
        plausible=(0.3, 0.7, "a novice does half the work of a trained official"))
    case_share_community_worker: float = param(
        0.8, A + " (share of a community worker's hours on residents' cases)", lo=0, hi=1,
        plausible=(0.6, 0.9, "community workers also keep records and attend meetings"))
    case_share_grid_worker: float = param(
        0.4, A + " (the rest is patrolling the grid)", lo=0, hi=1, plausible=(0.25, 0.6, "patrols take half the day"))
    case_share_street_staff: float = param(
        0.35, A + " (the rest supervises communities and reports upwards)", lo=0, hi=1,
        plausible=(0.2, 0.5, "a street office is mostly an administrative layer"))
    case_share_dept_staff: float = param(
        0.3, A + " (the rest is policy and administration)", lo=0, hi=1,
        plausible=(0.2, 0.45, "department staff serve cases part of the time"))
    hours_household: float = param(0.4, A + " (staff hours to arrange a household service)", gt=0, unit="h",
                                   plausible=(0.25, 0.7, "a referral or a short visit"))
    hours_cultural: float = param(0.4, A, gt=0, unit="h", plausible=(0.25, 0.7, "booking a room, a class"))
    hours_public: list = param(
        [0.5, 0.7, 0.8], A + " (hours of a public-service case by the level its type needs: community, street, "
        "department; a case keeps its complexity wherever it is resolved)", gt=0, unit="h",
            plausible=(0.6, 1.5, 'a case takes half an hour to an hour'))
    hours_dispute: float = param(1.0, A, gt=0, unit="h", plausible=(0.6, 2.0, "mediation takes a conversation"))
    hours_safety: float = param(0.4, A, gt=0, unit="h", plausible=(0.25, 0.8, "a report and a visit"))
    hours_intake: float = param(0.25, A + " (receiving a case and passing it up a layer)", gt=0, unit="h",
                                plausible=(0.1, 0.5, "a form and a transfer"))
    back_office_hours_community: float = param(
        4.0, A + " (staff hours a community spends each day on its own administration)", lo=0, unit="h/day",
        plausible=(2, 8, "half to one full-time post per community"))
    back_office_hours_village: float = param(1.0, A + " (a village committee's administration)", lo=0,
                                             unit="h/day", plausible=(0.5, 2, "an hour of a cadre's day"))
    street_reporting_hours: float = param(
        1.0, A + " (hours a community spends each day reporting to its street office, while that layer exists)",
        lo=0, unit="h/day", plausible=(0.5, 3, "reports, meetings and inspections of the middle layer"))
    volunteer_cases_per_participant_day: float = param(0.01, A, lo=0, unit="cases/day",
                                                       plausible=(0.005, 0.02, "a few hours a month"))
    volunteer_household_share: float = param(0.5, A + " (the rest of volunteer work goes to cultural needs)",
                                             lo=0, hi=1, plausible=(0.3, 0.7, "volunteers help and organise"))
    civic_group_cases_day: float = param(3.0, A + "; report: sanitation, patrol, arts teams", lo=0,
                                         unit="cases/day", plausible=(1.5, 5, "a team of about ten"))
    council_cases_day: float = param(0.5, A + " per council; report: eight councils", lo=0, unit="cases/day",
                                     plausible=(0.2, 1.0, "a council settles a few issues a week"))
    video_safety_reduction: float = param(0.3, "report: video surveillance (deterrence share: assumption)", lo=0,
                                          hi=1, plausible=(0.1, 0.4, "camera studies find 10-40 % fewer incidents"))
    school_cultural_cases_day: float = param(1.0, "report: open schools share facilities (size: assumption)", lo=0,
                                             plausible=(0.5, 2, "a gym or library in the evenings"))
    interns_cases_day: float = param(
        2.0, "report: communities are universities' internship bases (size: assumption)", lo=0, unit="cases/day",
        plausible=(1, 4, "a few students a term"))
    quality_base: float = param(0.45, A + " (quality of service by an official of skill 0)", lo=0, hi=1,
                                plausible=(0.35, 0.55, "even novices resolve the need"))
    quality_skill: float = param(0.5, A + " (quality gained per unit of skill)", lo=0, hi=1,
                                 plausible=(0.3, 0.7, "skill matters as much as the base"))
    quality_volunteer: float = param(0.65, A, lo=0, hi=1, plausible=(0.5, 0.75, "willing but untrained"))
    quality_purchased: float = param(0.7, A + " (purchased household services, 政府購買服務)", lo=0, hi=1,
                                     plausible=(0.6, 0.8, "professional providers"))
    quality_facility: float = param(0.75, A + " (a specialised facility: clinic, library, kindergarten)", lo=0, hi=1,
                                    plausible=(0.65, 0.85, "specialists with equipment"))
    quality_noise: float = param(0.15, A, lo=0, hi=1, plausible=(0.08, 0.22, 'experiences differ'))


@dataclass
class Facilities:
    """What each facility of a standard centre serves (report, Zhucheng), in cases/day per centre."""

    plaza_cultural_cases_day: float = param(
        2.0, "report: 文體活動廣場 >= 1,000 m2 (cases: assumption)", lo=0, plausible=(1, 4, "daily use by groups"))
    library_cultural_cases_day: float = param(
        1.5, "report: 圖書室 >= 3,000 books (cases: assumption)", lo=0, plausible=(0.5, 3, "a few borrowers a day"))
    ereading_cultural_cases_day: float = param(
        1.5, "report: 電子閱覽室 >= 20 computers (cases: assumption)", lo=0, plausible=(0.5, 3, "20 seats"))
    health_station_cases_day: float = param(
        3.0, "report: 衛生服務站 (health cases served at the centre; size: assumption)", lo=0,
        plausible=(1.5, 5, "a nurse or doctor on site"))
    police_room_safety_cases_day: float = param(
        1.0, "report: 警務室 (safety; size: assumption)", lo=0, plausible=(0.5, 2, "an officer on site"))
    police_room_registration_cases_day: float = param(
        1.0, "report: 警務室 (household registration, 戶籍; size: assumption)", lo=0, plausible=(0.5, 2, "an officer"))
    kindergarten_cases_day: float = param(
        2.0, "report: 標準化幼兒園 (childcare needs of households with children; size: assumption)", lo=0,
        plausible=(1, 4, "day care places"))
    childcare_share: float = param(
        0.3, A + " (share of a household-with-children's household needs that are childcare, which a "
        "kindergarten serves; the rest are errands, repairs and care a kindergarten does not do; it also decides "
        "which of those needs a partnered unit's or shop's household services may take, so it matters without "
        "kindergartens too)", lo=0, hi=1,
        plausible=(0.15, 0.5, "young children's care is a large part of such a household's needs"))
    teaching_station_cases_day: float = param(
        1.5, "report: 社區教學站 (education and training cases; size: assumption)", lo=0,
        plausible=(0.5, 3, "evening classes"))
    shops_household_cases_day: float = param(
        1.0, "report: 日用品超市, 農資超市, 快餐店 (daily goods; size: assumption)", lo=0,
        plausible=(0.5, 2, "errands done next door"))


@dataclass
class Escalation:
    """Step 4: authority levels, delays and pass-back up the layers."""

    # required level of each case type: 0 community, 1 street office, 2 department
    authority_level: list = param([0, 2, 2, 1, 1, 2, 2, 1], A + " (order of CASE_TYPES)", lo=0, hi=2,
                                  fixed='which layer may resolve a case type: structure, not a size')
    case_department: list = param(
        ["housing", "health", "education_culture", "human_resources",
         "civil_affairs", "housing", "public_security", "health"],
        A + " (order of CASE_TYPES)",
    fixed='which department owns a case type: structure, not a size')
    delay_to_street_days: float = param(2.0, A + "; Tongling: >= 5 days before the reform", lo=0, hi=365,
                                        unit="days", plausible=(1, 3, "paper files go up once or twice a week"))
    delay_to_department_days: float = param(3.0, A, lo=0, hi=365, unit="days",
                                            plausible=(2, 5, "departments batch their files"))
    coordination_delay_days: float = param(1.0, A + "; removed by cross-appointment (report)", lo=0, hi=365,
                                           unit="days", plausible=(0.5, 2, "two committees must agree"))
    delay_cv: float = param(0.5, A + " (coefficient of variation of each delay, lognormal)", lo=0, hi=3,
                            plausible=(0.3, 0.8, "files wait for the next courier or meeting"))
    p_passback_street: float = param(0.15, A, lo=0, hi=1, plausible=(0.05, 0.25, "incomplete files come back"))
    p_passback_department: float = param(0.15, A, lo=0, hi=1, plausible=(0.05, 0.25, "incomplete files"))
    passback_delay_days: float = param(1.0, A, lo=0, hi=365, unit="days", plausible=(0.5, 2, "a file sent back"))
    platform_delay_factor: float = param(
        0.1, "report: 網上審批平臺 links city, towns and streets (share of a transfer delay left: assumption)",
        lo=0, hi=1, plausible=(0.05, 0.3, "an electronic file moves the same day"))
    cooperation_passback_factor: float = param(
        0.5, "report: departments cooperate under the party committee's leadership (share of pass-backs left: "
        "assumption)", lo=0, hi=1, plausible=(0.3, 0.8, "a joint desk settles which department acts"))


@dataclass
class Satisfaction:
    """Step 6: subtractive expectation-disconfirmation (Van Ryzin 2004, 2006)."""

    base: float = param(0.25, A + " (calibrated: status quo satisfaction near its start)", lo=0, hi=1,
                        fixed="calibrated: the status quo's satisfaction near its start (docs/ODD.md); varying it "
                        "moves the level, not the comparison")
    w_performance: float = param(0.75, "Van Ryzin 2004: performance has the larger effect (size: assumption)", lo=0,
                                 plausible=(0.6, 0.9, "performance dominates"))
    w_disconfirmation: float = param(0.35, "Van Ryzin 2004, 2006 (size: assumption)", lo=0,
                                     plausible=(0.15, 0.5, "disconfirmation is smaller than performance"))
    w_wait: float = param(0.25, "Larson 1987: waiting hurts (size: assumption)", lo=0,
                          plausible=(0.1, 0.4, "a wait of the target costs a tenth to two fifths"))
    wait_exponent: float = param(1.5, "Larson 1987: more than linearly (exponent: assumption)", lo=1,
                                 plausible=(1.2, 2.0, "convex, not extreme"))
    w_passback: float = param(0.15, "Larson 1987: being passed around hurts (size: assumption)", lo=0,
                              plausible=(0.05, 0.25, "being sent back is a small insult"))
    w_travel_hours: float = param(0.02, A + " (performance lost per hour of a walk-in trip)", lo=0, hi=1,
                                  plausible=(0.0, 0.05, "the trip is an effort"))
    performance_abandoned: float = param(0.05, A, lo=0, hi=1, plausible=(0.0, 0.15, "a need given up"))
    performance_unraised: float = param(0.35, A, lo=0, hi=1, plausible=(0.25, 0.45, "a need kept to oneself"))
    memory: float = param(0.3, A + " (weight of a new experience)", lo=0, hi=1,
                          plausible=(0.15, 0.5, "one experience moves opinion, not all of it"))
    expectation_adapt: float = param(0.1, "Van Ryzin 2004: expectations adapt (rate: assumption)", lo=0, hi=1,
                                     plausible=(0.05, 0.2, "expectations move slowly"))
    trust_memory_days: float = param(90.0, A + " (trust = smoothed satisfaction)", lo=1, unit="days",
                                     plausible=(45, 180, "a season"))
    satisfied_threshold: float = param(0.6, A, lo=0, hi=1, fixed='defines the outcome satisfied_share, not a behaviour')


@dataclass
class Participation:
    """Step 7: threshold contagion among neighbours (Granovetter 1978), reached by party members."""

    threshold_mean: float = param(0.38, A + " (calibrated: about 20 % take part before any reform)", lo=0, hi=1,
                                  fixed='calibrated: about 20 % take part before any reform (docs/ODD.md)')
    threshold_concentration: float = param(6.0, A, gt=0, plausible=(4, 10, 'households differ in readiness'))
    noise_sd: float = param(0.08, A, lo=0, plausible=(0.04, 0.12, 'day-to-day moods'))
    w_neighbours: float = param(0.3, "MODEL.md 7: share of participating neighbours (weight: assumption)", lo=0,
                                plausible=(0.2, 0.4, "neighbours matter most"))
    w_trust: float = param(0.3, A, lo=0, plausible=(0.15, 0.45, "trusting households join"))
    w_mobilisation: float = param(
        0.12, A + " (pull on a household fully reached by party members)", lo=0,
        plausible=(0.05, 0.2, "a visit and an invitation"))
    households_per_active_member: float = param(
        20.0, A + " (households one fully active party member keeps in touch with)", gt=0,
        plausible=(10, 40, "a party group of ten covers a building or a lane"))
    reach_cells: int = param(1, A + " (Moore radius of an unorganised member's reach)", lo=0,
                             hi=MAX_NEIGHBOURHOOD_CELLS, plausible=(1, 2, 'a member reaches the next lanes'))
    neighbour_cells: int = param(1, A + " (Moore radius of the neighbours whose participation pulls)", lo=0,
                                 hi=MAX_NEIGHBOURHOOD_CELLS, plausible=(1, 2, 'neighbours within a few hundred metres'))
    trust_pivot: float = param(0.5, A + " (trust above this pulls towards taking part, below it away)", lo=0, hi=1,
                               plausible=(0.4, 0.6, 'about the middle'))
    w_council: float = param(0.01, A + " per active council", lo=0, plausible=(0.005, 0.02, "a voice heard"))
    w_election: float = param(0.03, A + " (public nomination and direct election)", lo=0,
                              plausible=(0.01, 0.05, "a committee one chose"))
    update_every_days: int = param(7, A, lo=1, unit="days",
                                   fixed='how often the model updates decisions, a modelling step')
    activity_retired: float = param(0.5, A + " (share of time mobilising neighbours)", lo=0, hi=1,
                                    plausible=(0.3, 0.7, "retired members lead civic life"))
    activity_in_service: float = param(0.1, A, lo=0, hi=1, plausible=(0.05, 0.15, "busy at work"))
    activity_in_service_station: float = param(
        0.3, "report: 在職黨員活動站: in-service members report to the community (size: assumption)", lo=0, hi=1,
        plausible=(0.2, 0.4, "a few hours a month in the community"))
    activity_floating: float = param(0.0, A + " (unregistered where they live)", lo=0, hi=1,
                                     plausible=(0.0, 0.05, 'floating members are mostly away'))
    activity_floating_station: float = param(
        0.15, "report: 流動黨員聯絡站 (size: assumption)", lo=0, hi=1,
        plausible=(0.05, 0.25, "a station keeps floating members in contact"))
    civic_education_shift: float = param(0.05, A + " (lower participation thresholds)", lo=0, hi=1,
                                         plausible=(0.02, 0.08, "civic education moves a few"))
    integration_shift: float = param(
        0.04, "report: 整合社區居民 (threshold shift of working-age households leaving the work-unit system; size: "
        "assumption)", lo=0, hi=1, plausible=(0.02, 0.07, "publicity turns guests into hosts"))
    poor_sessions_shift: float = param(
        0.05, "report: 特困群體學習會 (threshold shift of low-income households; size: assumption)", lo=0, hi=1,
        plausible=(0.02, 0.08, "sessions bring the poorest in"))
    retired_leaders_per_group: int = param(5, A + " (retired members needed to lead a civic group)", lo=1,
                                           plausible=(3, 8, 'a handful of organisers'))


@dataclass
class Money:
    """Step 8: money flows by source (yuan)."""

    subsidy_yuan_day: float = param(100.0, A + " (about 3,000 yuan a month)", lo=0, unit="yuan/day",
                                    plausible=(80, 130, "community workers' pay in the 2010s"))
    dept_salary_yuan_day: float = param(200.0, A, lo=0, hi=1e6, unit="yuan/day",
                                        plausible=(150, 260, "civil-service pay with benefits"))
    centre_operation_yuan_day: float = param(150.0, A + " (about 55,000 yuan a year)", lo=0, unit="yuan/day",
                                             plausible=(100, 220, "rent-free building, utilities, supplies"))
    task_cost_yuan_per_case: float = param(
        10.0, A + " (materials of a public-service case, paid where it is resolved; staff time is counted in hours)",
        lo=0, hi=1e6, unit="yuan", plausible=(5, 30, "forms, printing, postage"))
    purchase_yuan_per_case: float = param(150.0, A, lo=1, unit="yuan",
                                          plausible=(100, 250, "a visit by a service provider"))
    adhoc_delay_days_mean: float = param(45.0, A + "; ad hoc funds arrive late", lo=0, unit="days",
                                         plausible=(20, 90, "weeks to a quarter late"))
    adhoc_cv: float = param(0.35, A, lo=0, hi=10, plausible=(0.15, 0.6, "ad hoc amounts vary"))
    lottery_day: int = param(120, A + "; lottery funds allocated once a year", lo=0, unit="day of year",
                             fixed='a calendar date: it moves when money arrives, not how much')
    lottery_cv: float = param(0.2, A, lo=0, plausible=(0.1, 0.3, 'lottery allocations vary a little'))
    donation_cv: float = param(0.5, A, lo=0, hi=10, plausible=(0.25, 0.75, 'gifts vary a lot'))
    reserve_days: float = param(90.0, A + " (running costs a community keeps before buying services)", lo=0,
                                unit="days", plausible=(30, 120, "a quarter's reserve"))
    purchase_horizon_days: float = param(30.0, A + " (lottery balance spread over this many days)", lo=1, unit="days",
                                         plausible=(15, 60, 'a month or two'))
    shortfall_capacity_effect: float = param(
        0.5, A + " (share of the work lost per unit of unpaid share: unpaid staff do less)", lo=0, hi=1,
        plausible=(0.2, 0.7, "unpaid staff work to rule"))
    unpaid_memory_days: float = param(30.0, A + " (arrears are felt as a share of this many days' pay)", lo=1,
                                      unit="days", plausible=(15, 60, 'a month of pay'))
    lapse_at_year_end: bool = param(
        True, "assumption: budget and lottery money held beyond the reserve at the year's end go back to the "
        "district (unspent fiscal funds are recovered, 結余資金收回); without it balances grow year on year",
            fixed='a budget rule, on or off, not a size')
    arrears_writeoff_days: float = param(
        90.0, A + " (pay in arrears is lost to staff at 1/this a day: what is not settled within about a quarter "
        "never is)", lo=1, unit="days", plausible=(30, 180, "a quarter"))
    history_years: int = param(
        8, "numerical: years of the accounts' own daily rules run before the warm-up, from their smooth long-run "
        "state, so that the accounts open as the rules leave them (0: open at the smooth state)", lo=0, hi=50,
        unit="years", fixed="how the accounts open, not a size of the world")
    station_cost_factor: float = param(0.3, A + " (a village office or station costs less than a centre)", lo=0,
                                       plausible=(0.15, 0.5, "a room and a part-time cadre"))
    standard_centre_cost_factor: float = param(1.5, A + " (running a standard centre costs more)", lo=1,
                                               plausible=(1.2, 2.0, "more rooms, more staff on site"))


@dataclass
class Staffing:
    """Step 9: turnover, recruitment, training, assessment."""

    turnover_per_year: float = param(0.10, A, lo=0, hi=1, unit="/yr", plausible=(0.05, 0.18, "community posts churn"))
    workload_effect: float = param(1.0, A + " (hazard x exp(effect x (load - 1)))", lo=0,
                                   plausible=(0.5, 1.5, "overload drives people out"))
    workload_cap: float = param(3.0, A + " (largest load counted: demand / capacity)", gt=0,
                                plausible=(2, 4, 'beyond this, more load changes nothing'))
    rel_turnover_lost_post: float = param(
        2.5, "MODEL.md: Tongling cadres feared losing their status (size: assumption)", lo=1,
        plausible=(1.5, 4, "losing civil-service status"))
    rel_turnover_lost_pay: float = param(2.0, A, lo=1, plausible=(1.3, 3, "a pay cut"))
    rel_turnover_unpaid: float = param(
        2.0, A + " (hazard x (1 + this x unpaid share) for staff paid late or in part)", lo=0,
        plausible=(1, 4, "wages in arrears drive people out"))
    recruit_delay_days: float = param(60.0, A, lo=0, unit="days", plausible=(30, 120, "advertise, interview, hire"))
    recruit_delay_days_unified: float = param(
        30.0, "report: 統一管理 (a district pool of candidates from the exam fills posts sooner; size: assumption)",
        lo=0, unit="days", plausible=(15, 60, "a reserve list"))
    skill_exam_mean: float = param(0.65, A + " (unified exam)", lo=0, hi=1, plausible=(0.55, 0.75, "selection"))
    training_gain_per_year: float = param(0.1, A + " (university partnership)", lo=0, hi=1,
                                          plausible=(0.05, 0.2, "a course a year"))
    workload_memory_days: float = param(30.0, A, lo=1, unit="days", plausible=(15, 60, 'about a month'))
    assessment_day: int = param(335, A + " (standard assessment at the year's end)", lo=0, hi=364,
                                unit="day of year", fixed='a calendar date: it moves when, not how much')
    assessment_noise_sd: float = param(0.2, A + " (error of a supervisor's assessment of skill)", lo=0,
                                       plausible=(0.1, 0.3, "assessments are rough"))
    assessment_noise_sd_rated: float = param(
        0.1, "report: 群眾滿意評比會 (residents' ratings make the assessment sharper; size: assumption)", lo=0,
        plausible=(0.05, 0.2, "residents see the work"))
    assessment_exit_share: float = param(0.05, A + " (lowest assessed who leave each year)", lo=0, hi=0.5,
                                         plausible=(0.02, 0.1, "a few are let go"))
    promotion_share: float = param(0.1, "report: 表現突出的優先選拔、晉升 (share promoted each year: assumption)",
                                   lo=0, hi=0.5, plausible=(0.05, 0.2, "the best are promoted"))
    rel_turnover_promoted: float = param(0.5, A + " (promoted staff stay longer)", lo=0, hi=1,
                                         plausible=(0.3, 0.8, "a career"))


@dataclass
class UnitsBehaviour:
    """Units decide each month whether to partner with their community."""

    p_partner_month: float = param(0.01, A + " (without outreach)", lo=0, hi=1,
                                   plausible=(0.005, 0.02, "rare without being asked"))
    p_partner_outreach_month: float = param(0.08, A + " (outreach: 社區主動上門)", lo=0, hi=1,
                                            plausible=(0.04, 0.15, "being asked works"))
    rel_partner_joint_meeting: float = param(
        1.5, "report: 駐區單位聯席會 (joint meetings raise the odds of partnering; size: assumption)", lo=1,
        plausible=(1.2, 2.0, "a seat at the table"))
    p_lapse_month: float = param(0.02, A, lo=0, hi=1, plausible=(0.01, 0.04, "partnerships fade"))


@dataclass
class Resettlement:
    """Concentrated residence (聚合居住) around merged communities' centres (report, Zhucheng)."""

    share_per_year: float = param(
        0.1, "report: 有序推進聚合居住, 先安置、后拆遷、再復墾 (share of far households moving each year: assumption)",
        lo=0, hi=1, plausible=(0.03, 0.2, "resettlement takes years"))
    infrastructure_speed_factor: float = param(
        1.3, "report: 五化八通 (通路: village travel speed x this; size: assumption)", lo=1, hi=5,
        plausible=(1.1, 1.6, "hardened roads"))
    infrastructure_literacy_gain_per_year: float = param(
        0.05, "report: 八通 includes broadband (通寬帶網絡); digital literacy gain of village households (size: "
        "assumption)", lo=0, hi=1, plausible=(0.02, 0.1, "broadband at home"))


@dataclass
class Params:
    """All behavioural parameters."""

    needs: Needs = group(Needs)
    channel: Channel = group(Channel)
    service: Service = group(Service)
    facilities: Facilities = group(Facilities)
    escalation: Escalation = group(Escalation)
    satisfaction: Satisfaction = group(Satisfaction)
    participation: Participation = group(Participation)
    money: Money = group(Money)
    staffing: Staffing = group(Staffing)
    units: UnitsBehaviour = group(UnitsBehaviour)
    resettlement: Resettlement = group(Resettlement)
