"""The improvements app's entries of the authorisation matrix and its row listings (see tests/matrix.py).

The world gets one 修旧利废 record, one 合理化建议 and one 技术攻关 project in each of branch A1, unit A,
branch A2 and branch B1 (``extend_world``). Those of A1 and unit A name 刘洋 (the member: among
the repair's people, the proposer, in the project's team), A2's name 李娜 and B1's 王芳: the rows
each role lists are then those of plans and meetings (``tests.rows.plan_like``). Inside = A1's,
outside = B1's. A step that needs another state (implementing an adopted proposal, reopening a
completed project) works on a copy made in that state inside the check's savepoint.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.matrix import (
    EDITORS, EDITORS_OF_BRANCH, MEMBER_OF_BRANCH, STAFF, STAFF_OF_BRANCH, WITH_PERSON, Case, Write,
)
from tests.rows import Listing, plan_like
from vanguard.improvements.models import (
    ProjectKind, ProjectStatus, Proposal, ProposalStatus, RepairRecord, TacklingOutcome, TechParticipant, TechProject,
)

READERS = STAFF | WITH_PERSON  # an inspector: 403 (no subtree rule, no assignment)
VIEWERS = STAFF_OF_BRANCH | MEMBER_OF_BRANCH  # staff of the branch and its member
KEYS = ("a1", "unit_a", "a2", "b1")


def _start():
    return timezone.localdate() - timedelta(days=60)


def extend_world(w) -> None:
    named = {"a1": (w.branch_a1, w.member_person), "unit_a": (w.unit_a, w.member_person),
             "a2": (w.branch_a2, w.person_a2), "b1": (w.branch_b1, w.person_b1)}
    w.repairs, w.proposals, w.projects = {}, {}, {}
    for key, (org, person) in named.items():
        # Recorded by nobody with an account (entered from the paper register): every editor may verify.
        repair = RepairRecord.objects.create(org=org, item=f"隔离开关操作机构（{org.name}）", done_on=_start(),
                                             savings=Decimal("1200.00"))
        repair.people.set([person])
        w.repairs[key] = repair
        w.proposals[key] = Proposal.objects.create(org=org, title=f"变电站照明改LED（{org.name}）",
                                                   content="更换为LED灯具。", proposer=person, submitted_on=_start())
        project = TechProject.objects.create(org=org, kind=ProjectKind.TACKLING, title=f"降低线路跳闸率（{org.name}）",
                                             goal="跳闸率下降20%。", starts_on=_start(), leader=person)
        TechParticipant.objects.create(project=project, person=person, hours=Decimal("8"))
        w.projects[key] = project


def _key(inside: bool) -> str:
    return "a1" if inside else "b1"


def _pk(mapping: str):
    return lambda w, inside: {"pk": getattr(w, mapping)[_key(inside)].pk}


def _api(mapping: str, name: str):
    return lambda w, inside: {name: getattr(w, mapping)[_key(inside)].pk}


def _person(w, inside):
    return w.member_person if inside else w.person_b1


def _org(w, inside):
    return w.branch_a1 if inside else w.branch_b1


def _today() -> str:
    return timezone.localdate().isoformat()


# ------------------------------------------------------------------------------------------ payloads

def new_repair(w, inside):
    return {"org": _org(w, inside).pk, "item": "矩阵蓄电池组", "method": "repaired", "done_on": _start().isoformat(),
            "savings": "3500.00", "people": [_person(w, inside).pk], "description": "活化后恢复容量。"}


def repair_edit(w, inside):
    return {"item": "隔离开关操作机构（更正）", "method": "repaired", "done_on": _start().isoformat(),
            "savings": "1500.00", "people": [_person(w, inside).pk], "description": "矩阵更正"}


def new_proposal(w, inside):
    return {"org": _org(w, inside).pk, "title": "矩阵建议", "category": "cost", "proposer": _person(w, inside).pk,
            "submitted_on": _start().isoformat(), "content": "推行电子化工作票。", "expected_benefit": ""}


def proposal_edit(w, inside):
    return {"title": "变电站照明改LED（更正）", "category": "cost", "proposer": _person(w, inside).pk,
            "submitted_on": _start().isoformat(), "content": "分批更换为LED灯具。", "expected_benefit": "节约电费。"}


def _proposal_in(status: str):
    """URL kwargs of a copy of the world's proposal, moved to ``status`` (inside the check's savepoint)."""

    def kwargs(w, inside):
        base = w.proposals[_key(inside)]
        implemented = base.submitted_on if status == ProposalStatus.IMPLEMENTED else None
        copy = Proposal.objects.create(org=base.org, title=base.title, content=base.content, proposer=base.proposer,
                                       submitted_on=base.submitted_on, status=status, reviewed_on=base.submitted_on,
                                       implemented_on=implemented)
        return {"pk": copy.pk}

    return kwargs


def new_project(w, inside):
    return {"org": _org(w, inside).pk, "kind": "drill", "title": "矩阵倒闸操作比武", "leader": _person(w, inside).pk,
            "starts_on": _start().isoformat(), "ends_on": "", "goal": "考核倒闸操作规范性。"}


def project_edit(w, inside):
    return {"kind": "tackling", "title": "降低线路跳闸率（更正）", "leader": _person(w, inside).pk,
            "starts_on": _start().isoformat(), "ends_on": "", "goal": "跳闸率下降30%。"}


def team(w, inside):
    person = _person(w, inside)
    return {f"in_{person.pk}": "on", f"hours_{person.pk}": "6"}


def _completed_project(w, inside):
    base = w.projects[_key(inside)]
    copy = TechProject.objects.create(org=base.org, kind=base.kind, title=base.title, goal=base.goal,
                                      starts_on=base.starts_on, status=ProjectStatus.COMPLETED,
                                      completed_on=timezone.localdate(), result="已完成。",
                                      outcome=TacklingOutcome.ACHIEVED)
    TechParticipant.objects.create(project=copy, person=_person(w, inside), hours=Decimal("8"))
    return {"pk": copy.pk}


NO_DATA = Write(lambda w, inside: {})

CASES: dict[str, Case] = {
    # 修旧利废
    "improvements:repair_list": Case(READERS),
    "improvements:repair_create": Case(EDITORS, post=Write(new_repair, seen=EDITORS_OF_BRANCH, unseen=200,
                                                           outside=True)),
    "improvements:repair_detail": Case(READERS, VIEWERS, kwargs=_pk("repairs")),
    "improvements:repair_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("repairs"), post=Write(repair_edit)),
    "improvements:repair_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("repairs"), post=NO_DATA),
    "improvements:repair_verify": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("repairs"),
                                       post=Write(lambda w, inside: {"note": "已现场核实"})),
    "improvements:repair_return": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("repairs"),
                                       post=Write(lambda w, inside: {"reason": "请附新购价格"})),
    # 合理化建议: a member files her own in her branch.
    "improvements:proposal_list": Case(READERS),
    "improvements:proposal_create": Case(EDITORS | WITH_PERSON, post=Write(
        new_proposal, seen=EDITORS_OF_BRANCH | MEMBER_OF_BRANCH, unseen=200, outside=True)),
    "improvements:proposal_detail": Case(READERS, VIEWERS, kwargs=_pk("proposals")),
    "improvements:proposal_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("proposals"),
                                       post=Write(proposal_edit)),
    "improvements:proposal_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("proposals"), post=NO_DATA),
    "improvements:proposal_review": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("proposals"), post=Write(
        lambda w, inside: {"decision": "adopt", "comment": "", "on": _today()})),
    "improvements:proposal_implement": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_proposal_in(ProposalStatus.ADOPTED),
                                            post=Write(lambda w, inside: {"on": _today(), "note": "已落实"})),
    "improvements:proposal_measure": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_proposal_in(ProposalStatus.IMPLEMENTED),
                                          post=Write(lambda w, inside: {"savings": "3000", "on": _today(),
                                                                        "note": "按前后三个月电费对比"})),
    # 技术党课/练兵/攻关
    "improvements:project_list": Case(READERS),
    "improvements:project_create": Case(EDITORS, post=Write(new_project, seen=EDITORS_OF_BRANCH, unseen=200,
                                                            outside=True)),
    "improvements:project_detail": Case(READERS, VIEWERS, kwargs=_pk("projects")),
    "improvements:project_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("projects"), post=Write(project_edit)),
    "improvements:project_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("projects"), post=NO_DATA),
    "improvements:project_team": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("projects"), post=Write(team)),
    "improvements:project_complete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_pk("projects"), post=Write(
        lambda w, inside: {"on": _today(), "result": "跳闸率下降22%。", "outcome": "achieved"})),
    "improvements:project_reopen": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_completed_project, post=NO_DATA),
    "improvements:summary": Case(READERS),
    # API
    "api:list_repairs": Case(READERS, api=True),
    "api:get_repair": Case(READERS, VIEWERS, api=True, kwargs=_api("repairs", "repair_id")),
    "api:list_proposals": Case(READERS, api=True),
    "api:get_proposal": Case(READERS, VIEWERS, api=True, kwargs=_api("proposals", "proposal_id")),
    "api:list_tech_projects": Case(READERS, api=True),
    "api:get_tech_project": Case(READERS, VIEWERS, api=True, kwargs=_api("projects", "project_id")),
}

ROWS = plan_like(set(KEYS))  # staff of the subtree, the member's branch and the records naming her

LISTINGS = [
    Listing("improvements:repair_list", lambda w: w.repairs, ROWS, key=lambda r: (r.item,),
            headers=("修复或利用的物品",)),
    Listing("api:list_repairs", lambda w: w.repairs, ROWS, key=None, api=True),
    Listing("improvements:proposal_list", lambda w: w.proposals, ROWS, key=lambda p: (p.title,), headers=("建议名称",)),
    Listing("api:list_proposals", lambda w: w.proposals, ROWS, key=None, api=True),
    Listing("improvements:project_list", lambda w: w.projects, ROWS, key=lambda p: (p.title,), headers=("名称",)),
    Listing("api:list_tech_projects", lambda w: w.projects, ROWS, key=None, api=True),
]

# API lists and the page whose FilterSet each applies (tests/api/test_filters.py).
API_LISTS = {"list_repairs": "improvements:repair_list", "list_proposals": "improvements:proposal_list",
             "list_tech_projects": "improvements:project_list"}
