"""Hostile input: huge integers, control and reordering characters, invisible names, endless text, odd dates.

Each is a 404 or a form error with a Chinese message, never a 500 and never a saved row.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from vanguard.activities.models import Meeting
from vanguard.orgs.models import Person

HUGE = "99999999999999999999"  # beyond any 64-bit column


def int_routes(resolver=None, prefix=""):
    """Every URL of the project whose only parameters are ``<int:…>``, with HUGE put in each."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from int_routes(entry, route)
        elif isinstance(entry, URLPattern) and "<int:" in route and not re.search(r"<(?!int:)", route):
            yield "/" + re.sub(r"<int:\w+>", HUGE, route).lstrip("^").rstrip("$")


class TestHugeIntegers:
    def test_every_url_with_an_integer_answers_without_a_server_error(self, cast, login, client):
        client.raise_request_exception = False
        login(cast.admin)
        urls = sorted(set(int_routes()))
        assert "/orgs/99999999999999999999/" in urls and len(urls) > 20
        answers = {url: client.get(url).status_code for url in urls}
        assert not [url for url, status in answers.items() if status >= 500], answers
        assert answers["/orgs/99999999999999999999/"] == 404

    @pytest.mark.parametrize("query", [
        f"?org={HUGE}", f"?page={HUGE}", f"?category={HUGE}", f"?org={HUGE}&page={HUGE}", f"?q={HUGE}",
    ])
    def test_a_huge_filter_value_is_a_form_error_or_nothing_found(self, cast, login, client, query):
        client.raise_request_exception = False
        response = login(cast.admin).get("/orgs/people/" + query)
        assert response.status_code == 200

    def test_nor_in_the_api(self, cast, login, client):
        client.raise_request_exception = False
        response = login(cast.admin).get(f"/api/v1/people?org={HUGE}")
        assert response.status_code in (200, 422)


def person_data(cast, **changes) -> dict:
    data = {"name": "赵敏", "gender": "female", "ethnicity": "汉族", "birth_date": "1990-03-01", "id_card": "",
            "phone": "", "education": "", "post": "", "unit": "", "org": cast.branch_a1.pk, "status": "masses",
            "join_date": "", "full_date": "", "is_active": "on"}
    data.update(changes)
    return data


def refused(response, field: str) -> list[str]:
    assert response.status_code == 200, "refused input re-shows the form"
    return [str(e) for e in response.context["form"].errors.get(field, [])]


class TestText:
    @pytest.mark.parametrize("name", ["赵\x00敏", "赵敏\x07", "\u202e敏赵", "赵\u2066敏\u2069", "赵\n敏"])
    def test_control_and_reordering_characters_are_refused(self, cast, login, name):
        response = login(cast.clerk).post("/orgs/people/new/", person_data(cast, name=name))
        assert any("不能包含控制字符或改变文字方向的字符" in e for e in refused(response, "name"))
        assert not Person.objects.filter(name__contains="敏").exists()

    @pytest.mark.parametrize("name", ["\u200b\u200b", "\u3164\u3164", "\u2800", "\ufeff\u200d", "\u3000\u200b"])
    def test_a_name_of_invisible_characters_is_refused(self, cast, login, name):
        response = login(cast.clerk).post("/orgs/people/new/", person_data(cast, name=name))
        errors = refused(response, "name")
        assert errors and all("不可见字符" in e or "必填" in e or "这个字段是必填项" in e for e in errors)
        assert Person.objects.count() == 4

    def test_visible_text_with_a_zero_width_joiner_or_a_line_break_in_a_text_area_is_kept(self, cast, login):
        response = login(cast.clerk).post("/activities/meetings/new/", {
            "org": cast.branch_a1.pk, "kind": "party_lecture", "topic": "党课：守初心", "held_on": "2026-04-01",
            "minutes": "第一项\n第二项\t完成 👨\u200d👩"})
        assert response.status_code == 302
        assert Meeting.objects.get().minutes == "第一项\n第二项\t完成 👨\u200d👩"

    def test_a_text_area_has_a_maximum_length(self, cast, login, settings):
        response = login(cast.clerk).post("/activities/meetings/new/", {
            "org": cast.branch_a1.pk, "kind": "party_lecture", "topic": "党课", "held_on": "2026-04-01",
            "minutes": "长" * 1_000_000})
        assert refused(response, "minutes") and not Meeting.objects.exists()
        assert f'maxlength="{settings.TEXT_MAX_LENGTH}"' in login(cast.clerk).get("/activities/meetings/new/").content.decode()


class TestDates:
    def test_a_birth_date_in_the_future_is_refused(self, cast, login):
        response = login(cast.clerk).post("/orgs/people/new/", person_data(cast, birth_date="2100-01-01"))
        assert "该日期不能晚于今天。" in refused(response, "birth_date")

    @pytest.mark.parametrize("held_on", ["1066-10-14", "2999-01-01"])
    def test_other_dates_lie_between_1900_and_a_few_years_ahead(self, cast, login, held_on):
        response = login(cast.clerk).post("/activities/meetings/new/", {
            "org": cast.branch_a1.pk, "kind": "party_lecture", "topic": "党课", "held_on": held_on})
        assert any(e.startswith("日期须在 1900年1月1日 至 ") for e in refused(response, "held_on"))
        assert not Meeting.objects.exists()


def formset_data(formset) -> dict:
    """POST data of a formset's existing rows as they were loaded (no extra rows)."""
    count = len(formset.initial_forms)
    data = {f"{formset.prefix}-TOTAL_FORMS": str(count), f"{formset.prefix}-INITIAL_FORMS": str(count)}
    for form in formset.initial_forms:
        for name in form.fields:
            value = form[name].value()
            if value not in (None, False):
                data[form.add_prefix(name)] = value
    return data


def test_a_plan_goal_of_a_million_characters_is_refused(cast, login):
    from ..plans.helpers import make_campaign, make_plan

    plan = make_plan(make_campaign(cast), cast.branch_a1)
    client = login(cast.clerk)
    page = client.get(f"/plans/{plan.pk}/edit/")
    data = {**formset_data(page.context["goals"]), **formset_data(page.context["tasks"])}
    goal = plan.goals.get()
    data[page.context["goals"].initial_forms[0].add_prefix("text")] = "长" * 1_000_000
    response = client.post(f"/plans/{plan.pk}/edit/", data)
    assert response.status_code == 200 and "text" in response.context["goals"].forms[0].errors
    goal.refresh_from_db()
    assert goal.text == "深化理论学习"
