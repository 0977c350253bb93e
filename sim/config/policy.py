"""Schema of a policy: the levers of the report, each with an optional start day.

A policy is a set of changes to the baseline (MODEL.md section 4): before a lever's
start day the baseline's settings of that lever are in force (``Config.baseline``,
the status quo as the user configured it), from it on the policy's.  A lever's
``start_day`` of ``None`` means the policy's ``reform_day``; a lever may not start before it (the
measurement window opens there, on a state that is the same under every policy).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import group, param
from sim.config.params import CASE_TYPES

A = "assumption"

COUNCILS = (  # report, Jinan: 八大會
    "party_deliberation",      # 黨委議事會
    "member_representatives",  # 社區成員代表會
    "unit_joint_meeting",      # 駐區單位聯席會
    "mass_participation",      # 群眾參與會
    "poor_learning_sessions",  # 特困群體學習會
    "single_parent_talks",     # 單親家庭思想交談會
    "satisfaction_rating",     # 群眾滿意評比會
    "suggestion_adoption",     # 意見采納表彰會
)
CIVIC_GROUPS = ("sanitation", "patrol", "arts")  # report, Jinan: 環境衛生隊, 巡邏隊, 藝術團
FACILITIES = (  # report, Zhucheng: the facilities of a standard centre
    "plaza", "library", "ereading_room", "kindergarten", "police_room", "health_station", "teaching_station", "shops",
)
GRID_STAFF = ("new_workers", "sent_down")


@dataclass
class AbolishStreetOffices:
    """Report, three guarantees (mechanism): abolish street offices, form big communities, fewer layers."""

    enabled: bool = param(False, "report: 撤銷街道辦事處,成立大社區,減少管理層級")
    merge_size: int = param(1, "report: big communities; Tongling merged 61 into 23 (about 2.7)", lo=1, hi=20)
    staff_to: str = param("communities", "config: where street-office staff go", choices=("communities", "departments"))
    functions_to: str = param("communities", "config: who resolves the cases street offices resolved",
                              choices=("communities", "departments"))
    close_within_km: float = param(
        0.5, A + " (a merged community's centre this close to the big community's centre closes; the others stay "
        "open as its stations)", lo=0, unit="km", plausible=(0.0, 1.0, "Tongling kept old centres as service points"))
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class AuthoritySunk:
    """Report: power follows responsibility (權隨責走): case types a community resolves itself."""

    case_types: list = param([], "report: 社會保障、就業等政府職能下沉到社區", choices=CASE_TYPES)
    departments_cooperate: bool = param(False, "report: 在黨委的統一領導下,各個職能部門相互配合")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class StaffSentDown:
    """Report: departments send staff down, keeping post and pay (編制、待遇不變)."""

    n: int = param(0, "report: Zhucheng sent down more than 2,400", lo=0)
    share: float = param(0.0, "config (share of department staff, added to n)", lo=0, hi=1)
    keep_post: bool = param(True, "report: 保持人員編制")
    keep_pay: bool = param(True, "report: 待遇不變")
    funds_follow: bool = param(False, "report: 費隨事轉 (before the reform, funds stay with departments)")
    authority_follows: bool = param(
        False, "report: 權隨責走 (staff sent down decide their own department's cases at the community they serve; "
        "before the reform, such cases go up to the department)")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Funding:
    """Report, funding guarantee: government budget, welfare lottery, donations; a budget system for
    community office funds and staff subsidies (加大社區經費投入; 建立...財政預算制度)."""

    office_funds_yuan_per_community_year: float = param(
        150000.0, A + " (office funds of a community or gacha)", lo=0, hi=1e9, unit="yuan/yr",
        plausible=(80000, 250000, "county budgets for community offices"))
    office_funds_yuan_per_village_year: float = param(
        120000.0, A + " (office funds and cadre pay of a village committee)", lo=0, hi=1e9, unit="yuan/yr",
        plausible=(60000, 180000, "village committee budgets"))
    service_yuan_per_household_year: float = param(
        100.0, A + " (government service funds per household; with office funds about what a community's staff "
        "and centre cost)", lo=0, hi=1e6, unit="yuan/hh/yr", plausible=(60, 150, "tens of yuan per household"))
    budgeted_share: float = param(
        0.6, "report: 社區辦公經費...財政預算制度 (share of government funds in the budget, paid on time; the rest "
        "is ad hoc, late and variable: assumption)", lo=0, hi=1, plausible=(0.4, 0.8, "much is ad hoc"))
    subsidies_budgeted: bool = param(
        False, "report: 工作人員補貼財政預算制度 (staff subsidies paid from a budget line, on time)")
    lottery_yuan_per_elderly_household_year: float = param(
        45.0, "report: 福利彩票基金 (earmarked for welfare services; size: assumption)", lo=0, hi=1e6,
        unit="yuan/hh/yr", plausible=(20, 80, "welfare lottery funds per older household"))
    donations_yuan_per_household_year: float = param(
        6.0, "report: 社會捐助 (a district pot shared through partnered units; size: assumption)", lo=0, hi=1e6,
        unit="yuan/hh/yr", plausible=(2, 15, "small"))
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Recruitment:
    """Report: unified exam, unified management, standard assessment, promotion of the best."""

    unified_exam: bool = param(False, "report: 通過統一的招錄考試,擇優選擇專職社區工作者")
    unified_management: bool = param(False, "report: 統一管理")
    standard_assessment: bool = param(False, "report: 規范考評,表現突出的優先選拔、晉升")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class PartyBuilding:
    """Report (Jinan): cross-appointment, three-level network, two stations, eight councils, civic groups."""

    cross_appointment: bool = param(False, "report: 交叉任職, 書記主任一肩挑")
    three_level_network: bool = param(False, "report: 社區黨委-支部-黨小組三級網絡")
    councils: list = param([], "report: 八大會", choices=COUNCILS)
    civic_groups: list = param([], "report: 環境衛生隊, 巡邏隊, 藝術團 led by retired members", choices=CIVIC_GROUPS)
    in_service_station: bool = param(False, "report: 在職黨員活動站")
    floating_station: bool = param(False, "report: 流動黨員聯絡站")
    direct_election: bool = param(False, "report: 公推直選")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class UnitIntegration:
    """Report (Jinan): integrate residents, resident units and outside resources."""

    outreach: bool = param(False, "report: 社區主動上門 ... 駐區單位也為社區建設提供支持和幫助")
    residents: bool = param(False, "report: 整合社區居民 (from the work-unit system into the community)")
    university_partnership: bool = param(False, "report: 與山東大學等多家高校建立合作關系 ... 培訓社區工作人員")
    internships: bool = param(False, "report: 社區作為這些學校的實習基地")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class GridManagement:
    """Report (Zhucheng): each community one management grid, staffed by staff sent down; or a dense grid."""

    enabled: bool = param(False, "report: 網格化管理")
    households_per_grid: int = param(
        300, "MODEL.md: a county grid standard, 1 grid worker per ~300 households (Dongcheng style); 0 = each "
        "community one grid (report, Zhucheng: 將每個社區作為一個管理網格)", lo=0)
    staffed_by: str = param("new_workers", "report, Zhucheng: 下沉管理人員 staff the grids; or one new grid worker "
                            "per grid", choices=GRID_STAFF)
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class VillageMerger:
    """Report (Zhucheng): several villages, one community; service radius about 2 km; concentrated residence."""

    enabled: bool = param(False, "report: 多村一社區")
    service_radius_km: float = param(
        2.0, "report: 服務半徑約2公里; villages farther than this keep a service station", gt=0, unit="km")
    concentrated_residence: bool = param(False, "report: 有序推進聚合居住")
    infrastructure: bool = param(False, "report: 五化 and 八通 of the concentrated areas (聚合區, within "
                                 "service_radius_km of the centre): roads, water, power, heating, phone, cable, "
                                 "broadband")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class ServiceCentres:
    """Report (Zhucheng): standardised centres with their facilities; more service points."""

    standard: bool = param(False, "report: 標準化社區服務中心")
    facilities: list = param(list(FACILITIES), "report: the facilities of a standard centre", choices=FACILITIES,
                             free_length=True)
    extra_points_per_community: int = param(0, A, lo=0, hi=10, fixed="a lever's setting: a policy chooses it")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Informatisation:
    """Report (Zhucheng): service websites, online police room, video surveillance, online approval platform."""

    online_level: float = param(0.2, A + " (0 none, 1 every service online)", lo=0, hi=1,
                                plausible=(0.1, 0.3, "some services online before the reform"))
    video_surveillance: bool = param(False, "report: 社區視頻管理系統")
    approval_platform: bool = param(False, "report: 聯通市、鎮、街的網上審批平臺")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Education:
    """Report, five functions (education): open schools, share facilities, civic education."""

    open_schools: bool = param(False, "report: 向社區居民開放辦學,共享教育和文化設施")
    digital_literacy_gain_per_year: float = param(0.0, A, lo=0, hi=1, fixed="a lever's setting: a policy chooses it")
    civic_education: bool = param(False, "report: 提高社區居民的文化素質")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class PolicyConfig:
    """A named policy: the lever settings and the day the reform starts."""

    name: str = param("unnamed", "config")
    reform_day: int = param(0, "config: day the levers start; the measurement window begins here", lo=0)
    abolish_street_offices: AbolishStreetOffices = group(AbolishStreetOffices)
    authority_sunk: AuthoritySunk = group(AuthoritySunk)
    staff_sent_down: StaffSentDown = group(StaffSentDown)
    funding: Funding = group(Funding)
    recruitment: Recruitment = group(Recruitment)
    party_building: PartyBuilding = group(PartyBuilding)
    unit_integration: UnitIntegration = group(UnitIntegration)
    grid_management: GridManagement = group(GridManagement)
    village_merger: VillageMerger = group(VillageMerger)
    service_centres: ServiceCentres = group(ServiceCentres)
    informatisation: Informatisation = group(Informatisation)
    education: Education = group(Education)


LEVERS = (
    "abolish_street_offices", "authority_sunk", "staff_sent_down", "funding", "recruitment",
    "party_building", "unit_integration", "grid_management", "village_merger",
    "service_centres", "informatisation", "education",
)
# Reform events of one day in causal order (MODEL.md 4): structure first, then what is built on it.
EVENT_ORDER = (
    "village_merger", "abolish_street_offices",                  # the communities themselves
    "authority_sunk", "staff_sent_down", "grid_management",       # what sits on them
    "service_centres", "unit_integration",
)
