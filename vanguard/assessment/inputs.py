"""Everything a campaign's assessment reads, gathered set-based before any scoring.

``gather(campaign, at)`` reads, in a constant number of queries whatever the number of orgs and
members:

- the rules: the frozen (else the newest) rubric of each subject, an org's category variant where
  there is one, else the base rubric (``scoring_rules``), with the campaign's settings;
- the figures: every registered record metric (``activities.metrics.compute_all``; an indicator
  whose source is 群众满意度 reads the ``mass_satisfaction`` metric of an org, the member's own
  群众评议得分 for a member), inspection deductions (``inspections.services.deductions``),
  reviewed self-assessment points (``selfchecks.services.reviewed_points``), appraisal grades;
- what people entered: manual scores, veto records, bonus awards, secretary items, and the
  corrections of accepted appeals (``appeals.services.accepted_corrections``);
- the secretaries' tenures (``committees``: the members of a committee with the post 书记).

and turns them into one ``engine.SubjectInputs`` per org and member, and, per org, the records
its inputs name (an inspection, the survey result, the self-assessment: ``Gathered.org_links``).

When a result is explained (``explain``), those become the indicators' ``refs``, the links a user
follows from a point down to the records behind it, together with the filtered list pages a record
metric counts (the meetings of the org in the assessed period, its rectification ledger …): a few
links per indicator, never one per row.

Inputs reach an indicator by its code, not its id: an inspection's checklist, a self-assessment
or a manual score may name the indicator of another version of the rubric (or of the base rubric
an org's variant overrides), and it is the same indicator for the org.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Callable, Mapping
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from vanguard.rubrics.models import Rubric, RubricStatus
from vanguard.rubrics.rules import DataSource, Subject

from . import engine
from .models import AssessmentSettings, BonusAward, ManualScore, SecretaryItem, SubjectKind, VetoRecord

# Metrics that are the masses' judgement: the part the mass-evaluation weight applies to.
MASS_METRICS = frozenset({"mass_satisfaction", "appraisal_masses_score"})
# What an indicator whose source is 群众满意度 reads, per subject: an org's survey satisfaction; a
# member is not surveyed, their 群众评议 (the masses' part of the democratic appraisal) is theirs.
SURVEY_METRIC = {Subject.ORG: "mass_satisfaction", Subject.MEMBER: "appraisal_masses_score"}


# --------------------------------------------------------------------------- the rules


def _chosen_rubrics(campaign, subject: str) -> dict[int | None, int]:
    """{category id (None: the base): rubric id} in force for ``subject``: per category the newest
    frozen version, else the newest one."""
    newest: dict[int | None, int] = {}
    frozen: dict[int | None, int] = {}
    rows = (Rubric.objects.filter(campaign=campaign, subject=subject).order_by("-version")
            .values_list("pk", "category_id", "status"))
    for pk, category_id, status in rows:
        newest.setdefault(category_id, pk)
        if status == RubricStatus.FROZEN:
            frozen.setdefault(category_id, pk)
    return {category_id: frozen.get(category_id, pk) for category_id, pk in newest.items()}


def _grade_bands(settings: AssessmentSettings) -> tuple[engine.GradeBand, ...]:
    bands = [engine.GradeBand(str(b["grade"]), Decimal(str(b["min_total"]))) for b in settings.grade_bands]
    return tuple(sorted(bands, key=lambda band: band.min_total, reverse=True))


def _title(settings: AssessmentSettings, subject: str) -> engine.TitleRule:
    if subject == Subject.MEMBER:
        return engine.TitleRule(min_total=settings.member_title_min_total, min_dimension_share=None,
                                require_no_veto=settings.title_require_no_veto, min_satisfaction=None,
                                required_appraisal_grade=settings.member_title_grade or None)
    return engine.TitleRule(min_total=settings.title_min_total,
                            min_dimension_share=settings.title_min_dimension_share,
                            require_no_veto=settings.title_require_no_veto,
                            min_satisfaction=settings.title_min_satisfaction, required_appraisal_grade=None)


def _units() -> dict[tuple[str, str], str]:
    from vanguard.core import registry

    return {(subject, code): m.unit for subject in Subject.values for code, m in registry.metrics(subject).items()}


def _rules_of(rubric: Rubric, settings: AssessmentSettings, units) -> engine.ScoringRules:
    from vanguard.rubrics.services import resolved_dimension_code, resolved_indicators

    subject = rubric.subject
    indicators = []
    for ind in resolved_indicators(rubric):
        metric = ind.metric if ind.data_source == DataSource.RECORD_METRIC else ""
        if ind.data_source == DataSource.SURVEY_RESULT:
            unit = units.get((subject, SURVEY_METRIC[subject]), "%")
        else:
            unit = units.get((subject, metric), "")
        indicators.append(engine.IndicatorRule(
            id=ind.pk, code=ind.code, name=ind.name, dimension=resolved_dimension_code(ind), points=ind.points,
            data_source=ind.data_source, metric=metric, rule_type=ind.rule_type, params=dict(ind.params),
            mass=ind.data_source == DataSource.SURVEY_RESULT or metric in MASS_METRICS, unit=unit))
    # A variant has the base's bonus and veto items, and any of its own.
    sources = [rubric, rubric.base] if rubric.base_id else [rubric]
    bonuses = [engine.BonusRule(item.pk, item.name, item.points) for r in sources for item in r.bonus_items.all()]
    vetoes = [engine.VetoRule(item.pk, item.name, item.effect, item.cap_points)
              for r in sources for item in r.veto_items.all()]
    return engine.ScoringRules(
        subject=subject, rubric_id=rubric.pk, total_points=rubric.total_points, bonus_cap=rubric.bonus_cap,
        dimensions=tuple(engine.DimensionRule(d.code, d.name, d.points) for d in rubric.dimensions.all()),
        indicators=tuple(indicators), vetoes=tuple(vetoes), bonuses=tuple(bonuses),
        mass_weight=settings.mass_weight, grade_bands=_grade_bands(settings), title=_title(settings, subject))


def scoring_rules(campaign, settings: AssessmentSettings) -> dict[str, dict[int | None, engine.ScoringRules]]:
    """{subject: {category id (None: the base): ScoringRules}} in force (a fixed number of queries)."""
    from vanguard.rubrics.services import with_parts

    chosen = {subject: _chosen_rubrics(campaign, subject) for subject in Subject.values}
    ids = {pk for by_category in chosen.values() for pk in by_category.values()}
    bases = set(Rubric.objects.filter(pk__in=ids, base__isnull=False).values_list("base_id", flat=True))
    loaded = {rubric.pk: rubric for rubric in with_parts(Rubric.objects.filter(pk__in=ids | bases))}
    for rubric in loaded.values():
        if rubric.base_id in loaded:
            rubric.base = loaded[rubric.base_id]  # with its parts: resolution reads no more
    units = _units()
    return {subject: {category_id: _rules_of(loaded[pk], settings, units) for category_id, pk in by_category.items()}
            for subject, by_category in chosen.items()}


# --------------------------------------------------------------------------- the subjects


@dataclass(frozen=True)
class OrgSubject:
    pk: int
    parent_id: int | None
    path: str
    org_type: str
    category_id: int | None
    unit_id: int | None  # the ancestor one level below the campaign's scope (itself at that level)


@dataclass(frozen=True)
class MemberSubject:
    pk: int
    org_id: int  # the member's branch (a 党小组's member: its branch)


@dataclass(frozen=True)
class Tenure:
    """A secretary's time at the head of an org within the assessed period (both days counted)."""

    person_id: int
    org_id: int
    starts_on: date
    ends_on: date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass
class Gathered:
    campaign: object
    at: datetime
    period: tuple[date, date] | None
    settings: AssessmentSettings
    rules: dict[str, dict[int | None, engine.ScoringRules]]
    orgs: dict[int, OrgSubject]
    members: dict[int, MemberSubject]
    org_inputs: dict[int, engine.SubjectInputs]
    member_inputs: dict[int, engine.SubjectInputs]
    org_links: dict[int, dict[str, list]]  # the records behind an org's inputs (``_subject_inputs``)
    tenures: list[Tenure]
    secretary_items: dict[tuple[int, int], list[tuple[Decimal, str]]]  # (person, org) -> [(points, reason)]
    seconds: dict[str, float] = field(default_factory=dict)  # how long each part took

    def org_rules(self, org: OrgSubject) -> engine.ScoringRules | None:
        return rules_for_org(self.rules, org)

    def member_rules(self) -> engine.ScoringRules | None:
        return self.rules.get(Subject.MEMBER, {}).get(None)


def rules_for_org(rules: dict, org: OrgSubject) -> engine.ScoringRules | None:
    """The rules an org is scored by: its category's variant, else the base rubric's (None: no rubric)."""
    by_category = rules.get(Subject.ORG, {})
    return by_category.get(org.category_id) or by_category.get(None)


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


def assessed_orgs(campaign) -> dict[int, OrgSubject]:
    """The orgs a campaign assesses: the active orgs below its scope org, but 党小组 (a group's
    organisational life is its branch's)."""
    from vanguard.orgs.models import Org, OrgType

    scope = campaign.scope_org
    level = len(_path_ids(scope.path))
    rows = (Org.objects.subtree(scope, include_self=False).active().exclude(org_type=OrgType.GROUP)
            .order_by("path").values_list("pk", "parent_id", "path", "org_type", "category_id"))
    orgs = {}
    for pk, parent_id, path, org_type, category_id in rows:
        ids = _path_ids(path)
        orgs[pk] = OrgSubject(pk, parent_id, path, org_type, category_id, ids[level] if len(ids) > level else None)
    return orgs


def assessed_members(campaign) -> dict[int, MemberSubject]:
    """The campaign's current party members (as its member metrics count them), each in their branch."""
    from vanguard.orgs.models import OrgType, Person

    rows = (Person.objects.current().party_members().in_subtree(campaign.scope_org).order_by("pk")
            .values_list("pk", "org_id", "org__org_type", "org__parent_id"))
    return {pk: MemberSubject(pk, parent_id if org_type == OrgType.GROUP and parent_id else org_id)
            for pk, org_id, org_type, parent_id in rows}


def tenures(campaign, period: tuple[date, date] | None, org_ids) -> list[Tenure]:
    """Every secretary's tenure at an assessed org, cut to the assessed period (one query).

    A post held ``started_on`` .. ``ended_on`` stops the day before ``ended_on`` (the successor
    starts that day; ``committees.models``).
    """
    from vanguard.committees.models import CommitteeMember

    if period is None:
        return []
    start, end = period
    rows = (CommitteeMember.objects.secretaries()
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start), started_on__lte=end,
                    term__org__path__startswith=campaign.scope_org.path)
            .order_by("person_id", "started_on", "pk").values_list("person_id", "term__org_id", "started_on", "ended_on"))
    found = []
    for person_id, org_id, started_on, ended_on in rows:
        if org_id not in org_ids:
            continue
        last = min(end, ended_on - timedelta(days=1)) if ended_on else end
        first = max(start, started_on)
        if first <= last:
            found.append(Tenure(person_id, org_id, first, last))
    return found


# --------------------------------------------------------------------------- links to the records


class Links:
    """Builds the ``refs`` of an indicator: each list page reversed once, the query string per subject."""

    def __init__(self, campaign_id: int, period: tuple[date, date] | None):
        self.campaign_id, self.period = campaign_id, period
        self._paths: dict[str, str] = {}

    def url(self, name: str, *args, **query) -> str:
        if args:
            path = reverse(name, args=args)
        else:
            if name not in self._paths:
                self._paths[name] = reverse(name)
            path = self._paths[name]
        query = {key: value for key, value in query.items() if value not in (None, "")}
        return f"{path}?{urlencode(query, doseq=True)}" if query else path

    def meetings(self, org_id: int, label: str, kinds=()) -> dict:
        from vanguard.activities.models import MeetingStatus

        start, end = self.period if self.period else (None, None)
        return {"label": label, "url": self.url("activities:meeting_list", org=org_id, kind=list(kinds),
                                               status=MeetingStatus.HELD, held_after=start and start.isoformat(),
                                               held_before=end and end.isoformat())}

    def listing(self, name: str, org_id: int, label: str, campaign: bool = True) -> dict:
        return {"label": label, "url": self.url(name, org=org_id, campaign=self.campaign_id if campaign else None)}


def _metric_refs(links: Links, subject: str, metric: str, org_id: int, person_id: int | None) -> tuple[dict, ...]:
    """Links to the records a record metric counts, for one subject (an empty tuple when none fit)."""
    from vanguard.activities.models import MeetingKind, THREE_MEETINGS_ONE_LECTURE

    compliance_kinds = {
        "three_meetings_one_lesson_rate": sorted(THREE_MEETINGS_ONE_LECTURE),
        "branch_general_meeting_rate": [MeetingKind.BRANCH_GENERAL_MEETING],
        "committee_meeting_rate": [MeetingKind.COMMITTEE_MEETING],
        "group_meeting_rate": [MeetingKind.GROUP_MEETING],
        "party_lecture_rate": [MeetingKind.PARTY_LECTURE],
    }
    if metric in compliance_kinds:
        return (links.meetings(org_id, _("考核期内的“三会一课”记录"), compliance_kinds[metric]),)
    if metric == "attendance_rate":
        label = _("本支部考核期内的会议记录") if subject == Subject.MEMBER else _("考核期内的会议记录")
        return (links.meetings(org_id, label),)
    if metric == "themed_day_held":
        return (links.meetings(org_id, _("考核期内的主题党日"), [MeetingKind.THEMED_DAY]),)
    if metric in ("secretary_lectures", "lectures_given"):
        return (links.meetings(org_id, _("考核期内的党课"), [MeetingKind.PARTY_LECTURE]),)
    if metric in ("repair_items", "savings_amount"):
        return (links.listing("improvements:repair_list", org_id, _("修旧利废台账")),)
    if metric in ("proposals_submitted", "proposals_adopted", "proposal_savings"):
        return (links.listing("improvements:proposal_list", org_id, _("合理化建议台账")),)
    if metric in ("tech_projects", "training_hours"):
        return (links.listing("improvements:project_list", org_id, _("技术攻关项目")),)
    if metric == "needy_members_assisted":
        return (links.listing("care:assistance_list", org_id, _("困难党员帮扶记录"), campaign=False),)
    if metric == "commitments_fulfilled_rate":
        if person_id is not None:
            return ({"label": _("本人的承诺与兑现"),
                     "url": links.url("commitments:member", links.campaign_id, person_id)},)
        return (links.listing("commitments:commitment_list", org_id, _("党员承诺")),)
    if metric == "rectification_on_time_rate":
        return (links.listing("rectifications:ledger", org_id, _("整改台账")),)
    if metric == "plan_submitted_on_time":
        return (links.listing("plans:plan_list", org_id, _("创建方案")),)
    if metric.startswith("appraisal_"):
        return (links.listing("appraisal:round_list", org_id, _("民主评议")),)
    return ()


# --------------------------------------------------------------------------- the other sources


def _accepted_corrections(campaign) -> dict:
    """The points of accepted appeals: {(kind, org id, person id or None, indicator id): points}.

    The appeals app provides them; until its service exists there are none.
    """
    try:
        from vanguard.appeals import services
    except ImportError:
        return {}
    corrections = getattr(services, "accepted_corrections", None)
    return corrections(campaign) if corrections is not None else {}


def _indicator_codes(campaign) -> dict[int, tuple[str, str]]:
    """{indicator id: (subject, code)} of every rubric of the campaign (any version, any variant)."""
    from vanguard.rubrics.models import Indicator

    return {pk: (subject, code) for pk, subject, code in
            Indicator.objects.filter(rubric__campaign=campaign).values_list("pk", "rubric__subject", "code")}


def _inspection_findings(campaign, codes) -> dict[tuple[int, str], tuple[int, list[list]]]:
    """{(org id, indicator code): (findings, [[inspected target id, inspection title, findings], …])} of
    the campaign's closed inspections: the findings ``inspections.services.deductions`` sums."""
    from vanguard.inspections.models import Finding, InspectionStatus

    rows = (Finding.objects.filter(inspection__campaign=campaign, inspection__status=InspectionStatus.CLOSED,
                                   item__isnull=False)
            .values("target__org_id", "item__indicator_id", "target_id", "inspection__title")
            .annotate(n=Count("pk")).order_by("target__org_id", "inspection__starts_on", "target_id"))
    found: dict[tuple[int, str], tuple[int, list[list]]] = {}
    for row in rows:
        key = (row["target__org_id"], codes.get(row["item__indicator_id"], (None, None))[1])
        count, targets = found.get(key, (0, []))
        targets.append([row["target_id"], row["inspection__title"], row["n"]])
        found[key] = (count + row["n"], targets)
    return found


def _by_code(rows, codes, subject: str) -> dict:
    """{(subject id, indicator code): value} from {(subject id, indicator id): value}, for ``subject``."""
    found = {}
    for (subject_id, indicator_id), value in rows.items():
        of, code = codes.get(indicator_id, (None, None))
        if of == subject:
            found[(subject_id, code)] = value
    return found


def _self_assessments(campaign) -> dict[int, int]:
    from vanguard.selfchecks.models import SelfAssessment, Status

    return dict(SelfAssessment.objects.filter(campaign=campaign, status=Status.APPROVED).values_list("org_id", "pk"))


def _survey_targets(campaign) -> dict[int, int]:
    """{org id: its latest counted survey target} — the result page behind its 群众满意度."""
    from vanguard.surveys.models import SurveyTarget

    latest: dict[int, int] = {}
    rows = (SurveyTarget.objects.closed().filter(survey__campaign=campaign)
            .order_by("org_id", "-survey__closed_at", "-survey_id").values_list("org_id", "pk"))
    for org_id, pk in rows:
        latest.setdefault(org_id, pk)
    return latest


def _grade_codes() -> dict[str, str]:
    """Appraisal grade labels (as the ``appraisal_grade`` metric gives them) to their codes."""
    from vanguard.appraisal.models import Grade

    with translation.override(django_settings.LANGUAGE_CODE):
        return {str(label): value for value, label in Grade.choices}


@dataclass
class _Entered:
    """The campaign admins' inputs, by (subject kind, subject id)."""

    manual: dict[tuple[str, int], dict[str, tuple[Decimal, str, int]]]  # code -> (points, reason, indicator id)
    vetoes: dict[tuple[str, int], list[tuple[int, str]]]  # [(veto item id, its name)]
    bonuses: dict[tuple[str, int], list[tuple[int, str, Decimal]]]  # [(bonus item id, its name, points)]
    # Subjects with something entered beyond their figures: a manual score, a veto, a bonus, a
    # correction by appeal (filled in by ``gather`` with the corrections).
    touched: set[tuple[str, int]] = field(default_factory=set)


def _entered(campaign, codes) -> _Entered:
    manual: dict = defaultdict(dict)
    for indicator_id, org_id, person_id, points, reason in (
            ManualScore.objects.filter(campaign=campaign).order_by("entered_at", "pk")
            .values_list("indicator_id", "org_id", "person_id", "points", "reason")):
        key = (SubjectKind.MEMBER, person_id) if person_id else (SubjectKind.ORG, org_id)
        manual[key][codes.get(indicator_id, (None, None))[1]] = (points, reason, indicator_id)
    vetoes: dict = defaultdict(list)
    for item_id, name, org_id, person_id in (VetoRecord.objects.filter(campaign=campaign).order_by("pk")
                                            .values_list("veto_item_id", "veto_item__name", "org_id", "person_id")):
        vetoes[(SubjectKind.MEMBER, person_id) if person_id else (SubjectKind.ORG, org_id)].append((item_id, name))
    bonuses: dict = defaultdict(list)
    for item_id, name, org_id, person_id, points in (
            BonusAward.objects.filter(campaign=campaign).order_by("pk")
            .values_list("bonus_item_id", "bonus_item__name", "org_id", "person_id", "points")):
        bonuses[(SubjectKind.MEMBER, person_id) if person_id else (SubjectKind.ORG, org_id)].append(
            (item_id, name, points))
    return _Entered(manual, vetoes, bonuses)


def _matched(items, rules_items) -> dict[int, object]:
    """Entered items mapped onto the rules' items: by id, else by name (another version's item)."""
    by_id = {item.id: item for item in rules_items}
    by_name = {item.name: item for item in rules_items}
    return {entry[0]: by_id.get(entry[0]) or by_name.get(entry[1]) for entry in items}


# --------------------------------------------------------------------------- one subject's inputs


@dataclass
class _Sources:
    """Everything read, for ``_subject_inputs``."""

    metrics: Mapping[tuple[str, str], Mapping[int, object]]
    deductions: dict[tuple[int, str], Decimal]
    findings: dict[tuple[int, str], tuple[int, list[list]]]
    reviewed: dict[tuple[int, str], Decimal]
    self_assessments: dict[int, int]
    survey_targets: dict[int, int]
    entered: _Entered
    corrections: dict[tuple, Decimal]  # (kind, org id, person id or None, indicator code) -> points
    grade_codes: dict[str, str]
    # One input object per distinct input, shared by every subject it is the same for (most
    # members'): ``signature`` compares them by identity.
    shared_inputs: dict = field(default_factory=dict)
    # One inputs object per distinct set of a member's figures (``_subject_inputs``).
    shared_subjects: dict = field(default_factory=dict)
    # Per rubric: what each indicator reads, worked out once (``_plan``).
    plans: dict = field(default_factory=dict)
    # The words every subject's inputs repeat, translated once.
    labels: dict[str, str] = field(default_factory=lambda: {
        "reviewed": _("组织自查得分经上级审核确定"), "appeal": _("申诉已通过，按复核分数计")})


def _plan(rules: engine.ScoringRules, src: _Sources) -> list[tuple]:
    """(code, source, {subject id: value} or None) per indicator of ``rules``."""
    if rules.rubric_id not in src.plans:
        plan = []
        for rule in rules.indicators:
            values = None
            if rule.data_source == DataSource.RECORD_METRIC:
                values = src.metrics.get((rules.subject, rule.metric), {})
            elif rule.data_source == DataSource.SURVEY_RESULT:
                values = src.metrics.get((rules.subject, SURVEY_METRIC[rules.subject]), {})
            plan.append((rule.code, rule.data_source, values))
        src.plans[rules.rubric_id] = plan
    return src.plans[rules.rubric_id]


def _subject_inputs(rules: engine.ScoringRules, kind: str, subject_id: int, org_id: int,
                    src: _Sources) -> tuple[engine.SubjectInputs, dict[str, list]]:
    """The engine's inputs of one subject, and the records behind them by indicator code (``links``:
    ``[kind, id, …]`` lists that ``explain`` turns into links; the lists behind record metrics
    follow from the metric, the org and the period and are not kept)."""
    is_org = kind == SubjectKind.ORG
    person_id = None if is_org else subject_id
    manual = src.entered.manual.get((kind, subject_id))
    plan = _plan(rules, src)
    # A member with nothing entered for them: their inputs are their figures alone, one object
    # for every member with the same figures.
    alike = None
    if not is_org and not manual and (kind, subject_id) not in src.entered.touched:
        label = src.metrics.get((Subject.MEMBER, "appraisal_grade"), {}).get(subject_id)
        alike = (rules.rubric_id, label, *(values.get(subject_id) if values is not None else None
                                          for _code, _source, values in plan))
        if alike in src.shared_subjects:
            return src.shared_subjects[alike], {}
    corrections = src.corrections
    indicators, links = {}, {}
    for code, source, values in plan:
        value, findings, deducted, override, reason = None, 0, None, None, ""
        if values is not None:
            value = values.get(subject_id)
            if source == DataSource.SURVEY_RESULT and is_org and org_id in src.survey_targets:
                links[code] = [["survey", src.survey_targets[org_id]]]
        elif source == DataSource.INSPECTION_DEDUCTION and is_org:
            deducted = src.deductions.get((subject_id, code))
            if (subject_id, code) in src.findings:
                findings, targets = src.findings[(subject_id, code)]
                links[code] = [["inspection", *target] for target in targets]
        elif source == DataSource.SELF_ASSESSMENT_REVIEWED and is_org:
            override = src.reviewed.get((subject_id, code))
            if override is not None:
                reason = src.labels["reviewed"]
            if subject_id in src.self_assessments:
                links[code] = [["self_assessment", src.self_assessments[subject_id]]]
        if manual and code in manual:
            override, reason = manual[code][0], manual[code][1]
        if corrections:
            correction = corrections.get((kind, org_id, person_id, code))
            if correction is not None:
                override, reason = correction, src.labels["appeal"]
        key = (type(value), value, findings, deducted, override, reason)  # 0 and 0.0 read differently
        entry = src.shared_inputs.get(key)
        if entry is None:
            entry = src.shared_inputs[key] = engine.IndicatorInput(
                value=value, findings=findings, deducted=deducted, override=override, override_reason=reason)
        indicators[code] = entry
    entered_vetoes = src.entered.vetoes.get((kind, subject_id))
    vetoes = _matched(entered_vetoes, rules.vetoes) if entered_vetoes else {}
    bonuses: dict[int, Decimal] = {}
    entered_bonuses = src.entered.bonuses.get((kind, subject_id))
    if entered_bonuses:
        matched = _matched(entered_bonuses, rules.bonuses)
        for item_id, _name, points in entered_bonuses:
            if matched[item_id] is not None:
                bonuses[matched[item_id].id] = bonuses.get(matched[item_id].id, Decimal(0)) + points
    satisfaction = grade = None
    if rules.subject == Subject.ORG:
        value = src.metrics.get((Subject.ORG, "mass_satisfaction"), {}).get(subject_id)
        satisfaction = None if value is None else Decimal(str(value))
    else:
        label = src.metrics.get((Subject.MEMBER, "appraisal_grade"), {}).get(subject_id)
        grade = src.grade_codes.get(label) if label else None
    given = engine.SubjectInputs(
        indicators=indicators, vetoes=frozenset(v.id for v in vetoes.values() if v is not None),
        bonuses=bonuses, satisfaction=satisfaction, appraisal_grade=grade)
    if alike is not None:
        src.shared_subjects[alike] = given
    return given, links


# --------------------------------------------------------------------------- gather


def _timed(seconds: dict, key: str, compute: Callable):
    import time

    started = time.perf_counter()
    try:
        return compute()
    finally:
        seconds[key] = round(seconds.get(key, 0) + time.perf_counter() - started, 3)


def gather(campaign, at: datetime) -> Gathered:
    """Every input of ``campaign``'s assessment as of ``at`` (see the module docstring)."""
    from vanguard.activities.metrics import assessed_period, compute_all
    from vanguard.inspections.services import deductions
    from vanguard.selfchecks.services import reviewed_points

    seconds: dict[str, float] = {}
    settings = AssessmentSettings.for_campaign(campaign)
    rules = _timed(seconds, "rules", lambda: scoring_rules(campaign, settings))
    period = assessed_period(campaign)
    metrics = _timed(seconds, "metrics", lambda: compute_all(campaign))

    def read():
        codes = _indicator_codes(campaign)
        entered = _entered(campaign, codes)
        # By indicator code, as every input: an appeal names the indicator of the version it disputed.
        corrections = {(kind, org_id, person_id, codes.get(indicator_id, (None, None))[1]): points
                       for (kind, org_id, person_id, indicator_id), points in _accepted_corrections(campaign).items()}
        entered.touched = {*entered.manual, *entered.vetoes, *entered.bonuses,
                           *((kind, person_id or org_id) for kind, org_id, person_id, _code in corrections)}
        return _Sources(
            metrics=metrics,
            deductions=_by_code(deductions(campaign), codes, Subject.ORG),
            findings=_inspection_findings(campaign, codes),
            reviewed=_by_code(reviewed_points(campaign), codes, Subject.ORG),
            self_assessments=_self_assessments(campaign),
            survey_targets=_survey_targets(campaign),
            entered=entered,
            corrections=corrections,
            grade_codes=_grade_codes(),
        )

    src = _timed(seconds, "sources", read)
    orgs = _timed(seconds, "subjects", lambda: assessed_orgs(campaign))
    members = _timed(seconds, "subjects", lambda: assessed_members(campaign) if rules[Subject.MEMBER] else {})

    def build():
        org_inputs, member_inputs, links = {}, {}, {}
        for org in orgs.values():
            org_rules = rules_for_org(rules, org)
            if org_rules is not None:
                org_inputs[org.pk], found = _subject_inputs(org_rules, SubjectKind.ORG, org.pk, org.pk, src)
                if found:
                    links[org.pk] = found
        member_rules = rules.get(Subject.MEMBER, {}).get(None)
        if member_rules is not None:
            for member in members.values():
                member_inputs[member.pk], _links = _subject_inputs(member_rules, SubjectKind.MEMBER, member.pk,
                                                                   member.org_id, src)
        return org_inputs, member_inputs, links

    org_inputs, member_inputs, org_links = _timed(seconds, "inputs", build)
    found_tenures = _timed(seconds, "secretaries", lambda: tenures(campaign, period, orgs))
    items: dict[tuple[int, int], list[tuple[Decimal, str]]] = defaultdict(list)
    for person_id, org_id, points, reason in (SecretaryItem.objects.filter(campaign=campaign).order_by("pk")
                                              .values_list("person_id", "org_id", "points", "reason")):
        items[(person_id, org_id)].append((points, reason))
    return Gathered(campaign=campaign, at=at, period=period, settings=settings, rules=rules, orgs=orgs,
                    members=members, org_inputs=org_inputs, member_inputs=member_inputs, org_links=org_links,
                    tenures=found_tenures,
                    secretary_items=dict(items), seconds=seconds)


# --------------------------------------------------------------------------- stored compactly
#
# A snapshot keeps the rules it scored with (``Snapshot.rules``) and each result what its subject
# was given (``Result.basis``): a few hundred bytes where the engine's whole document is several
# kB, which at tens of thousands of members is the difference between seconds and minutes of
# writing. The engine is pure, so ``explain`` gives back the very document the computation had.


def _text(value):
    """A Decimal as its string (JSON has no decimals); other values as they are."""
    return str(value) if isinstance(value, Decimal) else value


def rules_to_data(rules: engine.ScoringRules) -> dict:
    def plain(obj):
        return {f.name: _text(getattr(obj, f.name)) for f in dataclass_fields(obj)}

    return {
        **{name: _text(getattr(rules, name)) for name in ("subject", "rubric_id", "total_points", "bonus_cap",
                                                           "mass_weight")},
        "dimensions": [plain(d) for d in rules.dimensions],
        "indicators": [{**plain(i), "params": dict(i.params)} for i in rules.indicators],
        "vetoes": [plain(v) for v in rules.vetoes], "bonuses": [plain(b) for b in rules.bonuses],
        "grade_bands": [plain(b) for b in rules.grade_bands], "title": plain(rules.title),
    }


def rules_from_data(data: dict) -> engine.ScoringRules:
    def dec(value):
        return None if value is None else Decimal(value)

    title = data["title"]
    return engine.ScoringRules(
        subject=data["subject"], rubric_id=data["rubric_id"], total_points=dec(data["total_points"]),
        bonus_cap=dec(data["bonus_cap"]), mass_weight=dec(data["mass_weight"]),
        dimensions=tuple(engine.DimensionRule(d["code"], d["name"], dec(d["points"])) for d in data["dimensions"]),
        indicators=tuple(engine.IndicatorRule(**{**i, "points": dec(i["points"])}) for i in data["indicators"]),
        vetoes=tuple(engine.VetoRule(v["id"], v["name"], v["effect"], dec(v["cap_points"])) for v in data["vetoes"]),
        bonuses=tuple(engine.BonusRule(b["id"], b["name"], dec(b["points"])) for b in data["bonuses"]),
        grade_bands=tuple(engine.GradeBand(b["grade"], dec(b["min_total"])) for b in data["grade_bands"]),
        title=engine.TitleRule(
            min_total=dec(title["min_total"]), min_dimension_share=dec(title["min_dimension_share"]),
            require_no_veto=title["require_no_veto"], min_satisfaction=dec(title["min_satisfaction"]),
            required_appraisal_grade=title["required_appraisal_grade"]),
    )


# IndicatorInput field, its key in a basis and its default (only what differs from it is stored:
# a count of 0 is a value, not the absence of one).
_INPUT_KEYS = (("value", "v", None), ("findings", "f", 0), ("deducted", "d", None), ("override", "o", None),
               ("override_reason", "r", ""))


def _given(value, default) -> bool:
    return value is not None if default is None else value != default


def basis_of(rules: engine.ScoringRules, given: engine.SubjectInputs, links: dict | None = None) -> dict:
    """The compact, JSON-able form of a subject's inputs and the records behind them (``links``)."""
    indicators = {}
    for code, entry in given.indicators.items():
        stored = {key: _text(getattr(entry, name)) for name, key, default in _INPUT_KEYS
                  if _given(getattr(entry, name), default)}
        if stored:
            indicators[code] = stored
    found = {"rubric": rules.rubric_id, "in": indicators}
    if links:
        found["links"] = links
    if given.vetoes:
        found["veto"] = sorted(given.vetoes)
    if given.bonuses:
        found["bonus"] = {str(pk): _text(points) for pk, points in sorted(given.bonuses.items())}
    if given.satisfaction is not None:
        found["sat"] = _text(given.satisfaction)
    if given.appraisal_grade is not None:
        found["grade"] = given.appraisal_grade
    return found


def signature(rules: engine.ScoringRules, given: engine.SubjectInputs) -> tuple:
    """What a score depends on, as a key (equal keys, equal scores), for the inputs of one ``gather``:
    its indicator inputs are one object per distinct input (``_Sources.shared_inputs``), so they
    are compared by identity, which is cheap, while the gathered inputs keep them alive."""
    bonuses = tuple(sorted(given.bonuses.items())) if given.bonuses else ()
    return (rules.rubric_id, tuple(map(id, given.indicators.values())), given.vetoes, bonuses,
            given.satisfaction, given.appraisal_grade)


def inputs_from_basis(basis: dict, rules: engine.ScoringRules, derived: Mapping[str, tuple] | None = None
                      ) -> engine.SubjectInputs:
    """The engine's inputs back from a basis; ``derived``: the links behind them, by indicator code."""
    derived = derived or {}
    indicators = {}
    for rule in rules.indicators:
        stored = basis["in"].get(rule.code, {})
        fields = {name: stored[key] for name, key, _default in _INPUT_KEYS if key in stored}
        for name in ("deducted", "override"):
            if name in fields:
                fields[name] = Decimal(fields[name])
        refs = tuple(derived.get(rule.code, ()))
        indicators[rule.code] = engine.IndicatorInput(**fields, refs=refs)
    return engine.SubjectInputs(
        indicators=indicators, vetoes=frozenset(basis.get("veto", ())),
        bonuses={int(pk): Decimal(points) for pk, points in basis.get("bonus", {}).items()},
        satisfaction=Decimal(basis["sat"]) if "sat" in basis else None, appraisal_grade=basis.get("grade"))


def _record_refs(links: Links, kept: list[list]) -> tuple[dict, ...]:
    """Links to the records a basis names (``_subject_inputs``)."""
    refs = []
    for kind, pk, *rest in kept:
        if kind == "inspection":
            title, count = rest
            refs.append({"label": _("督查“%(title)s”：%(count)s 个问题") % {"title": title, "count": count},
                         "url": links.url("inspections:target_detail", pk)})
        elif kind == "survey":
            refs.append({"label": _("群众满意度测评结果"), "url": links.url("surveys:target_detail", pk)})
        elif kind == "self_assessment":
            refs.append({"label": _("组织自查表"), "url": links.url("selfchecks:detail", pk)})
    return tuple(refs)


def derived_refs(rules: engine.ScoringRules, links: Links, org_id: int, person_id: int | None,
                 kept: Mapping[str, list] | None = None) -> dict[str, tuple]:
    """The links behind each indicator, by code: to the records the basis names (``kept``), and to
    the filtered lists of the org and period a record metric counts."""
    found = {code: _record_refs(links, entries) for code, entries in (kept or {}).items()}
    for rule in rules.indicators:
        metric = rule.metric if rule.data_source == DataSource.RECORD_METRIC else (
            SURVEY_METRIC[rules.subject] if rule.data_source == DataSource.SURVEY_RESULT
            and rules.subject == Subject.MEMBER else "")
        if metric:
            refs = _metric_refs(links, rules.subject, metric, org_id, person_id)
            if refs:
                found[rule.code] = found.get(rule.code, ()) + refs
    return found


def explain(result) -> dict:
    """A result's whole explanation document, as the engine gave it at computation, with ``inputs_at``.

    A secretary's (scored by ``services``, not the engine) is stored whole. The snapshot's rules are
    read once per snapshot object.
    """
    basis = result.basis or {}
    if "document" in basis:
        return {**basis["document"], "inputs_at": basis.get("at")}
    if "rubric" not in basis:
        return {}
    snapshot = result.snapshot
    cache = snapshot.__dict__.setdefault("_scoring_rules", {})
    key = str(basis["rubric"])
    if key not in cache:
        cache[key] = rules_from_data(snapshot.rules[key])
    rules = cache[key]
    period = (snapshot.period_start, snapshot.period_end) if snapshot.period_start else None
    links = Links(snapshot.campaign_id, period)
    given = inputs_from_basis(basis, rules, derived_refs(rules, links, result.org_id, result.person_id,
                                                         basis.get("links")))
    document = engine.score(rules, given).explanation
    if basis.get("quota"):
        document = {**document, "titled": False, "quota_cut_reason": basis["quota"]}
    return {**document, "inputs_at": basis.get("at")}
