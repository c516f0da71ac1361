"""Meetings with attendance: the record of organisational life (三会一课, 主题党日, …).

The campaign's mobilisation meetings (深入发动) are meetings too, of the kinds in
``MOBILISATION_KINDS`` with a campaign set; the organisational-life issue reuses
this model for the required-frequency tracking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from vanguard.attachments.models import Attachment
from vanguard.audit.models import AuditedModel
from vanguard.core.policy import Own, OwnOrg, Policy, Subtree
from vanguard.core.roles import EDITOR_ROLES, STAFF_ROLES
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.links import object_url


class MeetingKind(models.TextChoices):
    BRANCH_GENERAL_MEETING = "branch_general_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支部委员会会议")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEMED_DAY = "themed_day", _("主题党日")
    ORG_LIFE_MEETING = "org_life_meeting", _("组织生活会")
    DEMOCRATIC_APPRAISAL = "democratic_appraisal", _("民主评议党员")
    HEART_TO_HEART = "heart_to_heart", _("谈心谈话")
    MOBILISATION = "mobilisation", _("动员部署会")
    SYMPOSIUM = "symposium", _("座谈会")
    DISCUSSION = "discussion", _("专题讨论")


# "三会一课" and its official minimum frequency, in months per required meeting (支部党员大会 and
# 党课 at least once a quarter, 支部委员会 and 党小组会 at least once a month).
THREE_MEETINGS_EVERY_MONTHS = {
    MeetingKind.BRANCH_GENERAL_MEETING: 3,
    MeetingKind.COMMITTEE_MEETING: 1,
    MeetingKind.GROUP_MEETING: 1,
    MeetingKind.PARTY_LECTURE: 3,
}
THREE_MEETINGS_ONE_LECTURE = frozenset(THREE_MEETINGS_EVERY_MONTHS)
# Held by each 党小组 of a branch; the other kinds by the branch itself.
HELD_BY_GROUPS = frozenset({MeetingKind.GROUP_MEETING})
# 深入发动: meetings of these kinds with a campaign are the campaign's mobilisation record.
MOBILISATION_KINDS = frozenset({MeetingKind.MOBILISATION, MeetingKind.SYMPOSIUM, MeetingKind.DISCUSSION})


class MeetingStatus(models.TextChoices):
    # Held is the default: a meeting recorded after the fact (the usual case, and every bulk
    # import or back-fill) is held; a plan is entered as planned and later held or cancelled.
    PLANNED = "planned", _("计划")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class AttendanceStatus(models.TextChoices):
    UNMARKED = "", _("未登记")
    PRESENT = "present", _("出席")
    EXCUSED = "excused", _("请假")
    ABSENT = "absent", _("缺席")


def counted_q() -> Q:
    """The condition of ``Meeting.objects.counted()``, for conditional counts over meetings.

    Held (not planned, not cancelled), dated, with a topic and minutes, someone expected and every
    expected person marked — a QR check-in still waiting for the recorder's confirmation is not
    marked yet. The attendance part reads the meeting's stored figures (``Meeting.FIGURES``), so a
    metric over a year of meetings reads the meetings, not every attendance row twice.
    """
    return (Q(attendance_expected__gt=0, attendance_open=0, held_on__isnull=False, status=MeetingStatus.HELD)
            & ~Q(topic="") & ~Q(minutes=""))


def _figures_of_rows() -> dict:
    """The stored figures of each meeting of a queryset, as correlated counts of its attendance rows."""
    rows = Attendance.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting")

    def count(condition: Q | None = None):
        counted = rows.filter(condition) if condition is not None else rows
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)

    return {
        "attendance_expected": count(),
        "attendance_present": count(Q(status=AttendanceStatus.PRESENT)),
        "attendance_open": count(Q(status=AttendanceStatus.UNMARKED) | Q(provisional=True)),
    }


# Each attendance figure a meeting shows (``Meeting._figure`` reads them): its name and the rows it
# counts, None for all of them.
ATTENDANCE_FIGURES = {
    "expected_count": None,
    "present_count": Q(status=AttendanceStatus.PRESENT),
    "excused_count": Q(status=AttendanceStatus.EXCUSED),
    "absent_count": Q(status=AttendanceStatus.ABSENT),
    "unmarked_count": Q(status=AttendanceStatus.UNMARKED),
    "provisional_count": Q(provisional=True),
}


def _prefixed(condition: Q, prefix: str) -> Q:
    return Q(*((f"{prefix}{name}", value) for name, value in condition.children), _connector=condition.connector)


class MeetingQuerySet(ScopedQuerySet):
    def with_attendance(self):
        """Per-meeting attendance figures in the same query (no per-row counting)."""
        return self.annotate(**{
            name: Count("attendances", filter=None if rows is None else _prefixed(rows, "attendances__"))
            for name, rows in ATTENDANCE_FIGURES.items()})

    def decorate_page(self, meetings: list) -> None:
        """The attendance figures of a page of meetings, in one grouped query for those meetings:
        an aggregate on the list's queryset would be computed for every row listed before the
        database could limit it, and loading the page's attendance rows built a thousand objects."""
        by_id = {meeting.pk: meeting for meeting in meetings}
        for meeting in meetings:
            for name in ATTENDANCE_FIGURES:
                setattr(meeting, name, 0)
        rows = (Attendance.objects.filter(meeting_id__in=by_id).order_by().values("meeting_id")
                .annotate(**{name: Count("pk", filter=rows) for name, rows in ATTENDANCE_FIGURES.items()}))
        for row in rows:
            meeting = by_id[row.pop("meeting_id")]
            for name, value in row.items():
                setattr(meeting, name, value)

    def counted(self):
        """Meetings that count: date, topic, minutes, and every expected person marked."""
        return self.filter(counted_q())

    def recount_attendance(self) -> int:
        """Store each meeting's figures from its attendance rows (one UPDATE); how many meetings.

        Every code path that writes attendance rows calls it in the same transaction (through
        ``activities.services.recount``); ``with_stale_figures`` finds a meeting it missed.
        """
        return self.update(**_figures_of_rows())

    def with_stale_figures(self):
        """The meetings whose stored figures differ from their attendance rows (none, when every
        writer recounts): the check of the stored figures, for tests and an administrator."""
        rows = {f"rows_{name}": value for name, value in _figures_of_rows().items()}
        stale = Q()
        for name in Meeting.FIGURES:
            stale |= ~Q(**{name: F(f"rows_{name}")})
        return self.annotate(**rows).filter(stale)

    def mobilisation(self):
        return self.filter(kind__in=MOBILISATION_KINDS, campaign__isnull=False)


class Meeting(AuditedModel):
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT, related_name="meetings")
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("所属创建活动"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="meetings",
    )
    kind = models.CharField(_("类型"), max_length=30, choices=MeetingKind.choices, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.HELD,
                              db_index=True)
    topic = models.CharField(_("主题"), max_length=200)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True, db_index=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    host = models.ForeignKey(
        "orgs.Person", verbose_name=_("主持人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorder = models.ForeignKey(
        "orgs.Person", verbose_name=_("记录人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lecturer = models.ForeignKey(
        "orgs.Person", verbose_name=_("授课人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 技术党课: a 党课 on the job's technique; it counts as a 党课 like any other.
    is_technical = models.BooleanField(_("技术党课"), default=False)
    # Set from the committee's history when a 党课 is saved (the lecturer was the org's secretary
    # on the day), so "the secretary lectures once a year" is a plain filter.
    by_secretary = models.BooleanField(_("书记讲党课"), default=False)
    # Sanitised HTML (vanguard.activities.richtext), never rendered unsanitised.
    minutes = models.TextField(_("会议记录"), blank=True)
    # Figures of the attendance rows, kept with the meeting so that counting meetings (counted_q)
    # and adding up attendance over a year read meeting rows only. Written only by
    # ``MeetingQuerySet.recount_attendance`` (and the demo's bulk load, from the rows it writes),
    # never by ``save()``: an edit loaded before a check-in must not write back older figures.
    attendance_expected = models.PositiveIntegerField(_("应到人数"), default=0, editable=False)
    attendance_present = models.PositiveIntegerField(_("出席人数"), default=0, editable=False)
    # Unmarked, or checked in by QR and not yet confirmed by the recorder: the meeting does not count.
    attendance_open = models.PositiveIntegerField(_("未登记或待确认人数"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MeetingQuerySet.as_manager()
    # How lists show meetings, on the page and in the API: planned ones (no held date yet) first,
    # then the latest held. Migration 0005 indexes exactly this on PostgreSQL, so the first page of
    # a bureau's 123,000 meetings reads fifty index entries instead of sorting thousands of rows.
    LIST_ORDER = (F("held_on").desc(nulls_first=True), F("planned_on").desc(nulls_last=True), F("id").desc())
    FIGURES = ("attendance_expected", "attendance_present", "attendance_open")
    audit_exclude = ("created_at", "updated_at", *FIGURES)

    class Meta:
        verbose_name = _("会议活动")
        verbose_name_plural = _("会议活动")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"

    # Staff read their subtree's meetings; members those of their own org and those they were
    # expected at (a meeting of the unit they attended as a guest).
    policy = Policy(
        org="org",
        view=Subtree(STAFF_ROLES) | OwnOrg() | Own("attendances__person", many=True),
        change=EDITOR_ROLES,
    )

    def get_absolute_url(self) -> str:
        return object_url("activities:meeting_detail", self.pk)

    def save(self, *args, **kwargs):
        # An existing meeting's figures belong to recount_attendance (see the fields).
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields if not f.primary_key
                                       and f.name not in self.FIGURES and f.attname not in deferred]
        super().save(*args, **kwargs)

    def _figure(self, name: str) -> int:
        """An attendance figure: annotated (``with_attendance``), attached to a list's page
        (``decorate_page``), or counted (one query; a detail page annotates instead)."""
        value = getattr(self, name, None)
        if value is not None:
            return value
        rows = ATTENDANCE_FIGURES[name]
        return (self.attendances if rows is None else self.attendances.filter(rows)).count()

    @property
    def expected(self) -> int:
        return self._figure("expected_count")

    @property
    def present(self) -> int:
        return self._figure("present_count")

    @property
    def excused(self) -> int:
        return self._figure("excused_count")

    @property
    def absent(self) -> int:
        return self._figure("absent_count")

    @property
    def unmarked(self) -> int:
        return self._figure("unmarked_count")

    @property
    def provisional(self) -> int:
        """QR check-ins the recorder has not confirmed yet."""
        return self._figure("provisional_count")

    @property
    def attendance_rate(self) -> float | None:
        """Present among those expected, in percent (None when nobody is expected)."""
        return round(100 * self.present / self.expected, 1) if self.expected else None

    @property
    def counts(self) -> bool:
        """Whether the meeting counts (``counted_q``): held, dated, topic, minutes, everyone marked and confirmed."""
        return bool(self.status == MeetingStatus.HELD and self.held_on and self.topic.strip() and self.minutes.strip()
                    and self.expected and self.unmarked == 0 and self.provisional == 0)

    @property
    def is_mobilisation(self) -> bool:
        return self.kind in MOBILISATION_KINDS and self.campaign_id is not None

    @property
    def date(self):
        """The day the meeting is about: held on, or planned for."""
        return self.held_on or self.planned_on


class Attendance(models.Model):
    """One expected person at one meeting; written in bulk, audited per save by the meeting's events."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("会议"))
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="attendances",
                               verbose_name=_("人员"))
    status = models.CharField(_("出席情况"), max_length=10, choices=AttendanceStatus.choices, blank=True,
                              default=AttendanceStatus.UNMARKED)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # A QR check-in: present until the recorder confirms the list (a forwarded code is caught there).
    provisional = models.BooleanField(_("待确认"), default=False)
    checked_in_at = models.DateTimeField(_("扫码签到时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Marked through the meeting's page (activities.services.mark_attendance); read like it.
    policy = Policy(org="meeting__org", person="person",
                    view=Subtree(STAFF_ROLES) | Own(), change=EDITOR_ROLES)

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        ordering = ["meeting", "person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.meeting_id}: {self.status or '-'}"


class GuestKind(models.TextChoices):
    MASSES = "masses", _("群众")
    LEADER = "leader", _("上级领导")
    OTHER = "other", _("其他")


class MeetingGuest(AuditedModel):
    """Someone present who was not expected (群众, a leader of the level above); never in the attendance rate."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests", verbose_name=_("会议"))
    kind = models.CharField(_("身份"), max_length=10, choices=GuestKind.choices, default=GuestKind.MASSES)
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("单位职务"), max_length=100, blank=True)
    person = models.ForeignKey("orgs.Person", verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="meeting__org", view=Subtree(STAFF_ROLES) | OwnOrg(), change=EDITOR_ROLES)

    class Meta:
        verbose_name = _("列席人员")
        verbose_name_plural = _("列席人员")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name


class TalkPair(models.Model):
    """One conversation of a 谈心谈话 record: who talked with whom (the date and topic are the record's)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="talks", verbose_name=_("谈心谈话"))
    talker = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="talks_given",
                               verbose_name=_("谈话人"))
    talkee = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="talks_received",
                               verbose_name=_("谈话对象"))
    note = models.CharField(_("谈话要点"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Staff of the subtree; each side reads their own talks.
    policy = Policy(org="meeting__org", person="talkee",
                    view=Subtree(STAFF_ROLES) | Own("talker") | Own("talkee"), change=EDITOR_ROLES)

    class Meta:
        verbose_name = _("谈话记录")
        verbose_name_plural = _("谈话记录")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "talker", "talkee"], name="one_talk_per_pair_per_record"),
            models.CheckConstraint(condition=~Q(talker=models.F("talkee")), name="talk_between_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.talker_id} → {self.talkee_id}"


class MeetingAttachment(Attachment):
    """Photos, scanned sign-in sheets, slides of a meeting: seen by whoever sees the meeting."""

    owner_field = "meeting"
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments",
                                verbose_name=_("会议"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(org="meeting__org",
                    view=Subtree(STAFF_ROLES) | OwnOrg() | Own("meeting__attendances__person", many=True),
                    change=EDITOR_ROLES)

    class Meta(Attachment.Meta):
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
