import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.core.roles import Role
from vanguard.rubrics import services
from vanguard.rubrics.models import Dimension, Indicator, Rubric, RubricStatus

from ..factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(cast, campaign):
    return services.load_default(campaign, "org", cast.admin)


def test_pages_render_for_admin(login, cast, rubric):
    client = login(cast.admin)
    assert "“四强”党组织创建标准" in client.get(reverse("rubrics:rubric_list")).content.decode()
    page = client.get(reverse("rubrics:rubric_detail", args=[rubric.pk])).content.decode()
    assert "政治引领力强" in page and "线性插值：60 得 0 分，100 及以上得满分" in page and "线性：" not in page
    assert "记录指标：三会一课完成率" in page and 'data-testid="freeze"' in page
    for name in ("rubric_edit", "rubric_freeze", "rubric_variant", "indicator_create", "bonus_create", "veto_create"):
        kwargs = {"rubric_pk": rubric.pk} if name.endswith("_create") else {"pk": rubric.pk}
        assert client.get(reverse(f"rubrics:{name}", kwargs=kwargs)).status_code == 200, name
    assert client.get(reverse("rubrics:rubric_create")).status_code == 200
    assert client.get(reverse("rubrics:rubric_import")).status_code == 200
    response = client.get(reverse("rubrics:rubric_xlsx", args=[rubric.pk]))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_load_default_through_the_page(login, cast, campaign):
    client = login(cast.admin)
    response = client.post(reverse("rubrics:rubric_create"), {"campaign": campaign.pk, "subject": "member"})
    rubric = Rubric.objects.get(campaign=campaign, subject="member")
    assert response.status_code == 302 and response.url == rubric.get_absolute_url()


def test_indicator_edit_validates_params(login, cast, rubric):
    client = login(cast.admin)
    ind = Indicator.objects.get(rubric=rubric, code="PL01")
    data = {"dimension": ind.dimension_id, "code": "PL01", "name": ind.name, "points": "8", "description": "",
            "evidence_required": "", "data_source": "record_metric", "metric": "attendance_rate",
            "rule_type": "linear", "linear_min": "60", "sort_order": 1}
    response = client.post(reverse("rubrics:indicator_edit", args=[ind.pk]), data)
    assert response.status_code == 200 and "缺少参数“满分值”" in response.content.decode()
    assert response.context["form"].errors["linear_min"] == ["缺少参数“满分值”。"]  # under the rule's fields
    data["linear_max"] = "100"
    data["linear_min"] = "50"
    data["per_item_points"] = "3"  # another rule's parameter: not kept
    assert client.post(reverse("rubrics:indicator_edit", args=[ind.pk]), data).status_code == 302
    ind.refresh_from_db()
    assert ind.params == {"min_value": 50, "max_value": 100} and ind.metric == "attendance_rate"


def test_tiers_and_grades_are_lines_of_two_words(login, cast, rubric):
    client = login(cast.admin)
    ind = Indicator.objects.get(rubric=rubric, code="PL01")
    form = client.get(reverse("rubrics:indicator_edit", args=[ind.pk])).context["form"]
    assert form["linear_min"].value() == 60 and form["grades"].value() == "好 1.0\n较好 0.75\n一般 0.5\n差 0"
    data = {"dimension": ind.dimension_id, "code": "PL01", "name": ind.name, "points": "8", "description": "",
            "evidence_required": "", "data_source": "manual", "metric": "", "rule_type": "tiers",
            "tiers": "60 2\n80 甲", "sort_order": 1}
    response = client.post(reverse("rubrics:indicator_edit", args=[ind.pk]), data)
    assert response.context["form"].errors["tiers"] == ["第 2 行应为两项，用空格隔开，第二项是数字：80 甲"]
    data["tiers"] = "60 2\n\n80 5.5"
    assert client.post(reverse("rubrics:indicator_edit", args=[ind.pk]), data).status_code == 302
    ind.refresh_from_db()
    assert ind.params == {"tiers": [{"min": 60, "points": 2}, {"min": 80, "points": 5.5}]}
    data.update(rule_type="grade", grades="好 1\n一般 0.6\n差 0")
    assert client.post(reverse("rubrics:indicator_edit", args=[ind.pk]), data).status_code == 302
    ind.refresh_from_db()
    assert ind.params == {"grades": {"好": 1, "一般": 0.6, "差": 0}}


def test_freeze_then_edits_are_refused_and_new_version(login, cast, rubric):
    client = login(cast.admin)
    assert client.post(reverse("rubrics:rubric_freeze", args=[rubric.pk])).status_code == 302
    rubric.refresh_from_db()
    assert rubric.status == RubricStatus.FROZEN
    ind = Indicator.objects.filter(rubric=rubric).first()
    for url in (reverse("rubrics:indicator_edit", args=[ind.pk]), reverse("rubrics:indicator_delete", args=[ind.pk]),
                reverse("rubrics:indicator_create", args=[rubric.pk]), reverse("rubrics:rubric_edit", args=[rubric.pk])):
        response = client.post(url, {"name": "x"}, follow=True)
        assert "该标准已冻结" in response.content.decode(), url
    assert Indicator.objects.filter(pk=ind.pk).exists()
    response = client.post(reverse("rubrics:rubric_new_version", args=[rubric.pk]))
    copy = Rubric.objects.get(supersedes=rubric)
    assert response.url == copy.get_absolute_url() and copy.version == 2
    page = client.get(copy.get_absolute_url()).content.decode()
    assert "v1" in page and "v2" in page


def test_delete_indicator_needs_confirmation(login, cast, rubric):
    client = login(cast.admin)
    ind = Indicator.objects.filter(rubric=rubric).first()
    assert "确认删除" in client.get(reverse("rubrics:indicator_delete", args=[ind.pk])).content.decode()
    assert client.post(reverse("rubrics:indicator_delete", args=[ind.pk])).url == rubric.get_absolute_url()
    assert not Indicator.objects.filter(pk=ind.pk).exists()
    page = login(cast.admin).get(rubric.get_absolute_url()).content.decode()
    assert 'data-testid="rubric-problems"' in page


def test_import_page_reports_errors(login, cast, rubric):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vanguard.rubrics.xlsx import export_xlsx

    from .test_xlsx import edited

    def change(wb):
        wb["指标"].cell(row=3, column=11).value = "{bad json"
    data = edited(export_xlsx(rubric), change)
    client = login(cast.admin)
    response = client.post(reverse("rubrics:rubric_import"), {
        "campaign": rubric.campaign_id, "file": SimpleUploadedFile("r.xlsx", data)})
    assert "工作表“指标”第 3 行“规则参数(JSON)”：不是有效的 JSON。" in response.content.decode()
    assert Rubric.objects.count() == 1
    response = client.post(reverse("rubrics:rubric_import"), {
        "campaign": rubric.campaign_id, "file": SimpleUploadedFile("r.xlsx", export_xlsx(rubric))})
    assert response.status_code == 302 and Rubric.objects.count() == 2


def test_permissions(login, cast, campaign_a, campaign_b):
    inside = services.load_default(campaign_a, "org", cast.admin)
    outside = services.load_default(campaign_b, "org", cast.admin)
    ind = Indicator.objects.filter(rubric=inside).first()
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    # A secretary reads but cannot edit → 403.
    client = login(cast.secretary)
    assert client.get(reverse("rubrics:rubric_detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("rubrics:indicator_edit", args=[ind.pk])).status_code == 403
    assert client.post(reverse("rubrics:rubric_freeze", args=[inside.pk])).status_code == 403
    assert client.get(reverse("rubrics:rubric_detail", args=[outside.pk])).status_code == 404
    # A member has no staff role → 403.
    assert login(cast.member).get(reverse("rubrics:rubric_list")).status_code == 403
    # An admin of unit A: edits inside, 404 for unit B's rubric.
    client = login(unit_admin)
    assert client.get(reverse("rubrics:indicator_edit", args=[ind.pk])).status_code == 200
    assert client.get(reverse("rubrics:rubric_detail", args=[outside.pk])).status_code == 404
    assert client.get(reverse("rubrics:rubric_freeze", args=[outside.pk])).status_code == 404
    out_ind = Indicator.objects.filter(rubric=outside).first()
    assert client.get(reverse("rubrics:indicator_edit", args=[out_ind.pk])).status_code == 404
    assert client.get(reverse("rubrics:rubric_xlsx", args=[outside.pk])).status_code == 404
    listing = client.get(reverse("rubrics:rubric_list")).content.decode()
    assert campaign_a.name in listing and campaign_b.name not in listing


def test_inspectors_read_rubrics_and_members_do_not(login, cast, rubric):
    """Inspectors draw their checklists from the indicators; rubrics are not for members."""
    pages = [reverse("rubrics:rubric_list"), reverse("rubrics:rubric_detail", args=[rubric.pk]),
             reverse("rubrics:rubric_xlsx", args=[rubric.pk]), reverse("api:list_rubrics"),
             reverse("api:get_rubric", kwargs={"rubric_id": rubric.pk})]
    member = login(cast.member)
    for url in pages:
        assert member.get(url).status_code == 403, url
    inspector = login(cast.inspector)
    for url in pages:
        assert inspector.get(url).status_code == 200, url
    assert 'data-testid="freeze"' not in inspector.get(pages[1]).content.decode()
    assert inspector.get(reverse("rubrics:indicator_create", args=[rubric.pk])).status_code == 403
    assert inspector.post(reverse("rubrics:rubric_freeze", args=[rubric.pk])).status_code == 403
    rubric.refresh_from_db()
    assert rubric.status == RubricStatus.DRAFT


def test_unit_admin_cannot_change_bureau_rubric(login, cast, rubric):
    """A bureau-wide campaign's rubric is visible to a unit admin, but only bureau admins change it (403: it is visible)."""
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    client = login(unit_admin)
    assert client.get(reverse("rubrics:rubric_detail", args=[rubric.pk])).status_code == 200
    assert client.get(reverse("rubrics:rubric_edit", args=[rubric.pk])).status_code == 403


def test_api_scoped(login, cast, campaign_a, campaign_b):
    inside = services.load_default(campaign_a, "org", cast.admin)
    outside = services.load_default(campaign_b, "org", cast.admin)
    client = login(cast.secretary)
    listing = client.get(reverse("api:list_rubrics")).json()
    assert [r["id"] for r in listing["items"]] == [inside.pk]
    assert client.get(reverse("api:list_rubrics") + f"?campaign={campaign_b.pk}").status_code == 422  # out of scope
    detail = client.get(reverse("api:get_rubric", kwargs={"rubric_id": inside.pk})).json()
    assert len(detail["dimensions"]) == 4 and detail["problems"] == []
    assert detail["dimensions"][0]["indicators"][0]["code"] == "PL01"
    assert client.get(reverse("api:get_rubric", kwargs={"rubric_id": outside.pk})).status_code == 404
    assert client.get(reverse("api:rubric_xlsx", kwargs={"rubric_id": outside.pk})).status_code == 404
    response = client.get(reverse("api:rubric_xlsx", kwargs={"rubric_id": inside.pk}))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert login(cast.member).get(reverse("api:list_rubrics")).status_code == 403
    assert login(cast.admin).get(reverse("api:list_rubrics")).json()["count"] == 2


def _grow(rubric, n):
    dim = Dimension.objects.filter(rubric=rubric).first()
    for i in range(n):
        Indicator.objects.create(dimension=dim, code=f"X{i:03}", name=f"指标{i}", points=1, data_source="manual",
                                 rule_type="grade", params={"grades": {"好": 1}})


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_detail_query_count_constant(login, cast, rubric):
    client = login(cast.admin)
    url = reverse("rubrics:rubric_detail", args=[rubric.pk])
    _grow(rubric, 10 - Indicator.objects.filter(rubric=rubric).count() + 10)
    small = _count(client, url)
    _grow_more = Dimension.objects.filter(rubric=rubric).last()
    for i in range(40):
        Indicator.objects.create(dimension=_grow_more, code=f"Y{i:03}", name=f"指标{i}", points=1,
                                 data_source="manual", rule_type="grade", params={"grades": {"好": 1}})
    assert _count(client, url) == small


def test_list_query_count_constant(login, cast, campaign):
    from vanguard.campaigns.models import Campaign

    client = login(cast.admin)
    url = reverse("rubrics:rubric_list")

    def make(n, offset):
        for i in range(n):
            c = Campaign.objects.create(name=f"活动{offset + i}", year=1900 + offset + i, scope_org=cast.bureau)
            Rubric.objects.create(campaign=c, subject="org", name=f"标准{i}", category=cast.production if i % 2 else None)
    make(10, 0)
    small = _count(client, url)
    make(40, 10)
    assert _count(client, url) == small


def test_admin_edits_a_dimension_a_bonus_and_a_veto_item_of_a_draft(cast, login):
    from vanguard.rubrics.services import load_default, validate_rubric

    from ..campaigns.helpers import make_campaign

    campaign = make_campaign(cast.bureau, name="2026年活动")
    rubric = load_default(campaign, "org", cast.admin)
    client = login(cast.admin)
    dimension = rubric.dimensions.first()
    response = client.post(reverse("rubrics:dimension_edit", args=[dimension.pk]),
                           {"points": "30", "description": "新的说明"})
    assert response.status_code == 302
    dimension.refresh_from_db()
    assert dimension.points == 30 and dimension.description == "新的说明"
    assert validate_rubric(rubric)  # the dimension points no longer add up to the total
    bonus = rubric.bonus_items.first()
    client.post(reverse("rubrics:bonus_edit", args=[bonus.pk]),
                {"name": "获得上级表彰", "points": "2", "description": "", "sort_order": 1})
    bonus.refresh_from_db()
    assert bonus.name == "获得上级表彰"
    veto = rubric.veto_items.first()
    page = client.get(reverse("rubrics:veto_edit", args=[veto.pk]))
    assert page.status_code == 200 and veto.name in page.content.decode()
    assert login(cast.secretary).get(reverse("rubrics:bonus_edit", args=[bonus.pk])).status_code == 403
