"""Every lever setting in plain words, English and Chinese, with the passage of the report it comes from.

One entry per field of every lever dataclass of ``sim/config/policy.py`` (a test fails when a
field has none), so the policy report, the figures and the explorer describe a policy the
same way: ``describe("grid_management.enabled", True, "zh")``.  Passages are quoted as in the
source report (``../shared/seed/000_1ef3eec9826e91f1.txt``, traditional characters); an empty
passage marks a setting of the model's own (an assumption or MODEL.md), not the report's.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass

import yaml

from sim.config.params import CASE_TYPES
from sim.config.policy import LEVERS, PolicyConfig


@dataclass(frozen=True)
class Setting:
    """How one lever field reads: text per value (a dict) or a template with ``{v}``; its report passage."""

    en: str | dict
    zh: str | dict
    passage: str = ""
    zero: tuple[str, str] | None = None  # (en, zh) when the setting does nothing: None, empty or ``off``
    kind: str = "plain"  # how {v} is written: plain, pct, yuan, int
    off: object = 0  # the value at which the setting does nothing (1 for a merge of one)
    name: tuple[str, str] | None = None  # (en, zh) name of the setting itself, e.g. for a sensitivity axis
    items: dict | None = None  # for a list: item -> (en, zh)


def on_off(en_on: str, en_off: str, zh_on: str, zh_off: str, passage: str = "") -> Setting:
    return Setting({True: en_on, False: en_off}, {True: zh_on, False: zh_off}, passage)


CASE_TYPE_NAMES = {
    "utilities": ("utility bills", "水电暖缴费"), "health": ("health care", "医疗保健"),
    "education_training": ("education and training", "教育培训"), "employment": ("employment", "就业"),
    "social_security": ("social security", "社会保障"), "property": ("property", "产权"),
    "registration": ("household registration", "户籍"), "family_planning": ("family planning", "计划生育"),
}

COUNCIL_NAMES = {
    "party_deliberation": ("party committee deliberation", "党委议事会"),
    "member_representatives": ("members' representatives", "社区成员代表会"),
    "unit_joint_meeting": ("joint meeting with resident units", "驻区单位联席会"),
    "mass_participation": ("mass participation", "群众参与会"),
    "poor_learning_sessions": ("learning sessions for the poorest", "特困群体学习会"),
    "single_parent_talks": ("talks with single-parent families", "单亲家庭思想交谈会"),
    "satisfaction_rating": ("residents rate satisfaction", "群众满意评比会"),
    "suggestion_adoption": ("suggestions adopted and rewarded", "意见采纳表彰会"),
}
CIVIC_GROUP_NAMES = {"sanitation": ("sanitation team", "环境卫生队"), "patrol": ("patrol team", "巡逻队"),
                     "arts": ("arts troupe", "艺术团")}
FACILITY_NAMES = {
    "plaza": ("a plaza", "文体活动广场"), "library": ("a library", "图书室"),
    "ereading_room": ("an e-reading room", "电子阅览室"),
    "kindergarten": ("a kindergarten", "幼儿园"), "police_room": ("a police room", "警务室"),
    "health_station": ("a health station", "卫生服务站"), "teaching_station": ("a teaching station", "社区教学站"),
    "shops": ("shops", "超市、快餐店"),
}

COMMON = {
    "start_day": Setting("Starts on day {v}", "第{v}天起实施", zero=("Starts on the reform day", "自改革日起实施"),
                         name=("Start day", "实施起始日")),
}

TEXTS: dict[str, dict[str, Setting]] = {
    "": {"reform_day": Setting("The reform starts on day {v}", "改革自第{v}天开始",
                               zero=("The reform is in force from the first day", "改革自第一天起实施"),
                               name=("Reform day", "改革起始日"))},
    "abolish_street_offices": {
        "enabled": on_off("Street offices abolished: one administrative level fewer", "Street offices kept",
                          "撤销街道办事处，减少管理层级", "保留街道办事处", "撤銷街道辦事處,成立大社區,減少管理層級"),
        "merge_size": Setting("Every {v} communities merged into one big community", "每{v}个社区合并为一个大社区",
                              "成立大社區", zero=("No communities merged", "不合并社区"), kind="int", off=1,
                              name=("Communities per big community", "每个大社区合并的社区数")),
        "staff_to": Setting({"communities": "Street-office staff move to the communities",
                             "departments": "Street-office staff move to district departments"},
                            {"communities": "街道工作人员转入社区", "departments": "街道工作人员转入区职能部门"},
                            "盡可能多的將職能、人員、財力下沉到基層",
                            name=("Where street-office staff go", "街道工作人员去向")),
        "functions_to": Setting({"communities": "Street-office functions go to the communities",
                                 "departments": "Street-office functions go to district departments"},
                                {"communities": "街道职能交给社区", "departments": "街道职能交给区职能部门"},
                                "盡可能多的將職能、人員、財力下沉到基層",
                                name=("Where street-office functions go", "街道职能去向")),
        "close_within_km": Setting("A merged community's centre within {v} km of the big community's centre closes "
                                   "(the others stay open as its stations)",
                                   "距大社区中心{v}公里以内的原社区服务中心关闭（其余保留为服务站）",
                                   zero=("Every merged community keeps its centre as a station",
                                         "合并社区的服务中心均保留为服务站"),
                                   name=("Merged centres closed within (km)", "关闭原服务中心的距离（公里）")),
    },
    "authority_sunk": {
        "case_types": Setting("The community itself handles {v}", "{v}由社区自行办理", items=CASE_TYPE_NAMES,
                              passage="推進社會保障、就業等政府職能下沉到社區",
                              zero=("No government service handled by the community itself",
                                    "无下沉到社区办理的政府职能"),
                              name=("Government services handled by the community", "下沉社区办理的政府职能")),
        "departments_cooperate": on_off("Departments cooperate under the party committee: fewer files sent back",
                                        "Departments work on their own", "在党委统一领导下各职能部门相互配合",
                                        "各职能部门各自为政", "各個職能部門相互配合"),
    },
    "staff_sent_down": {
        "n": Setting("{v} department staff sent down to communities", "职能部门下派{v}名工作人员到社区",
                     "市直職能部門和鎮街下沉管理人員2400多名", zero=("No staff sent down by number", "不按人数下派"),
                     kind="int", name=("Department staff sent down", "下派工作人员人数")),
        "share": Setting("{v} of department staff sent down to communities", "职能部门{v}的工作人员下派到社区",
                         "各職能部門下派人員", zero=("No staff sent down", "不下派人员"), kind="pct",
                         name=("Share of department staff sent down", "下派工作人员比例")),
        "keep_post": on_off("Staff sent down keep their posts", "Staff sent down give up their department posts",
                            "下派人员保留编制", "下派人员不保留原编制", "保持人員編制"),
        "keep_pay": on_off("Staff sent down keep their pay", "Staff sent down are paid at community rates",
                           "下派人员待遇不变", "下派人员按社区标准领取待遇", "待遇不變"),
        "funds_follow": on_off("Funds follow the work to the communities", "Funds stay with the departments",
                               "费随事转，经费随事项转到社区", "经费留在职能部门", "權隨責走、費隨事轉"),
        "authority_follows": on_off("Staff sent down decide their department's cases at the community",
                                    "Their department's cases still go up to the department",
                                    "权随责走，下派人员在社区办理本部门事项", "本部门事项仍上报职能部门办理",
                                    "權隨責走"),
    },
    "funding": {
        "office_funds_yuan_per_community_year": Setting(
            "Office funds of {v} per community a year", "每个社区每年办公经费{v}",
            "建立社區辦公經費和工作人員補貼財政預算制度",
            kind="yuan", name=("Office funds per community a year", "每个社区年办公经费")),
        "office_funds_yuan_per_village_year": Setting(
            "{v} a year per village committee (office funds and cadre pay)", "每个村委会每年{v}（办公经费和干部报酬）",
            kind="yuan", name=("Funds per village committee a year", "每个村委会年经费")),
        "service_yuan_per_household_year": Setting("{v} per household a year for services", "每户每年服务经费{v}",
                                                   "加大社區經費投入", kind="yuan",
                                                   name=("Service funds per household a year", "每户年服务经费")),
        "budgeted_share": Setting("{v} of government funds budgeted and paid on time (funds outside the budget come ad "
                                  "hoc and late)",
                                  "政府投入的{v}纳入财政预算按时拨付（预算外资金临时拨付、到位较晚）",
                                  "建立社區辦公經費和工作人員補貼財政預算制度", kind="pct",
                                  name=("Share of funds budgeted", "纳入预算的经费比例")),
        "subsidies_budgeted": on_off("Staff subsidies paid on time from a budget line",
                                     "Staff subsidies paid from the community's own funds",
                                     "工作人员补贴纳入财政预算按时发放", "工作人员补贴由社区经费支付",
                                     "建立社區辦公經費和工作人員補貼財政預算制度"),
        "lottery_yuan_per_elderly_household_year": Setting(
            "Welfare-lottery funds of {v} per older household a year, for welfare services",
            "福利彩票基金每户老年家庭每年{v}，用于福利服务", "福利彩票基金分配", kind="yuan",
            name=("Welfare-lottery funds per older household a year", "每户老年家庭年福利彩票基金")),
        "donations_yuan_per_household_year": Setting(
            "Donations of {v} per household a year, through partnered units", "社会捐助每户每年{v}，经由共建单位",
            "社會捐助", kind="yuan", name=("Donations per household a year", "每户年社会捐助")),
    },
    "recruitment": {
        "unified_exam": on_off("Community workers chosen by a unified exam", "No unified recruitment exam",
                               "通过统一招录考试择优选聘社区工作者", "无统一招录考试",
                               "通過統一的招錄考試,擇優選擇專職社區工作者"),
        "unified_management": on_off("Community workers managed by the district: posts filled sooner",
                                     "Each community recruits on its own", "社区工作者统一管理", "各社区自行招聘管理",
                                     "統一管理"),
        "standard_assessment": on_off("Standard assessment; the best promoted first", "No standard assessment",
                                      "规范考评，表现突出者优先选拔、晋升", "无规范考评",
                                      "統一管理,規范考評,表現突出的優先選拔、晉升"),
    },
    "party_building": {
        "cross_appointment": on_off("Party committee and residents' committee cross-appointed; one person leads both",
                                    "No cross-appointment", "社区党委与居委会交叉任职，书记主任一肩挑", "不交叉任职",
                                    "居委會與社區黨委成員雙向進入、交叉任職,書記主任一肩挑"),
        "three_level_network": on_off("Three-level party network (committee, branches, groups)",
                                      "No three-level party network", "社区党组织三级网络（党委、支部、党小组）",
                                      "无三级党组织网络", "下設若干支部和黨小組,基本形成社區黨組織的三級網絡體系"),
        "councils": Setting("Resident councils: {v}", "议事会：{v}", "社區還成立了“八大會”",
                            zero=("No resident councils", "无议事会"), items=COUNCIL_NAMES,
                            name=("Resident councils", "议事会")),
        "civic_groups": Setting("Civic groups led by retired party members: {v}", "离退休党员牵头的公益团体：{v}",
                                "成立社區環境衛生隊、社區巡邏隊、社區藝術團等公益性團體",
                                zero=("No civic groups", "无公益团体"), items=CIVIC_GROUP_NAMES,
                                name=("Civic groups", "公益团体")),
        "in_service_station": on_off("A station where party members in work report to their community",
                                     "No station for party members in work", "设在职党员活动站，在职党员到社区报到",
                                     "无在职党员活动站", "在職黨員活動站"),
        "floating_station": on_off("A contact station for floating party members", "No station for floating members",
                                   "设流动党员联络站", "无流动党员联络站", "流動黨員聯絡站"),
        "direct_election": on_off("Residents' committee chosen by open nomination and direct election",
                                  "No direct election", "居委会成员公推直选", "无公推直选",
                                  "通過“公推直選”選舉居委會成員"),
    },
    "unit_integration": {
        "outreach": on_off("Communities reach out to resident units (joint meetings)", "No outreach to resident units",
                           "社区主动上门联系驻区单位", "不主动联系驻区单位", "社區主動上門,通過交流溝通感情"),
        "residents": on_off("Residents drawn from the old work units into the community", "No outreach to residents",
                            "整合社区居民，变客人为主人", "不开展居民整合", "整合社區居民"),
        "internships": on_off("Communities are universities' internship bases: students help",
                              "No internship base", "社区作为高校实习基地", "不作为实习基地",
                              "社區作為這些學校的實習基地"),
        "university_partnership": on_off("Partnerships with universities that train community staff",
                                         "No university partnership", "与高校合作培训社区工作人员", "无高校合作",
                                         "與山東大學等多家高校建立合作關系"),
    },
    "grid_management": {
        "enabled": on_off("Grid management", "No grid management", "实行网格化管理", "不实行网格化管理",
                          "實行網格化管理"),
        "households_per_grid": Setting("Grids of about {v} households", "每个网格约{v}户", kind="int",
                                       zero=("Each community is one grid", "每个社区作为一个管理网格"),
                                       passage="將每個社區作為一個管理網格",
                                       name=("Households per grid", "每个网格户数")),
        "staffed_by": Setting({"new_workers": "One new grid worker per grid",
                               "sent_down": "The grids are served by the staff sent down"},
                              {"new_workers": "每个网格新配一名网格员", "sent_down": "由下沉人员负责网格"},
                              "市直職能部門和鎮街下沉管理人員2400多名",
                              name=("Who staffs the grids", "网格由谁负责")),
    },
    "village_merger": {
        "enabled": on_off("Several villages form one community", "Villages stay separate", "多村合并为一个社区",
                          "各村不合并", "把臨近的幾個村莊和相關單位規劃建設為一個社區"),
        "service_radius_km": Setting("Service radius of {v} km", "服务半径{v}公里",
                                     "每個社區服務中心的服務半徑約2公里",
                                     name=("Service radius (km)", "服务半径（公里）")),
        "concentrated_residence": on_off("Households move closer to the centres over the years (concentrated "
                                         "residence)", "Households stay where they are", "有序推进聚合居住",
                                         "不推进聚合居住", "有序推進聚合居住"),
        "infrastructure": on_off("Roads, water, power, heating and broadband in the villages (five -izations, "
                                 "eight connections)", "No village infrastructure programme",
                                 "聚合区达到“五化”“八通”", "无村庄基础设施建设", "達到“五化”"),
    },
    "service_centres": {
        "standard": on_off("Standardised community service centres", "Service centres not standardised",
                           "建设标准化社区服务中心", "服务中心未标准化", "加強標準化社區服務中心建設"),
        "facilities": Setting("A standard centre has: {v}", "标准化中心配有：{v}", "完善配套設施",
                              items=FACILITY_NAMES,
                              zero=("A standard centre has no facilities", "标准化中心无配套设施"),
                              name=("Facilities of a standard centre", "标准化中心配套设施")),
        "extra_points_per_community": Setting("{v} extra service points per community", "每个社区增设{v}个服务点",
                                              zero=("No extra service points", "不增设服务点"), kind="int",
                                              name=("Extra service points per community", "每个社区增设服务点数")),
    },
    "informatisation": {
        "online_level": Setting("Online services at {v} of every service", "{v}的服务可网上办理",
                                "建成全國首個農村社區服務網站群",
                                kind="pct", name=("Online service level", "网上办理水平")),
        "video_surveillance": on_off("Video surveillance network", "No video surveillance", "建立社区视频管理系统",
                                     "无视频管理系统", "建立社區視頻管理系統"),
        "approval_platform": on_off("An online approval platform links community, town and departments: files "
                                    "move without paper delays", "Files go on paper between levels",
                                    "建设联通市、镇、街的网上审批平台", "层级之间纸质传递",
                                    "建設了聯通市、鎮、街的網上審批平臺"),
    },
    "education": {
        "open_schools": on_off("Schools open to residents; facilities shared", "Schools not open to residents",
                               "学校向社区居民开放，共享教育和文化设施", "学校不向居民开放",
                               "向社區居民開放辦學,共享教育和文化設施"),
        "digital_literacy_gain_per_year": Setting("Digital literacy rises by {v} a year", "数字素养每年提高{v}",
                                                  zero=("No digital-literacy training", "无数字素养培训"),
                                                  name=("Digital-literacy gain a year", "数字素养年提高幅度")),
        "civic_education": on_off("Civic education for residents", "No civic education", "开展居民文化素质教育",
                                  "无居民文化素质教育", "提高社區居民的文化素質"),
    },
}


def lever_fields() -> list[tuple[str, str]]:
    """(lever, field) for every field of every lever dataclass, and ("", "reform_day")."""
    hints = typing.get_type_hints(PolicyConfig)
    out = [("", "reform_day")]
    for lever in LEVERS:
        out += [(lever, f.name) for f in dataclasses.fields(hints[lever])]
    return out


def split_key(key: str) -> tuple[str, str]:
    """'policy.grid_management.enabled' or 'grid_management.enabled' -> (lever, field); 'reform_day' -> ('', ...)."""
    parts = key.removeprefix("policy.").removeprefix("reform.").removeprefix("baseline.").split(".")
    return ("", parts[0]) if len(parts) == 1 else (parts[0], parts[1])


def entry(key: str) -> Setting:
    """The text of a lever field; KeyError if the catalogue has none."""
    lever, field = split_key(key)
    if field in TEXTS.get(lever, {}):
        return TEXTS[lever][field]
    if lever and field in COMMON:
        return COMMON[field]
    raise KeyError(key)


def _value(v, kind: str, lang: str, items: dict | None = None) -> str:
    if isinstance(v, list):
        from experiments.labels import join, readable

        names = [(items or {}).get(x, (readable(str(x)).lower(),) * 2)[lang == "zh"] for x in v]
        return join(names, lang)
    if kind == "pct":
        return f"{v * 100:g}%" if lang == "zh" else f"{v * 100:g} %"
    if kind == "yuan":
        return f"{v:,.0f}元" if lang == "zh" else f"{v:,.0f} yuan"
    if kind == "int":
        return f"{int(v):,}"
    return f"{v:g}" if isinstance(v, float) else str(v)


def describe(key: str, value, lang: str = "en") -> str:
    """A lever setting in words: describe('staff_sent_down.funds_follow', True) -> 'Funds follow the work ...'."""
    s = entry(key)
    zh = lang == "zh"
    text = s.zh if zh else s.en
    if isinstance(text, dict):
        return text.get(value, f"{key.split('.')[-1]} = {value}")
    if s.zero and (value is None or value == [] or value == s.off):
        return s.zero[zh]
    return text.format(v=_value(value, s.kind, lang, s.items))


def name(key: str, lang: str = "en") -> str:
    """The setting's own name ('Households per grid worker'); a switch is named by what it does when on."""
    from experiments.labels import readable

    try:
        s = entry(key)
    except KeyError:
        return readable(key.split(".")[-1])
    if s.name:
        return s.name[lang == "zh"]
    text = s.zh if lang == "zh" else s.en
    return text[True] if isinstance(text, dict) and True in text else readable(key.split(".")[-1])


def choice(key: str, value, lang: str = "en") -> str:
    """One allowed value of a setting in words, for a menu: choice('grid_management.staffed_by', 'sent_down')
    -> 'The grids are served by the staff sent down'; an item of a list setting by its name."""
    from experiments.labels import readable

    try:
        s = entry(key)
    except KeyError:
        return readable(str(value))
    zh = lang == "zh"
    if s.items and value in s.items:
        return s.items[value][zh]
    text = s.zh if zh else s.en
    if isinstance(text, dict) and value in text:
        return text[value]
    return readable(str(value))


def passage(key: str) -> str:
    """The report's words behind a lever field ('' for the model's own settings)."""
    try:
        return entry(key).passage
    except KeyError:
        return ""


def short(override: str, lang: str = "en") -> str:
    """A variant's override in words: 'policy.grid_management.enabled=true' -> 'Grid management: every grid ...'."""
    key, _, raw = override.partition("=")
    try:
        value = yaml.safe_load(raw)
        return describe(key, value, lang)
    except (KeyError, yaml.YAMLError, ValueError, TypeError):
        return f"{key.removeprefix('policy.').removeprefix('reform.')} = {raw}"


assert set(CASE_TYPE_NAMES) == set(CASE_TYPES), "every case type needs a name"
