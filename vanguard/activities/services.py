"""Meetings: who is expected, the life cycle (planned → held or cancelled), attendance, QR check-in.

Who is expected is read from the organisational relations (``orgs.Membership``) on the meeting's
day, not from today's roster: a member who transferred in after the day was not expected, one
who left before it was not either, one who left since still was. Party members only (正式 and
预备, and only from their join date). A branch's meeting expects the members of its 党小组 too
(the roster keeps most members in their group); a group's meeting its own members; the
支部委员会会议 the committee members in post that day (``committees.services.members_on``); a
committee-level mobilisation meeting its whole subtree. A 谈心谈话 record expects the people of
its talks.

Attendance is written in one bulk statement per page or API call and logged as one audit event
of the meeting. Whatever writes attendance rows recounts the meeting's stored figures in the
same transaction (``recount``): counting meetings reads those figures, not the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.committees import services as committees
from vanguard.orgs.models import PARTY_STATUSES, Membership, OrgType, Person

from . import checkin
from .models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus, TalkPair

UPPER_ORG_TYPES = (OrgType.BUREAU_COMMITTEE, OrgType.COMMITTEE, OrgType.GENERAL_BRANCH)


def _member_orgs_q(meeting: Meeting) -> Q:
    """The orgs whose members a meeting expects, as a condition on ``Membership``."""
    org = meeting.org
    if org.org_type == OrgType.BRANCH or (meeting.kind == MeetingKind.MOBILISATION and org.org_type in UPPER_ORG_TYPES):
        return Q(org__path__startswith=org.path)
    return Q(org=org)


def expected_person_ids(meeting: Meeting, day: date | None = None):
    """A values queryset of the person ids expected at ``meeting`` (see the module docstring)."""
    day = day or meeting.date or timezone.localdate()
    if meeting.kind == MeetingKind.HEART_TO_HEART:
        talks = TalkPair.objects.filter(meeting=meeting) if meeting.pk else TalkPair.objects.none()
        return Person.objects.filter(Q(talks_given__in=talks) | Q(talks_received__in=talks)).values("pk").distinct()
    if meeting.kind == MeetingKind.COMMITTEE_MEETING:
        return Person.objects.filter(pk__in=committees.members_on(meeting.org, day)).values("pk")
    relations = Membership.objects.filter(_member_orgs_q(meeting), started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    people = Person.objects.filter(status__in=PARTY_STATUSES).filter(Q(join_date__isnull=True) | Q(join_date__lte=day))
    # An open relation of someone struck off the roster: they left on a day nobody recorded;
    # they are not expected at meetings of the relation's org any more.
    relations = relations.exclude(ended_on__isnull=True, person__is_active=False)
    return people.filter(pk__in=relations.values("person_id")).values("pk")


def expected_people(meeting: Meeting):
    return Person.objects.filter(pk__in=expected_person_ids(meeting))


def _set_lecture_flag(meeting: Meeting) -> None:
    """``by_secretary``: a 党课 held and lectured by the org's secretary of that day.

    Read from the committee's history; for an org whose secretaries were never recorded there,
    from the roster's secretary (all there is to go by).
    """
    if meeting.kind != MeetingKind.PARTY_LECTURE or not meeting.lecturer_id or not meeting.held_on:
        meeting.by_secretary = False
        return
    secretary = committees.secretary_on(meeting.org_id, meeting.held_on)
    if secretary is None and not committees.has_secretary_history(meeting.org_id):
        secretary = meeting.org.secretary_id
    meeting.by_secretary = meeting.lecturer_id == secretary


def recount(meeting: Meeting) -> None:
    """Store the meeting's attendance figures from its rows, after any write of them (also on the instance)."""
    Meeting.objects.filter(pk=meeting.pk).recount_attendance()
    meeting.refresh_from_db(fields=Meeting.FIGURES)


def refresh_expected(meeting: Meeting) -> tuple[int, int]:
    """Make the attendance rows the people expected on the meeting's day: (added, removed).

    Rows of people still expected keep their marks.
    """
    wanted = set(expected_person_ids(meeting).values_list("pk", flat=True))
    present = dict(meeting.attendances.values_list("person_id", "pk"))
    added = wanted - present.keys()
    removed = [pk for person, pk in present.items() if person not in wanted]
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person_id=pk) for pk in added], ignore_conflicts=True)
    if removed:
        Attendance.objects.filter(pk__in=removed).delete()
    if added or removed:
        recount(meeting)
    return len(added), len(removed)


# ------------------------------------------------------------------------------ frozen periods

def frozen(org, *days) -> bool:
    """Whether any of ``days`` of ``org``'s organisational life lies in a period whose assessment
    has been published: those records stay as they were scored (a mistake is corrected through an
    appeal and the next assessment version, not by rewriting what was assessed)."""
    # The assessment reads meetings (its metrics), so it is imported here, when asked, not at load.
    from vanguard.assessment.services import frozen_through

    return any(frozen_through(org, day) for day in {day for day in days if day})


def frozen_message() -> str:
    return _("该日期所在时段的考核结果已经发布，这一时段的组织生活记录已锁定，不能再修改；如有错误，请通过考核申诉更正。")


def refuse_if_frozen(meeting: Meeting, *days) -> None:
    """Refuse a change to a meeting held (or moved) into a period of a published assessment."""
    if frozen(meeting.org, meeting.held_on, *days):
        raise ValidationError(frozen_message())


@transaction.atomic
def create_meeting(meeting: Meeting, user=None) -> Meeting:
    if user is not None and meeting.created_by_id is None:
        meeting.created_by = user
    _set_lecture_flag(meeting)
    meeting.save()
    refresh_expected(meeting)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, *, day_changed: bool) -> Meeting:
    """Save an edited meeting; a new day or kind means a new list of people expected."""
    _set_lecture_flag(meeting)
    meeting.save()
    if day_changed:
        added, removed = refresh_expected(meeting)
        if added or removed:
            record(AuditAction.UPDATE, meeting, message=_("会议日期或类型变更，应到人员增加 %(a)d 人、减少 %(r)d 人")
                   % {"a": added, "r": removed})
    return meeting


@transaction.atomic
def cancel_meeting(meeting: Meeting, reason: str) -> Meeting:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写取消原因。"))
    refuse_if_frozen(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("该会议已取消。"))
    if meeting.status == MeetingStatus.HELD and meeting.held_on:
        raise ValidationError(_("已召开的会议不能取消；如登记有误，请编辑或删除。"))
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason[:200]
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    return meeting


@transaction.atomic
def save_attendance(meeting: Meeting, rows: list[Attendance], changes: dict) -> int:
    """Write the marked rows in one bulk update and log one audit event for the meeting.

    Saving the list is the recorder's confirmation: QR check-ins it shows are confirmed with it.
    """
    if rows:
        refuse_if_frozen(meeting)
        for row in rows:
            row.provisional = False
        Attendance.objects.bulk_update(rows, ["status", "note", "provisional"], batch_size=500)
        recount(meeting)
        record(AuditAction.UPDATE, meeting, message=_("登记出席情况 %(n)d 人") % {"n": len(rows)}, changes=changes)
    return len(rows)


@dataclass(frozen=True)
class Mark:
    person_id: int
    status: str
    note: str = ""


@transaction.atomic
def mark_attendance(meeting: Meeting, marks: list[Mark]) -> int:
    """Several people's attendance at once (the API): all or nothing, only people expected."""
    rows = {row.person_id: row for row in meeting.attendances.select_related("person").select_for_update(of=("self",))}
    unknown = sorted({m.person_id for m in marks} - rows.keys())
    if unknown:
        raise ValidationError(_("以下人员不在本次会议的应到名单中：%(ids)s") % {"ids": "、".join(map(str, unknown))})
    changed, changes = [], {}
    for mark in marks:
        if mark.status not in AttendanceStatus.values:
            raise ValidationError(_("出席情况“%(s)s”无效。") % {"s": mark.status})
        if mark.status == AttendanceStatus.EXCUSED and not mark.note.strip():
            raise ValidationError(_("请假须填写事由（人员 %(id)d）。") % {"id": mark.person_id})
        row = rows[mark.person_id]
        if (row.status, row.note, row.provisional) != (mark.status, mark.note, False):
            changes[f"{row.person.name}#{row.person_id}"] = [{"status": row.status, "note": row.note},
                                                           {"status": mark.status, "note": mark.note}]
            row.status, row.note = mark.status, mark.note[:200]
            changed.append(row)
    return save_attendance(meeting, changed, changes)


# ------------------------------------------------------------------------------ QR check-in

class CheckinRefused(Exception):
    """Why a scan did not check the person in, for the person (already translated)."""


def checkin_open(meeting: Meeting, today: date | None = None) -> bool:
    """The QR code is shown, and accepted, on the meeting's day while it is not cancelled."""
    return meeting.status != MeetingStatus.CANCELLED and meeting.date == (today or timezone.localdate())


def check_in(meeting_id: int, user, window, code) -> tuple[Meeting, bool]:
    """Mark the signed-in user's own person present, provisionally: (meeting, newly checked in).

    Only ever the user's own record: nothing in the request names a person. The code is checked
    before the meeting is even read, so a wrong code tells nothing about the meeting.
    """
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        raise PermissionDenied(_("您的账号未关联人员档案，不能扫码签到。"))
    verdict = checkin.verify(meeting_id, window, code)
    if verdict is checkin.Verdict.EXPIRED:
        raise CheckinRefused(_("二维码已过期（每分钟更新一次），请重新扫描会场屏幕上的二维码。"))
    if verdict is not checkin.Verdict.VALID:
        raise CheckinRefused(_("签到码无效：它不是本次会议的签到二维码。请扫描会场屏幕上的二维码。"))
    with transaction.atomic():
        meeting = Meeting.objects.select_related("org").get(pk=meeting_id)
        if not checkin_open(meeting):
            raise CheckinRefused(_("本次会议现在不开放签到（已取消，或不在会议当天）。"))
        row = meeting.attendances.select_for_update().filter(person_id=person_id).first()
        if row is None:
            raise CheckinRefused(_("您不在本次会议的应到人员名单中，无需签到；列席人员请向记录人登记。"))
        if row.status == AttendanceStatus.PRESENT:
            return meeting, False  # a second scan changes nothing
        if row.status != AttendanceStatus.UNMARKED:
            raise CheckinRefused(_("记录人已将您登记为“%(s)s”；如有误，请当面告知记录人。")
                                 % {"s": row.get_status_display()})
        row.status, row.provisional, row.checked_in_at = AttendanceStatus.PRESENT, True, timezone.now()
        row.save(update_fields=["status", "provisional", "checked_in_at"])
        recount(meeting)
        record(AuditAction.UPDATE, meeting, message=_("扫码签到（待记录人确认）"),
               changes={f"{user.person.name}#{person_id}": [AttendanceStatus.UNMARKED, AttendanceStatus.PRESENT]})
    return meeting, True


# ------------------------------------------------------------------------------ guests and talks

@transaction.atomic
def save_talks(meeting: Meeting, formset) -> None:
    """Save a 谈心谈话 record's talks; the people of the talks are its attendance, present."""
    refuse_if_frozen(meeting)
    formset.save()
    refresh_expected(meeting)
    if meeting.attendances.filter(status=AttendanceStatus.UNMARKED).update(status=AttendanceStatus.PRESENT):
        recount(meeting)
    record(AuditAction.UPDATE, meeting, message=_("登记谈话记录 %(n)d 组") % {"n": meeting.talks.count()})
