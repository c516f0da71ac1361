"""Demo campaign for ``seed_demo``: the 2026 争创“四强”、争做“四优” campaign, worked through the real services.

``build_campaign_demo(root_org, admin_user, rng)`` runs on a freshly generated org tree (inside the
seed's transaction) and does what the bureau's staff would do, through the apps' services:

* create the campaign and its four phases; import the implementation plan from
  ``data/sample_plan.txt`` with the draft/confirm importer, every proofreading correction accepted;
* load the default 四强 (org) and 四优 (member) rubrics and launch the campaign (``advance``);
* generate every expected org's plan, then move a share of them through submit / review
  (about 50 % approved, 15 % awaiting review, 10 % returned, the rest draft; at most
  ``WORKFLOW_CAP`` plans, so the M scale stays fast), with goals, tasks and a few completed tasks;
* generate the responsibility letters and have ~70 % acknowledged by their secretaries;
* hold a few mobilisation meetings and symposiums with attendance.

Submissions, acknowledgements and task completions are made by person-linked accounts (the org
secretary's, created without a usable password when missing, with a 书记 grant on the org); reviews
by the demo ``secretary`` account inside its unit committee and by the ``admin`` account elsewhere;
the audit log records each step as that account's (``acting``). Every random choice comes from the
``rng`` passed in and every date is fixed in 2026: the timestamps the services stamp "now"
(submitted, reviewed, acknowledged, done) are then moved into the campaign's calendar, in the order
the story needs (``date_the_workflow``), all before ``DEMO_TODAY``.
Goals and tasks have no service of their own (the plan editor saves the forms), so they are
bulk-created, without a per-row audit entry.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from django.db import transaction

from vanguard.accounts.models import RoleGrant, User
from vanguard.activities import services as meeting_services
from vanguard.activities.models import AttendanceStatus, Meeting, MeetingKind
from vanguard.audit.context import acting_as, actor_for
from vanguard.core.policy import can
from vanguard.core.roles import Role
from vanguard.orgs.demo import ROOT_NAME
from vanguard.orgs.models import MemberStatus, Org, OrgType, Person
from vanguard.plans import services as plan_services
from vanguard.plans.models import OrgPlan, PlanGoal, PlanStatus, PlanTask, ResponsibilityLetter
from vanguard.rubrics.models import Indicator
from vanguard.rubrics.rules import Subject
from vanguard.rubrics.services import load_default

from . import planimport, services, structure
from .models import Campaign
from .presets import SEED_FOUR_STRENGTHS, SEED_PHASES

# The campaign's implementation plan, also a sample for users to try the importer on. The file is
# the text as it circulates, deliberately left with the terms a synonym tool corrupted: importing it
# shows the proofreading step, and the demo accepts every correction.
SAMPLE_PLAN = Path(__file__).resolve().parent / "data" / "sample_plan.txt"

CAMPAIGN_NAME = "2026年争创“四强”党组织、争做“四优”共产党员活动"
YEAR = 2026
DOC_NUMBER = "X电党〔2026〕12号"
ISSUED_ON = date(2026, 2, 26)
LETTERS_ISSUED_ON = date(2026, 3, 20)
# The demo's "today" for deciding which tasks are overdue: some due dates fall before it.
DEMO_TODAY = date(2026, 11, 27)

# Shares of all plans; the rest stay draft. Plans moved through the workflow are capped.
SHARES = ((PlanStatus.APPROVED, 0.50), (PlanStatus.SUBMITTED, 0.15), (PlanStatus.RETURNED, 0.10))
WORKFLOW_CAP = 300
ACKNOWLEDGED_SHARE = 0.70
RETURNED_FIRST_SHARE = 0.2  # of the approved plans: returned once, revised and resubmitted
DONE_SHARE = 0.4  # of the tasks of approved plans due by DEMO_TODAY

GOALS = {
    "political_leadership": (
        "全年“三会一课”、主题党日按计划开展，党员参会率保持在95%以上。",
        "深入学习贯彻党的创新理论，每季度开展一次专题学习研讨。",
        "落实“第一议题”制度，支部书记全年讲党课不少于2次。",
    ),
    "development_drive": (
        "安全生产“零事故”，全年完成各项生产经营指标。",
        "设立党员责任区和党员示范岗，党员在急难险重任务中带头攻坚。",
        "供电可靠率、客户满意度较上年进一步提升。",
    ),
    "reform_innovation": (
        "围绕生产经营难题开展党员创新攻关，全年形成不少于1项创新成果。",
        "推广数字化工作方法，提升班组管理效率。",
        "开展“党建+业务”融合项目，形成可复制的工作经验。",
    ),
    "cohesion_support": (
        "每名支委联系群众不少于3人，及时帮助员工解决实际困难。",
        "开展党员志愿服务活动不少于4次，增强组织凝聚力。",
        "严格落实党风廉政建设责任，全年无违纪违规问题。",
    ),
}
TASKS = {
    "political_leadership": (
        ("制定年度“三会一课”计划", "按月安排支部党员大会、支委会、党小组会和党课，报上级党组织备案。"),
        ("组织专题学习研讨", "围绕党的创新理论开展集中学习，形成学习记录和心得体会。"),
        ("讲授专题党课", "结合安全生产和优质服务实际，讲授一次专题党课。"),
    ),
    "development_drive": (
        ("设立党员示范岗", "在关键岗位设立党员示范岗并挂牌，明确示范内容和承诺事项。"),
        ("组建党员突击队", "在迎峰度夏和抢修保电任务中组建党员突击队，做好保电记录。"),
        ("划定党员责任区", "将设备、台区或服务片区划分到党员，定期检查责任区情况。"),
    ),
    "reform_innovation": (
        ("开展党员创新攻关", "围绕一项生产经营难题成立攻关小组，形成攻关成果报告。"),
        ("推进“党建+业务”融合项目", "确定一个融合项目，制定推进计划并按季度总结。"),
    ),
    "cohesion_support": (
        ("开展党员志愿服务", "组织党员参加社区用电安全宣传等志愿服务活动。"),
        ("落实支委联系群众制度", "支委每人联系群众不少于3人，记录谈心谈话情况。"),
        ("开展谈心谈话", "支部书记与每名党员谈心谈话一次，收集意见建议。"),
    ),
}
EVIDENCE = (
    "已按计划完成，相关记录、照片已归档备查。",
    "已完成并形成书面总结，报上级党组织备案。",
    "任务已落实，活动签到表和会议记录已整理归档。",
)
RETURN_COMMENTS = (
    "创建目标未覆盖改革创新方面，请补充后重新提交。",
    "任务责任人不够明确，请细化到具体党员。",
    "完成时限过于笼统，请按季度分解任务。",
    "目标缺少可量化的指标，请补充具体数值。",
)
# Due dates across the implementation and inspection phases; those before DEMO_TODAY are overdue
# while open.
DUE_DATES = (date(2026, 4, 30), date(2026, 6, 30), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31),
             date(2026, 11, 15), date(2026, 11, 30), date(2026, 12, 15), date(2026, 12, 20))
MEMBER_TASK_DUE = date(2026, 12, 15)
EXCUSE_NOTES = ("出差", "值班", "抢修保电", "病假")


def seed_step(context) -> str:
    """The ``seed_demo`` step of this app, after the orgs step: the campaign on the demo tree,
    worked by the demo admin account (skipped if that account is not the seed's)."""
    root = Org.objects.get(parent__isnull=True, name=ROOT_NAME)
    grant = (RoleGrant.objects.filter(user__username="admin", role=Role.ADMIN, org=root)
             .select_related("user").first())
    if grant is None:
        return "No demo admin account on the new tree; demo campaign not generated."
    return build_campaign_demo(root, grant.user, random.Random(f"campaign:{context.seed}"))


def build_campaign_demo(root_org: Org, admin_user, rng: random.Random) -> str:
    """Create the demo campaign under root_org; returns a one-line summary."""
    with transaction.atomic(), acting(admin_user):
        return _Builder(root_org, admin_user, rng).run()


def acting(user: User):
    """What follows is ``user``'s doing in the audit log, as if they had done it on the pages."""
    return acting_as(actor_for(user))


class _Builder:
    def __init__(self, root: Org, admin: User, rng: random.Random):
        self.root = root
        self.admin = admin
        self.rng = rng
        self.accounts: dict[int, User] = {}  # person pk → acting account
        self.secretary_user = self._demo_user("secretary", Role.SECRETARY)
        self.member_user = self._demo_user("member", Role.MEMBER)

    def _demo_user(self, username: str, role: str) -> User | None:
        grant = (RoleGrant.objects.filter(user__username=username, role=role, org__path__startswith=self.root.path,
                                          user__person__isnull=False)
                 .select_related("user", "org").first())
        if grant is None:
            return None
        grant.user.demo_org = grant.org
        return grant.user

    # ------------------------------------------------------------------ campaign

    def run(self) -> str:
        campaign = Campaign.objects.create(name=CAMPAIGN_NAME, year=YEAR, scope_org=self.root)
        # The seed's structure: its 四强/四优 and its four phases (动员部署 in March).
        structure.apply_structure(campaign, structure.preset_dimensions(SEED_FOUR_STRENGTHS.key),
                                  structure.preset_phases(SEED_PHASES.key, YEAR), self.admin)
        corrected = self.import_plan(campaign)
        load_default(campaign, Subject.ORG, self.admin)
        load_default(campaign, Subject.MEMBER, self.admin)
        services.advance(campaign)  # draft → active (checks phases, plan and rubrics)
        plan_services.generate_plans(campaign, self.admin)
        counts = self.work_plans(campaign)
        plan_services.generate_letters(campaign, self.admin, issued_on=LETTERS_ISSUED_ON)
        letters, acknowledged = self.acknowledge_letters(campaign)
        meetings = self.hold_meetings(campaign)
        self.date_the_workflow(campaign)
        return (f"campaign “{campaign.name}” ({campaign.get_status_display()}): plan imported with {corrected} "
                f"corrections; {counts['total']} org plans ({counts[PlanStatus.APPROVED]} approved, "
                f"{counts[PlanStatus.SUBMITTED]} submitted, {counts[PlanStatus.RETURNED]} returned, "
                f"{counts[PlanStatus.DRAFT]} draft), {counts['tasks']} tasks ({counts['done']} done); "
                f"{acknowledged}/{letters} letters acknowledged; {meetings} meetings")

    def import_plan(self, campaign: Campaign) -> int:
        draft = planimport.create_import_draft(campaign, self.admin, SAMPLE_PLAN.name, SAMPLE_PLAN.read_bytes())
        draft.issues = [{**issue, "accepted": True} for issue in draft.issues]
        draft.save(update_fields=["issues"])
        # The plan's 四强/四优 items are the preset's: confirmed as offered, they bring their wording.
        dimensions, _phases = planimport.offered_structure(campaign, planimport.read_draft(draft).sections)
        plan = planimport.confirm_import(draft, self.admin, dimensions or None, None)
        plan.doc_number = DOC_NUMBER
        plan.issued_on = ISSUED_ON
        plan.save()
        return len(draft.issues)

    # ------------------------------------------------------------------ accounts

    def account(self, person: Person, org: Org | None = None, role: str = Role.SECRETARY) -> User:
        """The person's account; created (no usable password, one grant on org) when missing."""
        user = self.accounts.get(person.pk)
        if user is None:
            user = User.objects.filter(person=person).first()
            if user is None:
                user = User.objects.create_user(username=person.phone or f"person{person.pk}", password=None,
                                                person=person, last_name=person.name)
                RoleGrant.objects.create(user=user, role=role, org=org or person.org, granted_by=self.admin)
            self.accounts[person.pk] = user
        return user

    def reviewer(self, plan: OrgPlan) -> User:
        if self.secretary_user is not None and can(self.secretary_user, plan, "review"):
            return self.secretary_user
        return self.admin

    # ------------------------------------------------------------------ plans

    def choose_statuses(self, plans: list[OrgPlan]) -> dict[int, str]:
        """Plan pk → target status: shares of all plans, capped, shuffled, with the demo users' needs met."""
        n = len(plans)
        moved = min(round(n * sum(share for _s, share in SHARES)), WORKFLOW_CAP)
        scale = moved / (n * sum(share for _s, share in SHARES)) if n else 0
        targets: list[str] = []
        for status, share in SHARES:
            targets += [status] * round(n * share * scale)
        targets += [PlanStatus.DRAFT] * (n - len(targets))
        self.rng.shuffle(targets)
        chosen = {plan.pk: status for plan, status in zip(plans, targets)}

        def swap(plan: OrgPlan, status: str, pool: list[OrgPlan]) -> None:
            """Give plan the status, taking it from a plan of the pool (which gets plan's old status)."""
            donor = next((p for p in pool if chosen[p.pk] == status), None)
            if donor is not None and chosen[plan.pk] != status:
                chosen[donor.pk], chosen[plan.pk] = chosen[plan.pk], status

        member_org = getattr(self.member_user, "demo_org", None)
        pinned = set()
        if member_org is not None:
            member_plan = next((p for p in plans if p.org_id == member_org.pk), None)
            if member_plan is not None:
                swap(member_plan, PlanStatus.APPROVED, [p for p in plans if p.org_id != member_org.pk])
                pinned.add(member_plan.pk)
        if self.secretary_user is not None:
            mine = [p for p in plans if p.pk not in pinned and can(self.secretary_user, p, "review")]
            others = [p for p in plans if p.pk not in pinned and p not in mine]
            while sum(chosen[p.pk] == PlanStatus.SUBMITTED for p in mine) < min(2, len(mine)):
                target = next(p for p in mine if chosen[p.pk] != PlanStatus.SUBMITTED)
                before = chosen[target.pk]
                swap(target, PlanStatus.SUBMITTED, others)
                if chosen[target.pk] == before:  # nothing to take: just set it
                    chosen[target.pk] = PlanStatus.SUBMITTED
        return chosen

    def date_the_workflow(self, campaign: Campaign) -> None:
        """Put the demo's workflow in the campaign's calendar instead of on the day it was seeded.

        The services stamp "now"; left so, every plan would count as submitted after the 动员部署
        deadline and every task as done on the day of the seed. The story, in order: a plan's first
        version in March (some late, in April); each review a few days after the version it
        reviews; a returned plan resubmitted a few days after its return; a letter acknowledged in
        the days after it was issued; a task completed after its plan was approved, by its due date
        when the approval left time, never after ``DEMO_TODAY``.
        """
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        def moment(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, time(9 + self.rng.randrange(8), self.rng.randrange(60))))

        approved_on: dict[int, date] = {}
        for plan in OrgPlan.objects.filter(campaign=campaign).exclude(first_submitted_at=None).order_by("pk"):
            day = date(YEAR, 3, 5) + timedelta(days=self.rng.randrange(26) if self.rng.random() < 0.85 else
                                               26 + self.rng.randrange(20))
            submitted, reviewed = [], None
            for version in plan.versions.order_by("number"):
                submitted.append(moment(day))
                reviewed = None
                if version.reviewed_at is not None:
                    day += timedelta(days=2 + self.rng.randrange(6))
                    reviewed = moment(day)
                    day += timedelta(days=1 + self.rng.randrange(5))  # the revision, before the next version
                plan.versions.filter(pk=version.pk).update(submitted_at=submitted[-1], reviewed_at=reviewed)
            # The plan's own stamps are those of its versions: the first, the latest and its review.
            OrgPlan.objects.filter(pk=plan.pk).update(
                first_submitted_at=submitted[0], submitted_at=submitted[-1],
                reviewed_at=reviewed if plan.reviewed_at is not None else None)
            if plan.status == PlanStatus.APPROVED:
                approved_on[plan.pk] = timezone.localdate(reviewed)
        for task in PlanTask.objects.filter(plan__campaign=campaign).exclude(done_at=None).order_by("pk"):
            earliest = approved_on[task.plan_id] + timedelta(days=1)
            latest = min(task.due_on, DEMO_TODAY)
            if earliest <= latest:
                day = latest - timedelta(days=self.rng.randrange(min(21, (latest - earliest).days + 1)))
            else:  # approved after its due date: done late, soon after
                day = min(earliest + timedelta(days=self.rng.randrange(10)), DEMO_TODAY)
            PlanTask.objects.filter(pk=task.pk).update(done_at=moment(day))
        for letter in ResponsibilityLetter.objects.filter(campaign=campaign).exclude(acknowledged_at=None).order_by("pk"):
            ResponsibilityLetter.objects.filter(pk=letter.pk).update(
                acknowledged_at=moment(letter.issued_on + timedelta(days=self.rng.randrange(10))))

    def work_plans(self, campaign: Campaign) -> dict:
        plans = list(OrgPlan.objects.filter(campaign=campaign).select_related("org", "org__secretary", "rubric")
                     .order_by("org__path"))
        chosen = self.choose_statuses(plans)
        moving = [p for p in plans if chosen[p.pk] != PlanStatus.DRAFT]
        people = self.people_by_org([p.org for p in moving])
        indicators = self.indicators(campaign)
        self.add_goals_and_tasks(moving, people, indicators)
        for plan in moving:
            self.move(plan, chosen[plan.pk])
        done = self.complete_some_tasks([p for p in moving if chosen[p.pk] == PlanStatus.APPROVED])
        counts = {status: 0 for status in PlanStatus.values}
        for status in OrgPlan.objects.filter(campaign=campaign).values_list("status", flat=True):
            counts[status] += 1
        counts["total"] = len(plans)
        counts["tasks"] = PlanTask.objects.filter(plan__campaign=campaign).count()
        counts["done"] = done
        return counts

    def people_by_org(self, orgs: list[Org]) -> dict[int, list[Person]]:
        """Current party members of each org's subtree (its own members first), in a stable order."""
        out = {}
        for org in orgs:
            members = list(Person.objects.filter(org__path__startswith=org.path,
                                                 status__in=(MemberStatus.FULL, MemberStatus.PROBATIONARY))
                           .order_by("org__path", "pk"))
            out[org.pk] = members
        return out

    def indicators(self, campaign: Campaign) -> dict[str, list[Indicator]]:
        by_dim: dict[str, list[Indicator]] = {}
        for ind in (Indicator.objects.filter(dimension__rubric__campaign=campaign,
                                             dimension__rubric__subject=Subject.ORG)
                    .select_related("dimension__campaign_dimension")
                    .order_by("dimension__campaign_dimension__sort_order", "sort_order", "pk")):
            by_dim.setdefault(ind.dimension.campaign_dimension.code, []).append(ind)
        return by_dim

    def add_goals_and_tasks(self, plans: list[OrgPlan], people: dict[int, list[Person]],
                            indicators: dict[str, list[Indicator]]) -> None:
        r = self.rng
        # The campaign's org dimensions by code, in their order (the demo's goals are written for them).
        campaign_dimensions = {d.code: d for d in plans[0].campaign.dimensions.orgs()} if plans else {}
        dims = list(campaign_dimensions)
        goals, tasks = [], []
        member_person_id = self.member_user.person_id if self.member_user is not None else None
        member_org_id = getattr(getattr(self.member_user, "demo_org", None), "pk", None)
        for plan in plans:
            chosen_dims = sorted(r.sample(dims, r.randint(2, 4)), key=dims.index)
            for order, dim in enumerate(chosen_dims, start=1):
                goals.append(PlanGoal(plan=plan, dimension=campaign_dimensions[dim], text=r.choice(GOALS[dim]),
                                      sort_order=order))
            members = people[plan.org_id] or ([plan.org.secretary] if plan.org.secretary_id else [])
            for k in range(r.randint(1, 3)):
                dim = chosen_dims[k % len(chosen_dims)]
                title, description = r.choice(TASKS[dim])
                responsible = plan.org.secretary if k == 0 and plan.org.secretary_id else r.choice(members)
                options = indicators.get(dim) or [None]
                tasks.append(PlanTask(plan=plan, title=title, description=description, responsible=responsible,
                                      due_on=r.choice(DUE_DATES), indicator=r.choice(options)))
            if plan.org_id == member_org_id and member_person_id:
                tasks.append(PlanTask(plan=plan, title="开展党员志愿服务",
                                      description="带领党员到社区开展安全用电宣传，形成活动记录。",
                                      responsible_id=member_person_id, due_on=MEMBER_TASK_DUE,
                                      indicator=(indicators.get("cohesion_support") or [None])[0]))
        PlanGoal.objects.bulk_create(goals)
        PlanTask.objects.bulk_create(tasks)

    def submitter(self, plan: OrgPlan) -> User:
        if plan.org.secretary_id:
            return self.account(plan.org.secretary, plan.org)
        return self.admin

    def move(self, plan: OrgPlan, target: str) -> None:
        r = self.rng
        submitter = self.submitter(plan)
        with acting(submitter):
            plan_services.submit(plan, submitter)
        if target == PlanStatus.SUBMITTED:
            return
        reviewer = self.reviewer(plan)
        if target == PlanStatus.RETURNED or r.random() < RETURNED_FIRST_SHARE:
            with acting(reviewer):
                plan_services.return_plan(plan, reviewer, r.choice(RETURN_COMMENTS))
            if target == PlanStatus.RETURNED:
                return
            with acting(submitter):
                plan_services.resubmit(plan, submitter)
        with acting(reviewer):
            plan_services.approve(plan, reviewer)

    def complete_some_tasks(self, approved: list[OrgPlan]) -> int:
        member_person_id = self.member_user.person_id if self.member_user is not None else None
        tasks = list(PlanTask.objects.filter(plan__in=approved)
                     .select_related("plan", "responsible", "responsible__org")
                     .order_by("plan__org__path", "due_on", "pk"))
        done = 0
        for task in tasks:
            if task.responsible_id == member_person_id or task.due_on > DEMO_TODAY:
                continue
            if self.rng.random() < DONE_SHARE:
                user = self.account(task.responsible, task.responsible.org, Role.MEMBER)
                with acting(user):
                    plan_services.complete_task(task, user, self.rng.choice(EVIDENCE))
                done += 1
        return done

    # ------------------------------------------------------------------ letters

    def acknowledge_letters(self, campaign: Campaign) -> tuple[int, int]:
        letters = list(ResponsibilityLetter.objects.filter(campaign=campaign, responsible__isnull=False)
                       .select_related("org", "responsible").order_by("org__path"))
        total = ResponsibilityLetter.objects.filter(campaign=campaign).count()
        wanted = min(round(total * ACKNOWLEDGED_SHARE), WORKFLOW_CAP, len(letters))
        for letter in sorted(self.rng.sample(letters, wanted), key=lambda x: x.org.path):
            user = self.account(letter.responsible, letter.org)
            with acting(user):
                plan_services.acknowledge_letter(letter, user)
        return total, wanted

    # ------------------------------------------------------------------ meetings

    def hold_meetings(self, campaign: Campaign) -> int:
        committees = list(Org.objects.filter(parent=self.root, org_type=OrgType.COMMITTEE, is_active=True)
                          .select_related("secretary").order_by("sort_order", "path"))
        demo_committee = getattr(self.secretary_user, "demo_org", None)
        chosen = [c for c in committees if demo_committee is not None and c.pk == demo_committee.pk]
        chosen += [c for c in self.rng.sample(committees, min(3, len(committees))) if c not in chosen][:3 - len(chosen)]
        held = 0
        for committee in sorted(chosen, key=lambda c: c.path):
            self.meeting(campaign, committee, MeetingKind.MOBILISATION,
                         f"{committee.name}争创“四强”党组织、争做“四优”共产党员活动动员部署会",
                         date(2026, 3, self.rng.randint(5, 12)),
                         "传达局党委活动实施方案，部署本单位创建工作，明确各支部创建目标和时间节点。")
            held += 1
        branches = list(Org.objects.filter(path__startswith=self.root.path, org_type=OrgType.BRANCH, is_active=True)
                        .select_related("secretary").order_by("path"))
        member_branch = getattr(self.member_user, "demo_org", None)
        picked = [b for b in branches if member_branch is not None and b.pk == member_branch.pk]
        picked += [b for b in self.rng.sample(branches, min(5, len(branches))) if b not in picked][:5 - len(picked)]
        for branch in sorted(picked, key=lambda b: b.path):
            kind = MeetingKind.MOBILISATION if self.rng.random() < 0.5 else MeetingKind.SYMPOSIUM
            topic = ("“四强四优”创建活动支部动员会" if kind == MeetingKind.MOBILISATION
                     else "“四强四优”创建目标座谈会")
            self.meeting(campaign, branch, kind, topic, date(2026, 3, self.rng.randint(13, 28)),
                         "学习活动实施方案，讨论本支部创建目标和任务分解，党员逐一表态。")
            held += 1
        return held

    def meeting(self, campaign, org: Org, kind: str, topic: str, held_on: date, minutes: str) -> Meeting:
        r = self.rng
        creator = self.account(org.secretary, org) if org.secretary_id else self.admin
        with acting(creator):
            meeting = meeting_services.create_meeting(
                Meeting(org=org, campaign=campaign, kind=kind, topic=topic, held_on=held_on,
                        location="会议室", host=org.secretary, minutes=minutes), creator)
            rows = list(meeting.attendances.select_related("person").order_by("person__org__path", "person_id"))
            changes = {}
            for row in rows:
                roll = r.random()
                if roll < 0.9:
                    row.status = AttendanceStatus.PRESENT
                elif roll < 0.97:
                    row.status, row.note = AttendanceStatus.EXCUSED, r.choice(EXCUSE_NOTES)
                else:
                    row.status = AttendanceStatus.ABSENT
                changes[row.person.name] = ["", row.status]
            meeting_services.save_attendance(meeting, rows, changes)
        return meeting
