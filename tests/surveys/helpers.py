"""Builders for the survey tests on top of the shared cast.

The usual survey: unit A (变电运维中心党委) surveys its branches A1 and A2 in the bureau's
campaign, with the bureau admin and unit A's secretary as scrutineers. Branch A1's clerk is the
org being assessed: she must never handle its slips nor see anything before the count.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vanguard.ballots import services as ballots
from vanguard.surveys import services
from vanguard.surveys.models import CommentMode, Survey, SurveyTemplate

from ..plans.helpers import make_campaign

__all__ = ["make_campaign", "make_template", "make_survey", "opened", "answer", "answer_all", "PASSPHRASES",
           "close"]

PASSPHRASES = ("监票人甲的口令-1234", "监票人乙的口令-5678")


def make_template(campaign, *, comment_mode=CommentMode.SURVEY, per_dimension=1, name="群众满意度测评问卷",
                  comment_max=200, user=None) -> SurveyTemplate:
    template = SurveyTemplate.objects.create(campaign=campaign, name=name, comment_mode=comment_mode,
                                             comment_max=comment_max)
    services.save_template_items(template, {
        dimension.pk: [f"{dimension.name}第{n}题" for n in range(1, per_dimension + 1)]
        for dimension in services.org_dimensions(campaign)}, user)
    return template


def make_survey(cast, campaign=None, template=None, *, orgs=None, org=None, **fields) -> Survey:
    campaign = campaign or make_campaign(cast)
    template = template or campaign.survey_templates.first() or make_template(campaign)
    defaults = dict(title="2026年群众满意度测评", closes_on=timezone.localdate() + timedelta(days=10))
    defaults.update(fields)
    survey = Survey(campaign=campaign, template=template, org=org or cast.unit_a, **defaults)
    return services.save_survey(survey, orgs if orgs is not None else [cast.branch_a1, cast.branch_a2],
                                cast.secretary)


def scrutineers(cast) -> list:
    return [cast.admin, cast.secretary]


def passphrases(cast) -> dict[int, str]:
    return {user.pk: phrase for user, phrase in zip(scrutineers(cast), PASSPHRASES)}


def opened(cast, survey=None, **kwargs) -> Survey:
    survey = survey or make_survey(cast, **kwargs)
    services.set_scrutineers(survey, scrutineers(cast), cast.secretary)
    services.open_survey(survey, passphrases(cast), cast.secretary)
    survey.refresh_from_db()
    return survey


def close(cast, survey) -> Survey:
    services.close_survey(survey, passphrases(cast), cast.secretary)
    survey.refresh_from_db()
    return survey


def slip(target, actor) -> str:
    return ballots.issue_slips(target.box, 1, actor=actor)[0]


def answer(target, levels: dict[str, str] | str = "5", comments: dict[str, str] | None = None, *,
           actor=None) -> str:
    """One respondent answers every question of ``target`` (one level for all, or per key)."""
    code = slip(target, actor)
    sheet = services.answer_sheet(target)
    ratings = {key: levels if isinstance(levels, str) else levels[key] for key in sheet.keys}
    return services.cast_answer(code, ratings, comments or {})[1]


def answer_all(target, rows: list[str], actor=None) -> None:
    """One respondent per entry of ``rows``, each answering every question with that level."""
    for level in rows:
        answer(target, level, actor=actor)


def target_of(survey, org):
    return survey.targets.select_related("box", "survey__template").get(org=org)
