"""The committee's history read by other apps, and the one place that keeps ``Org.secretary`` in step.

- ``members_on(org, day)``: who sat on the org's committee that day (the 支部委员会会议 expects
  them; 谈心谈话 is between them and the members);
- ``secretary_on(org, day)``: who was the org's secretary that day (a 党课 lectured by them is
  "书记讲党课");
- ``sync_secretary(org)``: after any change to an org's secretaries, ``Org.secretary`` names the
  one in post today. An org whose committee was never recorded keeps the secretary its roster
  gave it: the history starts when someone records it.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.orgs.models import OrgType

from .models import CommitteeMember, CommitteePost, CommitteeTerm


def members_on(org, day: date):
    """Person ids of the org's committee members on ``day``."""
    return (CommitteeMember.objects.on(day).filter(term__org=org).order_by()
            .values_list("person_id", flat=True).distinct())


def secretary_on(org_id: int, day: date) -> int | None:
    """The person id of the org's secretary on ``day``; None when none is recorded for that day."""
    return (CommitteeMember.objects.on(day).secretaries().filter(term__org_id=org_id)
            .order_by("-started_on", "-pk").values_list("person_id", flat=True).first())


def has_secretary_history(org_id: int) -> bool:
    return CommitteeMember.objects.secretaries().filter(term__org_id=org_id).exists()


def check_overlap(member: CommitteeMember) -> None:
    """One person holds one post of an org's committee at a time, and an org has one secretary at a time."""
    ends = member.ended_on
    overlapping = CommitteeMember.objects.filter(term__org_id=member.term.org_id).exclude(pk=member.pk).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=member.started_on))
    if ends is not None:
        overlapping = overlapping.filter(started_on__lt=ends)
    if overlapping.filter(person_id=member.person_id).exists():
        raise ValidationError(_("该同志在这段时间已担任本组织委员会的其他职务（或同一职务），任职时间不能重叠。"))
    if member.post == CommitteePost.SECRETARY and overlapping.filter(post=CommitteePost.SECRETARY).exists():
        raise ValidationError(_("这段时间本组织已有书记在任：请先填写前任书记的离任日期。"))


@transaction.atomic
def save_member(member: CommitteeMember) -> CommitteeMember:
    check_overlap(member)
    member.save()
    sync_secretary(member.term.org)
    return member


def sync_secretary(org, removed: tuple[int, ...] = ()) -> None:
    """Point ``org.secretary`` at the secretary in post today (see the module docstring).

    ``removed``: people whose secretary records were just deleted; when no record is left, the
    org's secretary is cleared if it was one of them (it came from those records).
    """
    if has_secretary_history(org.pk):
        current = secretary_on(org.pk, timezone.localdate())
    elif org.secretary_id in removed:
        current = None
    else:
        return
    if org.secretary_id != current:
        org.secretary_id = current
        org.save(update_fields=["secretary"])  # an audited change of the org


def next_number(org) -> int:
    last = CommitteeTerm.objects.filter(org=org).order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def default_expiry(org, elected: date) -> date:
    """A branch committee (and a general branch's) serves three years, a 党委 five."""
    years = 3 if org.org_type in (OrgType.BRANCH, OrgType.GENERAL_BRANCH) else 5
    try:
        return elected.replace(year=elected.year + years)
    except ValueError:  # elected on 29 February
        return elected.replace(year=elected.year + years, day=28)


@transaction.atomic
def save_term(term: CommitteeTerm) -> CommitteeTerm:
    """Save a term; a term that ended (换届) closes the posts still open on that day."""
    if term.expires_on is None:
        term.expires_on = default_expiry(term.org, term.elected_on)
    term.save()
    if term.ended_on:
        for member in term.members.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=term.ended_on)):
            member.ended_on = max(term.ended_on, member.started_on)
            member.save(update_fields=["ended_on"])
    sync_secretary(term.org)
    return term
