"""The benchmark's yardstick and pages: ``benchmarks/load.py`` fails on any answer but 200."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from django.conf import settings

BENCHMARKS = Path(settings.BASE_DIR) / "benchmarks"


def load_script():
    spec = importlib.util.spec_from_file_location("benchmark_load", BENCHMARKS / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.urls("benchmarks.urls")
def test_the_bare_view_reads_the_session_and_the_user_and_nothing_else(cast, login, client,
                                                                       django_assert_num_queries):
    load = load_script()
    assert client.get(load.BARE_PATH).status_code == 403  # signed out: no user to load
    signed_in = login(cast.admin)
    signed_in.get(load.BARE_PATH)
    with django_assert_num_queries(2):  # the session row, the user row
        response = signed_in.get(load.BARE_PATH)
    assert response.status_code == 200 and response.content == f"ok {cast.admin.pk}".encode()


def test_the_bare_view_exists_only_under_the_benchmark_settings(cast, login):
    assert login(cast.admin).get(load_script().BARE_PATH).status_code == 404
    assert login(cast.admin).get("/bench/layout/").status_code == 404


@pytest.mark.urls("benchmarks.urls")
def test_the_layout_view_is_the_layout_with_nothing_in_it(cast, login):
    page = login(cast.member).get("/bench/layout/").content.decode()
    assert 'data-testid="nav-todo"' in page and 'id="user-menu"' in page
    assert page.count("<main") == 1 and "<h1" not in page


@pytest.mark.urls("benchmarks.urls")
def test_every_benchmarked_page_answers_its_user(cast, login):
    load = load_script()
    for scenario in load.SCENARIOS:
        response = login(cast.users[scenario.user]).get(scenario.path)
        assert response.status_code == 200, scenario
    assert {s.kind for s in load.SCENARIOS} == {load.LAYOUT, load.LIST, load.OTHER}


def test_a_page_measured_in_rounds_is_judged_by_the_medians_of_its_ratios():
    """A round taken while the host was busy (the bare view slow, the page slower still) moves
    the mean of the ratios; the median of three rounds keeps the two ordinary ones."""
    load = load_script()

    def measured(label, p50_ms, rate):
        single = load.Result(label, latencies=[p50_ms / 1000] * 5)
        loaded = load.Result(label, latencies=[p50_ms / 1000] * rate, elapsed=1.0)
        return load.Measured(load.Scenario(label, "admin", "/", load.LIST), single, loaded)

    def around(p50_ms, rate):
        bare = measured("bare", p50_ms, rate)
        return load.Yardstick(bare, bare)

    people_list = next(s for s in load.SCENARIOS if s.label == "people list")
    page = load.Rounds(people_list, [
        (measured("people", 20, 30), around(4, 200)),    # 5x, 15%
        (measured("people", 90, 5), around(6, 100)),     # 15x, 5%: a busy minute
        (measured("people", 28, 36), around(4, 200)),    # 7x, 18%
    ])
    assert (page.multiple, round(page.share, 2)) == (7.0, 0.15)
    assert load.verdict(page) == "ok"
