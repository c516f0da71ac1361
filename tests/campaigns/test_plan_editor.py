"""Writing and correcting a plan by hand: the section tree (its JSON checked on save), the editor's
outline operations, proofreading in the editor, and the structure offered by a saved plan."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import make_user
from tests.fixtures.plans import BRANCH_PLAN_2027, numbered_lines
from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.campaigns.models import ImplementationPlan, PhasePurpose
from vanguard.campaigns.models.plan import PlanSection, chinese_number, outline, section_number, tree_problems
from vanguard.campaigns.plan_forms import apply_outline_op, row_problems, rows_to_sections, sections_to_rows
from vanguard.campaigns.planimport import parse_plan
from vanguard.campaigns.proofreading import find_issues
from vanguard.core.roles import Role

from .helpers import make_campaign
from .test_plan_import_views import structure_data

pytestmark = pytest.mark.django_db


def _tree(*sections):
    return [s.to_data() for s in sections]


def _plan(campaign, sections, **fields) -> ImplementationPlan:
    plan = ImplementationPlan(campaign=campaign, title=fields.pop("title", "某支部实施方案"), **fields)
    plan.set_sections(sections)
    plan.save()
    return plan


def _rows(*spec):
    return [{"depth": depth, "heading": heading, "body": ""} for depth, heading in spec]


def _spec(rows):
    return [(r["depth"], r["heading"]) for r in rows]


# ------------------------------------------------------------------ the tree


def test_numbers_follow_depth_and_position():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99)] == ["一", "九", "十", "十一", "二十", "二十一",
                                                                        "九十九"]
    assert [section_number(d, 3) for d in (1, 2, 3, 4)] == ["三、", "（三）", "3．", "（3）"]
    tree = [PlanSection("总体要求"), PlanSection("创建标准", children=[PlanSection("政治功能强"), PlanSection("支部班子强")])]
    assert [(e.key, e.number, e.section.heading) for e in outline(tree)] == [
        ("1", "一、", "总体要求"), ("2", "二、", "创建标准"), ("2.1", "（一）", "政治功能强"), ("2.2", "（二）", "支部班子强")]


def test_the_tree_is_checked_on_save(cast):
    campaign = make_campaign(cast.bureau)
    plan = ImplementationPlan(campaign=campaign, title="方案")
    for bad, message in (
        ([{"heading": "", "body": "x", "children": []}], "章节标题不能为空"),
        ([{"heading": "一", "body": 3, "children": []}], "章节正文格式无效"),
        ([{"heading": "一", "extra": 1}], "章节格式无效"),
        ("not a list", "应为章节列表"),
        (_tree(PlanSection("1", children=[PlanSection("2", children=[PlanSection("3", children=[
            PlanSection("4", children=[PlanSection("5")])])])])), "章节最多 4 级"),
    ):
        plan.sections = bad
        with pytest.raises(ValidationError, match=message):
            plan.save()
    assert not ImplementationPlan.objects.exists()
    assert tree_problems(_tree(PlanSection("总体要求", "正文"))) == []


def test_rows_and_sections_round_trip():
    parsed = parse_plan("\n".join(numbered_lines(BRANCH_PLAN_2027)))
    rows = sections_to_rows(parsed.sections)
    assert [r["depth"] for r in rows][:7] == [1, 1, 2, 2, 2, 2, 1]
    assert [s.to_data() for s in rows_to_sections(rows)] == [s.to_data() for s in parsed.sections]


@pytest.mark.parametrize("op, expected", [
    ("up:3", [(1, "A"), (1, "B"), (2, "B2"), (2, "B1"), (1, "C")]),
    ("up:1", [(1, "B"), (2, "B1"), (2, "B2"), (1, "A"), (1, "C")]),   # with its sub-sections
    ("up:0", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, "C")]),   # the first stays first
    ("down:1", [(1, "A"), (1, "C"), (1, "B"), (2, "B1"), (2, "B2")]),
    ("down:3", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, "C")]),  # the last of its parent
    ("indent:1", [(1, "A"), (2, "B"), (3, "B1"), (3, "B2"), (1, "C")]),
    ("indent:2", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, "C")]),  # no previous sibling
    ("outdent:2", [(1, "A"), (1, "B"), (2, "B2"), (1, "B1"), (1, "C")]),  # after its parent's block
    ("delete:1", [(1, "A"), (1, "C")]),
    ("child:1", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (2, ""), (1, "C")]),
    ("after:1", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, ""), (1, "C")]),
    ("append", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, "C"), (1, "")]),
    ("delete:99", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, "C")]),
    ("explode:1", [(1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, "C")]),
])
def test_outline_operations(op, expected):
    rows = _rows((1, "A"), (1, "B"), (2, "B1"), (2, "B2"), (1, "C"))
    assert _spec(apply_outline_op(rows, op)) == expected


def test_no_fifth_level():
    rows = _rows((1, "A"), (2, "B"), (3, "C"), (4, "D"), (4, "E"))
    assert _spec(apply_outline_op(rows, "indent:4")) == _spec(rows)
    assert _spec(apply_outline_op(rows, "child:3")) == _spec(rows)


def test_row_problems():
    assert row_problems(_rows((1, "A"), (3, "C"))) == ["“1．C”缺少上一级章节。"]
    assert row_problems(_rows((1, ""))) == ["一、：章节标题不能为空（不需要的章节请删除）。"]


# ------------------------------------------------------------------ the editor page


def _editor_data(rows, **header):
    data = {"title": "支部实施方案", "doc_number": "", "preamble": "", "issuer": "", "issued_on": "",
            "section-TOTAL_FORMS": str(len(rows)), "section-INITIAL_FORMS": "0", **header}
    for n, row in enumerate(rows):
        data.update({f"section-{n}-depth": row["depth"], f"section-{n}-heading": row["heading"],
                     f"section-{n}-body": row.get("body", "")})
    return data


def test_a_plan_written_by_hand_after_a_failed_import(cast, login):
    campaign = make_campaign(cast.bureau, year=2027)
    client = login(cast.admin)
    url = reverse("campaigns:plan_edit", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="outline-empty"' in page.content.decode()
    rows = _rows((1, "总体要求"), (1, "创建标准"), (2, "政治功能强"), (2, "支部班子强"), (1, "工作步骤"),
                 (2, "动员部署阶段（1月至2月）"), (2, "组织实施阶段（3月至10月）"))
    rows[2]["body"] = "旗帜鲜明讲政治。"
    response = client.post(url, _editor_data(rows, issuer="中共某委员会", issued_on="2027-01-15"))
    assert response.status_code == 302
    plan = ImplementationPlan.objects.get(campaign=campaign)
    assert [e.number + e.section.heading for e in plan.outline()][:4] == ["一、总体要求", "二、创建标准", "（一）政治功能强",
                                                                          "（二）支部班子强"]
    assert plan.section_tree()[1].children[0].body == "旗帜鲜明讲政治。"
    assert (plan.issuer, plan.issued_on) == ("中共某委员会", date(2027, 1, 15))
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="campaigns.implementationplan").exists()

    # The saved plan offers its items and phases; the admin confirms them.
    page = client.get(reverse("campaigns:plan_structure", args=[campaign.pk]))
    structure = page.context["structure"]
    assert [f["name"].value() for f in structure.dimensions.forms[:2]] == ["政治功能强", "支部班子强"]
    assert [f["name"].value() for f in structure.phases.forms[:2]] == ["动员部署", "组织实施"]
    response = client.post(reverse("campaigns:plan_structure", args=[campaign.pk]), structure_data(structure))
    assert response.status_code == 302
    assert list(campaign.dimensions.orgs().values_list("name", flat=True)) == ["政治功能强", "支部班子强"]
    assert list(campaign.phases.values_list("name", "purpose")) == [
        ("动员部署", PhasePurpose.PLAN_DEADLINE), ("组织实施", PhasePurpose.CARRY_OUT)]


def test_an_outline_operation_changes_the_form_not_the_plan(cast, login):
    campaign = make_campaign(cast.bureau)
    plan = _plan(campaign, [PlanSection("总体要求"), PlanSection("保障措施")])
    client = login(cast.admin)
    url = reverse("campaigns:plan_edit", args=[campaign.pk])
    rows = sections_to_rows(plan.section_tree())
    response = client.post(url, {**_editor_data(rows, title="改了的标题"), "op": "up:1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    editor = response.context["editor"]
    assert [(n, f["heading"].value()) for n, _d, f in editor.numbered_rows()] == [("一、", "保障措施"), ("二、", "总体要求")]
    assert editor.form["title"].value() == "改了的标题"
    assert 'id="outline"' in response.content.decode()
    plan.refresh_from_db()
    assert [s.heading for s in plan.section_tree()] == ["总体要求", "保障措施"] and plan.title == "某支部实施方案"
    response = client.post(url, {**_editor_data(rows), "op": "child:0"})
    assert [(n, d) for n, d, _f in response.context["editor"].numbered_rows()] == [("一、", 1), ("（一）", 2), ("二、", 1)]


def test_the_editor_refuses_a_broken_outline(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    url = reverse("campaigns:plan_edit", args=[campaign.pk])
    rows = _rows((1, "总体要求"), (1, ""))
    rows[1]["body"] = "没有标题的正文"
    response = client.post(url, _editor_data(rows))
    assert response.status_code == 200 and "章节标题不能为空" in response.content.decode()
    response = client.post(url, _editor_data(_rows((1, "总体要求"), (3, "太深"))))
    assert "缺少上一级章节" in response.content.decode()
    response = client.post(url, _editor_data(_rows((1, "总体要求")), title=""))
    assert response.status_code == 200
    assert not ImplementationPlan.objects.exists()
    # A row left entirely empty is dropped, not refused.
    assert client.post(url, _editor_data(_rows((1, "总体要求"), (1, "")))).status_code == 302
    assert [s.heading for s in ImplementationPlan.objects.get().section_tree()] == ["总体要求"]


def test_editor_flags_and_accepts_in_sections(cast, login):
    campaign = make_campaign(cast.bureau)
    plan = _plan(campaign, [PlanSection("指导思想", "以科学开展观为指导，开展活动。效劳大局，效劳群众。"),
                            PlanSection("根本内容", children=[PlanSection("政治素质优", "坚决理想信念。")])])
    client = login(cast.admin)
    page = client.get(reverse("campaigns:plan_edit", args=[campaign.pk])).content.decode()
    assert "科学发展观" in page and "坚决理想信念" in page and "一、正文" in page and "（一）正文" in page
    assert plan.issues([]) == []  # with no pairs nothing is flagged
    second = [i for i in find_issues(plan.section_tree()[0].body) if i.wrong == "效劳"][1]
    client.post(reverse("campaigns:plan_correct", args=[campaign.pk]),
                {"field": "1:body", "start": second.start, "end": second.end, "wrong": second.wrong})
    plan.refresh_from_db()
    assert plan.section_tree()[0].body == "以科学开展观为指导，开展活动。效劳大局，服务群众。"
    # a stale offset or an unknown part does nothing
    for field, start in (("1:body", 0), ("9:body", second.start), ("campaign", 0)):
        client.post(reverse("campaigns:plan_correct", args=[campaign.pk]),
                    {"field": field, "start": start, "end": start + 2, "wrong": "效劳"})
    plan.refresh_from_db()
    assert plan.section_tree()[0].body == "以科学开展观为指导，开展活动。效劳大局，服务群众。"
    client.post(reverse("campaigns:plan_correct_all", args=[campaign.pk]))
    plan.refresh_from_db()
    tree = plan.section_tree()
    assert tree[0].body == "以科学发展观为指导，开展活动。服务大局，服务群众。"
    assert tree[1].heading == "基本内容" and tree[1].children[0].body == "坚定理想信念。"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="campaigns.implementationplan").count() == 2


def test_corrections_outside_scope_are_404_and_change_nothing(cast, login):
    campaign = make_campaign(cast.unit_b)
    plan = _plan(campaign, [PlanSection("指导思想", "效劳大局。")])
    client = login(make_user("unit_admin", Role.ADMIN, cast.unit_a))  # an admin, of the other unit
    assert client.post(reverse("campaigns:plan_correct", args=[campaign.pk]), {
        "field": "1:body", "start": 0, "end": 2, "wrong": "效劳"}).status_code == 404
    assert client.post(reverse("campaigns:plan_correct_all", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:plan_structure", args=[campaign.pk])).status_code == 404
    plan.refresh_from_db()
    assert plan.section_tree()[0].body == "效劳大局。"
    assert login(cast.secretary).post(reverse("campaigns:plan_correct_all", args=[campaign.pk])).status_code == 403
    assert login(cast.secretary).get(reverse("campaigns:plan_edit", args=[campaign.pk])).status_code == 403


def test_structure_page_without_a_plan_or_offer(cast, login):
    campaign = make_campaign(cast.bureau)
    client = login(cast.admin)
    response = client.get(reverse("campaigns:plan_structure", args=[campaign.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:plan_edit", args=[campaign.pk])
    _plan(campaign, [PlanSection("总体要求")])
    response = client.post(reverse("campaigns:plan_structure", args=[campaign.pk]), {
        "dim-TOTAL_FORMS": "0", "dim-INITIAL_FORMS": "0", "phase-TOTAL_FORMS": "0", "phase-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and "请勾选要设置的创建维度或活动阶段" in response.content.decode()
    assert campaign.dimensions.count() == 8  # untouched


def test_plan_pages_query_count_does_not_grow_with_the_tree(cast, login):
    """Pages that show the tree (detail, editor, structure, exports) read it in one row, however long."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.admin)
    counts = []
    for year, size in ((2026, 2), (2027, 40)):
        campaign = make_campaign(cast.bureau, year=year)
        _plan(campaign, [PlanSection(f"第{n}节", "正文。", [PlanSection(f"{n}.{k}项强", "说明。") for k in range(3)])
                         for n in range(size)])
        run = []
        for name in ("plan_detail", "plan_edit", "plan_structure", "plan_docx"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 200
            run.append(len(queries))
        counts.append(run)
    assert counts[0] == counts[1], counts
