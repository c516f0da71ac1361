"""The assessment pages: recompute as a job, publish after a confirmation, the diff, who reads what
when, the result drilled down to its records, the appeal and entry links, the home card."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.assessment.models import ManualScore, Result, Snapshot, SnapshotStatus, SubjectKind
from vanguard.core.models import Job, JobStatus
from vanguard.rubrics.models import Indicator

from .helpers import assessed_campaign, make_snapshot


@pytest.fixture
def campaign(cast):
    """Unit A's campaign with the default org and member rubrics."""
    return assessed_campaign(cast.unit_a, user=cast.admin)


def org_result(snapshot, org) -> Result:
    return Result.objects.get(snapshot=snapshot, kind=SubjectKind.ORG, org=org)


def score_by_hand(campaign, org, user, points=None) -> ManualScore:
    """A manual score of the org rubric's first indicator: a change the next recompute reads."""
    indicator = Indicator.objects.filter(rubric__campaign=campaign, rubric__subject="org").order_by("pk").first()
    return ManualScore.objects.create(campaign=campaign, indicator=indicator, org=org, entered_by=user,
                                      points=indicator.points if points is None else points, reason="核实后改定")


# ------------------------------------------------------------------------------------------ workflow

def test_the_admin_recomputes_as_a_job_and_its_page_shows_the_finished_progress(cast, login, campaign,
                                                                                 django_capture_on_commit_callbacks):
    client = login(cast.admin)
    page = client.get(reverse("assessment:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    recompute = reverse("assessment:campaign_recompute", args=[campaign.pk])
    assert recompute in page.content.decode()
    assert client.get(recompute).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(recompute)
    job = Job.objects.get(kind="assessment_recompute")
    assert response.status_code == 302 and response.url == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.result
    snapshot = Snapshot.objects.get(campaign=campaign)
    assert snapshot.status == SnapshotStatus.DRAFT and snapshot.job_id == job.pk and snapshot.created_by == cast.admin
    body = client.get(job.get_absolute_url()).content.decode()
    assert 'data-status="succeeded"' in body and "100%" in body
    assert reverse("assessment:snapshot_detail", args=[snapshot.pk]) in body
    assert "已生成第1版考核结果" in body


def test_only_the_campaigns_admins_are_offered_the_recompute(cast, login, campaign):
    for user in (cast.secretary, cast.leader, cast.inspector):
        body = login(user).get(reverse("assessment:campaign_detail", args=[campaign.pk])).content.decode()
        assert reverse("assessment:campaign_recompute", args=[campaign.pk]) not in body
        assert login(user).post(reverse("assessment:campaign_recompute", args=[campaign.pk])).status_code == 403
    assert not Snapshot.objects.exists()


def test_publishing_asks_for_confirmation_then_freezes_and_supersedes(cast, login, campaign):
    first = make_snapshot(campaign, user=cast.admin)
    score_by_hand(campaign, cast.branch_a1, cast.admin)
    draft = make_snapshot(campaign, published=False, user=cast.admin)
    client = login(cast.admin)
    detail = client.get(reverse("assessment:snapshot_detail", args=[draft.pk])).content.decode()
    publish = reverse("assessment:snapshot_publish", args=[draft.pk])
    assert publish in detail
    confirm = client.get(publish)
    assert confirm.status_code == 200
    assert "与已发布的第1版相比，1 个对象" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == SnapshotStatus.DRAFT  # the GET published nothing
    response = client.post(publish)
    assert response.status_code == 302 and response.url == reverse("assessment:snapshot_detail", args=[draft.pk])
    draft.refresh_from_db()
    first.refresh_from_db()
    assert (draft.status, draft.published_by, first.status) == (SnapshotStatus.PUBLISHED, cast.admin,
                                                                 SnapshotStatus.SUPERSEDED)


def test_nobody_republishes_or_changes_a_published_snapshot(cast, login, campaign):
    published = make_snapshot(campaign, user=cast.admin)
    before = list(Result.objects.filter(snapshot=published).values_list("pk", "total", "grade", "titled"))
    client = login(cast.admin)
    assert reverse("assessment:snapshot_publish", args=[published.pk]) not in client.get(
        reverse("assessment:snapshot_detail", args=[published.pk])).content.decode()
    page = client.get(reverse("assessment:snapshot_publish", args=[published.pk]))
    assert page.status_code == 200 and 'data-testid="not-publishable"' in page.content.decode()
    response = client.post(reverse("assessment:snapshot_publish", args=[published.pk]))
    assert response.status_code == 200 and "只有待发布的考核结果可以发布。" in response.content.decode()
    published.refresh_from_db()
    assert published.status == SnapshotStatus.PUBLISHED and published.version == 1
    # Staff may not publish at all; a recompute makes a new version and leaves this one as it was.
    assert login(cast.secretary).post(reverse("assessment:snapshot_publish", args=[published.pk])).status_code == 403
    score_by_hand(campaign, cast.branch_a1, cast.admin)
    make_snapshot(campaign, published=False, user=cast.admin)
    assert list(Result.objects.filter(snapshot=published).values_list("pk", "total", "grade", "titled")) == before
    published.refresh_from_db()
    assert published.status == SnapshotStatus.PUBLISHED


def test_a_drafts_results_are_for_the_campaigns_admins_until_published(cast, login, campaign):
    draft = make_snapshot(campaign, published=False, user=cast.admin)
    result = org_result(draft, cast.branch_a1)
    member_result = Result.objects.get(snapshot=draft, person=cast.member_person)
    url = reverse("assessment:result_detail", args=[result.pk])
    for user in (cast.secretary, cast.clerk, cast.leader):
        client = login(user)
        assert client.get(url).status_code == 404
        listed = client.get(reverse("assessment:result_list"), {"snapshot": draft.pk})
        assert listed.status_code == 200 and not listed.context["page_obj"].object_list
        assert client.get(reverse("assessment:snapshot_detail", args=[draft.pk])).status_code == 404
    assert login(cast.member).get(reverse("assessment:result_detail", args=[member_result.pk])).status_code == 404
    admin_page = login(cast.admin).get(url)
    assert admin_page.status_code == 200 and "本版本尚未发布" in admin_page.content.decode()

    client = login(cast.admin)
    client.post(reverse("assessment:snapshot_publish", args=[draft.pk]))
    assert login(cast.clerk).get(url).status_code == 200
    assert login(cast.member).get(reverse("assessment:result_detail", args=[member_result.pk])).status_code == 200
    listed = login(cast.clerk).get(reverse("assessment:result_list"))
    assert result in listed.context["page_obj"].object_list


def test_a_member_reads_her_own_result_only_and_no_link_to_the_snapshot(cast, login, campaign):
    snapshot = make_snapshot(campaign, user=cast.admin)
    own = Result.objects.get(snapshot=snapshot, person=cast.member_person)
    other = Result.objects.get(snapshot=snapshot, person=cast.person_a1)
    client = login(cast.member)
    page = client.get(reverse("assessment:result_detail", args=[own.pk]))
    assert page.status_code == 200
    assert reverse("assessment:snapshot_detail", args=[snapshot.pk]) not in page.content.decode()
    assert client.get(reverse("assessment:result_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("assessment:result_detail", args=[org_result(snapshot, cast.branch_a1).pk])).status_code == 404
    assert [r.pk for r in client.get(reverse("assessment:result_list")).context["page_obj"].object_list] == [own.pk]
    assert client.get(reverse("assessment:index")).status_code == 403


# ------------------------------------------------------------------------------------------ diff

def test_the_diff_lists_what_changed_with_links_to_both_results(cast, login, campaign):
    first = make_snapshot(campaign, user=cast.admin)
    score_by_hand(campaign, cast.branch_a1, cast.admin)
    second = make_snapshot(campaign, user=cast.admin)
    before, after = org_result(first, cast.branch_a1), org_result(second, cast.branch_a1)
    assert after.total > before.total
    for user in (cast.admin, cast.clerk):
        page = login(user).get(reverse("assessment:snapshot_diff", args=[second.pk]))
        assert page.status_code == 200
        rows = page.context["rows"]
        assert [(row.change.kind, row.change.org_id) for row in rows] == [(SubjectKind.ORG, cast.branch_a1.pk)]
        body = page.content.decode()
        assert reverse("assessment:result_detail", args=[after.pk]) in body
        assert reverse("assessment:result_detail", args=[before.pk]) in body
        assert f"+{after.total - before.total}" in body
    # Branch A2's staff read nothing of A1's change.
    from tests.factories import make_user
    from vanguard.core.roles import Role

    a2_clerk = make_user("a2_clerk", Role.CLERK, cast.branch_a2)
    assert login(a2_clerk).get(reverse("assessment:snapshot_diff", args=[second.pk])).context["rows"] == []
    members = login(cast.admin).get(reverse("assessment:snapshot_diff", args=[second.pk]), {"kind": "member"})
    assert members.context["rows"] == []


def test_a_first_version_has_nothing_to_compare_with(cast, login, campaign):
    snapshot = make_snapshot(campaign, user=cast.admin)
    page = login(cast.admin).get(reverse("assessment:snapshot_diff", args=[snapshot.pk]))
    assert page.status_code == 200 and 'data-testid="no-previous"' in page.content.decode()


# ------------------------------------------------------------------------------------------ the result page

def test_the_result_page_explains_each_dimension_and_indicator(cast, login, campaign):
    score_by_hand(campaign, cast.branch_a1, cast.admin, points=Decimal("3"))
    snapshot = make_snapshot(campaign, user=cast.admin)
    result = org_result(snapshot, cast.branch_a1)
    page = login(cast.clerk).get(reverse("assessment:result_detail", args=[result.pk]))
    body = page.content.decode()
    assert f'data-testid="total">{result.total}<' in body
    dimensions = result.explanation["dimensions"]
    for dimension in dimensions:
        assert f'data-code="{dimension["code"]}"' in body and dimension["name"] in body
        for indicator in dimension["indicators"]:
            assert f'id="indicator-{indicator["code"]}"' in body
    manual = dimensions[0]["indicators"][0]
    assert manual["override"] == "3.00" and "核实后改定" in manual["text"]
    assert manual["text"] in body and manual["rule"] in body
    assert "全活动排名" in body


def test_a_records_link_is_shown_only_to_who_may_open_it(cast, login, campaign):
    snapshot = make_snapshot(campaign, user=cast.admin)
    result = Result.objects.get(snapshot=snapshot, person=cast.member_person)
    refs = [ref for d in result.explanation["dimensions"] for i in d["indicators"] for ref in i["refs"]]
    assert refs, "the member rubric links some indicator to its records"
    meetings = next(ref for ref in refs if ref["url"].startswith(reverse("activities:meeting_list")))
    # A member reads her branch's meetings: the link is there, and opens.
    client = login(cast.member)
    body = client.get(reverse("assessment:result_detail", args=[result.pk])).content.decode()
    assert f'href="{meetings["url"].replace("&", "&amp;")}"' in body
    assert client.get(meetings["url"]).status_code == 200
    # A link to a record the viewer may not read is its label alone.
    from vanguard.assessment.views import readable_refs

    foreign = [{"code": "x", "indicators": [{"refs": [
        {"label": "别处的组织", "url": reverse("orgs:org_detail", args=[cast.branch_b1.pk])},
        {"label": "外部", "url": "https://example.com/"}]}]}]
    marked = readable_refs(cast.member, foreign)[0]["indicators"][0]["refs"]
    assert [ref["readable"] for ref in marked] == [False, False]
    assert readable_refs(cast.admin, foreign)[0]["indicators"][0]["refs"][0]["readable"]


def test_the_appeal_link_is_for_the_orgs_own_secretary_or_clerk_while_the_window_is_open(cast, login, campaign):
    snapshot = make_snapshot(campaign, user=cast.admin)
    result = org_result(snapshot, cast.branch_a1)
    url = reverse("assessment:result_detail", args=[result.pk])
    appeal = reverse("appeals:create")
    clerk_page = login(cast.clerk).get(url).content.decode()
    code = result.explanation["dimensions"][0]["indicators"][0]["code"]
    assert f"{appeal}?result={result.pk}&amp;indicator={code}" in clerk_page
    # The unit's secretary and the bureau's admin do not speak for the branch.
    assert appeal not in login(cast.secretary).get(url).content.decode()
    assert appeal not in login(cast.admin).get(url).content.decode()
    # Once the window (7 days from publication) is over: no link.
    Snapshot.objects.filter(pk=snapshot.pk).update(published_at=timezone.now() - timedelta(days=30))
    assert appeal not in login(cast.clerk).get(url).content.decode()


def test_the_campaign_page_links_its_admins_to_the_manual_inputs(cast, login, campaign):
    body = login(cast.admin).get(reverse("assessment:campaign_detail", args=[campaign.pk])).content.decode()
    assert reverse("assessment_entries:settings_edit", args=[campaign.pk]) in body
    assert f"{reverse('assessment_entries:manual_score_list')}?campaign={campaign.pk}" in body
    body = login(cast.secretary).get(reverse("assessment:campaign_detail", args=[campaign.pk])).content.decode()
    assert reverse("assessment_entries:settings_edit", args=[campaign.pk]) not in body


# ------------------------------------------------------------------------------------------ home card

def test_the_home_card_shows_the_orgs_staff_their_result_and_a_member_hers(cast, login, campaign):
    snapshot = make_snapshot(campaign, user=cast.admin)
    a1 = org_result(snapshot, cast.branch_a1)
    own = Result.objects.get(snapshot=snapshot, person=cast.member_person)
    clerk_home = login(cast.clerk).get(reverse("core:home")).content.decode()
    assert 'data-testid="card-assessment"' in clerk_home
    assert reverse("assessment:result_detail", args=[a1.pk]) in clerk_home and "未评为“四强”" in clerk_home
    member_home = login(cast.member).get(reverse("core:home")).content.decode()
    assert reverse("assessment:result_detail", args=[own.pk]) in member_home and "未评为“四优”" in member_home
    assert reverse("assessment:result_detail", args=[a1.pk]) not in member_home
    # The unit's secretary leads no scored org of its own (unit A's campaign scores its branches).
    assert 'data-testid="card-assessment"' not in login(cast.secretary).get(reverse("core:home")).content.decode()


def test_the_home_card_waits_for_publication(cast, login, campaign):
    make_snapshot(campaign, published=False, user=cast.admin)
    assert 'data-testid="card-assessment"' not in login(cast.clerk).get(reverse("core:home")).content.decode()


def test_a_secretarys_result_shows_the_orgs_led_and_links_to_their_results(cast, login, campaign):
    from datetime import date

    from vanguard.assessment.models import SecretaryItem
    from vanguard.committees.models import CommitteePost

    from ..activities.helpers import committee

    committee(cast.branch_a1, {cast.person_a1: CommitteePost.SECRETARY}, elected=date(2025, 1, 10))
    SecretaryItem.objects.create(campaign=campaign, person=cast.person_a1, org=cast.branch_a1, points=Decimal("80"),
                                 reason="述职评议")
    snapshot = make_snapshot(campaign, user=cast.admin)
    result = Result.objects.get(snapshot=snapshot, kind=SubjectKind.SECRETARY, person=cast.person_a1)
    page = login(cast.clerk).get(reverse("assessment:result_detail", args=[result.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert result.explanation["text"] in body and "述职评议" in body
    a1 = org_result(snapshot, cast.branch_a1)
    assert f'<a href="{reverse("assessment:result_detail", args=[a1.pk])}">{cast.branch_a1.name}</a>' in body
    assert "“四强”评定" not in body and "“四优”评定" not in body


def test_the_result_page_and_scorecard_show_the_bonus_and_veto_lines(cast, login, campaign):
    from vanguard.assessment import scorecard
    from vanguard.assessment.models import BonusAward, VetoRecord
    from vanguard.rubrics.models import BonusItem, VetoItem

    bonus_item = BonusItem.objects.filter(rubric__campaign=campaign, rubric__subject="org").order_by("pk").first()
    veto_item = VetoItem.objects.filter(rubric__campaign=campaign, rubric__subject="org").order_by("pk").first()
    BonusAward.objects.create(campaign=campaign, bonus_item=bonus_item, org=cast.branch_a1, points=bonus_item.points,
                              reason="获评先进", awarded_by=cast.admin)
    VetoRecord.objects.create(campaign=campaign, veto_item=veto_item, org=cast.branch_a1, reason="发生安全事故",
                              recorded_by=cast.admin)
    result = org_result(make_snapshot(campaign, user=cast.admin), cast.branch_a1)
    assert result.vetoed
    explanation = result.explanation
    body = login(cast.clerk).get(reverse("assessment:result_detail", args=[result.pk])).content.decode()
    assert 'data-testid="bonus"' in body and bonus_item.name in body and explanation["bonuses"][0]["points"] in body
    assert 'data-testid="vetoes"' in body and explanation["vetoes"][0]["text"] in body
    assert "有否决项" in body
    document = scorecard.render_html(result)
    assert explanation["vetoes"][0]["text"] in document and bonus_item.name in document
