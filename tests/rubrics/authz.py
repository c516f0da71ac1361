"""The rubrics app's entries of the authorisation matrix (tests/test_authorization_matrix.py).

Inside = a rubric of a unit-A campaign (every cast role reaches it; unit A's admin changes it);
outside = a rubric of a unit-B campaign. Objects are created on demand in the requesting test.
"""

from __future__ import annotations

from tests.matrix import ADMINS, STAFF, Case
from vanguard.campaigns.models import Campaign
from vanguard.rubrics import services
from vanguard.rubrics.models import Rubric


def _campaign(w, inside):
    org = w.unit_a if inside else w.unit_b
    campaign, _ = Campaign.objects.get_or_create(scope_org=org, year=2026, defaults={"name": f"{org.name}2026年活动"})
    return campaign


def _rubric(w, inside, subject="org"):
    campaign = _campaign(w, inside)
    rubric = Rubric.objects.filter(campaign=campaign, subject=subject, category__isnull=True).first()
    if rubric is None:
        rubric = services.load_default(campaign, subject, w.admin)
        if subject == "member":  # the frozen one, for "新建版本"
            services.freeze(rubric)
    return rubric


def rubric_kw(w, inside):
    return {"pk": _rubric(w, inside).pk}


def frozen_kw(w, inside):
    return {"pk": _rubric(w, inside, "member").pk}


def parent_kw(w, inside):
    return {"rubric_pk": _rubric(w, inside).pk}


def api_kw(w, inside):
    return {"rubric_id": _rubric(w, inside).pk}


def indicator_kw(w, inside):
    return {"pk": _rubric(w, inside).indicators.first().pk}


def bonus_kw(w, inside):
    return {"pk": _rubric(w, inside).bonus_items.first().pk}


def veto_kw(w, inside):
    return {"pk": _rubric(w, inside).veto_items.first().pk}


def dimension_kw(w, inside):
    return {"pk": _rubric(w, inside).dimensions.first().pk}


RUBRIC_CASES: dict[str, Case] = {
    "rubrics:rubric_list": Case(STAFF),
    "rubrics:rubric_create": Case(ADMINS),
    "rubrics:rubric_import": Case(ADMINS),
    "rubrics:rubric_detail": Case(STAFF, kwargs=rubric_kw),
    "rubrics:rubric_xlsx": Case(STAFF, kwargs=rubric_kw),
    "rubrics:rubric_edit": Case(ADMINS, kwargs=rubric_kw),
    "rubrics:rubric_freeze": Case(ADMINS, kwargs=rubric_kw),
    "rubrics:rubric_variant": Case(ADMINS, kwargs=rubric_kw),
    "rubrics:rubric_new_version": Case(ADMINS, kwargs=frozen_kw),
    "rubrics:indicator_create": Case(ADMINS, kwargs=parent_kw),
    "rubrics:indicator_edit": Case(ADMINS, kwargs=indicator_kw),
    "rubrics:indicator_delete": Case(ADMINS, kwargs=indicator_kw),
    "rubrics:bonus_create": Case(ADMINS, kwargs=parent_kw),
    "rubrics:bonus_delete": Case(ADMINS, kwargs=bonus_kw),
    "rubrics:bonus_edit": Case(ADMINS, kwargs=bonus_kw),
    "rubrics:veto_edit": Case(ADMINS, kwargs=veto_kw),
    "rubrics:dimension_edit": Case(ADMINS, kwargs=dimension_kw),
    "rubrics:veto_create": Case(ADMINS, kwargs=parent_kw),
    "rubrics:veto_delete": Case(ADMINS, kwargs=veto_kw),
    "api:list_rubrics": Case(STAFF, api=True),
    "api:get_rubric": Case(STAFF, api=True, kwargs=api_kw),
    "api:rubric_xlsx": Case(STAFF, api=True, kwargs=api_kw),
}
