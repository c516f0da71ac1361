"""The appraisal app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

The world has three rounds: branch A1's in unit A's campaign and branch B1's in unit B's, both open
to vote online (A1's scrutineers: the clerk and the member; B1's: the outsider and two_grants),
and branch A2's in unit A's campaign, being prepared (two_grants and member_clerk). Their
electorates: 张伟 and 刘洋 (A1), 李娜 and 陈静 (A2), 王芳 and 赵敏 (B1).

Pages that need a round in another state (being prepared, on paper, counted, proposed, decided)
make one on demand, of A1 (inside) or B1 (outside) in the bureau's campaign, inside the check's
savepoint (``_made``).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.matrix import (
    ABOVE_BRANCH, EDITORS, EDITORS_OF_BRANCH, EVERYONE, GRANTED, OWN_RECORD, REVIEWERS, SIGNED_IN, STAFF,
    STAFF_OF_BRANCH, WITH_PERSON, Case, Seen, Write,
)
from tests.rows import Listing
from vanguard.appraisal import services
from vanguard.appraisal.models import GRADES, AppraisalRound, Grade, VotingMode
from vanguard.ballots import services as ballots

# Who sees a round: staff of its branch, its electorate (刘洋 in A1's) and its scrutineers (the
# member in A1's; the outsider, who is no role, and two_grants in B1's).
ROUND_SEEN = STAFF_OF_BRANCH | Seen({"member"})
# Who may close it: editors of its branch and its scrutineers.
CLOSERS = EDITORS_OF_BRANCH | Seen({"member"})
# Who reads its tally once counted: staff of its branch and its scrutineers.
TALLY_READERS = STAFF_OF_BRANCH | Seen({"member"})
SCRUTINEERS = Seen({"clerk", "member"}, {"two_grants"})
# Whom a round's pages could answer at all: anyone with a grant or a person record (who could be on
# a round's electorate or among its scrutineers); expired and future hold neither today.
ROUND_USERS = GRANTED
VOTERS = Seen({"member"})  # 刘洋 votes in A1's round; nobody of the cast in B1's
MEMBER_ROW_READERS = STAFF | WITH_PERSON
SELF_WRITERS = EDITORS | WITH_PERSON
API_POST_ONLY = dict(ok=405, anonymous=405, api=True, note="POST-only: 405 before any lookup")


def _passphrase(user) -> str:
    return f"矩阵监票口令-{user.username}"


def _scrutineers(w, inside: bool):
    return [w.clerk, w.member] if inside else [w.outsider, w.two_grants]


def _round(w, key: str, campaign, org, inside: bool, mode=VotingMode.ONLINE, voting: bool = True, scrutineers=None):
    day = timezone.localdate() - timedelta(days=1)
    values = dict(services.default_dates(day.year))
    values.update(voting_starts_on=day, voting_ends_on=day + timedelta(days=10), self_starts_on=day - timedelta(days=5),
                  self_ends_on=day - timedelta(days=1), study_starts_on=day - timedelta(days=10),
                  study_ends_on=day - timedelta(days=6), evaluation_starts_on=day + timedelta(days=11),
                  evaluation_ends_on=day + timedelta(days=20), application_starts_on=day + timedelta(days=21),
                  application_ends_on=day + timedelta(days=40))
    round_ = services.save_round(AppraisalRound(campaign=campaign, org=org, title=f"{org.name}民主评议（{key}）",
                                                mode=mode, **values), [org], w.admin)
    users = scrutineers or _scrutineers(w, inside)
    services.set_scrutineers(round_, users, w.admin)
    if voting:
        services.open_voting(round_, {u.pk: _passphrase(u) for u in users}, w.admin)
    return round_


def extend_world(w):
    w.appraisal_rounds = {
        "a1": _round(w, "a1", w.campaign_a, w.branch_a1, True),
        # Its scrutineers see it anyway: two_grants is A2's secretary, 陈静 (member_clerk) is of its electorate.
        "a2": _round(w, "a2", w.campaign_a, w.branch_a2, True, voting=False,
                     scrutineers=[w.two_grants, w.member_clerk]),
        "b1": _round(w, "b1", w.campaign_b, w.branch_b1, False),
    }
    w.appraisal_members = {
        (key, m.person.name): m for key, round_ in w.appraisal_rounds.items()
        for m in round_.members.select_related("person")}


def _made(state: str):
    """kwargs of a round of A1 (inside) or B1 (outside) in the bureau's campaign, brought to ``state``."""

    def kwargs(w, inside):
        org = w.branch_a1 if inside else w.branch_b1
        paper = state == "paper"
        round_ = _round(w, state, w.campaign_bureau, org, inside, mode=VotingMode.PAPER if paper else
                        VotingMode.ONLINE, voting=state != "preparing")
        if state in ("counted", "proposed", "decided"):
            services.close_round(round_, {u.pk: _passphrase(u) for u in _scrutineers(w, inside)}, w.admin)
        if state in ("proposed", "decided"):
            services.propose_grades(round_, {m.pk: (Grade.QUALIFIED, "") for m in round_.members.appraised()},
                                    w.admin)
        if state == "decided":
            services.record_decision(round_, timezone.localdate(), 2, "", w.admin)
        w.made_round = round_
        return {"pk": round_.pk}

    return kwargs


def _world_round(w, inside):
    return w.appraisal_rounds["a1" if inside else "b1"]


def round_kw(w, inside):
    return {"pk": _world_round(w, inside).pk}


def api_round_kw(w, inside):
    return {"round_id": _world_round(w, inside).pk}


def _api_made(state: str):
    made = _made(state)

    def kwargs(w, inside):
        return {"round_id": made(w, inside)["pk"]}

    return kwargs


def exempt_kw(w, inside):
    _made("preparing")(w, inside)
    person = w.person_a1 if inside else w.person_b1
    return {"pk": w.made_round.members.get(person=person).pk}


def paper_kw(w, inside):
    return {**_made("paper")(w, inside), "electorate": "members"}


def self_kw(w, inside):
    return {"round_pk": _world_round(w, inside).pk, "person_pk": (w.member_person if inside else w.person_b1).pk}


def receipt_kw(w, inside):
    return {"box": _world_round(w, inside).members_box_id, "receipt": "ABCDEFGHJKMNPQ"}


def slip_kw(w, inside):
    """A slip of the world round's masses' box, issued for the check (its number is the newest)."""
    round_ = _world_round(w, inside)
    ballots.issue_slips(round_.masses_box, 1, actor=None)
    return {"pk": round_.pk}


# ---------------------------------------------------------------------------------- payloads

def _round_form(w, inside, campaign=None) -> dict:
    org = w.branch_a1 if inside else w.branch_b1
    day = timezone.localdate()
    data = {"campaign": (campaign or w.campaign_bureau).pk, "org": org.pk, "title": "矩阵民主评议", "mode": "online",
            "member_weight": 70, "masses_weight": 30, "min_group": 3, "excellent_cap": "30"}
    data.update({name: value.isoformat() for name, value in services.default_dates(day.year).items()})
    return data


def edit_form(w, inside):
    round_ = w.made_round
    return {**_round_form(w, inside), "title": "矩阵改名的民主评议", "org": round_.org_id}


def exempt_form(w, inside):
    return {"exempt": "on", "exempt_reason": "长期外派"}


def scrutineers_form(w, inside):
    return {"scrutineers": [u.pk for u in _scrutineers(w, inside)]}


def open_form(w, inside):
    data = {"confirm": "on"}
    for user in _scrutineers(w, inside):
        data[f"passphrase_{user.pk}"] = data[f"again_{user.pk}"] = _passphrase(user)
    return data


def close_form(w, inside):
    return {f"passphrase_{u.pk}": _passphrase(u) for u in _scrutineers(w, inside)}


def member_ballot(w, inside):
    """A complete ballot for the requester: every appraised member but themself."""
    round_ = _world_round(w, inside)
    me = getattr(w.me, "person_id", None) if w.me else None
    return {"cast": "1", **{f"r_{m.item}": Grade.QUALIFIED for m in round_.members.appraised() if m.person_id != me}}


def slips_form(w, inside):
    return {"count": 1}


def void_form(w, inside):
    box = _world_round(w, inside).masses_box
    return {"slip": str(ballots.slip_counts(box)["issued"]), "confirm": "1"}


def paper_form(w, inside):
    data = {"ballots": 1}
    for member in w.made_round.members.appraised():
        for grade in GRADES:
            data[f"c_{member.item}_{grade}"] = 1 if grade == Grade.QUALIFIED else 0
    return data


def decide_form(w, inside):
    return {f"grade_{m.pk}": Grade.QUALIFIED for m in w.made_round.members.appraised()}


def meeting_form(w, inside):
    return {"meeting_on": timezone.localdate().isoformat(), "meeting_attendance": 2, "meeting_note": ""}


def review_form(w, inside):
    return {"decision": "approve", "comment": ""}


def self_form(w, inside):
    round_ = _world_round(w, inside)
    return {"summary": "对照检查：矩阵", **{f"dimension_{d.pk}": "矩阵自评" for d in
                                           round_.campaign.dimensions.members()}}


def public_ballot(w, inside):
    """A fresh slip of A1's round and a complete ballot (signed in or not, a slip votes); anonymous
    checks send a mistyped code, so that the check that a refused request changes nothing holds."""
    round_ = _world_round(w, True)
    if w.me is None:
        return {"code": "ABCDE-FGHJK", "cast": "1"}
    code = ballots.issue_slips(round_.masses_box, 1, actor=None)[0]
    return {"code": code, "cast": "1", **{f"r_{m.item}": Grade.QUALIFIED for m in round_.members.appraised()}}


def api_new_round(w, inside):
    data = _round_form(w, inside)
    numbers = ("campaign", "org", "member_weight", "masses_weight", "min_group")
    return {**{key: int(value) if key in numbers else value for key, value in data.items()}, "branches": []}


CASES: dict[str, Case] = {
    "appraisal:round_list": Case(ROUND_USERS),
    "appraisal:mine": Case(ROUND_USERS),
    "appraisal:member_list": Case(MEMBER_ROW_READERS),
    "appraisal:round_create": Case(EDITORS, post=Write(_round_form, seen=EDITORS_OF_BRANCH, unseen=200, outside=True)),
    "appraisal:round_detail": Case(ROUND_USERS, ROUND_SEEN, kwargs=round_kw),
    "appraisal:round_edit": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made("preparing"), visible=ROUND_SEEN,
                                 post=Write(edit_form)),
    "appraisal:round_delete": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made("preparing"), visible=ROUND_SEEN,
                                   post=Write(lambda w, inside: {})),
    "appraisal:member_exempt": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=exempt_kw, visible=STAFF_OF_BRANCH,
                                    post=Write(exempt_form)),
    "appraisal:scrutineers": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made("preparing"), visible=ROUND_SEEN,
                                  post=Write(scrutineers_form)),
    "appraisal:open_voting": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made("preparing"), visible=ROUND_SEEN,
                                  post=Write(open_form)),
    # Signed-in voters only; whoever else sees the round is told they are not on the list.
    "appraisal:member_vote": Case(ROUND_USERS, VOTERS, kwargs=round_kw, visible=ROUND_SEEN, post=Write(member_ballot)),
    "appraisal:slips": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=round_kw, visible=ROUND_SEEN,
                            post=Write(slips_form, ok=200, note="the answer is the PDF of the slips")),
    "appraisal:slip_void": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=slip_kw, visible=ROUND_SEEN, post=Write(void_form)),
    "appraisal:close": Case(ROUND_USERS, CLOSERS, kwargs=round_kw, visible=ROUND_SEEN, post=Write(close_form)),
    "appraisal:paper_counts": Case(ROUND_USERS, SCRUTINEERS, kwargs=paper_kw, visible=ROUND_SEEN,
                                   post=Write(paper_form)),
    "appraisal:tally": Case(ROUND_USERS, TALLY_READERS, kwargs=_made("counted"), visible=ROUND_SEEN),
    "appraisal:decide": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made("counted"), visible=ROUND_SEEN,
                             post=Write(decide_form)),
    "appraisal:meeting": Case(EDITORS, EDITORS_OF_BRANCH, kwargs=_made("proposed"), visible=ROUND_SEEN,
                              post=Write(meeting_form)),
    "appraisal:review": Case(REVIEWERS, ABOVE_BRANCH, kwargs=_made("decided"), visible=ROUND_SEEN,
                             post=Write(review_form)),
    "appraisal:self_assessment": Case(MEMBER_ROW_READERS, STAFF_OF_BRANCH | OWN_RECORD, kwargs=self_kw),
    "appraisal:self_assessment_edit": Case(SELF_WRITERS, EDITORS_OF_BRANCH | OWN_RECORD, kwargs=self_kw,
                                           visible=STAFF_OF_BRANCH | OWN_RECORD, post=Write(self_form)),
    # Without login: a slip's holder votes and anyone with a receipt reads it.
    "appraisal:public_vote": Case(SIGNED_IN, anonymous=200, post=Write(
        public_ballot, overrides={("anonymous", "in"): 400},
        note="a slip votes without an account (tests/appraisal/test_slips.py); anonymous here sends a "
             "mistyped code, refused with 400 and nothing written")),
    "appraisal:receipt": Case(SIGNED_IN, EVERYONE, kwargs=receipt_kw, anonymous=200),
    "appraisal:receipt_check": Case(SIGNED_IN, EVERYONE, kwargs=lambda w, inside: {
        "box": _world_round(w, inside).members_box_id}, anonymous=200),
    "api:list_appraisal_rounds": Case(ROUND_USERS, api=True),
    "api:get_appraisal_round": Case(ROUND_USERS, ROUND_SEEN, kwargs=api_round_kw, api=True),
    # The list's path (a GET lists); a POST creates, and an org out of scope is a form error: 400.
    "api:create_appraisal_round": Case(ROUND_USERS, api=True, post=Write(
        api_new_round, ok=201, allowed=EDITORS, seen=EDITORS_OF_BRANCH, unseen=400, outside=True, json=True)),
    # The round's path (a GET reads it); the PUT is checked in tests/appraisal/test_api.py.
    "api:update_appraisal_round": Case(ROUND_USERS, ROUND_SEEN, kwargs=api_round_kw, api=True),
    "api:get_appraisal_turnout": Case(STAFF, STAFF_OF_BRANCH, kwargs=api_round_kw, visible=ROUND_SEEN, api=True),
    "api:get_appraisal_tally": Case(ROUND_USERS, TALLY_READERS, kwargs=_api_made("counted"), visible=ROUND_SEEN,
                                    api=True),
    "api:get_appraisal_results": Case(ROUND_USERS, ROUND_SEEN, kwargs=api_round_kw, api=True),
}


# ---------------------------------------------------------------------------------- rows

ROUND_ROWS = {
    "admin": {"a1", "a2", "b1"}, "inspector": set(), "secretary": {"a1", "a2"}, "clerk": {"a1"},
    "member": {"a1"}, "leader": {"a1", "a2"}, "unit_admin": {"a1", "a2"}, "two_grants": {"a2", "b1"},
    "expired": None, "future": None,
    # Clerk of A1; her own record 陈静 is in A2's electorate.
    "member_clerk": {"a1", "a2"},
}
A1 = {("a1", "张伟"), ("a1", "刘洋")}
A2 = {("a2", "李娜"), ("a2", "陈静")}
B1 = {("b1", "王芳"), ("b1", "赵敏")}
MEMBER_ROWS = {
    "admin": A1 | A2 | B1, "inspector": None, "secretary": A1 | A2, "clerk": A1, "member": {("a1", "刘洋")},
    "leader": A1 | A2, "unit_admin": A1 | A2, "two_grants": A2 | B1, "expired": None, "future": None,
    "member_clerk": A1 | {("a2", "陈静")},
}

LISTINGS = [
    Listing("appraisal:round_list", lambda w: w.appraisal_rounds, ROUND_ROWS, key=lambda r: (r.title,),
            headers=("名称",)),
    Listing("api:list_appraisal_rounds", lambda w: w.appraisal_rounds, ROUND_ROWS, key=None, api=True),
    Listing("appraisal:member_list", lambda w: w.appraisal_members, MEMBER_ROWS,
            key=lambda m: (m.person.name, m.round.title), headers=("党员", "民主评议")),
]

# API lists and the page whose FilterSet each applies (tests/api/test_filters.py).
API_LISTS = {"list_appraisal_rounds": "appraisal:round_list"}
