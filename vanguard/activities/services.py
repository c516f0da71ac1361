"""Meetings: expected attendees filled in one statement; attendance saved in one bulk update."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.orgs.models import OrgType, Person

from .models import Attendance, Meeting, MeetingKind

UPPER_ORG_TYPES = (OrgType.BUREAU_COMMITTEE, OrgType.COMMITTEE, OrgType.GENERAL_BRANCH)


def expected_people(meeting: Meeting):
    """Current party members of the org; of its whole subtree for a committee-level mobilisation meeting."""
    people = Person.objects.current().party_members()
    if meeting.kind == MeetingKind.MOBILISATION and meeting.org.org_type in UPPER_ORG_TYPES:
        return people.filter(org__path__startswith=meeting.org.path)
    return people.filter(org=meeting.org)


@transaction.atomic
def create_meeting(meeting: Meeting, user=None) -> Meeting:
    if user is not None and meeting.created_by_id is None:
        meeting.created_by = user
    meeting.save()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, person_id=pk) for pk in expected_people(meeting).values_list("pk", flat=True)],
        ignore_conflicts=True,
    )
    return meeting


@transaction.atomic
def save_attendance(meeting: Meeting, rows: list[Attendance], changes: dict) -> int:
    """Write the marked rows in one bulk update and log one audit event for the meeting."""
    if rows:
        Attendance.objects.bulk_update(rows, ["status", "note"], batch_size=500)
        record(AuditAction.UPDATE, meeting, message=_("登记出席情况 %(n)d 人") % {"n": len(rows)}, changes=changes)
    return len(rows)
