"""The plan editor: rows added and removed in place, one version lock, people searched by name."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.core.roles import Role
from vanguard.plans.models import PlanGoal, PlanTask

from ..factories import make_person, make_user
from .helpers import dimension, make_campaign, make_plan

pytestmark = pytest.mark.django_db

CONFLICT = "此记录已被他人修改，请刷新后再改"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(plan):
    return f"/plans/{plan.pk}/edit/"


def posted(editor) -> dict:
    """What the editor's form posts as rendered: management forms, every row, the version."""
    data = {"record_version": editor.version}
    for formset in (editor.goals, editor.tasks):
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for form in formset:
            for name in form.fields:
                value = form[name].value()
                if name == "DELETE":
                    if value:
                        data[form.add_prefix(name)] = "on"
                    continue
                data[form.add_prefix(name)] = value.isoformat() if hasattr(value, "isoformat") else (
                    "" if value is None else value)
    return data


def _plan(cast):
    plan = make_plan(make_campaign(cast), cast.branch_a1, task_for=cast.person_a1, due_on=date(2026, 6, 30))
    return plan, plan.goals.get(), plan.tasks.get()


def test_the_editor_offers_no_blank_rows_beside_saved_ones_and_one_when_there_is_none(cast, login):
    plan, _goal, _task = _plan(cast)
    client = login(cast.clerk)
    editor = client.get(_url(plan)).context["editor"]
    assert (editor.goals.total_form_count(), editor.tasks.total_form_count()) == (1, 1)
    empty = make_plan(make_campaign(cast, year=2027, name="2027年活动"), cast.branch_a1, goal=False)
    editor = client.get(_url(empty)).context["editor"]
    assert (editor.goals.total_form_count(), editor.tasks.total_form_count()) == (1, 1)
    assert not empty.goals.exists()


def test_adding_a_row_sends_back_the_editor_with_what_was_typed_and_saves_nothing(cast, login):
    plan, goal, _task = _plan(cast)
    client = login(cast.clerk)
    data = posted(client.get(_url(plan)).context["editor"])
    data["goals-0-text"] = "尚未保存的改写"
    response = client.post(_url(plan), {**data, "op": "add:tasks"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<form") and "<html" not in html
    assert 'name="tasks-TOTAL_FORMS" value="2"' in html and 'name="tasks-1-title"' in html
    assert "尚未保存的改写" in html
    assert "请填写任务名称" not in html  # a row being added is not an error
    goal.refresh_from_db()
    assert goal.text == "深化理论学习" and plan.tasks.count() == 1
    # Without htmx the same button reloads the whole page.
    page = client.post(_url(plan), {**data, "op": "add:goals"}).content.decode()
    assert "<html" in page and 'name="goals-TOTAL_FORMS" value="2"' in page
    assert 'name="goals-1-sort_order" value="0"' in page  # a new row starts with its defaults


def test_a_new_row_removed_goes_and_the_rows_after_it_move_up(cast, login):
    plan, _goal, _task = _plan(cast)
    client = login(cast.clerk)
    data = posted(client.get(_url(plan)).context["editor"])
    data.update({"tasks-TOTAL_FORMS": 3, "tasks-1-title": "第二行", "tasks-2-title": "第三行",
                 "tasks-2-due_on": "2026-07-31"})
    editor = client.post(_url(plan), {**data, "op": "remove:tasks-1"}, **HTMX).context["editor"]
    assert editor.tasks.total_form_count() == 2
    assert editor.tasks.forms[1]["title"].value() == "第三行"
    assert editor.tasks.forms[1]["due_on"].value() == "2026-07-31"


def test_a_saved_row_removed_is_marked_deleted_on_save_and_can_be_restored(cast, login):
    plan, goal, task = _plan(cast)
    PlanGoal.objects.create(plan=plan, dimension=dimension(plan.campaign, "development_drive"), text="第二个目标")
    client = login(cast.clerk)
    data = posted(client.get(_url(plan)).context["editor"])
    response = client.post(_url(plan), {**data, "op": "remove:goals-0"}, **HTMX)
    assert "保存后删除" in response.content.decode() and plan.goals.count() == 2
    marked = posted(response.context["editor"])
    assert marked["goals-0-DELETE"] == "on"
    restored = posted(client.post(_url(plan), {**marked, "op": "restore:goals-0"}, **HTMX).context["editor"])
    assert "goals-0-DELETE" not in restored
    assert client.post(_url(plan), marked).status_code == 302
    assert list(plan.goals.values_list("text", flat=True)) == ["第二个目标"]


def test_the_second_of_two_editors_starting_from_one_version_is_refused(cast, login):
    plan, goal, _task = _plan(cast)
    first = posted(login(cast.clerk).get(_url(plan)).context["editor"])
    second = posted(login(cast.admin).get(_url(plan)).context["editor"])
    first["goals-0-text"] = "党务工作者的改写"
    assert login(cast.clerk).post(_url(plan), first).status_code == 302
    second["goals-0-text"] = "管理员的改写"
    second.update({"tasks-TOTAL_FORMS": 2, "tasks-1-title": "管理员加的任务", "tasks-1-responsible": cast.person_a1.pk,
                   "tasks-1-due_on": "2026-08-31"})
    refused = login(cast.admin).post(_url(plan), second)
    assert refused.status_code == 200 and CONFLICT in refused.content.decode()
    goal.refresh_from_db()
    assert goal.text == "党务工作者的改写" and plan.tasks.count() == 1  # nothing of the second saved
    # A row added or removed by someone else changes the version too.
    fresh = posted(login(cast.clerk).get(_url(plan)).context["editor"])
    PlanTask.objects.create(plan=plan, title="他人新增", responsible=cast.person_a1, due_on=date(2026, 9, 1))
    assert CONFLICT in login(cast.clerk).post(_url(plan), fresh).content.decode()


def _count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **HTMX) if method == "post" else client.get(url)
        assert response.status_code == 200
    return len(queries), response


def test_adding_a_row_runs_the_same_queries_for_one_task_or_six(cast, login):
    plan, _goal, _task = _plan(cast)
    client = login(cast.clerk)

    def add_row():
        data = posted(client.get(_url(plan)).context["editor"])
        count, response = _count(client, "post", _url(plan), {**data, "op": "add:tasks"})
        return count

    one = add_row()
    for n in range(5):
        PlanTask.objects.create(plan=plan, title=f"任务{n}", responsible=make_person(cast.branch_a1),
                                due_on=date(2026, 6, 30))
    assert add_row() == one


def test_saving_runs_the_same_queries_for_one_task_or_six(cast, login):
    """Rows are checked against what the editor loaded once (ids, people, indicators, dimensions)."""
    plan, _goal, _task = _plan(cast)
    client = login(cast.clerk)

    def save():
        data = posted(client.get(_url(plan)).context["editor"])
        with CaptureQueriesContext(connection) as queries:
            assert client.post(_url(plan), data).status_code == 302
        return len(queries)

    one = save()
    for n in range(5):
        PlanTask.objects.create(plan=plan, title=f"任务{n}", responsible=make_person(cast.branch_a1),
                                due_on=date(2026, 6, 30))
    assert save() == one


def test_a_row_renders_only_its_chosen_person_named_with_the_org(cast, login):
    plan, _goal, _task = _plan(cast)
    for n in range(30):
        make_person(cast.branch_a1, f"名册人员{n}")
    page = login(cast.clerk).get(_url(plan)).content.decode()
    assert "张伟（变电一班党支部）" in page and "名册人员" not in page
    assert f'hx-get="/plans/{plan.pk}/people/"' in page


def test_the_responsible_search_offers_the_people_one_may_assign_with_their_org(cast, login):
    plan, _goal, _task = _plan(cast)
    in_branch = make_person(cast.branch_a1, "王强")
    in_group = make_person(cast.group_a1, "王强")
    make_person(cast.branch_b1, "王强")  # outside the plan's org: not assignable
    make_person(cast.branch_a1, "王强", is_active=False)  # no longer on the roster
    client = login(cast.clerk)
    url = f"/plans/{plan.pk}/people/"
    html = client.get(url, {"field": "tasks-0-responsible", "name": "王强",
                            "tasks-0-responsible": cast.person_a1.pk}).content.decode()
    assert 'name="tasks-0-responsible"' in html and 'id="id_tasks-0-responsible"' in html
    assert html.count("王强（") == 2
    assert "王强（变电一班党支部）" in html and "王强（变电一班第一党小组）" in html
    assert f'value="{in_branch.pk}"' in html and f'value="{in_group.pk}"' in html
    assert f'value="{cast.person_a1.pk}" selected' in html  # the current choice stays chosen
    assert "找到 2 人" in html
    assert "未找到“赵六”" in client.get(url, {"field": "tasks-0-responsible", "name": "赵六"}).content.decode()
    assert client.get(url, {"field": "bad name\"", "name": "王"}).status_code == 404

    outside = make_plan(plan.campaign, cast.branch_b1)
    assert client.get(f"/plans/{outside.pk}/people/", {"name": "王强"}).status_code == 404
    assert login(cast.leader).get(url, {"name": "王强"}).status_code == 403  # reads, may not edit


def test_saving_a_person_found_by_name_and_refusing_one_from_elsewhere(cast, login):
    plan, _goal, task = _plan(cast)
    namesake = make_person(cast.group_a1, "王强")
    stranger = make_person(cast.branch_b1, "王强")
    client = login(cast.clerk)
    data = posted(client.get(_url(plan)).context["editor"])
    data["tasks-0-responsible"] = stranger.pk
    refused = client.post(_url(plan), data)
    assert refused.status_code == 200 and "责任人必须是本组织" in refused.content.decode()
    data["tasks-0-responsible"] = namesake.pk
    assert client.post(_url(plan), data).status_code == 302
    task.refresh_from_db()
    assert task.responsible == namesake


def test_a_unit_secretary_assigns_the_people_of_the_unit_but_a_branch_clerk_only_the_branchs(cast, login):
    unit_plan = make_plan(make_campaign(cast), cast.unit_a)
    in_a2 = make_person(cast.branch_a2, "王强")
    secretary = login(cast.secretary).get(f"/plans/{unit_plan.pk}/people/", {"name": "王强"}).content.decode()
    assert f'value="{in_a2.pk}"' in secretary
    # A clerk of branch A1 granted on the unit's plan too would still read only A1's roster.
    a2_clerk = make_user("a2clerk", Role.CLERK, cast.branch_a1)
    from vanguard.plans import services

    assert in_a2 not in services.assignable_people(unit_plan, a2_clerk)
