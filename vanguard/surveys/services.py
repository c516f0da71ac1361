"""The survey's rules: what a template holds, who is surveyed, opening, slips, answering, closing.

Views call these and render; the ballot box (``vanguard.ballots.services``) does everything that
touches a ballot. Nothing here logs, audits, stores or raises with an answer's content: the
functions that hold one are marked ``sensitive_variables``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from vanguard.accounts.models import RoleGrant, User
from vanguard.audit.services import AuditAction, record
from vanguard.ballots import services as ballots
from vanguard.ballots.services import BallotRefused
from vanguard.campaigns.models import CampaignDimension
from vanguard.orgs.models import Org

from .models import (
    MAX_ITEMS,
    SCALE_CODES,
    CommentMode,
    DimensionResult,
    Survey,
    SurveyItem,
    SurveyStatus,
    SurveyTarget,
    SurveyTemplate,
)
from .results import Line, satisfaction, summed

MAX_ITEMS_PER_DIMENSION = 15
MAX_ITEM_CHARS = 200


def _audit(obj, message: str, user, changes: dict | None = None) -> None:
    from vanguard.audit.context import actor_for, current_actor

    record(AuditAction.WORKFLOW, obj, message=message, changes=changes,
           actor=actor_for(user, current_actor().ip) if user is not None else None)


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _require(survey: Survey, status: str, message: str) -> None:
    if survey.status != status:
        raise ValidationError(message)


# ---------------------------------------------------------------------------------- templates


def org_dimensions(campaign):
    return CampaignDimension.objects.orgs().filter(campaign=campaign).order_by("sort_order", "pk")


def parse_items(text: str) -> list[str]:
    """The questions typed into one dimension's box, one a line (blank lines skipped)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def save_template_items(template: SurveyTemplate, items: dict[int, list[str]], user) -> None:
    """Replace the template's questions: ``items`` maps each org dimension's id to its questions.

    A template an opened survey uses keeps its questions: the boxes were made with them.
    """
    if template.is_in_use():
        raise ValidationError(_("已有测评使用这份问卷，题目不能再修改；如需调整请新建问卷。"))
    dimensions = {d.pk: d for d in org_dimensions(template.campaign)}
    problems = []
    if set(items) - set(dimensions):
        raise ValidationError(_("题目的维度不属于该创建活动。"))
    for dimension_id, texts in items.items():
        name = dimensions[dimension_id].name
        if len(texts) > MAX_ITEMS_PER_DIMENSION:
            problems.append(_("“%(dimension)s”最多 %(n)d 道题。") % {"dimension": name, "n": MAX_ITEMS_PER_DIMENSION})
        if any(len(text) > MAX_ITEM_CHARS for text in texts):
            problems.append(_("“%(dimension)s”有题目超过 %(n)d 个字。") % {"dimension": name, "n": MAX_ITEM_CHARS})
        if len(set(texts)) != len(texts):
            problems.append(_("“%(dimension)s”有重复的题目。") % {"dimension": name})
    total = sum(len(texts) for texts in items.values())
    if not total:
        problems.append(_("问卷至少要有一道题。"))
    if total > MAX_ITEMS:
        problems.append(_("问卷最多 %(n)d 道题。") % {"n": MAX_ITEMS})
    if problems:
        raise ValidationError(problems)
    kept = {(item.dimension_id, item.text): item for item in template.items.all()}
    wanted = {(dimension_id, text): order for dimension_id, texts in items.items()
              for order, text in enumerate(texts, start=1)}
    for key, item in kept.items():
        if key not in wanted:
            item.delete()
    for (dimension_id, text), order in wanted.items():
        item = kept.get((dimension_id, text))
        if item is None:
            SurveyItem.objects.create(template=template, dimension_id=dimension_id, text=text, sort_order=order)
        elif item.sort_order != order:
            item.sort_order = order
            item.save(update_fields=["sort_order"])


def items_by_dimension(template: SurveyTemplate) -> list[tuple[CampaignDimension, list[SurveyItem]]]:
    """The template's dimensions in the campaign's order, each with its questions (empty ones too)."""
    grouped = defaultdict(list)
    for item in template.items.all():
        grouped[item.dimension_id].append(item)
    return [(dimension, grouped[dimension.pk]) for dimension in org_dimensions(template.campaign)]


# ------------------------------------------------------------------------------------ surveys


def check_targets(survey: Survey, orgs) -> None:
    """The surveyed orgs: active, in the campaign's scope, each strictly below the running org.

    Strictly below is what keeps the org assessed out of its own survey: whoever runs it, prints
    its slips and counts it holds a grant on ``survey.org``, which is above every target.
    """
    orgs = list(orgs)
    if not orgs:
        raise ValidationError({"targets": _("请至少选择一个被测评组织。")})
    problems = []
    scope_path = survey.campaign.scope_org.path
    for org in orgs:
        if not org.path.startswith(survey.org.path) or org.pk == survey.org_id:
            problems.append(_("“%(org)s”不在组织单位“%(above)s”之下：被测评组织须由其上级组织测评。")
                            % {"org": org, "above": survey.org})
        elif not org.path.startswith(scope_path):
            problems.append(_("“%(org)s”不在创建活动的范围内。") % {"org": org})
        elif not org.is_active:
            problems.append(_("“%(org)s”已撤销。") % {"org": org})
    if problems:
        raise ValidationError({"targets": problems})


@transaction.atomic
def save_survey(survey: Survey, orgs, user) -> Survey:
    """Create or edit a survey in preparation, with its surveyed orgs."""
    if survey.pk is not None:
        _require(_locked(survey), SurveyStatus.DRAFT, _("测评已经开始，不能再修改。"))
    if survey.template.campaign_id != survey.campaign_id:
        raise ValidationError({"template": _("问卷不属于所选创建活动。")})
    if not survey.org.path.startswith(survey.campaign.scope_org.path):
        raise ValidationError({"org": _("组织单位不在创建活动的范围内。")})
    check_targets(survey, orgs)
    if survey.pk is None:
        survey.created_by = user
    survey.save()
    wanted = {org.pk for org in orgs}
    survey.targets.exclude(org_id__in=wanted).delete()
    present = set(survey.targets.values_list("org_id", flat=True))
    for org in orgs:
        if org.pk not in present:
            SurveyTarget.objects.create(survey=survey, org=org)
    return survey


def scrutineer_choices(survey: Survey):
    """Accounts that may be 监票人: those whose grant covers the running org (its staff, an
    inspector of the bureau), or its people — but nobody of an org being surveyed."""
    org = survey.org
    covering = (RoleGrant.objects.active_on(timezone.localdate())
                .filter(org_id__in=[*org.ancestor_ids(), org.pk]).values("user_id"))
    surveyed = Q()
    for path in survey.targets.values_list("org__path", flat=True):
        surveyed |= Q(person__org__path__startswith=path)
    users = (User.objects.filter(is_active=True)
             .filter(Q(person__org__path__startswith=org.path, person__is_active=True) | Q(pk__in=covering)))
    if surveyed:
        users = users.exclude(surveyed)
    return users.select_related("person").order_by("last_name", "first_name", "username")


@transaction.atomic
def set_scrutineers(survey: Survey, users: list, user) -> None:
    survey = _locked(survey)
    _require(survey, SurveyStatus.DRAFT, _("测评开始后不能再更换监票人。"))
    if len(users) < ballots.MIN_SCRUTINEERS:
        raise ValidationError({"scrutineers": _("至少需要 %(n)d 名监票人。") % {"n": ballots.MIN_SCRUTINEERS}})
    allowed = set(scrutineer_choices(survey).filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True))
    if allowed != {u.pk for u in users}:
        raise ValidationError({"scrutineers": _("监票人须是组织单位或其上级的工作人员、组织单位的人员，且不属于被测评组织。")})
    survey.scrutineers.set(users)
    _audit(survey, _("设置监票人"), user, {"scrutineers": sorted(u.pk for u in users)})


def box_items(template: SurveyTemplate) -> list[str]:
    return [item.key for item in template.items.all()]


@sensitive_variables()
def open_survey(survey: Survey, passphrases: dict[int, str], user) -> None:
    """开始测评: a box per target with the scrutineers' passphrases; all of them, or none."""
    with transaction.atomic():
        survey = _locked(survey)
        _require(survey, SurveyStatus.DRAFT, _("测评已经开始。"))
        scrutineers = list(survey.scrutineers.order_by("pk"))
        if len(scrutineers) < ballots.MIN_SCRUTINEERS:
            raise ValidationError(_("请先设置至少 %(n)d 名监票人。") % {"n": ballots.MIN_SCRUTINEERS})
        if survey.closes_on < timezone.localdate():
            raise ValidationError(_("截止日期已过，请先修改截止日期。"))
        template = survey.template
        items = box_items(template)
        if not items:
            raise ValidationError(_("问卷还没有题目。"))
        targets = list(survey.targets.select_related("org"))
        if not targets:
            raise ValidationError(_("还没有被测评组织。"))
        pairs = [(scrutineer, passphrases.get(scrutineer.pk, "")) for scrutineer in scrutineers]
        for target in targets:
            target.box = ballots.create_box(
                title=str(target)[:200], items=items, choices=list(SCALE_CODES), scrutineers=pairs,
                comment_max=template.comment_bytes, closes_at=survey.closes_at(), actor=user)
            target.save(update_fields=["box"])
        survey.status = SurveyStatus.OPEN
        survey.opened_at = timezone.now()
        survey.save(update_fields=["status", "opened_at"])
        _audit(survey, _("开始测评"), user, {"targets": len(targets), "items": len(items)})


@dataclass(frozen=True)
class Turnout:
    """Counts only: slips issued, used and voided, and answers received."""

    issued: int = 0
    used: int = 0
    voided: int = 0
    answered: int = 0

    @property
    def unused(self) -> int:
        return self.issued - self.used - self.voided


def turnouts(targets) -> dict[int, Turnout]:
    """Each target's turnout by target id, in a constant number of queries (a survey's page lists them all)."""
    targets = list(targets)
    counts = ballots.turnouts(target.box_id for target in targets)
    found = {}
    for target in targets:
        box = counts.get(target.box_id)
        found[target.pk] = Turnout(box.issued, box.used, box.voided, box.voted) if box else Turnout()
    return found


def turnout(target: SurveyTarget) -> Turnout:
    return turnouts([target])[target.pk]


def _require_answering(target: SurveyTarget) -> None:
    survey = target.survey
    if not survey.is_open:
        raise ValidationError(_("只有测评进行中才能印制或作废凭条。"))


def issue_slips(target: SurveyTarget, n: int, vote_url: str, user) -> bytes:
    """``n`` new slips for the target's masses as a PDF (A4, 8 a page): their codes exist nowhere else."""
    _require_answering(target)
    if target.survey.is_overdue():
        raise ValidationError(_("测评已过截止日期，不能再印制凭条。"))
    codes = ballots.issue_slips(target.box, n, actor=user)
    _audit(target, _("印制凭条 %(n)d 张") % {"n": n}, user)
    return ballots.slips_pdf(target.box, codes, vote_url=vote_url)


def slip_to_void(target: SurveyTarget, reference: int | str) -> dict:
    """The target's unused slip named by its printed number or its code ({"pk", "number", "state"}),
    to confirm before voiding it; BallotRefused saying why not (unknown, used, voided, survey closed)."""
    _require_answering(target)
    return ballots.slip_to_void(target.box, str(reference))


@transaction.atomic
def void_slip(target: SurveyTarget, reference: int | str, user) -> int:
    """Void the unused slip named by its printed number or its code (lost, spoiled); its number."""
    slip = slip_to_void(target, reference)
    ballots.void_slip(target.box, slip["pk"], actor=user)
    _audit(target, _("作废第 %(n)d 号凭条") % {"n": slip["number"]}, user)
    return slip["number"]


@sensitive_variables()
def close_survey(survey: Survey, passphrases: dict[int, str], user) -> None:
    """计票: every target's box counted with all the scrutineers' passphrases, in one transaction.

    Each box keeps its tally; the survey keeps it summed per dimension and the number of
    respondents. A wrong passphrase, or any failure on the way, leaves every box open and the
    survey as it was.
    """
    with transaction.atomic():
        survey = _locked(survey)
        _require(survey, SurveyStatus.OPEN, _("测评不在进行中，无需计票。"))
        dimension_of = {item.key: item.dimension_id for item in survey.template.items.all()}
        for target in survey.targets.select_related("box"):
            ballots.close_box(target.box, passphrases, actor=user)
            by_dimension = defaultdict(list)
            for item, counts in ballots.tally(target.box).items():
                by_dimension[dimension_of[item]].append(counts)
            DimensionResult.objects.bulk_create(
                DimensionResult(target=target, dimension_id=dimension_id, counts=summed(counts))
                for dimension_id, counts in by_dimension.items())
            target.respondents = ballots.ballots_counted(target.box)
            target.save(update_fields=["respondents"])
        survey.status = SurveyStatus.CLOSED
        survey.closed_at = timezone.now()
        survey.save(update_fields=["status", "closed_at"])
        _audit(survey, _("计票"), user)


# ------------------------------------------------------------------------------- answering


@dataclass
class Question:
    key: str
    text: str


@dataclass
class Section:
    dimension: str
    questions: list[Question] = field(default_factory=list)


@dataclass
class AnswerSheet:
    """What a respondent is asked: the target, the questions by dimension, where comments go."""

    target: SurveyTarget
    sections: list[Section]
    comment_mode: str
    comment_max: int

    @property
    def keys(self) -> list[str]:
        return [question.key for section in self.sections for question in section.questions]

    @property
    def survey_comment_key(self) -> str:
        """A comment on the whole questionnaire rides in the box under its first question's key."""
        return self.keys[0]


def answer_sheet(target: SurveyTarget) -> AnswerSheet:
    template = target.survey.template
    sections = [Section(dimension.name, [Question(item.key, item.text) for item in items])
                for dimension, items in items_by_dimension(template) if items]
    return AnswerSheet(target, sections, template.comment_mode, template.comment_max)


def redeem(code: str) -> tuple[SurveyTarget, str]:
    """The target a slip answers for and its participant; BallotRefused for an invalid/used/voided/expired code."""
    box, participant = ballots.redeem(code)
    target = (SurveyTarget.objects.select_related("survey__template__campaign", "org", "box")
              .filter(box=box).first())
    if target is None:  # a slip of another kind of ballot (民主评议)
        raise BallotRefused(_("凭条码无效，请核对后重新输入。"))
    if not target.survey.is_open:
        raise BallotRefused(_("投票已结束，该凭条已失效。"))
    return target, participant


@sensitive_variables()
def cast_answer(code: str, ratings: dict[str, str], comments: dict[str, str]) -> tuple[SurveyTarget, str]:
    """A respondent's answers with a one-time slip: every question, or nothing. Returns the receipt."""
    target, participant = redeem(code)
    sheet = answer_sheet(target)
    kept = {}
    for key, text in comments.items():
        text = (text or "").strip()
        if not text:
            continue
        if sheet.comment_mode == CommentMode.NONE:
            raise BallotRefused(_("本次测评不收集意见。"))
        if len(text) > sheet.comment_max:
            raise BallotRefused(_("意见最多 %(n)d 个字，请删减后再提交。") % {"n": sheet.comment_max})
        kept[key] = text
    return target, ballots.cast(target.box, participant=participant, ratings=ratings, comments=kept)


# ---------------------------------------------------------------------------------- results


def item_lines(target: SurveyTarget) -> list[tuple[str, list[Line]]]:
    """Per dimension, each question's answers per level — for a counted target with enough respondents."""
    if not target.has_result():
        return []
    counts = ballots.tally(target.box)
    top_levels = target.survey.top_levels
    return [(dimension.name, [Line(item.text, counts.get(item.key, {}), satisfaction(counts.get(item.key, {}),
                                                                                   top_levels))
                              for item in items])
            for dimension, items in items_by_dimension(target.survey.template) if items]


def target_comments(target: SurveyTarget) -> list[tuple[str, list[str]]]:
    """The masses' comments after close, unlinked and in no order, grouped as they were asked:
    by question, or all under the questionnaire. None below the minimum: with one or two
    respondents a comment is as good as signed."""
    if not target.has_result():
        return []
    found = ballots.comments(target.box)
    template = target.survey.template
    if template.comment_mode == CommentMode.SURVEY:
        texts = [text for texts in found.values() for text in texts]
        return [(_("对本组织的意见和建议"), texts)] if texts else []
    return [(item.text, found[item.key]) for _dimension, items in items_by_dimension(template)
            for item in items if found.get(item.key)]


def receipt_counted(target: SurveyTarget, receipt: str) -> bool | None:
    """Whether the receipt's answer was counted; None while the survey is not counted yet."""
    if not target.survey.is_closed:
        return None
    return receipt in ballots.counted_receipts(target.box)


def surveys_to_close(user):
    """The level above's to-do: open surveys it may count whose closing day has come."""
    return Survey.objects.for_user(user, "close").open().filter(closes_on__lte=timezone.localdate())
