"""Demo and scale data of the registers for ``seed_demo``: a year of 修旧利废, 合理化建议 and technical
projects in every branch, in proportion to the tree (S: about 45 branches; M: 2,400).

Every branch gets a few verified, pending and returned repairs, proposals at every step of their
workflow (a fifth put forward by the masses) and 技术党课 / 练兵 / 攻关 projects with their teams,
hours and drill scores, dated in the campaign year up to the demo's "today" (and a few in the
year before, for the year filter). The demo accounts find their part: the clerk's branch has
records the clerk entered and that the unit's secretary can verify, and the demo member appears
in a repair, a proposal and a project (her person page shows them).

Rows are bulk-inserted (two inserts per table whatever the scale), so their audit signals do not
fire: one ``import`` audit event records the run, as the orgs' demo step does. Every choice comes
from one ``random.Random`` seeded with the demo seed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.campaigns.demo import DEMO_TODAY, YEAR
from vanguard.orgs.demo import ROOT_NAME
from vanguard.orgs.models import PARTY_STATUSES, Org, OrgType, Person

from .models import (
    ProjectKind, ProjectStatus, Proposal, ProposalCategory, ProposalStatus, RepairMethod, RepairRecord, RepairStatus,
    TacklingOutcome, TechParticipant, TechProject,
)

BATCH = 1000
YEAR_START = date(YEAR, 1, 5)

REPAIRS = (
    # item, method, what was done, savings range (元)
    ("隔离开关操作机构", RepairMethod.REPAIRED, "更换锈蚀的传动连杆和轴销，调试后恢复正常分合闸。", (800, 6000)),
    ("主变呼吸器", RepairMethod.REPAIRED, "更换变色硅胶和密封圈，清洗油杯后重新投运。", (300, 1500)),
    ("故障电能表", RepairMethod.REPAIRED, "更换损坏的计量板，校验合格后作为周转表使用。", (200, 900)),
    ("蓄电池组", RepairMethod.REPAIRED, "对落后单体进行活化充放电，容量恢复到额定值的90%以上。", (2000, 12000)),
    ("继电保护测试仪", RepairMethod.REPAIRED, "更换电源模块，送检合格后继续使用，避免外委维修。", (1500, 8000)),
    ("配网抢修发电机", RepairMethod.REPAIRED, "检修化油器和启动电机，恢复应急发电能力。", (1000, 5000)),
    ("安全工器具柜", RepairMethod.REPAIRED, "更换除湿模块和门锁，继续用于班组工器具存放。", (500, 3000)),
    ("废旧电缆", RepairMethod.REUSED, "截取完好段制作临时接地线和试验引线。", (600, 4000)),
    ("拆旧铜排", RepairMethod.REUSED, "加工后用于开关柜母线连接和接地改造。", (1000, 7000)),
    ("报废绝缘子", RepairMethod.REUSED, "清洗检测后用于培训实训场和临时围栏。", (200, 1200)),
    ("旧配电箱", RepairMethod.REUSED, "改造为施工临时电源箱，配齐漏电保护器。", (800, 3500)),
    ("废旧角钢", RepairMethod.REUSED, "制作设备检修平台和电缆支架。", (400, 2500)),
    ("退役变压器油", RepairMethod.REUSED, "过滤再生后经试验合格，用于检修补油。", (3000, 15000)),
    ("旧金具", RepairMethod.REUSED, "分拣除锈后作为抢修备品入库。", (300, 2000)),
)
PROPOSALS = (
    # title, category, content, expected benefit
    ("变电站照明改用LED节能灯具", ProposalCategory.COST,
     "站内照明仍为高压钠灯，能耗高、更换频繁。建议分批更换为LED灯具并加装光控开关。",
     "每站每年节约电费约3000元，减少灯具更换工作量。"),
    ("推行电子化工作票", ProposalCategory.MANAGEMENT,
     "纸质工作票签发流转慢，存档占用空间。建议在移动作业终端上推行电子化工作票。",
     "缩短工作票办理时间，每年节约纸张印刷费用。"),
    ("优化抢修备品备件库存", ProposalCategory.COST,
     "部分备品积压多年，常用备品又经常短缺。建议按近三年消耗量重新核定库存定额。",
     "减少资金占用，提高抢修物资保障率。"),
    ("利用旧电缆制作接地线", ProposalCategory.COST,
     "拆旧电缆中有大量完好段被当作废料处理。建议统一回收加工为临时接地线。",
     "每年可少购接地线约20组。"),
    ("车辆油耗定额管理", ProposalCategory.COST,
     "生产用车油耗差异大。建议按车型和线路核定油耗定额，每月通报。",
     "预计油耗下降5%以上。"),
    ("配电房加装温湿度在线监测", ProposalCategory.TECHNIQUE,
     "配电房凝露导致设备缺陷。建议加装温湿度传感器并接入监控平台，超限自动告警。",
     "减少凝露缺陷和巡视次数。"),
    ("营业厅错峰排班", ProposalCategory.SERVICE,
     "营业厅上午客流集中，下午窗口闲置。建议根据客流统计实行错峰排班。",
     "客户平均等候时间缩短，人员利用率提高。"),
    ("登高作业防坠落装置改进", ProposalCategory.SAFETY,
     "现有防坠器在杆塔转位时需反复拆装。建议改用双钩交替式防坠落装置。",
     "消除转位时失去保护的空档。"),
    ("线路巡视改用无人机", ProposalCategory.TECHNIQUE,
     "山区线路人工巡视耗时长、风险高。建议对重点区段采用无人机巡视。",
     "巡视效率提高一倍以上，减少登山作业风险。"),
    ("办公用品集中采购", ProposalCategory.COST,
     "各班组分散采购办公用品，价格不一。建议按季度集中采购、统一配送。",
     "每年节约采购费用约10%。"),
)
REJECT_REASONS = (
    "投入较大，本年度预算已无安排，可列入明年计划再议。",
    "与现行安全规程要求不符，暂不采纳。",
    "同类措施已在推行，请结合现有做法进一步完善。",
    "测算依据不足，请补充数据后另行提出。",
)
PROJECTS = {
    ProjectKind.LECTURE: (
        ("继电保护原理与典型故障分析", "讲清保护动作逻辑，结合近年典型故障提高班组分析判断能力。"),
        ("配网带电作业安全要点", "讲解带电作业规程和典型违章，强化现场安全意识。"),
        ("智能电能表与用电信息采集", "讲解采集系统原理和常见故障处理，提高营销服务人员技能。"),
    ),
    ProjectKind.DRILL: (
        ("倒闸操作技能比武", "按典型操作票进行模拟倒闸操作，考核规范性和熟练程度。"),
        ("配网故障抢修实训", "模拟故障查找、隔离和恢复送电全过程，考核抢修时效。"),
        ("带电检测技能练兵", "开展红外测温、局放检测实操练兵，考核数据分析能力。"),
    ),
    ProjectKind.TACKLING: (
        ("降低10kV线路跳闸率", "分析近三年跳闸原因，针对雷击和外力破坏制定治理措施，跳闸率下降20%。"),
        ("缩短台区线损异常处理时间", "建立线损异常分析模型，异常处理平均时间缩短一半。"),
        ("变电站巡视机器人应用", "解决巡视机器人在复杂场景下的识别问题，替代部分人工巡视。"),
        ("电缆终端头发热治理", "查找电缆终端头发热原因，改进制作工艺，消除发热缺陷。"),
    ),
}
TACKLING_RESULTS = {
    TacklingOutcome.ACHIEVED: "完成全部攻关任务，主要指标达到预期，形成作业指导书一份并在全单位推广。",
    TacklingOutcome.PARTLY: "完成主要攻关任务，部分指标尚未达到预期，下一步继续优化。",
    TacklingOutcome.NOT_ACHIEVED: "受设备和条件限制，未达到预期目标，已总结原因形成分析报告。",
}
LECTURE_RESULT = "授课结束后进行了现场答疑和随堂测试，参加人员普遍反映收获较大。"
DRILL_RESULT = "练兵按方案完成，成绩已登记，对成绩靠后的人员安排了结对帮带。"


def seed_step(context) -> str:
    """The ``seed_demo`` step of this app, after the org tree and the campaign."""
    root = Org.objects.filter(parent__isnull=True, name=ROOT_NAME).first()
    if root is None:
        return "No demo org tree; improvements registers not generated."
    return _Builder(root, random.Random(f"improvements:{context.seed}")).run()


def _account(username: str) -> User | None:
    return User.objects.filter(username=username).first()


class _Builder:
    def __init__(self, root: Org, rng: random.Random):
        self.root = root
        self.rng = rng
        self.admin = _account("admin")
        self.secretary = _account("secretary")
        self.clerk = _account("clerk")
        self.member = _account("member")
        self.branches = list(Org.objects.subtree(root).active().filter(org_type=OrgType.BRANCH).order_by("path")
                             .values_list("pk", "path", "secretary_id"))
        branch_of_path = {path: pk for pk, path, _secretary in self.branches}
        # Everyone current in a branch or its 党小组, by branch: members and masses apart.
        self.members: dict[int, list[int]] = defaultdict(list)
        self.masses: dict[int, list[int]] = defaultdict(list)
        for pk, path, status in (Person.objects.current().filter(org__path__startswith=root.path)
                                 .order_by("org__path", "pk").values_list("pk", "org__path", "status")):
            branch = next((branch_of_path[p] for p in _prefixes(path) if p in branch_of_path), None)
            if branch is not None:
                (self.members if status in PARTY_STATUSES else self.masses)[branch].append(pk)
        clerk_grant = self.clerk.grants.select_related("org").first() if self.clerk else None
        self.clerk_branch = clerk_grant.org_id if clerk_grant else None
        secretary_grant = self.secretary.grants.select_related("org").first() if self.secretary else None
        self.secretary_path = secretary_grant.org.path if secretary_grant else None
        self.member_person = self.member.person_id if self.member else None

    def day(self, start: date = YEAR_START, end: date = DEMO_TODAY) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def when(self) -> date:
        """Most records in the campaign year, a tenth in the year before."""
        if self.rng.random() < 0.1:
            return self.day(date(YEAR - 1, 2, 1), date(YEAR - 1, 12, 20))
        return self.day()

    def verifier(self, branch_path: str) -> User | None:
        """The demo secretary inside her unit, the admin elsewhere: never the clerk who recorded it."""
        if self.secretary is not None and self.secretary_path and branch_path.startswith(self.secretary_path):
            return self.secretary
        return self.admin

    def run(self) -> str:
        repairs, repair_people = self.repairs()
        proposals, co_proposers = self.proposals()
        projects, teams = self.projects()
        RepairRecord.objects.bulk_create(repairs, batch_size=BATCH)
        RepairRecord.people.through.objects.bulk_create(
            [RepairRecord.people.through(repairrecord_id=repairs[i].pk, person_id=person)
             for i, person in repair_people], batch_size=BATCH)
        Proposal.objects.bulk_create(proposals, batch_size=BATCH)
        Proposal.co_proposers.through.objects.bulk_create(
            [Proposal.co_proposers.through(proposal_id=proposals[i].pk, person_id=person)
             for i, person in co_proposers], batch_size=BATCH)
        TechProject.objects.bulk_create(projects, batch_size=BATCH)
        TechParticipant.objects.bulk_create(
            [TechParticipant(project_id=projects[i].pk, person_id=person, hours=hours, score=score)
             for i, person, hours, score in teams], batch_size=BATCH)
        summary = (f"improvements: {len(repairs)} repairs ({len(repair_people)} people), {len(proposals)} proposals, "
                   f"{len(projects)} technical projects ({len(teams)} participations)")
        record(AuditAction.IMPORT, object_type="improvements.demo", object_repr="seed_demo", message=summary)
        return summary

    # ------------------------------------------------------------------ 修旧利废

    def repairs(self):
        r = self.rng
        rows, people = [], []
        for branch, path, _secretary in self.branches:
            staff = self.members[branch]
            if not staff:
                continue
            mine = branch == self.clerk_branch
            for k in range(r.randint(2, 6) + (2 if mine else 0)):
                item, method, description, (low, high) = r.choice(REPAIRS)
                roll = r.random()
                # The clerk's branch keeps a few pending ones of the clerk's for the secretary to verify.
                status = (RepairStatus.PENDING if mine and k < 2 else RepairStatus.VERIFIED if roll < 0.7
                          else RepairStatus.PENDING if roll < 0.9 else RepairStatus.RETURNED)
                done_on = self.when()
                verified = status == RepairStatus.VERIFIED
                rows.append(RepairRecord(
                    org_id=branch, item=item, method=method, description=description, done_on=done_on,
                    savings=Decimal(r.randrange(low, high) // 10 * 10), status=status,
                    recorded_by=self.clerk if mine else None,
                    verified_by=self.verifier(path) if verified else None,
                    verified_at=_noon(done_on + timedelta(days=r.randint(1, 10))) if verified else None,
                    return_reason="节约金额测算依据不足，请附同型号新购价格。" if status == RepairStatus.RETURNED else ""))
                for person in r.sample(staff, min(len(staff), r.randint(1, 3))):
                    people.append((len(rows) - 1, person))
        self.name_the_member(rows, people)
        return rows, people

    def name_the_member(self, rows, people) -> None:
        """The demo member is among the people of one of her branch's repairs."""
        if self.member_person is None:
            return
        branch = next((b for b, members in self.members.items() if self.member_person in members), None)
        index = next((i for i, row in enumerate(rows) if row.org_id == branch), None)
        if index is not None and (index, self.member_person) not in people:
            people.append((index, self.member_person))

    # ------------------------------------------------------------------ 合理化建议

    def proposals(self):
        r = self.rng
        rows, co = [], []
        for branch, path, _secretary in self.branches:
            members, masses = self.members[branch], self.masses[branch]
            if not members:
                continue
            for k in range(r.randint(2, 7)):
                by_member = not masses or r.random() < 0.8
                proposer = r.choice(members if by_member else masses)
                if k == 0 and self.member_person in members:
                    proposer, by_member = self.member_person, True
                title, category, content, benefit = r.choice(PROPOSALS)
                submitted = self.when()
                row = Proposal(org_id=branch, title=title, category=category, content=content,
                               expected_benefit=benefit, proposer_id=proposer, by_member=by_member,
                               submitted_on=submitted, created_by=self.clerk if branch == self.clerk_branch else None)
                self.advance(row, path)
                rows.append(row)
                others = [p for p in members if p != proposer]
                if others and r.random() < 0.3:
                    for person in r.sample(others, min(len(others), r.randint(1, 2))):
                        co.append((len(rows) - 1, person))
        return rows, co

    def advance(self, row: Proposal, branch_path: str) -> None:
        """Move a proposal along its workflow, each step a few weeks after the one before (never past today)."""
        r = self.rng
        roll = r.random()
        target = (ProposalStatus.SUBMITTED if roll < 0.2 else ProposalStatus.REJECTED if roll < 0.35
                  else ProposalStatus.ADOPTED if roll < 0.55 else ProposalStatus.IMPLEMENTED if roll < 0.7
                  else ProposalStatus.MEASURED)
        steps = [ProposalStatus.ADOPTED, ProposalStatus.IMPLEMENTED, ProposalStatus.MEASURED]
        day = row.submitted_on
        for step in [ProposalStatus.REJECTED] if target == ProposalStatus.REJECTED else steps:
            if target == ProposalStatus.SUBMITTED:
                break
            day = min(day + timedelta(days=r.randint(7, 40)), DEMO_TODAY)
            if step in (ProposalStatus.ADOPTED, ProposalStatus.REJECTED):
                row.reviewed_on, row.reviewed_by = day, self.verifier(branch_path)
                row.review_comment = r.choice(REJECT_REASONS) if step == ProposalStatus.REJECTED else "建议可行，同意采纳。"
            elif step == ProposalStatus.IMPLEMENTED:
                row.implemented_on, row.implementation_note = day, "已按建议落实，相关制度和台账已更新。"
            else:
                row.measured_on = day
                row.savings = Decimal(r.randrange(500, 50000) // 10 * 10)
                row.measurement_note = "按实施前后三个月的费用对比测算。"
            row.status = step
            if step == target:
                break

    # ------------------------------------------------------------------ 技术党课/练兵/攻关

    def projects(self):
        r = self.rng
        rows, teams = [], []
        for branch, _path, secretary in self.branches:
            members = self.members[branch]
            if len(members) < 2:
                continue
            kinds = r.sample(list(PROJECTS), r.randint(1, 3))
            if self.member_person in members and ProjectKind.DRILL not in kinds:
                kinds.append(ProjectKind.DRILL)
            for kind in kinds:
                title, goal = r.choice(PROJECTS[kind])
                starts = self.day(YEAR_START, DEMO_TODAY - timedelta(days=30))
                length = {ProjectKind.LECTURE: 1, ProjectKind.DRILL: 14, ProjectKind.TACKLING: 150}[kind]
                ends = starts + timedelta(days=r.randint(length // 2, length) if length > 1 else 0)
                completed = ends <= DEMO_TODAY and r.random() < 0.85
                outcome = ""
                if kind == ProjectKind.TACKLING and completed:
                    outcome = r.choices(list(TACKLING_RESULTS), weights=(6, 3, 1))[0]
                result = (TACKLING_RESULTS[outcome] if outcome else LECTURE_RESULT if kind == ProjectKind.LECTURE
                          else DRILL_RESULT) if completed else ""
                leader = secretary if secretary in members else r.choice(members)
                rows.append(TechProject(
                    org_id=branch, kind=kind, title=title, goal=goal, starts_on=starts, ends_on=ends, leader_id=leader,
                    status=ProjectStatus.COMPLETED if completed else ProjectStatus.ONGOING,
                    completed_on=ends if completed else None, result=result, outcome=outcome))
                team = r.sample(members, min(len(members), r.randint(3, 10)))
                if kind == ProjectKind.DRILL and self.member_person in members and self.member_person not in team:
                    team.append(self.member_person)
                hours = {ProjectKind.LECTURE: (2, 4), ProjectKind.DRILL: (4, 16), ProjectKind.TACKLING: (8, 40)}[kind]
                for person in team:
                    score = Decimal(r.randint(60, 100)) if kind == ProjectKind.DRILL and completed else None
                    teams.append((len(rows) - 1, person, Decimal(r.randint(*hours)), score))
        return rows, teams


def _prefixes(path: str):
    """The paths of an org and of each org above it ("/1/4/9/" → "/1/", "/1/4/", "/1/4/9/")."""
    cut = path.find("/", 1)
    while cut != -1:
        yield path[: cut + 1]
        cut = path.find("/", cut + 1)


def _noon(day: date):
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time(12)))
