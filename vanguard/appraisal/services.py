"""The rules of an appraisal round, in one place: electorate, self-assessment, voting, counting, grades.

Ballots go through ``vanguard.ballots`` only (``create_box``, ``cast``, ``redeem``, ``close_box``,
``record_counts``, ``tally`` …): this module never reads a box's tables, and nothing it writes,
logs or audits says how anyone voted. A round's two boxes rate the same items (its appraised
members, ``models.item_key``) with the four grades: the members' box takes the ballots of the
members of the electorate (signed in, never rating themselves), the masses' box those of slip
holders.

Counting: a figure is shown for a group (the members' or the masses' ratings of one person) only
when at least ``min_group`` people rated; a smaller group is "no data", in the tally and in the
metrics, never its value. The weighted figures combine the groups that have data, each with its
weight (``member_weight`` / ``masses_weight``), re-normalised over them.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.context import actor_for, current_actor
from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.ballots import services as ballots
from vanguard.ballots.services import BallotRefused
from vanguard.commitments.models import Commitment
from vanguard.core.policy import could
from vanguard.core.roles import STAFF_ROLES
from vanguard.core.scoping import get_scope
from vanguard.orgs.models import PARTY_STATUSES, Membership, MemberStatus, Org

from .models import (
    DECIDING_STATUSES, GRADE_POINTS, GRADES, GRADES_WITH_REASON, SELF_ASSESSMENT_STATUSES, STEP_FIELDS,
    AppraisalRound, Electorate, Grade, PaperCount, RoundMember, RoundStatus, SelfAssessment, SelfAssessmentItem,
    Standing, item_key,
)

PERCENT = Decimal("0.1")


def _audit(round_: AppraisalRound, message: str, changes: dict | None = None, *, user=None) -> None:
    """A round event; ``user`` names who acted where the request's signed-in user may not be set (a service call)."""
    actor = actor_for(user, current_actor().ip) if user is not None else None
    record(AuditAction.WORKFLOW, round_, message=message, changes=changes or {}, actor=actor)


def _locked(round_: AppraisalRound) -> AppraisalRound:
    """The round's row locked for the step being taken, and the caller's instance read again under
    the lock (another request may have moved it): what a step changes, the caller sees."""
    AppraisalRound.objects.select_for_update(of=("self",)).filter(pk=round_.pk).values("pk").get()
    round_.refresh_from_db()
    return round_


def _require_status(round_: AppraisalRound, *statuses: str, message: str) -> None:
    if round_.status not in statuses:
        raise ValidationError(message)


# --------------------------------------------------------------------------- a round's settings

def check_round(round_: AppraisalRound, branches: list[Org]) -> None:
    """What makes a round's settings whole (ValidationError naming the fields)."""
    errors: dict[str, list[str]] = {}
    previous = None
    for step, start, end in STEP_FIELDS:
        starts, ends = getattr(round_, start), getattr(round_, end)
        if starts and ends and starts > ends:
            errors.setdefault(end, []).append(_("结束日期不能早于开始日期。"))
        if previous and starts and starts < previous:
            errors.setdefault(start, []).append(_("各步骤应依次进行：本步骤不能早于上一步骤开始。"))
        previous = starts or previous
    if round_.member_weight + round_.masses_weight != 100:
        errors.setdefault("masses_weight", []).append(_("党员互评权重与群众评议权重之和应为 100%。"))
    if not branches:
        errors.setdefault("branches", []).append(_("请至少选择一个参加评议的党支部。"))
    elif round_.org_id:
        outside = [b.name for b in branches if not b.path.startswith(round_.org.path)]
        if outside:
            errors.setdefault("branches", []).append(
                _("以下党支部不在%(org)s之下：%(names)s。") % {"org": round_.org, "names": "、".join(outside)})
        if round_.campaign_id:
            taken = (AppraisalRound.branches.through.objects.filter(
                org__in=branches, appraisalround__campaign_id=round_.campaign_id)
                .exclude(appraisalround_id=round_.pk).select_related("org"))
            names = sorted({row.org.name for row in taken})
            if names:
                errors.setdefault("branches", []).append(
                    _("以下党支部已有本活动的民主评议：%(names)s。") % {"names": "、".join(names)})
    if round_.campaign_id and round_.org_id:
        if not round_.org.path.startswith(round_.campaign.scope_org.path):
            errors.setdefault("org", []).append(_("该组织不在所选创建活动的范围内。"))
        elif AppraisalRound.objects.filter(campaign_id=round_.campaign_id, org_id=round_.org_id).exclude(
                pk=round_.pk).exists():
            errors.setdefault("org", []).append(_("%(org)s在该创建活动中已有民主评议。") % {"org": round_.org})
    if errors:
        raise ValidationError(errors)


def default_dates(year: int) -> dict[str, date]:
    """Suggested dates of the steps: the usual end-of-year rhythm (November to January)."""
    start = date(year, 11, 1)
    spans = [(0, 13), (14, 27), (28, 37), (38, 51), (52, 81)]
    values = {}
    for (step, first, last), (a, b) in zip(STEP_FIELDS, spans):
        values[first] = start + timedelta(days=a)
        values[last] = start + timedelta(days=b)
    return values


@transaction.atomic
def save_round(round_: AppraisalRound, branches: list[Org], user) -> AppraisalRound:
    """Create or edit a round while it is being prepared; its electorate follows its branches and date."""
    creating = round_.pk is None
    if not creating:
        # The stored state, locked; the instance carries the edit and is not read again.
        stored = (AppraisalRound.objects.select_for_update(of=("self",)).filter(pk=round_.pk)
                  .values_list("status", flat=True).get())
        if stored != RoundStatus.PREPARING:
            raise ValidationError(_("投票开始后不能再修改评议设置。"))
    check_round(round_, branches)
    if creating and user is not None:
        round_.created_by = user
    round_.save()
    round_.branches.set(branches)
    refresh_electorate(round_)
    return round_


# --------------------------------------------------------------------------- the electorate

def _branch_q(branches) -> Q:
    """Memberships of the branches and of their 党小组 (the roster keeps most members in a group)."""
    q = Q(pk__in=[])
    for branch in branches:
        q |= Q(org__path__startswith=branch.path)
    return q


def electorate_on(round_: AppraisalRound) -> dict[int, tuple[int, str]]:
    """{person id: (branch id, standing)} of the party members in the round's branches on its roll date.

    Read from the organisational relations of that day, as meetings read who was expected: a
    member who transferred in later is not in it, one who left since still is. 正式党员 are
    appraised; 预备党员 — and a 正式党员 whose 转正 came after the day — vote only.
    """
    day = round_.roll_date
    branches = list(round_.branches.all())
    relations = (Membership.objects.filter(_branch_q(branches), started_on__lte=day)
                 .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
                 # An open relation of someone struck off the roster: they left on a day nobody recorded.
                 .exclude(ended_on__isnull=True, person__is_active=False)
                 .filter(person__status__in=PARTY_STATUSES)
                 .filter(Q(person__join_date__isnull=True) | Q(person__join_date__lte=day))
                 .values_list("person_id", "org__path", "person__status", "person__full_date"))
    by_path = {b.path: b.pk for b in branches}
    found = {}
    for person_id, path, status, full_date in relations:
        branch = next(pk for branch_path, pk in by_path.items() if path.startswith(branch_path))
        full = status == MemberStatus.FULL and (full_date is None or full_date <= day)
        found[person_id] = (branch, Standing.APPRAISED if full else Standing.VOTER)
    return found


def refresh_electorate(round_: AppraisalRound) -> tuple[int, int]:
    """Make the round's members those of ``electorate_on``: (added, removed). Exemptions are kept."""
    wanted = electorate_on(round_)
    present = {m.person_id: m for m in RoundMember.objects.filter(round=round_)}
    added = [RoundMember(round=round_, person_id=pk, org_id=org, standing=standing)
             for pk, (org, standing) in wanted.items() if pk not in present]
    removed = [m.pk for pk, m in present.items() if pk not in wanted]
    changed = []
    for pk, member in present.items():
        if pk in wanted and (member.org_id, member.standing) != wanted[pk]:
            member.org_id, member.standing = wanted[pk]
            changed.append(member)
    RoundMember.objects.bulk_create(added)
    if changed:
        RoundMember.objects.bulk_update(changed, ["org", "standing"])
    if removed:
        RoundMember.objects.filter(pk__in=removed).delete()
    if added or removed or changed:
        _audit(round_, _("按组织关系更新参评名单"),
               {"added": len(added), "removed": len(removed), "changed": len(changed)})
    return len(added), len(removed)


@transaction.atomic
def set_exemption(member: RoundMember, exempt: bool, reason: str, user) -> RoundMember:
    """免于评议 (long absence…) with a reason, or back into the round; only before voting opens."""
    round_ = _locked(member.round)
    _require_status(round_, RoundStatus.PREPARING, message=_("投票开始后不能再调整参评名单。"))
    reason = (reason or "").strip()
    if exempt and not reason:
        raise ValidationError({"exempt_reason": _("免于评议须填写原因。")})
    member.exempt = exempt
    member.exempt_reason = reason if exempt else ""
    member.save(update_fields=["exempt", "exempt_reason"])
    return member


def scrutineer_choices(round_: AppraisalRound):
    """Accounts that may be 监票人: of people of the round's org, or staff whose grant covers it."""
    org = round_.org
    covering = (RoleGrant.objects.active_on(timezone.localdate())
                .filter(role__in=STAFF_ROLES, org_id__in=[*org.ancestor_ids(), org.pk]).values("user_id"))
    return (User.objects.filter(is_active=True)
            .filter(Q(person__org__path__startswith=org.path, person__is_active=True) | Q(pk__in=covering))
            .select_related("person").order_by("last_name", "first_name", "username"))


@transaction.atomic
def set_scrutineers(round_: AppraisalRound, users: list, user) -> None:
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.PREPARING, message=_("投票开始后不能再更换监票人。"))
    if len(users) < ballots.MIN_SCRUTINEERS:
        raise ValidationError({"scrutineers": _("至少需要 %(n)d 名监票人。") % {"n": ballots.MIN_SCRUTINEERS}})
    round_.scrutineers.set(users)
    _audit(round_, _("设置监票人"), {"scrutineers": sorted(u.pk for u in users)})


# --------------------------------------------------------------------------- self-assessment

@dataclass
class AssessmentRow:
    dimension: object
    text: str
    commitments: list


def assessment_rows(member: RoundMember) -> list[AssessmentRow]:
    """The campaign's member dimensions with what the member wrote and, where made, their commitments."""
    round_ = member.round
    dimensions = list(round_.campaign.dimensions.members().order_by("sort_order", "pk"))
    written = {}
    assessment = SelfAssessment.objects.filter(member=member).first()
    if assessment is not None:
        written = dict(assessment.items.values_list("dimension_id", "text"))
    pledged: dict[int, list] = {}
    for commitment in Commitment.objects.filter(campaign=round_.campaign, person=member.person).order_by("pk"):
        pledged.setdefault(commitment.dimension_id, []).append(commitment)
    return [AssessmentRow(d, written.get(d.pk, ""), pledged.get(d.pk, [])) for d in dimensions]


@transaction.atomic
def submit_self_assessment(member: RoundMember, summary: str, texts: dict[int, str], user) -> SelfAssessment:
    """Write (or revise) the member's 对照检查, until the round is counted."""
    round_ = _locked(member.round)
    _require_status(round_, *SELF_ASSESSMENT_STATUSES, message=_("计票后不能再修改个人自评。"))
    if member.exempt:
        raise ValidationError(_("免于评议的党员不需要填写个人自评。"))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("请填写对照检查总体情况。")})
    dimensions = set(round_.campaign.dimensions.members().values_list("pk", flat=True))
    if set(texts) - dimensions:
        raise ValidationError(_("自评包含本活动以外的维度。"))
    assessment = SelfAssessment.objects.filter(member=member).first() or SelfAssessment(member=member)
    assessment.summary = summary
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = user
    assessment.save()
    kept = {pk: text.strip() for pk, text in texts.items() if (text or "").strip()}
    assessment.items.exclude(dimension_id__in=kept).delete()
    existing = {item.dimension_id: item for item in assessment.items.all()}
    for pk, text in kept.items():
        item = existing.get(pk) or SelfAssessmentItem(assessment=assessment, dimension_id=pk)
        if item.text != text:
            item.text = text
            item.save()
    return assessment


# --------------------------------------------------------------------------- opening the vote

def _closes_at(day: date) -> datetime:
    """The end of the last day of voting, local time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def items_of(round_: AppraisalRound) -> list[str]:
    return [item_key(pk) for pk in round_.members.appraised().order_by("person_id").values_list("person_id", flat=True)]


@sensitive_variables("passphrases", "pairs")
def open_voting(round_: AppraisalRound, passphrases: dict[int, str], user) -> AppraisalRound:
    """Open the two boxes, each with every scrutineer's passphrase; the electorate is fixed from now on.

    A paper round's boxes take no electronic ballot: they are opened under passphrases nobody
    knows (generated here and forgotten), and counted from the scrutineers' matching entries.
    """
    with transaction.atomic():
        round_ = _locked(round_)
        _require_status(round_, RoundStatus.PREPARING, message=_("投票已经开始。"))
        refresh_electorate(round_)
        items = items_of(round_)
        if not items:
            raise ValidationError(_("参评名单中没有参加评定等次的正式党员，不能开始投票。"))
        scrutineers = list(round_.scrutineers.all())
        if len(scrutineers) < ballots.MIN_SCRUTINEERS:
            raise ValidationError(_("请先设置至少 %(n)d 名监票人。") % {"n": ballots.MIN_SCRUTINEERS})
        if round_.is_paper:
            pairs = [(u, secrets.token_urlsafe(24)) for u in scrutineers]
        else:
            pairs = [(u, passphrases.get(u.pk, "")) for u in scrutineers]
        closes_at = None if round_.is_paper else _closes_at(round_.voting_ends_on)
        for electorate in Electorate.values:
            box = ballots.create_box(title=f"{round_.title} · {Electorate(electorate).label}", items=items,
                                     choices=list(GRADES), scrutineers=pairs, closes_at=closes_at, actor=user)
            setattr(round_, f"{electorate}_box", box)
        round_.status = RoundStatus.VOTING
        round_.opened_at = timezone.now()
        round_.save(update_fields=["members_box", "masses_box", "status", "opened_at"])
        _audit(round_, _("开始投票"), {"appraised": len(items), "mode": round_.mode,
                                       "scrutineers": [u.pk for u in scrutineers]})
    return round_


# --------------------------------------------------------------------------- voting

@dataclass(frozen=True)
class BallotItem:
    key: str
    name: str
    org: str


def ballot_items(round_: AppraisalRound, skip: str = "") -> list[BallotItem]:
    """The appraised members a ballot rates, in the box's order, without ``skip`` (the voter)."""
    members = round_.members.appraised().select_related("person", "org").order_by("org__path", "person__name", "pk")
    return [BallotItem(m.item, m.person.name, m.org.name) for m in members if m.item != skip]


def voter_in(round_: AppraisalRound, user) -> RoundMember:
    """The signed-in user's row of the electorate, if they vote in this round; else BallotRefused."""
    if round_.status != RoundStatus.VOTING or round_.is_paper:
        raise BallotRefused(_("本次评议目前不在网上投票阶段。"))
    person_id = get_scope(user).person_id
    member = RoundMember.objects.filter(round=round_, person_id=person_id).first() if person_id else None
    if member is None or not member.votes:
        raise BallotRefused(_("您不在本次评议的投票名单中。"))
    return member


def own_item(member: RoundMember) -> str:
    """What the voter does not rate: themself, when they are among the appraised."""
    return member.item if member.is_appraised else ""


def has_voted(round_: AppraisalRound, user) -> bool:
    return round_.members_box is not None and ballots.has_voted(round_.members_box,
                                                                ballots.participant_for_user(user))


@sensitive_variables("ratings")
def cast_member_ballot(round_: AppraisalRound, user, ratings: dict[str, str]) -> str:
    """A member's ballot: every appraised member but themself, or nothing; returns the receipt."""
    member = voter_in(round_, user)
    skip = {own_item(member)} - {""}
    return ballots.cast(round_.members_box, participant=ballots.participant_for_user(user), ratings=ratings,
                        skip=skip)


def round_of_box_id(box_id) -> AppraisalRound | None:
    """The round that owns a box (a receipt's page and a slip know only the box)."""
    return (AppraisalRound.objects.select_related("org", "members_box", "masses_box")
            .filter(Q(members_box_id=box_id) | Q(masses_box_id=box_id)).first())


def redeem_slip(code: str) -> tuple[AppraisalRound, str]:
    """The round a slip votes in and its participant; BallotRefused for an invalid/used/voided/expired code."""
    box, participant = ballots.redeem(code)
    round_ = round_of_box_id(box.pk)
    if round_ is None or round_.masses_box_id != box.pk or round_.status != RoundStatus.VOTING:
        raise BallotRefused(_("凭条码无效，请核对后重新输入。"))
    return round_, participant


@sensitive_variables("ratings")
def cast_slip_ballot(code: str, ratings: dict[str, str]) -> tuple[AppraisalRound, str]:
    """A mass voter's ballot with a one-time slip: every appraised member, or nothing."""
    round_, participant = redeem_slip(code)
    return round_, ballots.cast(round_.masses_box, participant=participant, ratings=ratings)


# --------------------------------------------------------------------------- slips

def issue_slips(round_: AppraisalRound, n: int, vote_url: str, user) -> bytes:
    """``n`` new slips for the masses as a PDF (A4, 8 a page): their codes exist nowhere else."""
    if round_.status != RoundStatus.VOTING or round_.is_paper:
        raise ValidationError(_("只有网上投票进行中的评议可以印制凭条。"))
    codes = ballots.issue_slips(round_.masses_box, n, actor=user)
    return ballots.slips_pdf(round_.masses_box, codes, vote_url=vote_url)


def slip_to_void(round_: AppraisalRound, reference: int | str) -> dict:
    """The masses' unused slip named by its printed number or its code ({"pk", "number", "state"}),
    to confirm before voiding it; BallotRefused saying why not (unknown, used, voided, round closed)."""
    if round_.masses_box_id is None:
        raise ValidationError(_("本次评议还没有凭条。"))
    return ballots.slip_to_void(round_.masses_box, str(reference))


@transaction.atomic
def void_slip(round_: AppraisalRound, reference: int | str, user) -> int:
    """Void the unused slip named by its printed number or its code (lost, spoiled); its number."""
    slip = slip_to_void(round_, reference)
    ballots.void_slip(round_.masses_box, slip["pk"], actor=user)
    _audit(round_, _("作废第 %(n)d 号凭条") % {"n": slip["number"]})
    return slip["number"]


# --------------------------------------------------------------------------- turnout and closing

@dataclass(frozen=True)
class Turnout:
    voters: int  # members who may vote (not exempt)
    voted: int | None  # members who have voted online (None: not online / not open yet)
    slips: dict | None  # issued / used / voided
    masses_voted: int | None


def turnout(round_: AppraisalRound) -> Turnout:
    """Counts only: how many may vote, how many have; the slips issued, used and voided."""
    voters = round_.members.taking_part().count()
    if round_.members_box_id is None or round_.is_paper:
        return Turnout(voters, None, None, None)
    boxes = ballots.turnouts([round_.members_box_id, round_.masses_box_id])
    members, masses = boxes[round_.members_box_id], boxes[round_.masses_box_id]
    return Turnout(voters, members.voted, masses.slips, masses.voted)


def _counted(round_: AppraisalRound, user) -> None:
    round_.status = RoundStatus.COUNTED
    round_.closed_at = timezone.now()
    round_.save(update_fields=["status", "closed_at"])
    _audit(round_, _("计票完成"), {"members": ballots.ballots_counted(round_.members_box),
                                   "masses": ballots.ballots_counted(round_.masses_box)})


@sensitive_variables("passphrases")
def close_round(round_: AppraisalRound, passphrases: dict[int, str], user) -> AppraisalRound:
    """Count both boxes with every scrutineer's passphrase, in one transaction: all or nothing."""
    with transaction.atomic():
        round_ = _locked(round_)
        _require_status(round_, RoundStatus.VOTING, message=_("本次评议不在投票阶段，无需计票。"))
        if round_.is_paper:
            raise ValidationError(_("纸质投票由监票人录入计票结果。"))
        for electorate in Electorate.values:
            ballots.close_box(round_.box(electorate), passphrases, actor=user)
        _counted(round_, user)
    return round_


@dataclass
class PaperOutcome:
    accepted: bool
    waiting: bool  # no other scrutineer's entry yet
    differences: list[str] = field(default_factory=list)  # "张三 · 优秀" where the entries disagree


def check_paper_counts(round_: AppraisalRound, electorate: str, counts: dict[str, dict[str, int]],
                       ballots_cast: int) -> None:
    """Counts that can be true: every item, every grade, none negative, none beyond the ballots cast."""
    items = set(items_of(round_))
    if set(counts) != items:
        raise ValidationError(_("请为每一位参评党员录入票数。"))
    for item, row in counts.items():
        if set(row) != set(GRADES) or any(not isinstance(n, int) or n < 0 for n in row.values()):
            raise ValidationError(_("票数应为非负整数。"))
        if sum(row.values()) > ballots_cast:
            raise ValidationError(_("某位党员的得票合计超过了收回的有效选票数。"))
    if electorate == Electorate.MEMBERS and ballots_cast > round_.members.taking_part().count():
        raise ValidationError(_("党员互评的选票数不能多于参加投票的党员人数。"))


def _differences(round_: AppraisalRound, mine: dict, theirs: dict) -> list[str]:
    names = {m.item: m.person.name for m in round_.members.appraised().select_related("person")}
    labels = dict(Grade.choices)
    found = []
    for item in sorted(mine, key=lambda key: names.get(key, key)):
        for grade in GRADES:
            if mine[item].get(grade) != theirs.get(item, {}).get(grade):
                found.append(f"{names.get(item, item)} · {labels[grade]}")
    return found


def enter_paper_counts(round_: AppraisalRound, electorate: str, counts: dict[str, dict[str, int]],
                       ballots_cast: int, user) -> PaperOutcome:
    """One scrutineer's entry of a paper electorate's counts; the counts are recorded when two agree.

    Each scrutineer enters under their own account; an entry replaces their earlier one. When
    another scrutineer's entry equals it (every count and the number of ballots), the counts go
    into the box (``ballots.record_counts``); when both electorates are in, the round is counted.
    """
    with transaction.atomic():
        round_ = _locked(round_)
        _require_status(round_, RoundStatus.VOTING, message=_("本次评议不在投票阶段。"))
        if not round_.is_paper:
            raise ValidationError(_("网上投票的评议由监票人输入口令计票。"))
        if not round_.scrutineers.filter(pk=user.pk).exists():
            raise PermissionDenied(_("只有本次评议的监票人可以录入纸质计票结果。"))
        box = round_.box(electorate)
        if not box.is_open:
            raise ValidationError(_("%(electorate)s的计票结果已经录入一致并确认。")
                                  % {"electorate": Electorate(electorate).label})
        check_paper_counts(round_, electorate, counts, ballots_cast)
        entry = {"ballots": ballots_cast, "counts": counts}
        created = PaperCount.objects.update_or_create(round=round_, electorate=electorate, entered_by=user,
                                                      defaults={"counts": entry})[1]
        # Who entered which sheet, never its figures: the entries are double because they are
        # independent, and a scrutineer reading the round's history must not copy the other's.
        label = Electorate(electorate).label
        _audit(round_, (_("监票人录入纸质计票结果：%(electorate)s") if created
                        else _("监票人修改纸质计票结果：%(electorate)s")) % {"electorate": label},
               {"electorate": electorate}, user=user)
        others = list(PaperCount.objects.filter(round=round_, electorate=electorate).exclude(entered_by=user))
        if not others:
            return PaperOutcome(accepted=False, waiting=True)
        if any(other.counts == entry for other in others):
            ballots.record_counts(box, counts, actor=user)
            _audit(round_, _("纸质计票结果经两名监票人录入一致"), {"electorate": electorate, "ballots": ballots_cast},
                   user=user)
            for electorate_box in (round_.members_box, round_.masses_box):
                electorate_box.refresh_from_db(fields=["status"])
            if not round_.members_box.is_open and not round_.masses_box.is_open:
                _counted(round_, user)
            return PaperOutcome(accepted=True, waiting=False)
        theirs = others[-1]
        differences = _differences(round_, counts, theirs.counts.get("counts", {}))
        if theirs.counts.get("ballots") != ballots_cast:
            differences.insert(0, _("收回的有效选票数"))
        # How many figures differ, not which: the one who entered sees where on the page.
        _audit(round_, _("纸质计票结果两名监票人录入不一致：%(electorate)s，%(n)d 处不同，未予记录")
               % {"electorate": label, "n": len(differences)},
               {"electorate": electorate, "compared_with": theirs.entered_by_id, "differences": len(differences)},
               user=user)
        return PaperOutcome(accepted=False, waiting=False, differences=differences)


# --------------------------------------------------------------------------- the tally

@dataclass(frozen=True)
class GroupFigures:
    """One electorate's ratings of one person: counts per grade, or None below the minimum group."""

    counts: dict[str, int] | None
    raters: int  # how many rated; shown only with the counts

    @property
    def has_data(self) -> bool:
        return self.counts is not None

    @property
    def in_order(self) -> list[int]:
        """The counts in the order of the grades (优秀 first), for tables."""
        return [self.counts[grade] for grade in GRADES] if self.counts else []

    def share(self, grade: str) -> Decimal | None:
        if not self.counts or not self.raters:
            return None
        return Decimal(self.counts[grade]) / self.raters


@dataclass
class MemberTally:
    member: RoundMember
    groups: dict[str, GroupFigures]
    shares: dict[str, Decimal] | None  # weighted share of each grade, in percent; None: no data
    score: Decimal | None  # weighted points (优秀 100 … 不合格 0); None: no data
    suggested: str = ""

    @property
    def members(self) -> GroupFigures:
        return self.groups[Electorate.MEMBERS]

    @property
    def masses(self) -> GroupFigures:
        return self.groups[Electorate.MASSES]

    def share_of(self, grade: str) -> Decimal | None:
        return None if self.shares is None else self.shares[grade]

    @property
    def shares_in_order(self) -> list[Decimal]:
        return [self.shares[grade] for grade in GRADES] if self.shares else []


@dataclass
class RoundTally:
    round: AppraisalRound
    rows: list[MemberTally]
    ballots: dict[str, int]  # ballots counted per electorate
    receipts: dict[str, set[str]]

    def row_for(self, member_pk: int) -> MemberTally | None:
        return next((row for row in self.rows if row.member.pk == member_pk), None)


def _group(row: dict[str, int] | None, minimum: int) -> GroupFigures:
    counts = {grade: int((row or {}).get(grade, 0)) for grade in GRADES}
    raters = sum(counts.values())
    return GroupFigures(counts if raters >= minimum else None, raters if raters >= minimum else 0)


def weighted(groups: dict[str, GroupFigures], weights: dict[str, int]) -> tuple[dict | None, Decimal | None]:
    """The weighted share of each grade (percent) and points over the groups with data; (None, None) if none."""
    present = {e: g for e, g in groups.items() if g.has_data and weights.get(e, 0) > 0}
    total_weight = sum(weights[e] for e in present)
    if not total_weight:
        return None, None
    shares = {}
    for grade in GRADES:
        value = sum(weights[e] * g.share(grade) for e, g in present.items()) / total_weight
        shares[grade] = (value * 100).quantize(PERCENT, ROUND_HALF_UP)
    score = sum(Decimal(GRADE_POINTS[grade]) * sum(weights[e] * g.share(grade) for e, g in present.items())
                for grade in GRADES) / total_weight
    return shares, score.quantize(PERCENT, ROUND_HALF_UP)


def suggest(rows: list[MemberTally], limit: int) -> None:
    """A starting point for the committee: each member's most given grade, 优秀 within the cap.

    Ties go to the better grade; members beyond the cap by their 优秀 share are suggested 合格.
    Members without data get no suggestion: the committee decides them itself.
    """
    for row in rows:
        if row.shares is not None:
            row.suggested = max(GRADES, key=lambda grade: (row.shares[grade], -GRADES.index(grade)))
    excellent = sorted((r for r in rows if r.suggested == Grade.EXCELLENT),
                       key=lambda r: (r.shares[Grade.EXCELLENT], r.score), reverse=True)
    for row in excellent[limit:]:
        row.suggested = Grade.QUALIFIED


def tally(round_: AppraisalRound) -> RoundTally:
    """Per appraised member, the members' and the masses' counts per grade and the weighted figures.

    Readable after close only (``ballots.tally`` refuses before). A group of fewer than
    ``min_group`` raters has no figures.
    """
    if not round_.is_counted:
        raise BallotRefused(_("投票尚未计票，结果不可查看。"))
    counts = {e: ballots.tally(round_.box(e)) for e in Electorate.values}
    members = list(round_.members.appraised().select_related("person", "org").order_by("org__path", "person__name"))
    weights = round_.weights()
    rows = []
    for member in members:
        groups = {e: _group(counts[e].get(member.item), round_.min_group) for e in Electorate.values}
        shares, score = weighted(groups, weights)
        rows.append(MemberTally(member, groups, shares, score))
    suggest(rows, round_.excellent_limit(len(rows)))
    return RoundTally(round_, rows, {e: ballots.ballots_counted(round_.box(e)) for e in Electorate.values},
                      {e: ballots.counted_receipts(round_.box(e)) for e in Electorate.values})


def receipt_counted(box, receipt: str) -> bool | None:
    """Whether a receipt is among those counted; None while the box is open."""
    if box.is_open:
        return None
    typed = "".join(ch for ch in receipt.upper() if ch not in " -")
    return typed in ballots.counted_receipts(box)


# --------------------------------------------------------------------------- 组织评定

def check_grades(round_: AppraisalRound, proposals: dict[int, tuple[str, str]]) -> None:
    """The rules of a proposal: every appraised member graded, 优秀 within the cap, reasons where needed."""
    appraised = {m.pk: m for m in round_.members.appraised().select_related("person")}
    errors = []
    if set(proposals) != set(appraised):
        errors.append(_("请为每一位参评的正式党员评定等次（预备党员和免评党员不评定等次）。"))
    for pk, (grade, reason) in proposals.items():
        member = appraised.get(pk)
        if member is None:
            continue
        if grade not in GRADES:
            errors.append(_("%(person)s：请选择评定等次。") % {"person": member.person.name})
        elif grade in GRADES_WITH_REASON and not (reason or "").strip():
            errors.append(_("%(person)s评为“%(grade)s”，须写明理由。")
                          % {"person": member.person.name, "grade": Grade(grade).label})
    excellent = sum(1 for grade, _reason in proposals.values() if grade == Grade.EXCELLENT)
    limit = round_.excellent_limit(len(appraised))
    if excellent > limit:
        errors.append(_("评为优秀的有 %(n)d 人，超过了上限 %(limit)d 人（参评 %(total)d 人的 %(cap)s%%）。") % {
            "n": excellent, "limit": limit, "total": len(appraised), "cap": _cap_label(round_)})
    if errors:
        raise ValidationError(errors)


def _cap_label(round_: AppraisalRound) -> str:
    return f"{round_.excellent_cap.normalize():f}"


@transaction.atomic
def propose_grades(round_: AppraisalRound, proposals: dict[int, tuple[str, str]], user) -> AppraisalRound:
    """The branch committee's proposal (支委会提出评定意见): one grade per appraised member."""
    round_ = _locked(round_)
    _require_status(round_, *DECIDING_STATUSES, message=_("计票之后才能进行组织评定。"))
    check_grades(round_, proposals)
    members = {m.pk: m for m in round_.members.appraised()}
    for pk, (grade, reason) in proposals.items():
        member = members[pk]
        reason = (reason or "").strip()
        if (member.grade, member.grade_reason) != (grade, reason):
            member.grade, member.grade_reason = grade, reason
            member.save(update_fields=["grade", "grade_reason"])
    round_.status = RoundStatus.PROPOSED
    round_.proposed_by = user
    round_.proposed_at = timezone.now()
    round_.save(update_fields=["status", "proposed_by", "proposed_at"])
    _audit(round_, _("支委会提出评定意见"), {"grades": dict(Counter(g for g, _r in proposals.values()))})
    return round_


def full_members(round_: AppraisalRound) -> int:
    """正式党员 of the round (exempt ones too): those with a vote at the general meeting."""
    return round_.members.filter(standing=Standing.APPRAISED).count()


@transaction.atomic
def record_decision(round_: AppraisalRound, meeting_on: date, attendance: int, note: str, user) -> AppraisalRound:
    """The branch general meeting's decision on the proposal (支部党员大会审议决定)."""
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.PROPOSED, message=_("支委会提出评定意见后，才能登记党员大会的决定。"))
    errors = {}
    if meeting_on > timezone.localdate():
        errors["meeting_on"] = _("党员大会日期不能晚于今天。")
    elif round_.closed_at and meeting_on < timezone.localtime(round_.closed_at).date():
        errors["meeting_on"] = _("党员大会应在计票之后召开。")
    entitled = full_members(round_)
    if attendance > entitled:
        errors["meeting_attendance"] = _("到会人数不能多于有表决权的正式党员人数（%(n)d 人）。") % {"n": entitled}
    elif attendance * 2 <= entitled:
        errors["meeting_attendance"] = _("到会的正式党员须超过应到会人数（%(n)d 人）的半数，决定方为有效。") % {
            "n": entitled}
    if errors:
        raise ValidationError(errors)
    round_.meeting_on, round_.meeting_attendance, round_.meeting_note = meeting_on, attendance, (note or "").strip()
    round_.status = RoundStatus.DECIDED
    round_.decided_by, round_.decided_at = user, timezone.now()
    round_.reviewed_by, round_.reviewed_at, round_.review_comment = None, None, ""
    round_.save()
    _audit(round_, _("支部党员大会决定评定结果"), {"meeting_on": meeting_on.isoformat(), "attendance": attendance})
    return round_


APPROVE, RETURN = "approve", "return"


@transaction.atomic
def review(round_: AppraisalRound, decision: str, comment: str, user) -> AppraisalRound:
    """The unit committee reviews the decided grades: 通过, or 退回 with a reason (proposed again)."""
    round_ = _locked(round_)
    _require_status(round_, RoundStatus.DECIDED, message=_("只有已决定的评定结果可以审核。"))
    comment = (comment or "").strip()
    if decision not in (APPROVE, RETURN):
        raise ValidationError({"decision": _("请选择通过或退回。")})
    if decision == RETURN and not comment:
        raise ValidationError({"comment": _("退回须填写原因。")})
    round_.status = RoundStatus.APPROVED if decision == APPROVE else RoundStatus.RETURNED
    round_.reviewed_by, round_.reviewed_at, round_.review_comment = user, timezone.now(), comment
    round_.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    _audit(round_, _("上级审核通过评定结果") if decision == APPROVE else _("上级退回评定结果"),
           {"comment": comment} if comment else None)
    return round_


# --------------------------------------------------------------------------- what waits for whom

def ballots_to_cast(user):
    """RoundMember rows of rounds open to vote in where the user has not voted yet (their to-do).

    Whether they voted is the box's to say (``ballots.has_voted``), asked per open round: a
    member has one or two at a time.
    """
    person_id = get_scope(user).person_id
    if person_id is None:
        return RoundMember.objects.none()
    rows = list(RoundMember.objects.filter(person_id=person_id, exempt=False, round__status=RoundStatus.VOTING,
                                           round__voting_ends_on__gte=timezone.localdate())
                .exclude(round__mode="paper").select_related("round__members_box"))
    participant = ballots.participant_for_user(user)
    waiting = [r.pk for r in rows if r.round.members_box is not None
               and r.round.members_box.is_open and not ballots.has_voted(r.round.members_box, participant)]
    return RoundMember.objects.filter(pk__in=waiting)


def self_assessments_due(user):
    """The user's rows of rounds whose self-assessment step has begun and who have written none."""
    person_id = get_scope(user).person_id
    if person_id is None:
        return RoundMember.objects.none()
    return RoundMember.objects.filter(person_id=person_id, exempt=False, round__status__in=SELF_ASSESSMENT_STATUSES,
                                      round__self_starts_on__lte=timezone.localdate(),
                                      self_assessment__isnull=True)



def rounds_to_close(user):
    """Rounds in the vote whose scrutineers include the user (to count, or to enter paper counts).

    An account that could be no scrutineer (the policy's ``SCRUTINEER``) has no such to-do, and
    costs no query.
    """
    if not could(user, AppraisalRound, "count"):
        return AppraisalRound.objects.none()
    return AppraisalRound.objects.voting().filter(scrutineers=user)



def grades_to_decide(user):
    """Counted (or returned) rounds to propose grades for, or proposals awaiting the general meeting."""
    return AppraisalRound.objects.for_user(user, "decide")


def grades_to_review(user):
    return AppraisalRound.objects.for_user(user, "review")

