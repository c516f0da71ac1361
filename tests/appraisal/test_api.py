"""The API: rounds managed with the page's rules, turnout as counts, tallies and results after close
only; nothing returns a ballot."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.appraisal import services
from vanguard.appraisal.models import AppraisalRound, Grade

from .helpers import appraisal_round, closed, dates, every, make_campaign, mass_vote, opened

pytestmark = pytest.mark.django_db


def body(cast, org, campaign, **changes) -> dict:
    data = {"campaign": campaign.pk, "org": org.pk, "title": "接口新建的民主评议", "mode": "online",
            **{k: v.isoformat() for k, v in dates(timezone.localdate()).items()}}
    data.update(changes)
    return data


def test_an_editor_creates_a_round_with_its_electorate(cast, login):
    campaign = make_campaign(cast)
    client = login(cast.clerk)
    response = client.post(reverse("api:list_appraisal_rounds"), json.dumps(body(cast, cast.branch_a1, campaign)),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["branch_ids"] == [cast.branch_a1.pk] and data["status"] == "preparing"
    assert [s["step"] for s in data["steps"]] == ["study", "self_assessment", "voting", "evaluation", "application"]
    round_ = AppraisalRound.objects.get(pk=data["id"])
    assert set(round_.members.values_list("person__name", flat=True)) == {"张伟", "刘洋"}


def test_an_org_out_of_scope_or_bad_settings_are_refused(cast, login):
    campaign = make_campaign(cast)
    client = login(cast.clerk)
    outside = client.post(reverse("api:list_appraisal_rounds"), json.dumps(body(cast, cast.branch_b1, campaign)),
                          content_type="application/json")
    assert outside.status_code == 400 and "选择一个有效的选项" in json.dumps(outside.json(), ensure_ascii=False)
    weights = client.post(reverse("api:list_appraisal_rounds"),
                          json.dumps(body(cast, cast.branch_a1, campaign, member_weight=80, masses_weight=30)),
                          content_type="application/json")
    assert weights.status_code == 400 and "权重之和应为 100%" in json.dumps(weights.json(), ensure_ascii=False)
    assert not AppraisalRound.objects.exists()
    assert login(cast.member).post(reverse("api:list_appraisal_rounds"), json.dumps(body(
        cast, cast.branch_a1, campaign)), content_type="application/json").status_code == 403


def test_settings_change_only_before_the_vote(cast, login):
    round_ = appraisal_round(cast)
    client = login(cast.clerk)
    url = reverse("api:get_appraisal_round", args=[round_.pk])
    changed = client.put(url, json.dumps(body(cast, cast.branch_a1, round_.campaign, title="改名")),
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["title"] == "改名"
    assert login(cast.member).put(url, json.dumps(body(cast, cast.branch_a1, round_.campaign)),
                                  content_type="application/json").status_code == 403
    opened(cast, round_)
    again = login(cast.clerk).put(url, json.dumps(body(cast, cast.branch_a1, round_.campaign)),
                                  content_type="application/json")
    assert again.status_code == 400 and "投票开始后" in json.dumps(again.json(), ensure_ascii=False)


def test_turnout_is_counts_only(cast, login):
    round_ = opened(cast)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    mass_vote(round_, every(round_))
    data = login(cast.clerk).get(reverse("api:get_appraisal_turnout", args=[round_.pk])).json()
    assert data == {"status": "voting", "voters": 5, "members_voted": 1, "masses_voted": 1,
                    "slips_issued": 1, "slips_used": 1, "slips_voided": 0}
    assert login(cast.member).get(reverse("api:get_appraisal_turnout", args=[round_.pk])).status_code == 403


def test_the_tally_after_close_only_and_without_ballots(cast, login):
    round_ = opened(cast)
    services.cast_member_ballot(round_, cast.member, every(round_, skip=cast.member_person))
    client = login(cast.clerk)
    url = reverse("api:get_appraisal_tally", args=[round_.pk])
    before = client.get(url)
    assert before.status_code == 403 and "计票之后" in before.json()["detail"]
    closed(cast, round_)
    data = client.get(url).json()
    assert data["ballots_members"] == 1 and data["ballots_masses"] == 0
    row = data["rows"][0]
    assert set(row) == {"person_id", "person_name", "members", "masses", "weighted_shares", "score"}
    assert row["members"] == {"counts": None, "raters": None}  # one rater: below the minimum


def test_results_after_the_general_meeting_only(cast, login):
    round_ = closed(cast, opened(cast))
    services.propose_grades(round_, {m.pk: (Grade.QUALIFIED, "") for m in round_.members.appraised()}, cast.clerk)
    url = reverse("api:get_appraisal_results", args=[round_.pk])
    assert login(cast.member).get(url).json()["results"] == []
    services.record_decision(round_, timezone.localdate(), 3, "", cast.clerk)
    mine = login(cast.member).get(url).json()["results"]
    assert [r["person_name"] for r in mine] == ["刘洋"] and mine[0]["grade"] == "qualified"
    assert len(login(cast.clerk).get(url).json()["results"]) == 5


def test_no_endpoint_speaks_of_ballots(client):
    """The schema has no path or field that could carry a ballot, a participation or a slip's code."""
    schema = client.get(reverse("api:openapi-json")).json()
    paths = [path for path in schema["paths"] if "/appraisal/" in path]
    assert paths and not any(word in path for path in paths for word in ("ballot", "vote", "slip", "receipt"))
    names = {name for name in schema["components"]["schemas"] if name.startswith(("Round", "Tally", "Group",
                                                                                  "Result", "Turnout", "Step"))}
    fields = {field for name in names for field in schema["components"]["schemas"][name].get("properties", {})}
    assert not fields & {"ballot", "ballots", "ratings", "participant", "voter", "code", "receipt"}
