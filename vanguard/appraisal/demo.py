"""Demo appraisal rounds for ``seed_demo``, dated from the day the demo is seeded.

Not from the demo's fixed "today" (``campaigns.demo.DEMO_TODAY``): a ballot box closes at a real
time, so a round open to vote must be open on the real calendar, and a general meeting is
recorded after the real count.

- The demo clerk's and member's branch votes online right now: most members have written their
  对照检查 (not the demo member: it is on their to-do list, with the vote), some mass
  representatives have voted with slips. Its scrutineers are the demo clerk and the demo
  secretary, whose passphrases the summary line prints, so that the round can be closed on the
  pages.
- Another branch of the secretary's committee voted on paper: both scrutineers (the secretary and
  the admin) entered the same counts, the branch committee proposed grades within the 优秀 cap and
  the general meeting decided them; the decision waits for the secretary's review (上级审核).

The same seed always gives the same data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from vanguard.accounts.models import User
from vanguard.ballots import services as ballots
from vanguard.campaigns.models import Campaign
from vanguard.orgs.models import Org, OrgType

from . import services
from .models import GRADES, GRADES_WITH_REASON, AppraisalRound, Electorate, Grade, VotingMode

DEMO_PASSPHRASES = {"clerk": "监票口令-书记员-2026", "secretary": "监票口令-书记-2026"}
ASSESSED_SHARE = 0.85  # of the live round's members: their 对照检查 written
MASS_SLIPS, MASS_BALLOTS = 20, 12  # slips printed for the live round, and used
# How a demo ballot rates: mostly 合格, a good share 优秀, a few lower.
RATING_WEIGHTS = {Grade.EXCELLENT: 30, Grade.QUALIFIED: 62, Grade.BASIC: 6, Grade.UNQUALIFIED: 2}
REASONS = {Grade.BASIC: "学习教育参加不够经常，发挥作用不够明显，支部已安排谈心帮助。",
           Grade.UNQUALIFIED: "长期不参加组织生活，经教育仍无明显转变。"}
SUMMARIES = ("对照党员标准，本人能认真学习，立足岗位发挥作用；不足是理论学习不够系统，今后加强。",
             "全年按时参加“三会一课”，完成承诺事项；在带动身边群众方面还需加强。",
             "对照“四优”要求查找差距：技能提升较快，联系群众不够主动，已制定整改措施。")


def _dates(voting_start: date, days: int) -> dict[str, date]:
    d = voting_start
    return {"study_starts_on": d - timedelta(days=30), "study_ends_on": d - timedelta(days=16),
            "self_starts_on": d - timedelta(days=15), "self_ends_on": d - timedelta(days=1),
            "voting_starts_on": d, "voting_ends_on": d + timedelta(days=days),
            "evaluation_starts_on": d + timedelta(days=days + 1), "evaluation_ends_on": d + timedelta(days=days + 14),
            "application_starts_on": d + timedelta(days=days + 15),
            "application_ends_on": d + timedelta(days=days + 45)}


def _rating(rng: random.Random) -> str:
    return rng.choices(list(RATING_WEIGHTS), weights=list(RATING_WEIGHTS.values()))[0]


def _live_round(campaign, branch, clerk, secretary, member, rng, today) -> AppraisalRound:
    round_ = services.save_round(AppraisalRound(
        campaign=campaign, org=branch, title=f"{branch.name}{campaign.year}年度民主评议党员",
        mode=VotingMode.ONLINE, **_dates(today - timedelta(days=3), 10)), [branch], clerk)
    services.set_scrutineers(round_, [clerk, secretary], clerk)
    for member_row in round_.members.taking_part().select_related("person"):
        if member_row.person_id == member.person_id or rng.random() > ASSESSED_SHARE:
            continue
        rows = services.assessment_rows(member_row)
        services.submit_self_assessment(member_row, rng.choice(SUMMARIES), {
            row.dimension.pk: f"对照“{row.dimension.name}”：{rng.choice(SUMMARIES)}" for row in rows}, clerk)
    services.open_voting(round_, {clerk.pk: DEMO_PASSPHRASES["clerk"],
                                  secretary.pk: DEMO_PASSPHRASES["secretary"]}, clerk)
    items = round_.members_box.items
    codes = ballots.issue_slips(round_.masses_box, MASS_SLIPS, actor=clerk)
    for code in codes[:MASS_BALLOTS]:
        services.cast_slip_ballot(code, {item: _rating(rng) for item in items})
    return round_


def _paper_counts(items: list[str], raters: int, rng: random.Random) -> dict[str, dict[str, int]]:
    counts = {}
    for item in items:
        row = dict.fromkeys(GRADES, 0)
        for _ in range(raters):
            row[_rating(rng)] += 1
        counts[item] = row
    return counts


def _decided_round(campaign, branch, secretary, admin, rng, today) -> AppraisalRound:
    round_ = services.save_round(AppraisalRound(
        campaign=campaign, org=branch, title=f"{branch.name}{campaign.year}年度民主评议党员",
        mode=VotingMode.PAPER, **_dates(today - timedelta(days=20), 6)), [branch], secretary)
    services.set_scrutineers(round_, [secretary, admin], secretary)
    services.open_voting(round_, {}, secretary)
    items = round_.members_box.items
    voters = round_.members.taking_part().count()
    entries = {Electorate.MEMBERS: (_paper_counts(items, max(voters - 1, 0), rng), voters),
               Electorate.MASSES: (_paper_counts(items, 15, rng), 15)}
    for scrutineer in (secretary, admin):
        for electorate, (counts, cast) in entries.items():
            services.enter_paper_counts(round_, electorate, counts, cast, scrutineer)
    result = services.tally(round_)
    proposals = {}
    for row in result.rows:
        grade = row.suggested or Grade.QUALIFIED
        proposals[row.member.pk] = (grade, REASONS[grade] if grade in GRADES_WITH_REASON else "")
    services.propose_grades(round_, proposals, secretary)
    entitled = services.full_members(round_)
    services.record_decision(round_, today, entitled // 2 + 1,
                             "举手表决，同意支委会提出的评定意见。", secretary)
    return round_


def build_appraisal_demo(campaign: Campaign, rng: random.Random, today: date | None = None) -> str:
    from django.utils import timezone

    from vanguard.campaigns.demo import acting

    today = today or timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "secretary", "clerk", "member"])}
    if len(users) < 4 or users["clerk"].person_id is None or users["member"].person_id is None:
        return "appraisal: the demo accounts are missing"
    clerk, secretary, admin, member = users["clerk"], users["secretary"], users["admin"], users["member"]
    branch = clerk.person.org
    committee = secretary.grants.filter(role="secretary").select_related("org").first()
    other = (Org.objects.subtree(committee.org).active().filter(org_type=OrgType.BRANCH).exclude(pk=branch.pk)
             .order_by("path").first()) if committee else None
    with transaction.atomic():
        with acting(clerk):
            live = _live_round(campaign, branch, clerk, secretary, member, rng, today)
        decided = None
        if other is not None:
            with acting(secretary):
                decided = _decided_round(campaign, other, secretary, admin, rng, today)
    summary = (f"appraisal: {live.org.name} voting online ({live.members.count()} in the electorate, "
               f"{MASS_BALLOTS} mass ballots; scrutineer passphrases: clerk {DEMO_PASSPHRASES['clerk']}, "
               f"secretary {DEMO_PASSPHRASES['secretary']})")
    if decided is not None:
        summary += f"; {decided.org.name} decided on paper, awaiting review"
    return summary


def seed_step(context) -> str:
    """The ``seed_demo`` step: appraisal rounds in the demo campaign (after campaigns and commitments)."""
    from vanguard.campaigns.demo import CAMPAIGN_NAME

    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        return "appraisal: no demo campaign"
    return build_appraisal_demo(campaign, random.Random(f"appraisal:{context.seed}"))
