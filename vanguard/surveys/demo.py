"""Demo satisfaction surveys for ``seed_demo``: the demo committee surveys its branches' masses.

In the demo campaign the admin writes a questionnaire (two questions per org dimension, one
comment box); the demo secretary's committee runs two surveys of its branches, with the demo
admin and the demo leader as scrutineers:

- 上半年: counted — each branch's masses answered with slips (one branch had only two
  respondents: its result is 无数据); comments came in;
- 下半年: still open past its closing day — slips printed and partly used, waiting to be counted
  (the secretary's to-do). Its scrutineers' passphrases are ``DEMO_PASSPHRASES``.

Every answer goes through the ballot box as a respondent's would (a printed slip, redeemed,
cast), so the demo has no shortcut around the secrecy. The same seed gives the same answers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from vanguard.accounts.models import User
from vanguard.audit.context import actor_for, acting_as
from vanguard.ballots import services as ballots
from vanguard.campaigns.models import Campaign
from vanguard.core.roles import Role
from vanguard.orgs.models import Org, OrgType

from . import services
from .models import SCALE_CODES, CommentMode, Survey, SurveyTemplate

DEMO_PASSPHRASES = {"admin": "demo-scrutineer-admin", "leader": "demo-scrutineer-leader"}
QUESTIONS = {
    "political_leadership": ("党组织带头学习贯彻党的理论和路线方针政策的情况", "党员干部遵纪守法、廉洁从业的表现"),
    "development_drive": ("党组织围绕安全生产和经营任务发挥作用的情况", "党员在急难险重任务中冲锋在前的表现"),
    "reform_innovation": ("党组织开展活动形式新颖、注重实效的情况", "党组织支持职工创新创效、技术攻关的情况"),
    "cohesion_support": ("党组织关心职工、帮助解决实际困难的情况", "班组团结和谐、职工心齐气顺的情况"),
}
GENERIC_QUESTIONS = ("党组织在“{name}”方面的工作", "党员在“{name}”方面发挥作用的情况")
COMMENTS = ("希望多组织一些技术交流活动。", "班组关心职工做得很好，继续保持。", "建议支部活动更贴近一线生产实际。",
            "党员带头作用明显，抢修时冲在前面。", "希望进一步改善倒班职工的就餐条件。")
# Answers lean to the top: (level, weight) for each answer.
WEIGHTS = (("5", 45), ("4", 32), ("3", 15), ("2", 6), ("1", 2))


def _answers(rng: random.Random, keys: list[str]) -> dict[str, str]:
    levels, weights = zip(*WEIGHTS)
    return {key: rng.choices(levels, weights)[0] for key in keys}


def _respond(rng: random.Random, target, n: int, sheet) -> int:
    """``n`` respondents answer with freshly printed slips; returns how many slips were printed."""
    printed = n + rng.randint(1, 4)  # a few slips are never used
    codes = ballots.issue_slips(target.box, printed, actor=None)
    for code in codes[:n]:
        _box, participant = ballots.redeem(code)
        comments = {sheet.survey_comment_key: rng.choice(COMMENTS)} if rng.random() < 0.3 else {}
        ballots.cast(target.box, participant=participant, ratings=_answers(rng, sheet.keys), comments=comments)
    return printed


def build_surveys(campaign: Campaign, committee: Org, admin: User, leader: User, rng: random.Random,
                  today: date) -> str:
    branches = list(Org.objects.filter(parent=committee, org_type=OrgType.BRANCH, is_active=True).order_by("path"))
    if not branches:
        return "surveys: the demo committee has no branches"
    with acting_as(actor_for(admin)):
        template = SurveyTemplate.objects.create(
            campaign=campaign, name="基层党组织群众满意度测评问卷", comment_mode=CommentMode.SURVEY,
            comment_max=200, created_by=admin,
            intro="本测评不记名，请根据您的真实感受作答。您的答卷加密保存，任何人都无法知道您怎样作答。")
        services.save_template_items(template, {
            dimension.pk: list(QUESTIONS.get(dimension.code) or [q.format(name=dimension.name)
                                                                 for q in GENERIC_QUESTIONS])
            for dimension in services.org_dimensions(campaign)}, admin)
    passphrases = {admin.pk: DEMO_PASSPHRASES["admin"], leader.pk: DEMO_PASSPHRASES["leader"]}
    secretary = User.objects.filter(username="secretary").first() or admin
    answered = 0
    with acting_as(actor_for(secretary)):
        for title, closes_on, counted in ((f"{campaign.year}年上半年群众满意度测评", date(campaign.year, 6, 30), True),
                                          (f"{campaign.year}年下半年群众满意度测评", today - timedelta(days=3), False)):
            survey = services.save_survey(
                Survey(campaign=campaign, template=template, org=committee, title=title,
                       closes_on=max(closes_on, date.today())), branches, secretary)
            services.set_scrutineers(survey, [admin, leader], secretary)
            services.open_survey(survey, passphrases, secretary)
            for index, target in enumerate(survey.targets.select_related("box", "survey__template")):
                sheet = services.answer_sheet(target)
                respondents = 2 if counted and index == len(branches) - 1 else rng.randint(6, 14)
                _respond(rng, target, respondents, sheet)
                answered += respondents
            if counted:
                services.close_survey(survey, passphrases, secretary)
            # The boxes took their answers while open; the survey's closing day is the story's.
            Survey.objects.filter(pk=survey.pk).update(closes_on=closes_on)
    return (f"surveys: 2 surveys of {len(branches)} branches of {committee.name}, {answered} answers "
            f"(scrutineers admin and leader, passphrases {DEMO_PASSPHRASES['admin']} / {DEMO_PASSPHRASES['leader']})")


def seed_step(context) -> str:
    """The ``seed_demo`` step: surveys in the demo campaign (after the campaign step)."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME, DEMO_TODAY

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).select_related("scope_org").first()
    admin = User.objects.filter(username="admin").first()
    leader = User.objects.filter(username="leader").first()
    grant = leader.grants.filter(role=Role.LEADER).select_related("org").first() if leader else None
    if campaign is None or admin is None or grant is None:
        return "surveys: no demo campaign or demo accounts"
    return build_surveys(campaign, grant.org, admin, leader, random.Random(f"surveys:{context.seed}"), DEMO_TODAY)
