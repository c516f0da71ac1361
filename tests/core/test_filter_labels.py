"""A filter's empty choice means "no restriction" and says 全部 — also the yes/no filters, whose
select Django labels 未知 (Unknown)."""

import re

import pytest
from django.conf import settings

YES_NO_LISTS = ["/plans/", "/accounts/users/", "/campaigns/terms/"]
EMPTY_CHOICE = re.compile(r'<option value="unknown"[^>]*>([^<]*)</option>')


@pytest.mark.parametrize("url", YES_NO_LISTS)
def test_the_empty_choice_of_a_yes_no_filter_reads_all(url, cast, login):
    body = login(cast.admin).get(url).content.decode()
    assert EMPTY_CHOICE.findall(body), f"{url} has no yes/no filter any more: pick another page"
    assert set(EMPTY_CHOICE.findall(body)) == {"全部"}
    assert "未知" not in body


@pytest.mark.parametrize("url", YES_NO_LISTS)
def test_it_reads_all_in_english_too(url, cast, login):
    client = login(cast.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert set(EMPTY_CHOICE.findall(client.get(url).content.decode())) == {"All"}


def test_all_restricts_nothing_and_counts_as_no_filter(cast, login):
    client = login(cast.admin)
    everyone = client.get("/accounts/users/")
    chosen_all = client.get("/accounts/users/?is_active=unknown")
    assert chosen_all.context["page_obj"].paginator.count == everyone.context["page_obj"].paginator.count > 0
    assert chosen_all.context["active_filters"] == 0
    assert client.get("/accounts/users/?is_active=false").context["active_filters"] == 1
