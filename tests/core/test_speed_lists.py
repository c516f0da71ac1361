"""What makes the lists fast keeps them right (issue 10 §6): filter widgets written without
templates write Django's HTML; a total known from counters is used only for the unfiltered list
and equals the rows; per-row figures are read for the rows shown (``decorate``)."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.db import connection
from django.test import RequestFactory
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from vanguard.core.lists import CountedPaginator, FastSelect, FastTextInput, fast_widget
from vanguard.orgs.filters import PersonFilterSet
from vanguard.orgs.models import MemberStatus, Org, Person
from vanguard.orgs.views import PersonListView

from ..factories import make_person


CHOICES = [("", "全部"), ("full", "正式党员"), (3, "整数值"), ("x&y", "<带标记>"), ("safe", mark_safe("<b>粗</b>"))]
GROUPED = [("", "全部"), ("上级", [("a", "甲"), ("b", "乙")]), ("c", "丙")]


@pytest.mark.parametrize("choices, value", [
    (CHOICES, None), (CHOICES, "full"), (CHOICES, 3), (CHOICES, "x&y"), (CHOICES, "none"), (GROUPED, "b"),
    ([("a", "甲"), ("a", "甲重复")], "a"),  # a single select marks the first match only
])
def test_the_fast_select_writes_what_djangos_select_writes(choices, value):
    attrs = {"class": "form-select form-select-sm", "id": "id_status", "data-x": 'q"uote'}
    django = forms.Select(choices=choices).render("status", value, attrs)
    assert parse_html(FastSelect(choices=choices).render("status", value, attrs)) == parse_html(django)


@pytest.mark.parametrize("value", [None, "", "王", 'a"<b>&', 12])
def test_the_fast_text_box_writes_what_djangos_writes(value):
    attrs = {"class": "form-control form-control-sm", "id": "id_q", "required": True, "disabled": False}
    django = forms.TextInput().render("q", value, attrs)
    assert parse_html(FastTextInput().render("q", value, attrs)) == parse_html(django)


def test_filter_bars_render_their_selects_and_text_boxes_fast_and_keep_the_rest(cast):
    request = RequestFactory().get("/")
    request.user = cast.admin
    form = PersonFilterSet({"org": cast.unit_a.pk}, queryset=Person.objects.all(), request=request).form
    kinds = {name: type(field.widget) for name, field in form.fields.items()}
    assert kinds["q"] is FastTextInput and kinds["status"] is FastSelect and kinds["category"] is FastSelect
    html = str(form["org"])
    assert f'<option value="{cast.unit_a.pk}" selected>变电运维中心党委</option>' in html
    assert "<option value=\"\">全部</option>" in html  # the empty choice says 全部, as before
    # A date box and a yes/no select are written directly too, as Django's templates write them
    # (but for the line breaks between options); a widget with a template of its own is kept.
    date_box = forms.DateInput(attrs={"type": "date", "class": "form-control"})
    assert fast_widget(date_box).render("d", date(2026, 1, 2), {"id": "id_d"}) == date_box.render("d", date(2026, 1, 2), {"id": "id_d"})
    yes_no = forms.NullBooleanSelect(attrs={"class": "form-select"})
    for value in (None, True, False):
        assert fast_widget(yes_no).render("b", value) == yes_no.render("b", value).replace("\n", "").replace("  ", "")
    checkboxes = forms.CheckboxSelectMultiple(choices=[("a", "甲")])
    assert fast_widget(checkboxes) is checkboxes


def test_a_known_total_is_not_counted_again(cast, django_assert_num_queries):
    paginator = CountedPaginator(Person.objects.all(), 2, count=123)
    with django_assert_num_queries(0):
        assert (paginator.count, paginator.num_pages) == (123, 62)
    assert CountedPaginator(Person.objects.all(), 2).count == Person.objects.count()


def people_counts(client, query: str = "") -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("orgs:person_list") + query)
    assert response.status_code == 200
    return response.context["page_obj"].paginator.count, [q["sql"] for q in queries.captured_queries]


def counts_people(sql: list[str]) -> bool:
    return any(q.startswith("SELECT COUNT(*)") and '"orgs_person"' in q for q in sql)


@pytest.mark.parametrize("role", ["admin", "secretary", "clerk", "leader", "inspector"])
def test_the_unfiltered_roster_total_is_the_headcounts_and_equals_the_rows(cast, login, role):
    make_person(cast.branch_a2, status=MemberStatus.MASSES, is_active=False)  # listed too, 在册 or not
    user = cast.users[role]
    client = login(user)
    for query in ("", "?page=1", "?sort=name", "?q=&status="):
        total, sql = people_counts(client, query)
        assert total == Person.objects.for_user(user, "roster").count(), (role, query)
        assert not counts_people(sql), (role, query)


def test_a_filtered_roster_is_counted(cast, login):
    client = login(cast.admin)
    for query, expected in (("?status=full", Person.objects.filter(status=MemberStatus.FULL)),
                            ("?q=张", Person.objects.filter(name__contains="张")),
                            (f"?org={cast.unit_a.pk}", Person.objects.in_subtree(cast.unit_a))):
        total, sql = people_counts(client, query)
        assert total == expected.count() and counts_people(sql), query


class DecoratedPeople(PersonListView):
    """The roster with a per-row figure read for the rows it shows."""

    paginate_by = 3
    seen: list[int] = []

    def decorate(self, objects):
        type(self).seen.append(len(objects))
        sizes = dict(Org.objects.filter(pk__in={p.org_id for p in objects}).values_list("pk", "headcount__people"))
        for person in objects:
            person.org_size = sizes[person.org_id]


def test_decorate_sees_the_page_and_each_chunk_of_an_export(cast, monkeypatch):
    for _ in range(5):
        make_person(cast.branch_b1)
    DecoratedPeople.seen = []
    request = RequestFactory().get("/")
    request.user = cast.admin
    response = DecoratedPeople.as_view()(request)
    response.render()
    assert DecoratedPeople.seen == [3]
    assert all(hasattr(obj, "org_size") for obj, _cells in response.context_data["rows"])
    monkeypatch.setattr("vanguard.core.lists.EXPORT_CHUNK", 4)
    DecoratedPeople.seen = []
    request = RequestFactory().get("/", {"export": "xlsx"})
    request.user = cast.admin
    export = DecoratedPeople.as_view()(request)
    assert export.status_code == 200 and (b"".join(export.streaming_content) if export.streaming else export.content)
    assert DecoratedPeople.seen == [4, 4, 1]  # nine people, four at a time
