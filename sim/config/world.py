"""Schema of a world: geography, settlements, households, organisations, staff."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import group, param

A = "assumption"
S = "the status quo's stationary mean (docs/ODD.md, Warm-up)"
GEO = "each world's own geography and organisation, set in configs/world/*.yaml"
CENSUS = "2020 national census: 2.62 persons per household (NBS communique no. 7, 2021)"

UNIT_TYPES = ("enterprise", "school", "hospital", "agency", "university")


@dataclass
class Urban:
    """A town or city core: households dense around one or more centres."""

    households: int = param(0, A, lo=0, fixed=GEO)
    n_cores: int = param(1, A, lo=1, hi=100, fixed=GEO)
    core_sd_km: float = param(2.0, A, gt=0, unit="km", fixed=GEO)
    households_per_community: int = param(1500, "report: about 1,500 households per community", lo=1)


@dataclass
class Villages:
    """Villages scattered over the countryside, grouped into rural communities."""

    n_villages: int = param(0, A, lo=0, fixed=GEO)
    households_mean: float = param(300.0, "report: 5 villages, 1,500 households per community", gt=0)
    households_cv: float = param(0.4, A, lo=0, hi=3, fixed=GEO)
    villages_per_community: int = param(5, "report: about 5 villages per community", lo=1)
    radius_km: float = param(0.3, A, gt=0, unit="km", fixed=GEO)
    keep_out_factor: float = param(2.5, A + " (villages lie at least this x urban.core_sd_km from the seat)", lo=0,
                                   hi=10, fixed=GEO)


@dataclass
class Pastoral:
    """Dispersed pastoral households (gacha), far from the town seat."""

    households: int = param(0, A, lo=0, fixed=GEO)
    households_per_community: int = param(
        200, "MODEL.md: a gacha has about 150-300 households", lo=1
    )
    min_distance_km: float = param(
        25.0, "MODEL.md: gacha often 25-100 km from the sumu/town seat", lo=0, unit="km"
    )


@dataclass
class Profile:
    """Household profiles (shares of households), by settlement."""

    share_elderly_urban: float = param(0.25, A + " (China 2020: 13.5% of people aged 65+)", lo=0, hi=1,
                                       plausible=(0.2, 0.3, "13.5 % of people aged 65+: a fifth to a third of homes"))
    share_elderly_rural: float = param(0.35, A + " (rural populations are older)", lo=0, hi=1,
                                       plausible=(0.28, 0.42, 'the young leave the villages'))
    share_children: float = param(0.30, A, lo=0, hi=1, plausible=(0.24, 0.36, 'households with a child under 18'))
    income_low_share: float = param(0.3, A, lo=0, hi=1, plausible=(0.2, 0.4, 'the lowest income groups'))
    income_high_share: float = param(0.2, A, lo=0, hi=1, plausible=(0.15, 0.25, 'the highest income groups'))


@dataclass
class Literacy:
    """Digital literacy (0-1): mean by settlement, lowered for elderly households."""

    urban_mean: float = param(0.65, A, lo=0, hi=1, plausible=(0.55, 0.75, 'most town households use smartphones'))
    village_mean: float = param(0.45, A, lo=0, hi=1, plausible=(0.35, 0.55, 'fewer in villages'))
    pastoral_mean: float = param(0.35, A, lo=0, hi=1, plausible=(0.25, 0.45, 'fewest among herders'))
    elderly_penalty: float = param(0.25, A, lo=0, hi=1, plausible=(0.15, 0.35, 'older people use online services less'))
    concentration: float = param(8.0, A + " (Beta concentration)", gt=0,
                                 plausible=(5, 12, 'households differ, but not wildly'))


@dataclass
class Travel:
    """Travel to a service point."""

    speed_urban_kmh: float = param(4.5, A + " (walking)", gt=0, unit="km/h", plausible=(3.5, 5.5, 'walking pace'))
    speed_village_kmh: float = param(12.0, A + " (e-bike on village roads)", gt=0, unit="km/h",
                                     plausible=(8, 18, 'bicycle to e-bike'))
    speed_pastoral_kmh: float = param(40.0, A + " (car on grassland roads)", gt=0, unit="km/h",
                                      plausible=(25, 55, 'car or motorbike on grassland tracks'))
    detour: float = param(1.3, A + " (road distance / straight line)", lo=1,
                          plausible=(1.2, 1.5, 'road networks run 20-50 % longer than the straight line'))


@dataclass
class Party:
    """Party members living in the households."""

    members_per_household: float = param(
        0.18, "CPC 99.2 M members (end 2023) / 1.41 B people = 7 %, x 2.6 persons", lo=0, hi=3
    )
    share_retired: float = param(0.30, A, lo=0, hi=1, plausible=(0.22, 0.38, 'about a third of members are retired'))
    share_floating: float = param(0.10, A, lo=0, hi=1, plausible=(0.05, 0.15, 'migrant members'))
    rel_retired_elderly: float = param(2.0, A + " (retired members live in elderly households first: share x this "
                                       "there, x rel_retired_other elsewhere)", lo=0, hi=10,
                                           plausible=(1.5, 2.5, 'retired members live with the old'))
    rel_retired_other: float = param(0.5, A, lo=0, hi=10, plausible=(0.3, 0.7, 'fewer elsewhere'))
    branch_size: int = param(50, A, lo=1, plausible=(30, 80, 'a community branch of a few dozen'))
    group_size: int = param(10, A + " (a party group of about ten)", lo=1,
                            fixed='groups number the network; a branch shares its time, so it changes no outcome')


@dataclass
class Units:
    """Resident units (enterprises, schools, hospitals, agencies, universities)."""

    per_10k_households: float = param(20.0, A, lo=0, fixed=GEO)
    universities: int = param(0, A, lo=0, fixed=GEO)
    type_shares: list = param([0.55, 0.2, 0.05, 0.2], A + " (enterprise, school, hospital, agency)", lo=0, hi=1,
                              fixed='shares that must sum to 1; vary one item with vary= and the check of the sum')
    capacity_cases_day: float = param(1.0, A + " (cases/day a partnered unit's facility serves in its field: "
                                      "sim/agents/units.py)", lo=0,
                                      plausible=(0.5, 2, "a room, a clinic hour, a job board"))
    donation_yuan_year: float = param(20000.0, A, lo=0, unit="yuan/yr",
                                      plausible=(10000, 40000, "a unit's yearly gift to its community"))
    volunteer_cases_day: float = param(0.5, A, lo=0, plausible=(0.25, 1.0, 'a few staff volunteer'))
    communities_per_university: int = param(
        10, "report: 與山東大學等多家高校建立合作關系 (communities one university can partner with: assumption)", lo=1,
        fixed=GEO)


@dataclass
class Staff:
    """Officials at the start (before any reform)."""

    community_workers_per_10k_residents: float = param(
        14.0, "MODEL.md: Hubei target 18 per 10,000 urban residents; status quo below it (assumption)", lo=0, hi=10_000
    , plausible=(10, 18, 'below the Hubei target of 18'))
    min_community_workers: int = param(3, A, lo=1, hi=1000, plausible=(2, 5, 'a committee of a few'))
    village_cadres: int = param(3, A + " (village committee members before any merger)", lo=1, hi=100,
                                plausible=(3, 5, 'a village committee of three to five'))
    village_skill_mean: float = param(0.4, A, lo=0, hi=1, plausible=(0.3, 0.5, 'village cadres are less trained'))
    street_staff_per_office: int = param(40, A, lo=0, fixed=GEO)
    dept_staff_per_department: int = param(60, A, lo=0, fixed=GEO)
    skill_mean: float = param(0.5, A, lo=0, hi=1, plausible=(0.4, 0.6, 'trained, not expert'))
    skill_concentration: float = param(10.0, A, gt=0, plausible=(6, 15, 'staff differ'))


@dataclass
class Initial:
    """Residents' state at the start of the warm-up: near the status quo's stationary means over the worlds
    (python -m experiments.warmup), so that the warm-up settles the spread, not the level."""

    satisfaction_mean: float = param(0.67, S, lo=0, hi=1)
    expectation_mean: float = param(0.56, S, lo=0, hi=1)
    trust_mean: float = param(0.67, S, lo=0, hi=1)
    participation_share: float = param(0.24, S, lo=0, hi=1)
    satisfaction_concentration: float = param(23.0, S + " (Beta concentration: sd about 0.096)", gt=0)
    expectation_concentration: float = param(80.0, S + " (Beta concentration: sd about 0.055)", gt=0)
    trust_concentration: float = param(52.0, S + " (Beta concentration: sd about 0.065)", gt=0)


@dataclass
class WorldConfig:
    """A generated world.  Sizes in km; counts of households."""

    name: str = param("unnamed", "config")
    scale: float = param(1.0, "config: households, villages, area, offices, staff and units x scale (1 = full "
                         "scale); every per-resident structure is kept", gt=0, hi=20)
    parts: list = param([], "config: a region composed of parts, the names of configs/world/parts/*.yaml laid "
                        "side by side (sim/world/region.py); empty for a plain world", free_length=True)
    warmup_days: int = param(
        730, "MSER-5 on the status quo's daily satisfaction and participation (docs/ODD.md, Warm-up); "
        "python -m experiments.warmup", lo=0, hi=36500, unit="days")
    width_km: float = param(12.0, A, gt=0, unit="km", fixed=GEO)
    height_km: float = param(10.0, A, gt=0, unit="km", fixed=GEO)
    cell_km: float = param(0.5, A, gt=0, unit="km", fixed="the grid's resolution, a modelling choice, not a behaviour")
    persons_per_household: float = param(2.62, CENSUS, lo=1, hi=20)
    n_street_offices: int = param(2, A + "; 0 = no street layer", lo=0, fixed=GEO)
    departments: list = param(
        ["civil_affairs", "human_resources", "public_security", "health", "education_culture", "housing"],
        "report: district departments (民政, 人社, 公安, 衛健, 教育文化 ...)",
        free_length=True,
    )
    service_radius_km: float = param(2.0, "report: service radius about 2 km (Zhucheng)", gt=0, unit="km")
    centre_placement: str = param(
        "largest_settlement",
        "assumption: the largest village or most populous cell; medoid = the most central (report: 交通便利)",
        choices=("largest_settlement", "medoid")
    , fixed='a rule of where centres stand, a choice, not a size')
    urban: Urban = group(Urban)
    villages: Villages = group(Villages)
    pastoral: Pastoral = group(Pastoral)
    profile: Profile = group(Profile)
    literacy: Literacy = group(Literacy)
    travel: Travel = group(Travel)
    party: Party = group(Party)
    units: Units = group(Units)
    staff: Staff = group(Staff)
    initial: Initial = group(Initial)
