"""The assessment's manual-input pages (人工评分, 否决记录, 加分认定, 书记个人考核项) and its settings:
what each form refuses and says in Chinese, the reload that keeps what was typed, the confirmation
before a delete, the audit, each list's search, filter, export and query count."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.assessment.models import AssessmentSettings, BonusAward, ManualScore, SecretaryItem, VetoRecord
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.rubrics.models import BonusItem, VetoItem

from ..appeals.helpers import assessed_campaign, indicator
from ..rows import count_queries, pages_and_exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    """A bureau-wide campaign with its default org and member rubrics."""
    return assessed_campaign(cast)


@pytest.fixture
def admin(cast, login):
    return login(cast.admin)


def url(name, *args):
    return reverse(f"assessment_entries:{name}", args=args)


def errors(response) -> str:
    assert response.status_code == 200, getattr(response, "url", "")
    return " ".join(str(e) for field in response.context["form"].errors.values() for e in field)


def score(campaign, org, **fields):
    data = {"campaign": campaign.pk, "org": org.pk, "indicator": indicator(campaign, "PL05").pk, "points": "1.5",
            "reason": "支部学习制度落实较好"}
    return {**data, **fields}


class TestManualScores:
    def test_an_admin_enters_an_orgs_score(self, cast, admin, campaign):
        response = admin.post(url("manual_score_create"), score(campaign, cast.branch_a1))
        assert response.status_code == 302
        entered = ManualScore.objects.get()
        assert (entered.org, entered.person, entered.points, entered.entered_by) == (
            cast.branch_a1, None, Decimal("1.5"), cast.admin)
        assert AuditEvent.objects.filter(object_type="assessment.manualscore", action=AuditAction.CREATE).exists()

    def test_a_member_chosen_makes_it_the_members_score_from_the_member_rubric(self, cast, admin, campaign):
        data = score(campaign, cast.branch_a1, person=cast.member_person.pk,
                     indicator=indicator(campaign, "JS02", "member").pk, points="8")
        assert admin.post(url("manual_score_create"), data).status_code == 302
        entered = ManualScore.objects.get()
        assert (entered.org, entered.person) == (None, cast.member_person)

    def test_points_beyond_the_indicator_are_refused(self, cast, admin, campaign):
        assert "得分须在 0 到 2.00 分之间" in errors(admin.post(url("manual_score_create"),
                                                           score(campaign, cast.branch_a1, points="3")))
        assert not ManualScore.objects.exists()

    def test_an_org_outside_the_campaigns_scope_is_refused(self, cast, admin):
        campaign = assessed_campaign(cast, name="变电运维中心创建活动", scope_org=cast.unit_a)
        assert "不在该创建活动的范围内" in errors(admin.post(url("manual_score_create"), score(campaign, cast.branch_b1)))

    def test_a_member_of_another_org_is_refused(self, cast, admin, campaign):
        data = score(campaign, cast.branch_a2, person=cast.member_person.pk,
                     indicator=indicator(campaign, "JS02", "member").pk)
        assert "不是所选党组织（含下级）的党员" in errors(admin.post(url("manual_score_create"), data))

    def test_an_indicator_of_another_campaign_is_refused(self, cast, admin, campaign):
        other = assessed_campaign(cast, name="另一个活动", year=2025)
        data = score(campaign, cast.branch_a1, indicator=indicator(other, "PL05").pk)
        assert "不属于该创建活动的创建标准" in errors(admin.post(url("manual_score_create"), data))

    def test_a_member_scored_on_an_org_indicator_is_refused(self, cast, admin, campaign):
        data = score(campaign, cast.branch_a1, person=cast.member_person.pk)
        assert "对党员请选择党员标准中的项目" in errors(admin.post(url("manual_score_create"), data))

    def test_an_org_scored_on_a_member_indicator_is_refused(self, cast, admin, campaign):
        data = score(campaign, cast.branch_a1, indicator=indicator(campaign, "JS02", "member").pk)
        assert "对党组织请选择党组织标准中的项目" in errors(admin.post(url("manual_score_create"), data))

    def test_a_second_score_of_the_same_indicator_and_org_is_refused(self, cast, admin, campaign):
        admin.post(url("manual_score_create"), score(campaign, cast.branch_a1))
        assert "已有人工评分" in errors(admin.post(url("manual_score_create"), score(campaign, cast.branch_a1)))
        assert ManualScore.objects.count() == 1

    def test_editing_keeps_the_campaign_and_changes_the_points(self, cast, admin, campaign):
        admin.post(url("manual_score_create"), score(campaign, cast.branch_a1))
        entered = ManualScore.objects.get()
        form = admin.get(url("manual_score_edit", entered.pk)).context["form"]
        assert form.fields["campaign"].disabled
        data = {**score(campaign, cast.branch_a1, points="0.5"), "record_version": form["record_version"].value()}
        assert admin.post(url("manual_score_edit", entered.pk), data).status_code == 302
        entered.refresh_from_db()
        assert entered.points == Decimal("0.5")

    def test_the_reload_on_a_changed_org_keeps_what_was_typed(self, cast, admin, campaign):
        response = admin.get(url("manual_score_create"), {"campaign": campaign.pk, "org": cast.branch_a1.pk,
                                                          "reason": "已经写好的理由", "points": "1"})
        form = response.context["form"]
        assert form["reason"].value() == "已经写好的理由" and form["points"].value() == "1"
        assert cast.member_person in form.fields["person"].queryset
        assert "hx-get" in str(form["org"])

    def test_delete_asks_first_then_deletes_and_is_audited(self, cast, admin, campaign):
        admin.post(url("manual_score_create"), score(campaign, cast.branch_a1))
        entered = ManualScore.objects.get()
        assert "确认删除" in admin.get(url("manual_score_delete", entered.pk)).content.decode()
        assert ManualScore.objects.exists()
        assert admin.post(url("manual_score_delete", entered.pk)).status_code == 302
        assert not ManualScore.objects.exists()
        assert AuditEvent.objects.filter(object_type="assessment.manualscore", action=AuditAction.DELETE).exists()

    def test_only_the_campaigns_admins_enter_scores(self, cast, login, campaign):
        from vanguard.core.roles import Role

        from ..factories import make_user

        assert login(cast.secretary).get(url("manual_score_create")).status_code == 403
        unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
        response = login(unit_admin).post(url("manual_score_create"), score(campaign, cast.branch_a1))
        assert "不在您管理的范围内" in errors(response)  # a bureau-wide campaign is not unit A's


class TestVetoesBonusesSecretaries:
    def test_a_veto_of_the_campaigns_rubric(self, cast, admin, campaign):
        item = VetoItem.objects.get(rubric__campaign=campaign, rubric__subject="org", name="发生严重违纪违法案件")
        response = admin.post(url("veto_create"), {"campaign": campaign.pk, "org": cast.branch_a1.pk,
                                                   "veto_item": item.pk, "reason": "支部委员受到开除党籍处分"})
        assert response.status_code == 302
        assert VetoRecord.objects.get().recorded_by == cast.admin

    def test_a_veto_needs_its_facts(self, cast, admin, campaign):
        item = VetoItem.objects.filter(rubric__campaign=campaign, rubric__subject="org").first()
        response = admin.post(url("veto_create"), {"campaign": campaign.pk, "org": cast.branch_a1.pk,
                                                   "veto_item": item.pk, "reason": ""})
        assert "请填写认定否决的事实和依据" in errors(response)

    def test_a_bonus_within_its_items_points(self, cast, admin, campaign):
        item = BonusItem.objects.get(rubric__campaign=campaign, rubric__subject="org", name="获得上级党组织表彰")
        data = {"campaign": campaign.pk, "org": cast.branch_a1.pk, "bonus_item": item.pk, "reason": "获局先进党支部"}
        assert "不超过该加分项的 2.00 分" in errors(admin.post(url("bonus_create"), {**data, "points": "2.5"}))
        assert admin.post(url("bonus_create"), {**data, "points": "2"}).status_code == 302
        assert BonusAward.objects.get().awarded_by == cast.admin

    def test_a_secretarys_items_on_100(self, cast, admin, campaign):
        data = {"campaign": campaign.pk, "org": cast.branch_a1.pk, "person": cast.person_a1.pk, "reason": "述职评议"}
        assert "0 到 100 分之间" in errors(admin.post(url("secretary_item_create"), {**data, "points": "101"}))
        assert "请选择书记" in errors(admin.post(url("secretary_item_create"), {**data, "person": "", "points": "90"}))
        assert admin.post(url("secretary_item_create"), {**data, "points": "90"}).status_code == 302
        assert SecretaryItem.objects.get().entered_by == cast.admin


class TestSettings:
    def data(self, **fields):
        values = {"mass_weight": "0.25", "grade_bands": "好 90\n较好 80\n一般 60\n差 0", "title_min_total": "90",
                  "title_min_dimension_share": "0.8", "title_require_no_veto": "on", "title_min_satisfaction": "85",
                  "title_quota_share": "0.2", "member_title_min_total": "85", "member_title_grade": "excellent",
                  "secretary_org_weight": "0.7", "appeal_days": "10"}
        return {**values, **fields}

    def test_the_first_save_creates_the_campaigns_settings(self, cast, admin, campaign):
        assert not AssessmentSettings.objects.filter(campaign=campaign).exists()
        assert admin.get(url("settings_edit", campaign.pk)).status_code == 200
        assert not AssessmentSettings.objects.filter(campaign=campaign).exists()  # a GET writes nothing
        response = admin.post(url("settings_edit", campaign.pk), self.data(grade_bands="优 85\n良 70\n差 0"))
        assert response.status_code == 302
        saved = AssessmentSettings.objects.get(campaign=campaign)
        assert saved.grade_bands == [{"grade": "优", "min_total": "85"}, {"grade": "良", "min_total": "70"},
                                     {"grade": "差", "min_total": "0"}]
        assert (saved.mass_weight, saved.title_quota_share, saved.appeal_days) == (Decimal("0.25"), Decimal("0.2"), 10)

    @pytest.mark.parametrize("field,value,message", [
        ("grade_bands", "好 80\n较好 90\n差 0", "等次须按最低分从高到低排列"),
        ("grade_bands", "好 90\n较好 80", "最低的等次的最低分须为 0"),
        ("grade_bands", "好九十", "应为“等次 最低分”"),
        ("mass_weight", "1.5", "请填写 0 到 1 之间的比例"),
        ("title_min_dimension_share", "-0.1", "请填写 0 到 1 之间的比例"),
        ("title_quota_share", "2", "请填写 0 到 1 之间的比例"),
        ("secretary_org_weight", "1.01", "请填写 0 到 1 之间的比例"),
        ("title_min_satisfaction", "120", "满意度须在 0 到 100 之间"),
        ("appeal_days", "0", "申诉期限须在 1 到 90 天之间"),
    ])
    def test_what_is_refused(self, cast, admin, campaign, field, value, message):
        assert message in errors(admin.post(url("settings_edit", campaign.pk), self.data(**{field: value})))
        assert not AssessmentSettings.objects.filter(campaign=campaign).exists()

    def test_the_index_lists_the_campaigns_administered(self, cast, admin, campaign):
        response = admin.get(url("settings_index"))
        assert response.context["campaigns"] == [campaign]


class TestLists:
    @pytest.fixture
    def scores(self, cast, campaign):
        member = indicator(campaign, "JS02", "member")
        return [ManualScore.objects.create(campaign=campaign, indicator=indicator(campaign, "PL05"), org=cast.branch_a1,
                                           points=1, reason="甲支部"),
                ManualScore.objects.create(campaign=campaign, indicator=member, person=cast.member_person, points=5,
                                           reason="刘洋同志"),
                ManualScore.objects.create(campaign=campaign, indicator=indicator(campaign, "PL05"), org=cast.branch_b1,
                                           points=2, reason="客服支部")]

    def rows(self, client, query=""):
        return {obj.pk for obj in client.get(f"{url('manual_score_list')}?{query}").context["page_obj"].object_list}

    def test_search_and_filters(self, cast, admin, scores):
        a1, member, b1 = scores
        assert self.rows(admin) == {a1.pk, member.pk, b1.pk}
        assert self.rows(admin, "q=刘洋") == {member.pk}
        assert self.rows(admin, f"org={cast.unit_a.pk}") == {a1.pk, member.pk}  # the member is in A1
        assert self.rows(admin, "subject=org") == {a1.pk, b1.pk}
        assert self.rows(admin, "subject=member") == {member.pk}

    def test_the_export_keeps_the_filters(self, cast, admin, scores):
        response = admin.get(f"{url('manual_score_list')}?subject=org&org={cast.unit_b.pk}&export=xlsx")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
        subject = rows[0].index("对象")
        assert [row[subject] for row in rows[1:]] == [cast.branch_b1.name]

    def test_the_list_pages(self, cast, admin, campaign, settings):
        settings.PAGE_SIZE = 2
        for org in (cast.branch_a1, cast.branch_a2, cast.branch_b1):
            ManualScore.objects.create(campaign=campaign, indicator=indicator(campaign, "PL05"), org=org, points=1,
                                       reason="分页")
        page = admin.get(f"{url('manual_score_list')}?page=2").context["page_obj"]
        assert page.paginator.count == 3 and len(page.object_list) == 1


def grow(cast, campaign, rows: int) -> None:
    """``rows`` more inputs of every kind, alternately an org's and a member's."""
    from vanguard.orgs.models import Person

    from ..test_query_counts import add_orgs, add_people

    orgs = add_orgs(cast.unit_a, rows)
    people = add_people(orgs, rows)
    people = list(Person.objects.filter(pk__in=[p.pk for p in people]).select_related("org"))
    org_indicator, member_indicator = indicator(campaign, "PL05"), indicator(campaign, "JS02", "member")
    veto = VetoItem.objects.filter(rubric__campaign=campaign, rubric__subject="org").first()
    bonus = BonusItem.objects.filter(rubric__campaign=campaign, rubric__subject="org").first()
    member_scores = [ManualScore(campaign=campaign, indicator=member_indicator, person=p, points=1, reason="批量",
                                 entered_by=cast.admin) for p in people[: rows // 2]]
    ManualScore.objects.bulk_create(member_scores + [
        ManualScore(campaign=campaign, indicator=org_indicator, org=o, points=1, reason="批量", entered_by=cast.admin)
        for o in orgs[rows // 2:]])
    VetoRecord.objects.bulk_create([VetoRecord(campaign=campaign, veto_item=veto, org=o, reason="批量",
                                               recorded_by=cast.admin) for o in orgs])
    BonusAward.objects.bulk_create([BonusAward(campaign=campaign, bonus_item=bonus, person=p, points=1, reason="批量",
                                               awarded_by=cast.admin) for p in people])
    SecretaryItem.objects.bulk_create([SecretaryItem(campaign=campaign, person=p, org=p.org, points=80, reason="批量",
                                                     entered_by=cast.admin) for p in people])


LISTS = ["assessment_entries:manual_score_list", "assessment_entries:veto_list", "assessment_entries:bonus_list",
         "assessment_entries:secretary_item_list"]


@pytest.mark.parametrize("name,export", pages_and_exports(LISTS))
def test_the_same_queries_with_10_and_with_200_rows(cast, admin, campaign, name, export):
    address = reverse(name) + ("?export=xlsx" if export else "")
    grow(cast, campaign, 10)
    few, _sql = count_queries(admin, address)
    grow(cast, campaign, 190)
    many, sql = count_queries(admin, address)
    assert few == many, sql
