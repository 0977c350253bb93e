"""Schema of a policy: the levers of the report, each with an optional start day.

A lever's ``start_day`` of ``None`` means the policy's ``reform_day``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.fields import group, param
from sim.config.params import CASE_TYPES

A = "assumption"


@dataclass
class AbolishStreetOffices:
    """Report, three guarantees (mechanism): abolish street offices, form big communities."""

    enabled: bool = param(False, "report: 撤銷街道辦事處,成立大社區")
    merge_size: int = param(1, "report: big communities; Tongling merged 61 into 23 (about 2.7)", lo=1)
    staff_to: str = param("communities", "config", choices=("communities", "departments"))
    functions_to: str = param("communities", "config", choices=("communities", "departments"))
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class AuthoritySunk:
    """Report: power follows responsibility (權隨責走): case types a community resolves itself."""

    case_types: list = param([], "report: 社會保障、就業等政府職能下沉到社區", choices=CASE_TYPES)
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class StaffSentDown:
    """Report: departments send staff down, keeping post and pay (編制、待遇不變)."""

    n: int = param(0, "report: Zhucheng sent down more than 2,400", lo=0)
    share: float = param(0.0, "config (share of department staff, added to n)", lo=0, hi=1)
    keep_post: bool = param(True, "report: 保持人員編制")
    keep_pay: bool = param(True, "report: 待遇不變")
    funds_follow: bool = param(False, "report: 費隨事轉 (before the reform, funds stay with departments)")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Funding:
    """Report, funding guarantee: government budget, welfare lottery, donations."""

    yuan_per_community_year: float = param(150000.0, A + " (office funds per community)", lo=0, hi=1e9, unit="yuan/yr")
    yuan_per_village_year: float = param(
        120000.0, A + " (office funds and cadre subsidies of a village committee)", lo=0, hi=1e9, unit="yuan/yr")
    yuan_per_household_year: float = param(100.0, A, lo=0, hi=1e6, unit="yuan/hh/yr")
    share_budget: float = param(0.9, "report: 政府投入", lo=0, hi=1)
    share_lottery: float = param(0.07, "report: 福利彩票基金", lo=0, hi=1)
    share_donations: float = param(0.03, "report: 社會捐助", lo=0, hi=1)
    budgeted_share: float = param(0.6, "report: 社區辦公經費...財政預算制度 (share budgeted vs ad hoc)", lo=0, hi=1)
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Recruitment:
    """Report: unified exam, unified management, standard assessment, promotion."""

    unified_exam: bool = param(False, "report: 統一的招錄考試")
    standard_assessment: bool = param(False, "report: 規范考評,優先選拔、晉升")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class PartyBuilding:
    """Report (Jinan): cross-appointment, three-level network, councils, civic groups."""

    cross_appointment: bool = param(False, "report: 交叉任職, 書記主任一肩挑")
    three_level_network: bool = param(False, "report: 黨委-支部-黨小組")
    councils: int = param(0, "report: 八大會", lo=0, hi=8)
    civic_groups: int = param(0, "report: sanitation, patrol, arts teams (per community)", lo=0, hi=3)
    in_service_reporting: bool = param(False, "report: 在職黨員活動站")
    direct_election: bool = param(False, "report: 公推直選")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class UnitIntegration:
    """Report (Jinan): integrate resident units and outside resources."""

    outreach: bool = param(False, "report: 社區主動上門 ... 駐區單位聯席會")
    university_partnership: bool = param(False, "report: 與山東大學等多家高校建立合作關系")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class GridManagement:
    """Report (Zhucheng): grid management; MODEL.md: 1 grid worker per ~300 households."""

    enabled: bool = param(False, "report: 網格化管理")
    households_per_grid_worker: int = param(300, "MODEL.md: a county grid standard, 1 per ~300 households", lo=1)
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class VillageMerger:
    """Report (Zhucheng): several villages, one community; service radius about 2 km."""

    enabled: bool = param(False, "report: 多村一社區")
    service_radius_km: float = param(
        2.0, "report: 服務半徑約2公里; villages farther than this keep a service station", gt=0, unit="km")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class ServiceCentres:
    """Report (Zhucheng): standardised centres; placement in the best-connected village."""

    standard: bool = param(False, "report: 標準化社區服務中心")
    extra_points_per_community: int = param(0, A, lo=0, hi=10)
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Informatisation:
    """Report (Zhucheng): service websites, online police room, video surveillance."""

    online_level: float = param(0.2, A + " (0 none, 1 full online approval)", lo=0, hi=1)
    video_surveillance: bool = param(False, "report: 社區視頻管理系統")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class Education:
    """Report, five functions (education): open schools, share facilities, civic education."""

    open_schools: bool = param(False, "report: 向社區居民開放辦學,共享教育和文化設施")
    digital_literacy_gain_per_year: float = param(0.0, A, lo=0, hi=1)
    civic_education: bool = param(False, "report: 提高社區居民的文化素質")
    start_day: int | None = param(None, "config", lo=0)


@dataclass
class PolicyConfig:
    """A named policy: the lever settings and the day the reform starts."""

    name: str = param("unnamed", "config")
    reform_day: int = param(0, "config: day the levers start (before/after)", lo=0)
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
