"""Each app's API lists filter with the FilterSet of the list page they mirror, and document it.

The lists of tests/api/test_filters.py are checked there with data; an app declares its own in
the ``API_LISTS`` of its tests/<app>/authz.py (API list name → page URL name), and their rows per
role are written by hand in its ``LISTINGS`` (tests/test_row_scoping.py).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_filters.filterset import BaseFilterSet

from vanguard.core.api import MAX_PAGE

from ..matrix import act_as, authz_modules, world_fixture
from .test_filters import filterset_of

# Each app's API lists and the list page each mirrors: the ``API_LISTS`` of tests/<app>/authz.py.
API_LISTS = {name: page for module in authz_modules() for name, page in getattr(module, "API_LISTS", {}).items()}
# The task list, whose queries need the plans' data above.
API_LISTS.setdefault("list_tasks", "plans:task_list")
world = world_fixture()


@pytest.fixture
def filtersets_built(monkeypatch):
    """The FilterSet classes instantiated while a request runs."""
    built = []
    original = BaseFilterSet.__init__

    def record(self, *args, **kwargs):
        built.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(BaseFilterSet, "__init__", record)
    return built


@pytest.mark.parametrize("name", sorted(API_LISTS))
def test_an_apps_api_list_filters_with_its_pages_filterset(world, db, name, filtersets_built):
    response = act_as(world, "admin").get(reverse(f"api:{name}"))
    assert response.status_code == 200, response.content
    assert filterset_of(API_LISTS[name]) in filtersets_built, filtersets_built
    schema = act_as(world, "admin").get("/api/openapi.json").json()["paths"][reverse(f"api:{name}")]
    documented = {p["name"] for p in schema["get"].get("parameters", [])}
    assert set(filterset_of(API_LISTS[name]).base_filters) <= documented


@pytest.mark.parametrize("name", sorted(API_LISTS))
def test_a_page_number_past_any_table_is_invalid_input_not_a_server_error(world, db, name):
    """``?page=`` is bounded (vanguard.core.api.MAX_PAGE): a huge one never reaches the database."""
    client = act_as(world, "admin")
    assert client.get(reverse(f"api:{name}"), {"page": MAX_PAGE}).status_code == 200
    response = client.get(reverse(f"api:{name}"), {"page": 10 ** 20})
    assert response.status_code == 422, response.content
