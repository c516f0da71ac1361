"""Recomputing, publishing and reading a campaign's assessment results.

A recompute (``start_recompute`` in the background, ``recompute_now`` inline) makes the next
version of the campaign's ``Snapshot``: it gathers every input set-based (``inputs.gather``),
scores each org by its rubric, each member by the member rubric and each secretary from their
orgs' totals over their tenure and their own items, ranks them (whole campaign, org category,
unit) and applies the designation quota, then writes every ``Result`` in bulk with the snapshot
turning 待发布 in one transaction. The newer draft supersedes an unpublished older one.

Publishing freezes it: the snapshot and its results never change again (the models refuse), the
previously published version becomes 已被替代, and a re-run makes a new version diffed against it.
Appeals are open for ``AssessmentSettings.appeal_days`` from the day of publication.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.roles import ADMIN_ROLES
from vanguard.core.scoping import get_scope

from . import engine, inputs, ranking
from .models import AssessmentSettings, PublishedSnapshotError, Result, Snapshot, SnapshotStatus, SubjectKind

JOB_KIND = "assessment_recompute"
RUNNER = "vanguard.assessment.jobs.run_recompute"
BATCH = 2000  # results per INSERT
CENT = Decimal("0.01")
HUNDRED = Decimal("100")

Progress = Callable[[int, int | None], None]


class AssessmentError(ValidationError):
    """A refused step of the assessment workflow, with a Chinese message."""


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


# --------------------------------------------------------------------------- who may


def may_recompute(user, campaign) -> bool:
    """Whether ``user`` may recompute and publish ``campaign``'s results: an admin of its scope
    (the ``recompute``/``publish`` actions of ``Snapshot``, for a campaign that has none yet)."""
    return get_scope(user).covers(campaign.scope_org.path, ADMIN_ROLES)


# --------------------------------------------------------------------------- reading


def published(campaign) -> Snapshot | None:
    """The campaign's published snapshot (at most one is published at a time), or None."""
    return Snapshot.objects.filter(campaign=campaign, status=SnapshotStatus.PUBLISHED).order_by("-version").first()


def pending(campaign) -> Snapshot | None:
    """The snapshot being computed or waiting for publication, or None."""
    return Snapshot.objects.filter(campaign=campaign).pending().order_by("-version").first()


@dataclass(frozen=True)
class Change:
    """One subject whose result differs between two snapshots (None: not in that snapshot)."""

    kind: str
    org_id: int
    person_id: int | None
    before_total: Decimal | None
    after_total: Decimal | None
    before_grade: str | None
    after_grade: str | None
    before_titled: bool | None
    after_titled: bool | None

    @property
    def delta(self) -> Decimal | None:
        if self.before_total is None or self.after_total is None:
            return None
        return self.after_total - self.before_total


def _subject_key(kind: str, org_id: int, person_id: int | None) -> tuple:
    # A member or secretary is the same subject wherever they are; an org is itself.
    return (kind, person_id) if person_id else (kind, org_id)


def diff(snapshot: Snapshot, other: Snapshot | None = None) -> list[Change]:
    """The subjects whose total, grade or title differ from ``other`` (default: the version the
    snapshot is diffed against, ``previous``) to ``snapshot``; two queries. Biggest changes first
    within each kind; subjects new or gone have None on the side they are missing from."""
    other = other if other is not None else snapshot.previous
    fields = ("kind", "org_id", "person_id", "total", "grade", "titled")
    after = {_subject_key(*row[:3]): row for row in snapshot.results.values_list(*fields)}
    before = {_subject_key(*row[:3]): row for row in other.results.values_list(*fields)} if other else {}
    changes = []
    for key in after.keys() | before.keys():
        new, old = after.get(key), before.get(key)
        if new and old and new[3:] == old[3:]:
            continue
        ref = new or old
        changes.append(Change(kind=ref[0], org_id=ref[1], person_id=ref[2],
                              before_total=old[3] if old else None, after_total=new[3] if new else None,
                              before_grade=old[4] if old else None, after_grade=new[4] if new else None,
                              before_titled=old[5] if old else None, after_titled=new[5] if new else None))
    kinds = list(SubjectKind.values)
    changes.sort(key=lambda c: (kinds.index(c.kind), -(abs(c.delta) if c.delta is not None else HUNDRED * 10),
                                c.org_id, c.person_id or 0))
    return changes


def frozen_through(org, day: date | None) -> bool:
    """Whether ``day`` of ``org``'s records lies in a period a published assessment covers.

    A published snapshot, and the periods it covers, are frozen: the records of those days of the
    orgs inside its campaign's scope stay as they were scored (a later one supersedes the figures,
    not the period). One query.
    """
    if day is None:
        return False
    parts = org.path.strip("/").split("/")
    ancestors = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
    return Snapshot.objects.filter(published_at__isnull=False, period_start__lte=day, period_end__gte=day,
                                   campaign__scope_org__path__in=ancestors).exists()


# --------------------------------------------------------------------------- appeals


def appeal_window(result: Result) -> tuple[date | None, date | None]:
    """The first and last day an appeal against ``result`` may be lodged: from the day its
    snapshot was published, for the appeal days the campaign set at publication. (None, None)
    for a result that was never published."""
    snapshot = result.snapshot
    if snapshot.published_at is None:
        return None, None
    days = snapshot.figures.get("appeal_days")
    if days is None:
        days = AssessmentSettings.for_campaign(snapshot.campaign).appeal_days
    opens = timezone.localdate(snapshot.published_at)
    return opens, opens + timedelta(days=max(int(days), 1) - 1)


def can_appeal(result: Result, today: date | None = None) -> bool:
    """Whether an appeal against ``result`` may be lodged on ``today``: its snapshot is the one in
    force (published, not superseded) and the day lies in the window."""
    if result.snapshot.status != SnapshotStatus.PUBLISHED:
        return False
    opens, closes = appeal_window(result)
    today = today or timezone.localdate()
    return opens is not None and opens <= today <= closes


# --------------------------------------------------------------------------- starting a recompute


def _fail_stale(campaign) -> None:
    """End as failed a snapshot left 计算中 by a job that is over (or gone): a worker that died."""
    from vanguard.core.models import JobStatus

    for snapshot in Snapshot.objects.filter(campaign=campaign, status=SnapshotStatus.COMPUTING).select_related("job"):
        if snapshot.job is None or snapshot.job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            _mark_failed(snapshot, _("计算任务已中断。"))


def _new_snapshot(campaign, user, note: str = "") -> Snapshot:
    """The next version, 计算中; refused while another computation of the campaign is under way."""
    from vanguard.campaigns.models import Campaign
    from vanguard.rubrics.models import Rubric
    from vanguard.rubrics.rules import Subject

    if not Rubric.objects.filter(campaign=campaign, subject=Subject.ORG).exists():
        raise AssessmentError(_("该活动尚未设置党组织的创建标准，无法计算考核结果。"))
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one new version at a time
    _fail_stale(campaign)
    if Snapshot.objects.filter(campaign=campaign, status=SnapshotStatus.COMPUTING).exists():
        raise AssessmentError(_("该活动的考核结果正在计算中，请等待计算完成。"))
    version = (Snapshot.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0) + 1
    return Snapshot.objects.create(campaign=campaign, version=version, status=SnapshotStatus.COMPUTING,
                                   created_by=user, note=note)


def start_recompute(campaign, user, *, ip: str | None = None, note: str = ""):
    """Start computing the next version of ``campaign``'s results in the background; the Job."""
    from vanguard.core.jobs import start_job

    with transaction.atomic():
        snapshot = _new_snapshot(campaign, user, note)
        job = start_job(kind=JOB_KIND, runner=RUNNER, user=user, ip=ip,
                        title=_("计算考核结果：%(campaign)s（第%(version)s版）") % {
                            "campaign": campaign, "version": snapshot.version},
                        params={"snapshot_id": snapshot.pk})
        snapshot.job = job
        snapshot.save(update_fields=["job"])
    return job


def recompute_now(campaign, user, *, note: str = "", progress: Progress | None = None, at=None) -> Snapshot:
    """Compute the next version of ``campaign``'s results here and now (tests, the demo); the draft.

    ``at``: the time the computation says it read its inputs (the demo dates its story), now by default.
    """
    with transaction.atomic():
        snapshot = _new_snapshot(campaign, user, note)
    return compute(snapshot, progress=progress, at=at)


# --------------------------------------------------------------------------- computing


@dataclass
class _Scored:
    kind: str
    org_id: int
    person_id: int | None
    total: Decimal
    grade: str
    titled: bool
    vetoed: bool
    dimensions: dict
    basis: dict  # ``Result.basis``: the inputs (``inputs.basis_of``), or a secretary's whole document
    unit_id: int | None
    category_id: int | None
    quota_cut_reason: str = ""


def _secretaries(gathered: inputs.Gathered, org_scores: dict[int, _Scored]) -> list[_Scored]:
    """书记抓党建考核: each secretary's total from the orgs they led in the assessed period.

    The org part is the tenure-days-weighted average of those orgs' totals (on 100); the own part
    the secretary's items for those orgs (summed per org, at most 100, weighted by the same days
    over the orgs that have items). Total = org part × w + own part × (1 − w), w the campaign's
    ``secretary_org_weight``; with no items entered, the org part alone. Graded with the orgs' bands.
    """
    settings = gathered.settings
    weight = Decimal(settings.secretary_org_weight)
    bands = inputs._grade_bands(settings)
    by_person: dict[int, list[inputs.Tenure]] = defaultdict(list)
    for tenure in gathered.tenures:
        if tenure.org_id in org_scores:
            by_person[tenure.person_id].append(tenure)
    found = []
    for person_id, held in sorted(by_person.items()):
        total_days = sum(t.days for t in held)
        org_part, rows = Decimal(0), []
        for tenure in held:
            scored = org_scores[tenure.org_id]
            rules = gathered.org_rules(gathered.orgs[tenure.org_id])
            on_100 = min(HUNDRED, scored.total * HUNDRED / Decimal(rules.total_points))
            org_part += on_100 * tenure.days / total_days
            rows.append({"org_id": tenure.org_id, "starts_on": tenure.starts_on.isoformat(),
                         "ends_on": tenure.ends_on.isoformat(), "days": tenure.days,
                         "org_total": str(scored.total), "org_on_100": str(_q(on_100)), "org_grade": scored.grade})
        org_part = _q(org_part)
        items, own_weighted, own_days = [], Decimal(0), 0
        for tenure_org in dict.fromkeys(t.org_id for t in held):
            entered = gathered.secretary_items.get((person_id, tenure_org), [])
            if not entered:
                continue
            days = sum(t.days for t in held if t.org_id == tenure_org)
            points = min(HUNDRED, sum((p for p, _r in entered), Decimal(0)))
            own_weighted += points * days
            own_days += days
            items += [{"org_id": tenure_org, "points": str(_q(p)), "reason": r} for p, r in entered]
        if own_days:
            own_part = _q(own_weighted / own_days)
            total = _q(org_part * weight + own_part * (1 - weight))
            text = _("任期内组织得分 %(org)s 分 × %(w)s + 书记个人项目得分 %(own)s 分 × %(rest)s = %(total)s 分") % {
                "org": org_part, "w": _plain(weight), "own": own_part, "rest": _plain(1 - weight), "total": total}
        else:
            own_part, total = None, org_part
            text = _("尚未录入书记个人考核项，按任期内组织得分计 %(total)s 分") % {"total": total}
        grade = engine.grade_for(bands, total)
        latest = max(held, key=lambda t: (t.ends_on, t.starts_on))
        org = gathered.orgs[latest.org_id]
        explanation = {
            "subject": SubjectKind.SECRETARY, "total": str(total), "grade": grade, "org_weight": str(weight),
            "org_part": str(org_part), "own_part": str(own_part) if own_part is not None else None,
            "tenure_days": total_days, "tenures": rows, "items": items, "text": text,
            "tenure_text": _("；").join(
                _("%(start)s至%(end)s任书记（%(days)s 天），组织得分 %(total)s 分") % {
                    "start": row["starts_on"], "end": row["ends_on"], "days": row["days"], "total": row["org_total"]}
                for row in rows),
        }
        found.append(_Scored(kind=SubjectKind.SECRETARY, org_id=org.pk, person_id=person_id,
                             total=total, grade=grade, titled=False, vetoed=False,
                             dimensions={"org_part": str(org_part),
                                         "own_part": str(own_part) if own_part is not None else None},
                             basis={"document": explanation}, unit_id=org.unit_id, category_id=org.category_id))
    return found


class _Scorer:
    """``engine.score`` once per distinct set of inputs: members with the same figures (most of
    them, at scale: a few thousand distinct among tens of thousands) share one scoring, and when
    no input of theirs names particular records (an inspection, a survey), one stored basis."""

    def __init__(self, at: str):
        self.at = at
        self.scores: dict[tuple, tuple[engine.SubjectScore, dict]] = {}
        self.bases: dict[tuple, dict] = {}
        self.keys: dict[int, tuple] = {}  # id of a shared inputs object -> its signature

    def __call__(self, kind, org_id, person_id, rules, given, org: inputs.OrgSubject, links=None) -> _Scored:
        key = self.keys.get(id(given))
        if key is None:
            key = self.keys[id(given)] = inputs.signature(rules, given)
        found = self.scores.get(key)
        if found is None:
            result = engine.score(rules, given)
            found = self.scores[key] = (result, {code: str(points) for code, points in result.dimensions.items()})
        result, dimensions = found
        if links:
            basis = {**inputs.basis_of(rules, given, links), "at": self.at}
        else:
            basis = self.bases.get(key)
            if basis is None:
                basis = self.bases[key] = {**inputs.basis_of(rules, given), "at": self.at}
        return _Scored(kind=kind, org_id=org_id, person_id=person_id, total=result.total,
                       grade=result.grade, titled=result.titled, vetoed=result.vetoed, dimensions=dimensions,
                       basis=basis, unit_id=org.unit_id, category_id=org.category_id)


def _rank_all(scored: list[_Scored]) -> list[dict[str, ranking.Rank]]:
    """Each subject's ranks (in the order of ``scored``) within its kind: campaign, category, unit."""
    ranks: list[dict[str, ranking.Rank]] = [{} for _subject in scored]
    groups: dict[tuple, list[tuple[int, Decimal]]] = defaultdict(list)
    for index, subject in enumerate(scored):
        item = (index, subject.total)
        groups[("campaign", subject.kind)].append(item)
        if subject.category_id is not None:
            groups[("category", subject.kind, subject.category_id)].append(item)
        if subject.unit_id is not None:
            groups[("unit", subject.kind, subject.unit_id)].append(item)
    for key, items in groups.items():
        for index, place in ranking.rank(items).items():
            ranks[index][key[0]] = place
    return ranks


def _apply_quota(scored: list[_Scored], share: Decimal | None) -> None:
    """At most ``share`` of the orgs 四强 (``ranking.apply_quota``): the cut lose the title, with the reason."""
    orgs = [(index, s) for index, s in enumerate(scored) if s.kind == SubjectKind.ORG]
    kept, cut = ranking.apply_quota([(index, s.total) for index, s in orgs if s.titled], share, len(orgs))
    for index, reason in cut.items():
        subject = scored[index]
        subject.titled, subject.quota_cut_reason = False, reason
        subject.basis = {**subject.basis, "quota": reason}  # its own copy: a basis may be shared


# The columns of a result row, in the order ``_insert`` writes them.
_COLUMNS = ("snapshot_id", "kind", "org_id", "person_id", "total", "grade", "titled", "vetoed",
            "rank_campaign", "tied_campaign", "rank_category", "tied_category", "rank_unit", "tied_unit",
            "quota_cut_reason", "dimensions", "basis", "unit_id", "category_id")
_JSON_COLUMNS = frozenset({"dimensions", "basis"})


def _result_rows(snapshot: Snapshot, scored: list[_Scored]) -> list[tuple]:
    """One tuple of ``_COLUMNS`` per subject (shared dicts stay shared: they are written, not changed)."""
    rows = []
    for subject, place in zip(scored, _rank_all(scored)):
        campaign, category, unit = place.get("campaign"), place.get("category"), place.get("unit")
        rows.append((
            snapshot.pk, subject.kind, subject.org_id, subject.person_id, subject.total, subject.grade,
            subject.titled, subject.vetoed,
            campaign.position if campaign else None, campaign.tied_with if campaign else 1,
            category.position if category else None, category.tied_with if category else 1,
            unit.position if unit else None, unit.tied_with if unit else 1,
            subject.quota_cut_reason, subject.dimensions, subject.basis, subject.unit_id, subject.category_id))
    return rows


def _insert(rows: list[tuple], dumped: dict[int, str]) -> None:
    """Write new results: on PostgreSQL with COPY, else ``bulk_create``.

    Django's bulk insert on PostgreSQL passes each column as one array, and quoting tens of
    thousands of JSON documents into array literals costs far more than the rows themselves;
    COPY streams them as they are, each shared document serialised once (``dumped``: by object
    id, for rows that stay alive for the whole write).
    """
    import json

    from django.db import connection

    if connection.vendor != "postgresql":
        Result.objects.bulk_create([Result(**dict(zip(_COLUMNS, row))) for row in rows])
        return
    fields = [Result._meta.get_field(name) for name in _COLUMNS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Result._meta.db_table)
    json_at = [n for n, name in enumerate(_COLUMNS) if name in _JSON_COLUMNS]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                row = list(row)
                for n in json_at:
                    key = id(row[n])
                    if key not in dumped:
                        dumped[key] = json.dumps(row[n], ensure_ascii=False)
                    row[n] = dumped[key]
                copy.write_row(row)


def compute(snapshot: Snapshot, progress: Progress | None = None, at=None) -> Snapshot:
    """Fill a 计算中 snapshot: gather, score, rank, write; it ends 待发布 (or 计算失败, and the error raised)."""
    progress = progress or (lambda done, total=None: None)
    try:
        return _compute(snapshot, progress, at or timezone.now())
    except BaseException as exc:
        _mark_failed(snapshot, str(exc) if isinstance(exc, ValidationError) else _("计算出错，已中止。"))
        raise


def _compute(snapshot: Snapshot, progress: Progress, at) -> Snapshot:
    started = time.perf_counter()
    campaign = snapshot.campaign
    progress(0, None)
    gathered = inputs.gather(campaign, at)
    subjects = len(gathered.org_inputs) + len(gathered.member_inputs)
    total_steps = 2 * subjects + 1
    progress(0, total_steps)
    done, every = 0, max(1, subjects // 20)

    def step():
        nonlocal done
        done += 1
        if done % every == 0:
            progress(done, None)

    scoring_started = time.perf_counter()
    score = _Scorer(at.isoformat())
    scored: list[_Scored] = []
    org_scores: dict[int, _Scored] = {}
    for org_id, given in gathered.org_inputs.items():
        org = gathered.orgs[org_id]
        subject = score(SubjectKind.ORG, org_id, None, gathered.org_rules(org), given, org,
                        gathered.org_links.get(org_id))
        scored.append(subject)
        org_scores[org_id] = subject
        step()
    member_rules = gathered.member_rules()
    for person_id, given in gathered.member_inputs.items():
        branch = gathered.members[person_id].org_id
        org = gathered.orgs.get(branch) or inputs.OrgSubject(branch, None, "", "", None, None)
        scored.append(score(SubjectKind.MEMBER, branch, person_id, member_rules, given, org))
        step()
    secretaries = _secretaries(gathered, org_scores)
    scored += secretaries
    _apply_quota(scored, gathered.settings.title_quota_share)
    scoring_seconds = time.perf_counter() - scoring_started

    writing_started = time.perf_counter()
    for secretary in secretaries:
        secretary.basis["at"] = score.at
    rows = _result_rows(snapshot, scored)
    dumped: dict[int, str] = {}
    with transaction.atomic():
        locked = Snapshot.objects.select_for_update().get(pk=snapshot.pk)
        if locked.status != SnapshotStatus.COMPUTING:
            raise AssessmentError(_("该版本已不在计算中。"))
        for start in range(0, len(rows), BATCH):
            _insert(rows[start:start + BATCH], dumped)
            done = min(total_steps - 1, subjects + start + BATCH)
            progress(done, None)
        for older in Snapshot.objects.filter(campaign=campaign, status=SnapshotStatus.DRAFT).exclude(pk=snapshot.pk):
            older.status = SnapshotStatus.SUPERSEDED
            older.save(update_fields=["status"])
        period = gathered.period
        snapshot.status = SnapshotStatus.DRAFT
        snapshot.computed_at = at
        snapshot.period_start, snapshot.period_end = period if period else (None, None)
        snapshot.previous = published(campaign)
        snapshot.rules = {str(rules.rubric_id): inputs.rules_to_data(rules)
                          for by_category in gathered.rules.values() for rules in by_category.values()}
        snapshot.figures = {
            "orgs": len(gathered.org_inputs), "members": len(gathered.member_inputs), "secretaries": len(secretaries),
            "titled_orgs": sum(1 for s in scored if s.kind == SubjectKind.ORG and s.titled),
            "titled_members": sum(1 for s in scored if s.kind == SubjectKind.MEMBER and s.titled),
            "quota_cut": sum(1 for s in scored if s.quota_cut_reason), "distinct_scorings": len(score.scores),
            "seconds": {**gathered.seconds, "scoring": round(scoring_seconds, 3),
                        "writing": round(time.perf_counter() - writing_started, 3),
                        "total": round(time.perf_counter() - started, 3)},
        }
        snapshot.save()
        record(AuditAction.WORKFLOW, snapshot, message=_("计算考核结果：%(orgs)s 个党组织、%(members)s 名党员、"
                                                         "%(secretaries)s 名书记") % snapshot.figures)
    progress(total_steps, total_steps)
    return snapshot


def _mark_failed(snapshot: Snapshot, reason: str) -> None:
    """计算中 → 计算失败, audited; results written by the failed run are rolled back with it."""
    with transaction.atomic():
        locked = Snapshot.objects.select_for_update().filter(pk=snapshot.pk).first()
        if locked is None or locked.status != SnapshotStatus.COMPUTING:
            return
        locked.status = SnapshotStatus.FAILED
        locked.note = (f"{locked.note}\n{reason}" if locked.note else reason)[:2000]
        locked.save(update_fields=["status", "note"])
    snapshot.status, snapshot.note = locked.status, locked.note


# --------------------------------------------------------------------------- publishing


def publish(snapshot: Snapshot, user, *, at=None) -> Snapshot:
    """待发布 → 已发布: the results become visible and frozen; the version published before is superseded.

    ``at``: the time of publication (the demo dates its story), now by default; appeals open that day.
    """
    with transaction.atomic():
        locked = Snapshot.objects.select_for_update().select_related("campaign").get(pk=snapshot.pk)
        if locked.status != SnapshotStatus.DRAFT:
            raise AssessmentError(_("只有待发布的考核结果可以发布。"))
        for earlier in Snapshot.objects.filter(campaign=locked.campaign, status=SnapshotStatus.PUBLISHED):
            earlier.status = SnapshotStatus.SUPERSEDED
            earlier._superseding = True
            earlier.save(update_fields=["status"])
        settings = AssessmentSettings.for_campaign(locked.campaign)
        locked.status = SnapshotStatus.PUBLISHED
        locked.published_at = at or timezone.now()
        locked.published_by = user
        locked.figures = {**locked.figures, "appeal_days": settings.appeal_days}
        locked.save()
        record(AuditAction.WORKFLOW, locked, message=_("发布考核结果（第%(version)s版）") % {"version": locked.version})
    return locked


__all__ = [
    "AssessmentError", "Change", "PublishedSnapshotError", "appeal_window", "can_appeal", "compute", "diff",
    "frozen_through", "may_recompute", "pending", "publish", "published", "recompute_now", "start_recompute",
]
