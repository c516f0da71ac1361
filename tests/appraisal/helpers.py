"""Builders for the appraisal tests on top of the shared cast.

``appraisal_round`` makes a round of branch A1 (张伟 and 刘洋 are its members in the cast, plus
``extra`` more 正式党员) whose vote started yesterday; ``opened`` opens it with the scrutineers
(the clerk and the member) and their passphrases (``PASSPHRASES``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from vanguard.appraisal import services
from vanguard.appraisal.models import AppraisalRound, Grade, RoundMember, VotingMode, item_key
from vanguard.ballots import services as ballots

from ..factories import make_person
from ..plans.helpers import make_campaign

__all__ = ["make_campaign", "appraisal_round", "opened", "PASSPHRASES", "passphrases_of", "every", "ballot",
           "member_row", "closed"]

PASSPHRASE = "监票口令-{}-2026"


def dates(voting_start: date) -> dict[str, date]:
    """Step dates around ``voting_start``: study and self-assessment before, 10 days of voting, then the rest."""
    d = voting_start
    return {
        "study_starts_on": d - timedelta(days=20), "study_ends_on": d - timedelta(days=11),
        "self_starts_on": d - timedelta(days=10), "self_ends_on": d - timedelta(days=1),
        "voting_starts_on": d, "voting_ends_on": d + timedelta(days=10),
        "evaluation_starts_on": d + timedelta(days=11), "evaluation_ends_on": d + timedelta(days=20),
        "application_starts_on": d + timedelta(days=21), "application_ends_on": d + timedelta(days=40),
    }


def appraisal_round(cast, campaign=None, org=None, *, extra: int = 3, mode=VotingMode.ONLINE, branches=None,
                    scrutineers=None, **fields) -> AppraisalRound:
    campaign = campaign or make_campaign(cast)
    org = org or cast.branch_a1
    for n in range(extra):
        make_person(org, f"{org.name[:2]}党员{n + 1}")
    values = {"campaign": campaign, "org": org, "title": f"{org.name}2026年度民主评议", "mode": mode,
              **dates(timezone.localdate() - timedelta(days=1)), **fields}
    round_ = services.save_round(AppraisalRound(**values), branches or [org], cast.clerk)
    services.set_scrutineers(round_, scrutineers or [cast.clerk, cast.member], cast.clerk)
    return round_


def passphrases_of(users) -> dict[int, str]:
    return {user.pk: PASSPHRASE.format(user.username) for user in users}


def PASSPHRASES(round_) -> dict[int, str]:  # noqa: N802 — reads as the constant it stands for
    return passphrases_of(round_.scrutineers.all())


def opened(cast, round_=None, **kwargs) -> AppraisalRound:
    round_ = round_ or appraisal_round(cast, **kwargs)
    return services.open_voting(round_, PASSPHRASES(round_), cast.clerk)


def closed(cast, round_) -> AppraisalRound:
    return services.close_round(round_, PASSPHRASES(round_), cast.clerk)


def member_row(round_, person) -> RoundMember:
    return RoundMember.objects.get(round=round_, person=person)


def every(round_, grade=Grade.QUALIFIED, skip=None, **chosen) -> dict[str, str]:
    """A complete ballot: ``grade`` for every appraised member but ``skip`` (a person), ``chosen`` by person id."""
    ratings = {}
    for member in round_.members.appraised():
        if skip is not None and member.person_id == skip.pk:
            continue
        ratings[member.item] = chosen.get(f"p{member.person_id}", grade)
    return ratings


def ballot(round_, person_grades: dict, default=Grade.QUALIFIED, skip=None) -> dict[str, str]:
    """A complete ballot with ``person_grades`` ({person: grade}) and ``default`` for the others."""
    ratings = every(round_, default, skip=skip)
    for person, grade in person_grades.items():
        ratings[item_key(person.pk)] = grade
    return ratings


def mass_vote(round_, ratings: dict[str, str]) -> str:
    """One slip issued and used: the receipt."""
    code = ballots.issue_slips(round_.masses_box, 1, actor=None)[0]
    _round, receipt = services.cast_slip_ballot(code, ratings)
    return receipt
