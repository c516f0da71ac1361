"""Deterministic demo and scale data: a power-supply bureau's party organisations and people.

``generate("S", seed=1)`` builds 1 bureau committee, 6 unit committees, 3 general branches,
40 branches, 12 groups and 800 people; ``generate("M")`` builds 3,000 orgs and 60,000 people of
the same shape. The same scale and seed always give the same names, ID numbers, phones, dates and
tree (one ``random.Random(seed)``, no set iteration, dates relative to ``REFERENCE_DATE``).

Orgs, people and memberships are written with ``bulk_create`` and explicit primary keys (the
materialised paths are computed here instead of in ``Org.save``), which bypasses the audit
signals: one ``import`` audit event records the whole run. Demo accounts (one per role) are
created through the ORM, so their grants are audited as usual.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.roles import Role

from . import idcard
from .models import (
    Education,
    Gender,
    Membership,
    MembershipReason,
    MemberStatus,
    Org,
    OrgCategory,
    OrgType,
    Person,
)

REFERENCE_DATE = date(2026, 1, 1)
DEMO_PASSWORD = "Vanguard@2026"
BATCH = 1000

ROOT_NAME = "XX供电局党委"
ROOT_SHORT = "XX供电局"

CATEGORIES = (("office", "机关"), ("production", "生产"), ("marketing", "营销服务"), ("collective", "集体企业"))

# --- Scales ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    committees: int
    general_branches: int
    branches: int
    groups: int
    people: int

    @property
    def orgs(self) -> int:
        return 1 + self.committees + self.general_branches + self.branches + self.groups


SCALES = {
    "S": Scale(committees=6, general_branches=3, branches=40, groups=12, people=800),
    "M": Scale(committees=30, general_branches=150, branches=2400, groups=419, people=60_000),
}

# Shares of the people by political status (exact counts: see ``status_counts``).
STATUS_SHARES = ((MemberStatus.FULL, 0.65), (MemberStatus.PROBATIONARY, 0.05), (MemberStatus.ACTIVIST, 0.05))

# --- Catalogue of a power-supply bureau -------------------------------------------------------------

OFFICE_POSTS = (("专责", 35), ("主管", 15), ("高级主管", 8), ("科员", 12), ("经理", 5), ("副经理", 6),
                ("主任", 3), ("副主任", 4), ("工程师", 6), ("高级工程师", 3), ("会计", 3))
SUBSTATION_POSTS = (("变电运维工", 30), ("变电检修工", 15), ("继电保护工", 12), ("技术员", 8), ("专责", 8),
                    ("工程师", 10), ("高级工程师", 4), ("副班长", 5), ("安全员", 4))
TRANSMISSION_POSTS = (("输电线路工", 35), ("带电作业工", 12), ("电缆运维工", 10), ("技术员", 8), ("专责", 8),
                      ("工程师", 10), ("高级工程师", 3), ("副班长", 5), ("安全员", 4))
DISTRIBUTION_POSTS = (("配电运检工", 35), ("配电抢修工", 15), ("电缆运维工", 8), ("配网自动化运维工", 6),
                      ("技术员", 8), ("专责", 8), ("工程师", 9), ("高级工程师", 3), ("副班长", 5))
MARKETING_POSTS = (("客户经理", 25), ("营业员", 15), ("抄表核算收费员", 15), ("用电检查员", 10), ("装表接电工", 10),
                   ("计量检定工", 5), ("专责", 10), ("副班长", 4), ("工程师", 4))
DISPATCH_POSTS = (("调度员", 35), ("自动化运维工", 15), ("运行方式专责", 8), ("专责", 10), ("工程师", 15),
                  ("高级工程师", 7), ("副值调度员", 10))
TEST_POSTS = (("电气试验工", 30), ("化学试验工", 10), ("仪表检验工", 10), ("技术员", 10), ("专责", 10),
              ("工程师", 18), ("高级工程师", 8), ("副班长", 4))
ICT_POSTS = (("通信运维工", 25), ("信息运维工", 25), ("网络安全专责", 8), ("专责", 12), ("工程师", 18),
             ("高级工程师", 6), ("副班长", 6))
COLLECTIVE_POSTS = (("施工员", 20), ("安全员", 10), ("电工", 25), ("项目经理", 6), ("预算员", 6),
                    ("物业管理员", 10), ("会计", 5), ("专责", 10), ("驾驶员", 8))
SUPPLY_STATION_POSTS = (("配电运检工", 30), ("客户经理", 20), ("抄表核算收费员", 12), ("装表接电工", 10),
                        ("用电检查员", 6), ("技术员", 6), ("专责", 8), ("副所长", 3), ("副班长", 5))
PROJECT_POSTS = (("项目专责", 30), ("安全专责", 10), ("造价专责", 10), ("工程师", 25), ("高级工程师", 10),
                 ("技术员", 10), ("副经理", 5))
MATERIALS_POSTS = (("仓储管理员", 30), ("物资专责", 25), ("采购专责", 15), ("配送员", 15), ("主管", 10), ("副经理", 5))


@dataclass(frozen=True)
class Team:
    template: str  # "{p}变电运维{n}班": p = the unit's prefix, n = a Chinese numeral
    weight: int = 1
    category: str | None = None  # None: the unit's category
    leader_post: str = "班长"


@dataclass(frozen=True)
class Unit:
    name: str  # "变电运维中心"; the committee is "<name>党委"
    category: str
    weight: int
    teams: tuple[Team, ...]
    posts: tuple[tuple[str, int], ...]
    male: float = 0.8
    singles: tuple[Team, ...] = ()  # branches that exist once (e.g. 综合党支部), kept directly under the committee
    prefix: str = ""
    label: str = ""  # the people's 工作单位; default: the unit's name

    @property
    def committee_name(self) -> str:
        return f"{self.name}党委"


def _office_single(unit_name: str, leader: str = "副主任") -> Team:
    return Team(f"{unit_name}综合", category="office", leader_post=leader)


UNITS: tuple[Unit, ...] = (
    # The six of the S scale.
    Unit("机关", "office", 6, (Team("机关第{n}", leader_post="副主任"),), OFFICE_POSTS, male=0.55,
         singles=(Team("电力实业公司", category="collective", leader_post="经理"),), label="局机关"),
    Unit("变电运维中心", "production", 9,
         (Team("变电运维{n}班", 5), Team("变电检修{n}班", 2), Team("继电保护{n}班", 2)),
         SUBSTATION_POSTS, singles=(_office_single("变电运维中心"),)),
    Unit("输电管理所", "production", 6,
         (Team("输电运维{n}班", 3), Team("带电作业{n}班", 1), Team("电缆运维{n}班", 1)),
         TRANSMISSION_POSTS, male=0.9, singles=(_office_single("输电管理所", "副所长"),)),
    Unit("配电运检中心", "production", 8,
         (Team("配电运维{n}班", 4), Team("配电抢修{n}班", 2), Team("配网检修{n}班", 1)),
         DISTRIBUTION_POSTS, male=0.85, singles=(_office_single("配电运检中心"),)),
    Unit("营销服务中心", "marketing", 8,
         (Team("客户服务中心第{n}", 3, leader_post="主任"), Team("营业{n}班", 2), Team("计量{n}班", 2),
          Team("用电检查{n}班", 1)),
         MARKETING_POSTS, male=0.45, singles=(_office_single("营销服务中心"),)),
    Unit("调度控制中心", "production", 3, (Team("调度运行{n}班", 2), Team("自动化{n}班", 1)),
         DISPATCH_POSTS, male=0.7, singles=(_office_single("调度控制中心"),)),
    # More units at the M scale.
    Unit("变电检修中心", "production", 6,
         (Team("高压试验{n}班", 2), Team("变压器检修{n}班", 2), Team("开关检修{n}班", 2)),
         SUBSTATION_POSTS, singles=(_office_single("变电检修中心"),)),
    Unit("电力试验研究所", "production", 4,
         (Team("电气试验{n}班", 3), Team("化学试验{n}班", 1), Team("仪表检验{n}班", 1)),
         TEST_POSTS, male=0.7, singles=(_office_single("电力试验研究所", "副所长"),)),
    Unit("信息通信中心", "production", 4,
         (Team("通信运维{n}班", 2), Team("信息运维{n}班", 2), Team("网络安全{n}班", 1)),
         ICT_POSTS, male=0.7, singles=(_office_single("信息通信中心"),)),
    Unit("电力工程公司", "collective", 6,
         (Team("施工{n}项目部", 3, leader_post="项目经理"), Team("线路施工{n}队", 2, leader_post="队长")),
         COLLECTIVE_POSTS, male=0.9, singles=(_office_single("电力工程公司", "副经理"),)),
    Unit("综合服务公司", "collective", 4,
         (Team("物业服务{n}班", 2), Team("车辆服务{n}班", 1), Team("后勤保障{n}班", 1)),
         COLLECTIVE_POSTS, male=0.6, singles=(_office_single("综合服务公司", "副经理"),)),
    Unit("物资供应中心", "office", 3, (Team("仓储配送{n}班", 2), Team("物资采购{n}室", 1, leader_post="主任")),
         MATERIALS_POSTS, male=0.65),
    Unit("计量中心", "marketing", 4, (Team("计量检定{n}班", 2), Team("装表接电{n}班", 2)),
         MARKETING_POSTS, male=0.7, singles=(_office_single("计量中心"),)),
    Unit("客户服务热线中心", "marketing", 3, (Team("热线坐席{n}班", 3),), MARKETING_POSTS, male=0.3),
    Unit("培训与评价中心", "office", 2, (Team("培训{n}室", 1, leader_post="主任"),), OFFICE_POSTS, male=0.6),
    Unit("项目管理中心", "production", 4, (Team("基建项目{n}部", 2, leader_post="经理"),
                                          Team("技改项目{n}部", 1, leader_post="经理")),
         PROJECT_POSTS, male=0.8),
) + tuple(
    Unit(f"{place}供电分局", "production", 10,
         (Team("{p}第{n}供电所", 3, category="marketing", leader_post="所长"), Team("{p}配电运维{n}班", 2),
          Team("{p}客户服务{n}班", 1, category="marketing")),
         SUPPLY_STATION_POSTS, male=0.75, singles=(Team("{p}机关", category="office", leader_post="副局长"),),
         prefix=f"{place}分局")
    for place in ("城东", "城西", "城南", "城北", "城中", "江北", "江南", "开发区", "高新区", "港区", "新城", "湖滨",
                  "北郊", "南郊")
)

# --- Names and personal data ---------------------------------------------------------------------------

SURNAMES = (
    ("王", 70), ("李", 70), ("张", 65), ("刘", 55), ("陈", 60), ("杨", 35), ("黄", 35), ("赵", 28), ("周", 22),
    ("吴", 22), ("徐", 20), ("孙", 18), ("马", 15), ("朱", 15), ("胡", 15), ("郭", 14), ("何", 14), ("林", 18),
    ("罗", 13), ("高", 12), ("郑", 11), ("梁", 14), ("谢", 10), ("宋", 9), ("唐", 9), ("许", 8), ("韩", 8),
    ("冯", 8), ("邓", 9), ("曹", 7), ("彭", 7), ("曾", 8), ("肖", 7), ("田", 6), ("董", 6), ("潘", 6), ("袁", 6),
    ("蔡", 6), ("蒋", 5), ("余", 5), ("于", 5), ("杜", 5), ("叶", 6), ("程", 5), ("魏", 5), ("苏", 5), ("吕", 4),
    ("丁", 4), ("任", 4), ("卢", 5), ("姚", 4), ("沈", 4), ("钟", 5), ("姜", 4), ("崔", 3), ("谭", 4), ("陆", 3),
    ("范", 3), ("汪", 3), ("廖", 4), ("石", 3), ("金", 3), ("韦", 3), ("贾", 3), ("夏", 3), ("付", 3), ("方", 3),
    ("邹", 3), ("熊", 3), ("白", 2), ("孟", 2), ("秦", 2), ("邱", 3), ("侯", 2), ("江", 2), ("尹", 2), ("薛", 2),
    ("段", 2), ("雷", 2), ("黎", 3), ("史", 2), ("陶", 2), ("贺", 2), ("毛", 2), ("顾", 2), ("龚", 2), ("邵", 2),
    ("万", 2), ("覃", 2), ("莫", 2), ("欧阳", 1), ("司徒", 1), ("上官", 1),
)
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林洋锋志建国海峰亮晨东文博振兴永家嘉泽睿昊"
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪琳慧颖倩洁萍红梅莉兰月晶欣怡佳悦蕾琪雯璐丹妍"
SHARED_CHARS = "子文嘉晓思雨宇春海天一明佳秀志小新"
ETHNICITIES = (("汉族", 940), ("壮族", 20), ("回族", 12), ("满族", 10), ("苗族", 8), ("土家族", 5), ("瑶族", 5))
# Guangdong county-level codes (广州、深圳、珠海、佛山、惠州、东莞、中山、湛江…).
REGIONS = (
    ("440103", 6), ("440104", 6), ("440105", 6), ("440106", 10), ("440111", 6), ("440112", 5), ("440113", 5),
    ("440114", 4), ("440115", 4), ("440117", 3), ("440118", 3), ("440303", 4), ("440304", 5), ("440305", 4),
    ("440306", 4), ("440307", 4), ("440402", 2), ("440604", 3), ("440606", 3), ("441302", 2), ("441900", 3),
    ("442000", 2), ("440802", 2), ("441502", 1), ("445102", 1), ("450102", 1), ("430102", 1), ("360102", 1),
)
PHONE_PREFIXES = tuple(f"13{d}" for d in range(10)) + ("150", "151", "152", "153", "155", "156", "157", "158",
                                                        "159") + tuple(f"18{d}" for d in range(10))
BACKBONE_FLAGS = ("is_production_backbone", "is_technical_backbone", "is_management_backbone")


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (n < 1000)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    head = digits[n // 100] + "百"
    if rest == 0:
        return head
    return head + ("零" + digits[rest] if rest < 10 else ("一" if rest < 20 else "") + cn_number(rest))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def largest_remainder(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (ties: earlier first), each >= minimum."""
    n = len(weights)
    base = [minimum] * n
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total too small for the minimum")
    weight_sum = sum(weights)
    quotas = [rest * w / weight_sum for w in weights]
    shares = [int(q) for q in quotas]
    left = rest - sum(shares)
    order = sorted(range(n), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return [b + s for b, s in zip(base, shares)]


class Picker:
    """Weighted choice with precomputed cumulative weights (fast for 60,000 draws)."""

    def __init__(self, rng: random.Random, items: tuple[tuple[str, int], ...]):
        self.rng = rng
        self.values = [value for value, _ in items]
        self.cum = []
        total = 0
        for _, weight in items:
            total += weight
            self.cum.append(total)

    def __call__(self) -> str:
        return self.rng.choices(self.values, cum_weights=self.cum)[0]


# --- The plan (pure Python, no database) ---------------------------------------------------------------


@dataclass(eq=False)
class OrgPlan:
    pk: int
    name: str
    short_name: str
    org_type: str
    category: str | None
    parent: "OrgPlan | None"
    sort_order: int
    unit: Unit | None = None
    leader_post: str = ""
    path: str = ""
    secretary: "PersonPlan | None" = None
    children: list["OrgPlan"] = field(default_factory=list)
    people: list["PersonPlan"] = field(default_factory=list)  # direct members

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


@dataclass(eq=False)
class PersonPlan:
    pk: int
    status: str
    org: OrgPlan
    branch: OrgPlan
    unit: Unit
    fields: dict = field(default_factory=dict)


class Generator:
    def __init__(self, scale: str, seed: int, org_pk: int, person_pk: int):
        self.scale_name = scale
        self.scale = SCALES[scale]
        self.rng = random.Random(seed)
        self.next_org_pk = org_pk
        self.next_person_pk = person_pk
        self.orgs: list[OrgPlan] = []
        self.people: list[PersonPlan] = []
        self.names_used: dict[str, int] = {}
        r = self.rng
        self.surname = Picker(r, SURNAMES)
        self.ethnicity = Picker(r, ETHNICITIES)
        self.region = Picker(r, REGIONS)
        self.post_pickers: dict[str, Picker] = {}
        self.id_cards: set[str] = set()
        self.phones: set[str] = set()

    # tree ---------------------------------------------------------------------------------------
    def new_org(self, name, short_name, org_type, category, parent, sort_order, unit=None, leader_post=""):
        if name in self.names_used:
            raise ValueError(f"duplicate demo org name: {name}")
        self.names_used[name] = 1
        org = OrgPlan(self.next_org_pk, name, short_name, org_type, category, parent, sort_order, unit, leader_post)
        self.next_org_pk += 1
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        if parent is not None:
            parent.children.append(org)
        self.orgs.append(org)
        return org

    def unit_branches(self, unit: Unit, count: int) -> list[tuple[str, str, str]]:
        """(name without 党支部, category, leader post) for ``count`` branches, team kinds grouped."""
        singles = unit.singles[: max(0, min(len(unit.singles), count - 1))]
        per_kind = largest_remainder(count - len(singles), [t.weight for t in unit.teams])
        out = []
        for team, n in zip(unit.teams, per_kind):
            for k in range(1, n + 1):
                out.append((team.template.format(p=unit.prefix, n=cn_number(k)), team.category or unit.category,
                            team.leader_post))
        for team in singles:
            out.append((team.template.format(p=unit.prefix, n=""), team.category or unit.category, team.leader_post))
        return out

    def build_tree(self) -> None:
        s = self.scale
        units = UNITS[: s.committees]
        if len(units) < s.committees:
            raise ValueError("not enough units in the catalogue")
        root = self.new_org(ROOT_NAME, ROOT_SHORT, OrgType.BUREAU_COMMITTEE, None, None, 1, leader_post="局党委书记")
        self.root = root
        branch_counts = largest_remainder(s.branches, [u.weight for u in units], minimum=2)
        # General branches: one at a time to the committee with the most branches per general branch.
        general_counts = [0] * len(units)
        for _ in range(s.general_branches):
            eligible = [i for i in range(len(units)) if (general_counts[i] + 1) * 2 <= branch_counts[i] - 1]
            if not eligible:
                raise ValueError("too many general branches for the branches")
            best = max(eligible, key=lambda i: (branch_counts[i] / (general_counts[i] + 1), -i))
            general_counts[best] += 1
        self.committees: list[OrgPlan] = []
        self.branches: list[OrgPlan] = []
        for index, (unit, b, g) in enumerate(zip(units, branch_counts, general_counts), start=1):
            committee = self.new_org(unit.committee_name, unit.name, OrgType.COMMITTEE, unit.category, root, index,
                                     unit, leader_post="党委书记")
            self.committees.append(committee)
            specs = self.unit_branches(unit, b)
            under_general = 0 if g == 0 else min(b - 1, max(2 * g, b // 2))
            parents: list[OrgPlan] = []
            for k in range(g):
                general = self.new_org(f"{unit.name}第{cn_number(k + 1)}党总支", f"第{cn_number(k + 1)}党总支",
                                       OrgType.GENERAL_BRANCH, unit.category, committee, k + 1, unit,
                                       leader_post="党总支书记")
                lo, hi = k * under_general // g, (k + 1) * under_general // g
                parents.extend([general] * (hi - lo))
            parents.extend([committee] * (b - under_general))
            for (base, category, leader), parent in zip(specs, parents):
                branch = self.new_org(f"{base}党支部", base[:40], OrgType.BRANCH, category, parent,
                                      len(parent.children) + 1, unit, leader)
                self.branches.append(branch)

    def add_groups(self, sizes: dict[int, int]) -> None:
        """Groups go to the largest branches, two each (three for the first if the count is odd)."""
        n = self.scale.groups
        ranked = sorted(self.branches, key=lambda b: (-sizes[b.pk], b.pk))
        per_branch = {}
        for i, branch in enumerate(ranked[: n // 2]):
            per_branch[branch.pk] = 2 + (1 if i == 0 and n % 2 else 0)
        if n == 1:
            per_branch = {ranked[0].pk: 1}
        self.groups: list[OrgPlan] = []
        for branch in self.branches:  # tree order, so group pks follow their branches
            for k in range(per_branch.get(branch.pk, 0)):
                self.groups.append(self.new_org(f"{branch.name}第{cn_number(k + 1)}党小组", f"第{cn_number(k + 1)}党小组",
                                                OrgType.GROUP, branch.category, branch, k + 1, branch.unit, "组长"))

    # people -------------------------------------------------------------------------------------
    def status_counts(self) -> list[str]:
        n = self.scale.people
        statuses: list[str] = []
        for status, share in STATUS_SHARES:
            statuses += [status] * round(n * share)
        statuses += [MemberStatus.MASSES] * (n - len(statuses))
        self.rng.shuffle(statuses)
        return statuses

    def build_people(self) -> None:
        r = self.rng
        s = self.scale
        weights = [0.6 + 0.8 * r.random() for _ in self.branches]
        sizes_list = largest_remainder(s.people, weights, minimum=8)
        sizes = {b.pk: n for b, n in zip(self.branches, sizes_list)}
        # The org rows are numbered in tree order; groups are added after their branch, so the
        # tree is rebuilt here with group pks allocated after all other orgs (simple and stable).
        self.add_groups(sizes)
        groups_of = {b.pk: [g for g in b.children if g.org_type == OrgType.GROUP] for b in self.branches}
        statuses = self.status_counts()
        # Statuses per branch, then make sure each branch has a full member for its secretary and
        # for every group (swapping with a branch that has plenty, so the totals stay exact).
        by_branch: list[list[str]] = []
        pos = 0
        for branch in self.branches:
            by_branch.append(statuses[pos: pos + sizes[branch.pk]])
            pos += sizes[branch.pk]
        need = [2 + len(groups_of[b.pk]) for b in self.branches]
        for i, branch in enumerate(self.branches):
            while by_branch[i].count(MemberStatus.FULL) < need[i]:
                donor = max(range(len(self.branches)),
                            key=lambda j: (by_branch[j].count(MemberStatus.FULL) - need[j] - 3, -j))
                j_other = next(k for k, st in enumerate(by_branch[i]) if st != MemberStatus.FULL)
                j_full = by_branch[donor].index(MemberStatus.FULL)
                by_branch[i][j_other], by_branch[donor][j_full] = by_branch[donor][j_full], by_branch[i][j_other]
        for branch, branch_statuses in zip(self.branches, by_branch):
            groups = groups_of[branch.pk]
            members = []
            for status in branch_statuses:
                person = PersonPlan(self.next_person_pk, status, branch, branch, branch.unit)
                self.next_person_pk += 1
                members.append(person)
                self.people.append(person)
            for person in members:
                person.fields = self.person_fields(person)
            fulls = [p for p in members if p.status == MemberStatus.FULL]
            # The secretary: the first full member of some standing (born before 1990), if any.
            branch.secretary = next((p for p in fulls if p.fields["birth_date"].year < 1990), fulls[0])
            fulls.remove(branch.secretary)
            if groups:
                # Party members (except the branch secretary) sit in the groups; activists and
                # the masses stay in the branch. Full members first, so each group gets a leader.
                party = fulls + [p for p in members if p.status == MemberStatus.PROBATIONARY]
                for k, person in enumerate(party):
                    person.org = groups[k % len(groups)]
                for group in groups:
                    group.secretary = next(p for p in party if p.org is group)
            for person in members:
                person.org.people.append(person)
        self.choose_upper_secretaries()

    def choose_upper_secretaries(self) -> None:
        taken = {org.secretary.pk for org in self.orgs if org.secretary is not None}

        def pick(orgs: list[OrgPlan]) -> PersonPlan:
            """The most senior free full member of the first branch that has one."""
            for branch in orgs:
                free = [p for p in branch.people if p.status == MemberStatus.FULL and p.pk not in taken]
                if free:
                    person = min(free, key=lambda p: (p.fields["join_date"], p.pk))
                    taken.add(person.pk)
                    return person
            raise ValueError("no free full member for a secretary")

        def branches_under(org: OrgPlan) -> list[OrgPlan]:
            found = [b for b in self.branches if b.path.startswith(org.path)]
            # Prefer the unit's office branch (综合/机关) for the committee-level secretaries.
            return sorted(found, key=lambda b: (b.category != "office", b.pk))

        for org in self.orgs:
            if org.org_type == OrgType.GENERAL_BRANCH:
                org.secretary = pick(branches_under(org))
        for committee in self.committees:
            committee.secretary = pick(branches_under(committee))
        self.root.secretary = pick(branches_under(self.committees[0]))
        for org in self.orgs:
            if org.secretary is not None and org.leader_post and org.org_type != OrgType.GROUP:
                org.secretary.fields["post"] = org.leader_post

    def unique_id_card(self, gender: str, born: date) -> str:
        parity = 1 if gender == Gender.MALE else 0
        while True:
            number = idcard.make(self.region(), born, self.rng.randrange(0, 500) * 2 + parity)
            if number not in self.id_cards:
                self.id_cards.add(number)
                return number

    def unique_phone(self) -> str:
        r = self.rng
        while True:
            phone = r.choice(PHONE_PREFIXES) + f"{r.randrange(100_000_000):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def given_name(self, gender: str) -> str:
        r = self.rng
        own = MALE_CHARS if gender == Gender.MALE else FEMALE_CHARS
        if r.random() < 0.25:
            return r.choice(own)
        return r.choice(own + SHARED_CHARS) + r.choice(own)

    def post(self, unit: Unit) -> str:
        picker = self.post_pickers.get(unit.name)
        if picker is None:
            picker = self.post_pickers[unit.name] = Picker(self.rng, unit.posts)
        return picker()

    def education(self, born: date) -> str:
        r = self.rng.random()
        if born.year >= 1985:
            table = ((0.15, Education.POSTGRADUATE), (0.75, Education.BACHELOR), (0.95, Education.COLLEGE),
                     (1.0, Education.SECONDARY))
        elif born.year >= 1975:
            table = ((0.06, Education.POSTGRADUATE), (0.51, Education.BACHELOR), (0.81, Education.COLLEGE),
                     (0.93, Education.SECONDARY), (0.98, Education.HIGH_SCHOOL), (1.0, Education.JUNIOR))
        else:
            table = ((0.02, Education.POSTGRADUATE), (0.27, Education.BACHELOR), (0.62, Education.COLLEGE),
                     (0.82, Education.SECONDARY), (0.94, Education.HIGH_SCHOOL), (1.0, Education.JUNIOR))
        return next(value for limit, value in table if r < limit)

    def random_day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def person_fields(self, person: PersonPlan) -> dict:
        r = self.rng
        unit = person.unit
        gender = Gender.MALE if r.random() < unit.male else Gender.FEMALE
        born = self.random_day(date(1965, 1, 1), date(2000, 12, 31))
        hired = min(self.random_day(add_years(born, 18), add_years(born, 25)), REFERENCE_DATE - timedelta(days=90))
        hired = max(hired, date(1983, 7, 1))
        join_date = full_date = None
        if person.status == MemberStatus.FULL:
            latest = add_years(REFERENCE_DATE, -1) - timedelta(days=1)
            join_date = self.random_day(add_years(born, 18), min(add_years(born, 45), latest))
            full_date = add_years(join_date, 1)
        elif person.status == MemberStatus.PROBATIONARY:
            join_date = self.random_day(REFERENCE_DATE - timedelta(days=364), REFERENCE_DATE - timedelta(days=1))
        post = self.post(unit)
        if post == "高级工程师" and born.year > 1990:
            post = "工程师"
        fields = dict(
            name=self.surname() + self.given_name(gender),
            gender=gender,
            ethnicity=self.ethnicity(),
            birth_date=born,
            education=self.education(born),
            post=post,
            unit=unit.label or unit.name,
            status=person.status,
            join_date=join_date,
            full_date=full_date,
            id_card=self.unique_id_card(gender, born),
            phone=self.unique_phone(),
            is_needy=person.status in (MemberStatus.FULL, MemberStatus.PROBATIONARY) and r.random() < 0.03,
            hired=hired,
        )
        if r.random() < 0.15:
            weights = (0.6, 0.3, 0.1) if unit.category != "office" else (0.1, 0.3, 0.6)
            first = r.choices(BACKBONE_FLAGS, weights=weights)[0]
            fields[first] = True
            if r.random() < 0.1:
                fields[r.choice(BACKBONE_FLAGS)] = True
        return fields

    def memberships(self) -> list[Membership]:
        """An initial membership for everyone; about 3% came from another branch of the same unit."""
        r = self.rng
        branches_of_unit: dict[str, list[OrgPlan]] = {}
        for branch in self.branches:
            branches_of_unit.setdefault(branch.unit.name, []).append(branch)
        rows = []
        for person in self.people:
            f = person.fields
            started = f["hired"]
            if f["join_date"] and f["join_date"] > started:
                started = f["join_date"]
            if r.random() < 0.03:
                others = [b for b in branches_of_unit[person.unit.name] if b is not person.branch]
                latest = REFERENCE_DATE - timedelta(days=60)
                earliest = started + timedelta(days=365)
                if others and earliest < latest:
                    moved = self.random_day(earliest, latest)
                    rows.append(Membership(person_id=person.pk, org_id=r.choice(others).pk, started_on=started,
                                           ended_on=moved, start_reason=MembershipReason.INITIAL,
                                           end_reason=MembershipReason.TRANSFER_OUT))
                    rows.append(Membership(person_id=person.pk, org_id=person.org.pk, started_on=moved,
                                           start_reason=MembershipReason.TRANSFER_IN))
                    continue
            rows.append(Membership(person_id=person.pk, org_id=person.org.pk, started_on=started,
                                   start_reason=MembershipReason.INITIAL))
        return rows

    def established_on(self, org: OrgPlan) -> date:
        if org.parent is None:
            return date(1988, 7, 1)
        start = date(1995, 1, 1) if org.org_type in (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH) else date(2000, 1, 1)
        return self.random_day(start, date(2022, 12, 31))


# --- Writing ----------------------------------------------------------------------------------------


def _next_pk(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def ensure_categories() -> dict[str, OrgCategory]:
    out = {}
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        category = OrgCategory.objects.filter(code=code).first()
        if category is None:
            category = OrgCategory.objects.create(code=code, name=name, sort_order=order)
        out[code] = category
    return out


DEMO_USERS = (
    # username, role, scope key, display name when no person is linked
    ("admin", Role.ADMIN, "root", "组织部管理员"),
    ("inspector", Role.INSPECTOR, "root", "督查员"),
    ("secretary", Role.SECRETARY, "committee", ""),
    ("clerk", Role.CLERK, "branch", ""),
    ("member", Role.MEMBER, "branch", ""),
    ("leader", Role.LEADER, "committee", "中心领导"),
)


def _create_demo_users(gen: Generator) -> list[dict]:
    """One account per role on the demo tree; existing accounts are left untouched."""
    committee = gen.committees[1] if len(gen.committees) > 1 else gen.committees[0]
    secretaries = {org.secretary.pk for org in gen.orgs if org.secretary is not None}

    def free_fulls(branch: OrgPlan) -> list[PersonPlan]:
        return [p for p in branch.people if p.status == MemberStatus.FULL and p.pk not in secretaries]

    branch = next(b for b in gen.branches if b.path.startswith(committee.path) and len(free_fulls(b)) >= 2)
    branch_fulls = free_fulls(branch)
    scopes = {"root": gen.root, "committee": committee, "branch": branch}
    people = {"secretary": committee.secretary, "clerk": branch_fulls[0], "member": branch_fulls[1]}
    created = []
    for username, role, scope_key, display in DEMO_USERS:
        org = scopes[scope_key]
        if User.objects.filter(username=username).exists():
            continue
        person = people.get(username)
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, person_id=person.pk if person else None,
            last_name=person.fields["name"] if person else display, must_change_password=False,
        )
        RoleGrant.objects.create(user=user, role=role, org_id=org.pk)
        created.append(username)
    return created


def generate(scale: str = "S", seed: int = 1) -> dict:
    """Build the demo data set in one transaction; returns a summary."""
    scale = scale.upper()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    with transaction.atomic():
        categories = ensure_categories()
        gen = Generator(scale, seed, org_pk=_next_pk(Org), person_pk=_next_pk(Person))
        gen.build_tree()
        gen.build_people()
        org_rows = [
            Org(pk=o.pk, name=o.name, short_name=o.short_name, org_type=o.org_type,
                category=categories[o.category] if o.category else None, parent_id=o.parent.pk if o.parent else None,
                path=o.path, depth=o.depth, sort_order=o.sort_order,
                secretary_id=o.secretary.pk if o.secretary else None, is_active=True,
                established_on=gen.established_on(o))
            for o in gen.orgs
        ]
        person_rows = []
        for p in gen.people:
            f = dict(p.fields)
            f.pop("hired")
            person_rows.append(Person(pk=p.pk, org_id=p.org.pk, **f))
        membership_rows = gen.memberships()
        # Orgs point at their secretaries (people inserted next): the foreign keys are checked
        # at commit (deferred on PostgreSQL and SQLite).
        Org.objects.bulk_create(org_rows, batch_size=BATCH)
        Person.objects.bulk_create(person_rows, batch_size=BATCH)
        Membership.objects.bulk_create(membership_rows, batch_size=BATCH)
        _reset_sequences([Org, Person, Membership])
        users = _create_demo_users(gen)
        summary = {
            "scale": scale,
            "seed": seed,
            "orgs": len(org_rows),
            "branches": len(gen.branches),
            "groups": len(gen.groups),
            "people": len(person_rows),
            "memberships": len(membership_rows),
            "users": users,
        }
        record(AuditAction.IMPORT, object_type="orgs.demo", object_repr=f"seed_demo {scale}",
               message="seed_demo scale={scale} seed={seed}: {orgs} orgs, {people} people, "
                       "{memberships} memberships, demo users: {u}".format(u=", ".join(users) or "-", **summary))
    return summary


def has_data() -> bool:
    """Demo data goes into an empty database only: any organisation means it is not empty."""
    return Org.objects.exists()


def seed_step(context) -> str:
    """The ``seed_demo`` step of this app: the tree, the people and the demo accounts."""
    summary = generate(context.scale, context.seed)
    return (f"seed_demo scale={summary['scale']} seed={context.seed}: {summary['orgs']} orgs "
            f"({summary['branches']} branches, {summary['groups']} groups), {summary['people']} people, "
            f"{summary['memberships']} memberships")


def demo_accounts() -> list[dict]:
    """The demo accounts that exist, with their role scope (for printing)."""
    rows = []
    for username, role, _scope, _display in DEMO_USERS:
        user = User.objects.filter(username=username).select_related("person").first()
        if user is None:
            continue
        grant = user.grants.filter(role=role).select_related("org").order_by("pk").first()
        rows.append({
            "username": username,
            "role": role,
            "role_label": str(Role(role).label),
            "org": grant.org.name if grant else "",
            "person": user.person.name if user.person_id else "",
            "password": DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "(已修改 / changed)",
            "demo_password": DEMO_PASSWORD,
        })
    return rows
