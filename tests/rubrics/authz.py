"""The rubrics app's entries of the authorisation matrix (see tests/matrix.py).

Inside = the draft org rubric (and the frozen member rubric) of unit A's campaign; outside = those
of unit B's. A campaign's rubrics are read by staff and inspectors inside or above its scope
(Reach(STAFF_ROLES | inspector)), not by members, and changed by the admins of its scope.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

from tests.matrix import ADMINS, ADMINS_OF_UNIT, INSPECTORS, STAFF, Case, Seen, Write, post_data
from vanguard.rubrics.forms import RuleParameterFields
from vanguard.rubrics.xlsx import export_xlsx

INDICATOR_FIELDS = ["dimension", "code", "name", "points", "description", "evidence_required", "data_source",
                    "metric", "rule_type", "sort_order"]
BONUS_FIELDS = ["name", "points", "description", "sort_order"]
VETO_FIELDS = ["name", "description", "effect", "cap_points", "sort_order"]


def _rubric(w, inside, subject="org"):
    return w.rubrics[("a" if inside else "b") + ("" if subject == "org" else "_member")]


def rubric_kw(w, inside):
    return {"pk": _rubric(w, inside).pk}


def frozen_kw(w, inside):
    return {"pk": _rubric(w, inside, "member").pk}


def parent_kw(w, inside):
    return {"rubric_pk": _rubric(w, inside).pk}


def api_kw(w, inside):
    return {"rubric_id": _rubric(w, inside).pk}


def _first(w, inside, parts):
    return getattr(_rubric(w, inside), parts).order_by("pk").first()


def indicator_kw(w, inside):
    return {"pk": _first(w, inside, "indicators").pk}


def bonus_kw(w, inside):
    return {"pk": _first(w, inside, "bonus_items").pk}


def veto_kw(w, inside):
    return {"pk": _first(w, inside, "veto_items").pk}


def dimension_kw(w, inside):
    return {"pk": _first(w, inside, "dimensions").pk}


def _campaign_choice(w, inside):
    return (w.campaign_a if inside else w.campaign_b).pk


def import_upload(w, inside):
    workbook = export_xlsx(w.rubrics["a"])
    return {"campaign": _campaign_choice(w, inside), "file": SimpleUploadedFile("标准.xlsx", workbook)}


def edited(fields, parts, **changes):
    def payload(w, inside):
        return {**post_data(model_to_dict(_first(w, inside, parts), fields=fields)), **changes}

    return payload


def edited_indicator(**changes):
    """An indicator as its form posts it: its fields, and its rule's parameters in the rule's fields."""
    def payload(w, inside):
        indicator = _first(w, inside, "indicators")
        return {**post_data(model_to_dict(indicator, fields=INDICATOR_FIELDS)),
                **post_data(RuleParameterFields.initial(indicator.rule_type, indicator.params)), **changes}

    return payload


def nothing(w, inside):
    return {}


READERS = STAFF | INSPECTORS
# Reach(...): inside or above unit A every reader; unit B only the bureau's and branch B1's clerk.
READ_SCOPE = Seen(READERS, {"admin", "inspector", "two_grants"})


CASES: dict[str, Case] = {
    "rubrics:rubric_list": Case(READERS),
    "rubrics:rubric_create": Case(ADMINS, post=Write(
        lambda w, inside: {"campaign": _campaign_choice(w, inside), "subject": "org"},
        seen=ADMINS_OF_UNIT, unseen=200, outside=True)),
    "rubrics:rubric_import": Case(ADMINS, post=Write(import_upload, seen=ADMINS_OF_UNIT, unseen=200, outside=True)),
    "rubrics:rubric_detail": Case(READERS, READ_SCOPE, kwargs=rubric_kw),
    "rubrics:rubric_xlsx": Case(READERS, READ_SCOPE, kwargs=rubric_kw),
    "rubrics:rubric_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=rubric_kw, post=Write(
        lambda w, inside: {"name": "矩阵标准", "total_points": "100", "bonus_cap": "5"})),
    "rubrics:rubric_freeze": Case(ADMINS, ADMINS_OF_UNIT, kwargs=rubric_kw, post=Write(nothing)),
    "rubrics:rubric_variant": Case(ADMINS, ADMINS_OF_UNIT, kwargs=rubric_kw, post=Write(
        lambda w, inside: {"category": w.production.pk})),
    "rubrics:rubric_new_version": Case(ADMINS, ADMINS_OF_UNIT, kwargs=frozen_kw, post=Write(nothing)),
    "rubrics:indicator_create": Case(ADMINS, ADMINS_OF_UNIT, kwargs=parent_kw, post=Write(
        edited_indicator(code="matrix_new", name="矩阵新指标"))),
    "rubrics:indicator_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=indicator_kw, post=Write(
        edited_indicator(name="矩阵改名指标"))),
    "rubrics:indicator_delete": Case(ADMINS, ADMINS_OF_UNIT, kwargs=indicator_kw, post=Write(nothing)),
    "rubrics:dimension_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=dimension_kw, post=Write(
        edited(["points", "description"], "dimensions", description="矩阵说明"))),
    "rubrics:bonus_create": Case(ADMINS, ADMINS_OF_UNIT, kwargs=parent_kw, post=Write(
        edited(BONUS_FIELDS, "bonus_items", name="矩阵加分项"))),
    "rubrics:bonus_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=bonus_kw, post=Write(
        edited(BONUS_FIELDS, "bonus_items", description="矩阵说明"))),
    "rubrics:bonus_delete": Case(ADMINS, ADMINS_OF_UNIT, kwargs=bonus_kw, post=Write(nothing)),
    "rubrics:veto_create": Case(ADMINS, ADMINS_OF_UNIT, kwargs=parent_kw, post=Write(
        edited(VETO_FIELDS, "veto_items", name="矩阵否决项"))),
    "rubrics:veto_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=veto_kw, post=Write(
        edited(VETO_FIELDS, "veto_items", description="矩阵说明"))),
    "rubrics:veto_delete": Case(ADMINS, ADMINS_OF_UNIT, kwargs=veto_kw, post=Write(nothing)),
    "api:list_rubrics": Case(READERS, api=True),
    "api:get_rubric": Case(READERS, READ_SCOPE, api=True, kwargs=api_kw),
    "api:rubric_xlsx": Case(READERS, READ_SCOPE, api=True, kwargs=api_kw),
}
