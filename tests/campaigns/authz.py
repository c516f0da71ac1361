"""The campaigns app's entries of the authorisation matrix (see tests/matrix.py).

Inside = unit A's campaign (every role granted in unit A reaches it, and the bureau-wide ones);
outside = unit B's. Both have an implementation plan with one corrupted term (科学开展观).
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

from tests.matrix import (
    ADMINS, ADMINS_OF_UNIT, GRANTED, REACH_OF_UNIT, ROOT_ADMINS, SIGNED_IN, Case, Write, post_data,
)
from vanguard.campaigns import planimport
from vanguard.campaigns.models import Campaign, CampaignStatus

SEED_PLAN = Path(__file__).parents[1] / "fixtures" / "seed_plan.txt"  # the plan as the bureau wrote it
PLAN_FIELDS = ["title", "doc_number", "preamble", "issuer", "issued_on"]


def _campaign(w, inside):
    return w.campaign_a if inside else w.campaign_b


def campaign_kw(w, inside):
    return {"pk": _campaign(w, inside).pk}


def api_campaign_kw(w, inside):
    return {"campaign_id": _campaign(w, inside).pk}


def active_kw(w, inside):
    """A campaign under way: the next step (考核中) needs no launch checks."""
    Campaign.objects.filter(pk=_campaign(w, inside).pk).update(status=CampaignStatus.ACTIVE)
    return campaign_kw(w, inside)


def draft_kw(w, inside):
    """The requester's import draft of the seed plan (a draft is its uploader's only)."""
    draft = planimport.create_import_draft(_campaign(w, inside), w.me or w.admin, "plan.txt", SEED_PLAN.read_bytes())
    return {"pk": draft.pk}


def term_kw(w, inside):
    return {"pk": w.term.pk}


def new_campaign(w, inside):
    return {"name": "矩阵新建活动", "year": 2030, "scope_org": (w.unit_a if inside else w.unit_b).pk,
            "dimension_source": "preset:four_strong_branches", "phase_source": "preset:branch_four_phases"}


def campaign_edit(w, inside):
    campaign = _campaign(w, inside)
    return {"name": f"{campaign.name}（修订）", "year": campaign.year, "scope_org": campaign.scope_org_id}


def _formset(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": sum("id" in row for row in rows),
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def phases(w, inside):
    """The campaign's phases as the page posts them (its rows, then the four of the seed)."""
    rows = [{"id": p.pk, "name": p.name, "purpose": p.purpose, "starts_on": p.starts_on.isoformat(),
             "ends_on": p.ends_on.isoformat(), "DELETE": "on"} for p in _campaign(w, inside).phases.all()]
    for month, (name, purpose) in enumerate((("动员部署", "plan_deadline"), ("组织实施", "carry_out"),
                                              ("督查考核", "assessment"), ("总结表彰", "commendation")), start=3):
        rows.append({"name": f"{name}（矩阵）", "purpose": purpose, "starts_on": f"2026-{month:02d}-01",
                     "ends_on": f"2026-{month:02d}-28"})
    return _formset("phases", rows)


def dimensions(w, inside):
    """Every dimension of the campaign kept as it is, and one org dimension added."""
    data = {}
    for subject in ("org", "member"):
        rows = [{"id": d.pk, "code": d.code, "name": d.name, "description": d.description,
                 "sort_order": d.sort_order} for d in _campaign(w, inside).dimensions.of(subject)]
        if subject == "org":
            rows.append({"code": "matrix_added", "name": "矩阵新增维度", "description": "", "sort_order": 9})
        data.update(_formset(subject, rows))
    return data


def load_branch_preset(w, inside):
    """The 四强党支部 phases (no dimension change: the matrix world's rubrics use the dimensions)."""
    return {"dimension_source": "", "phase_source": "preset:branch_four_phases"}


def copy_campaign(w, inside):
    return {"year": 2031, "name": "矩阵复制活动"}


def plan_edit(w, inside):
    """The plan as the editor posts it: its fields, then one row per section."""
    plan = _campaign(w, inside).get_plan()
    data = post_data(model_to_dict(plan, fields=PLAN_FIELDS))
    entries = plan.outline()
    data.update({"section-TOTAL_FORMS": str(len(entries)), "section-INITIAL_FORMS": "0"})
    for n, entry in enumerate(entries):
        data.update({f"section-{n}-depth": str(entry.depth), f"section-{n}-heading": entry.section.heading,
                     f"section-{n}-body": entry.section.body})
    return {**data, "doc_number": "矩阵〔2026〕1号"}


def correct_one(w, inside):
    """The first flagged 科学开展观 of the plan, wherever it stands (a field or a section)."""
    key, text = next((key, text) for key, _label, text in _campaign(w, inside).get_plan().text_parts()
                     if "科学开展观" in text)
    start = text.index("科学开展观")
    return {"field": key, "start": start, "end": start + 5, "wrong": "科学开展观"}


def plan_structure(w, inside):
    """One phase, set from the plan's structure page (the dimensions left as they are)."""
    return {"dim-TOTAL_FORMS": "0", "dim-INITIAL_FORMS": "0", "phase-TOTAL_FORMS": "1", "phase-INITIAL_FORMS": "0",
            "set_phases": "on", "phase-0-name": "矩阵阶段", "phase-0-purpose": "other",
            "phase-0-starts_on": "2026-03-01", "phase-0-ends_on": "2026-03-31"}


def nothing(w, inside):
    return {}


POST_ONLY = dict(ok=405, note="POST-only: 405 before any lookup")

CASES: dict[str, Case] = {
    "campaigns:campaign_list": Case(GRANTED),
    "campaigns:campaign_create": Case(ADMINS, post=Write(new_campaign, seen=ADMINS_OF_UNIT, unseen=200,
                                                         outside=True)),
    "campaigns:campaign_detail": Case(GRANTED, REACH_OF_UNIT, kwargs=campaign_kw),
    "campaigns:campaign_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(campaign_edit)),
    "campaigns:campaign_phases": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(phases)),
    "campaigns:campaign_dimensions": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(dimensions)),
    "campaigns:campaign_structure_load": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw,
                                              post=Write(load_branch_preset)),
    "campaigns:campaign_copy": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(copy_campaign)),
    "campaigns:campaign_advance": Case(ADMINS, ADMINS_OF_UNIT, kwargs=active_kw,
                                       post=Write(lambda w, inside: {"expected": CampaignStatus.ACTIVE})),
    "campaigns:plan_detail": Case(GRANTED, REACH_OF_UNIT, kwargs=campaign_kw),
    "campaigns:plan_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(plan_edit)),
    "campaigns:plan_correct": Case(SIGNED_IN, kwargs=campaign_kw, **POST_ONLY,
                                   post=Write(correct_one, allowed=ADMINS, seen=ADMINS_OF_UNIT)),
    "campaigns:plan_correct_all": Case(SIGNED_IN, kwargs=campaign_kw, **POST_ONLY,
                                       post=Write(nothing, allowed=ADMINS, seen=ADMINS_OF_UNIT)),
    "campaigns:plan_structure": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(plan_structure)),
    "campaigns:plan_docx": Case(GRANTED, REACH_OF_UNIT, kwargs=campaign_kw),
    "campaigns:plan_pdf": Case(GRANTED, REACH_OF_UNIT, kwargs=campaign_kw),
    "campaigns:plan_preview": Case(GRANTED, REACH_OF_UNIT, kwargs=campaign_kw),
    "campaigns:plan_import": Case(ADMINS, ADMINS_OF_UNIT, kwargs=campaign_kw, post=Write(
        lambda w, inside: {"file": SimpleUploadedFile("plan.txt", SEED_PLAN.read_bytes())})),
    "campaigns:plan_import_preview": Case(ADMINS, ADMINS_OF_UNIT, kwargs=draft_kw),
    "campaigns:plan_import_accept": Case(SIGNED_IN, kwargs=draft_kw, **POST_ONLY, post=Write(
        lambda w, inside: {"issue": "all"}, allowed=ADMINS, seen=ADMINS_OF_UNIT)),
    "campaigns:plan_import_confirm": Case(SIGNED_IN, kwargs=draft_kw, **POST_ONLY,
                                          post=Write(nothing, allowed=ADMINS, seen=ADMINS_OF_UNIT)),
    # Terminology is bureau-wide reference data that rewrites every unit's plans (AtRoot(ADMIN_ROLES)):
    # inside and outside are one term, and a unit's admin keeps none of it.
    "campaigns:term_list": Case(ROOT_ADMINS),
    "campaigns:term_create": Case(ROOT_ADMINS, post=Write(lambda w, inside: {
        "wrong": "矩阵错词", "right": "矩阵正词", "note": "", "is_active": "on"})),
    "campaigns:term_edit": Case(ROOT_ADMINS, kwargs=term_kw, post=Write(lambda w, inside: {
        "wrong": w.term.wrong, "right": "矩阵改正", "note": "", "is_active": "on"})),
    "campaigns:term_delete": Case(ROOT_ADMINS, kwargs=term_kw, post=Write(nothing)),
    "api:list_campaigns": Case(GRANTED, api=True),
    "api:get_campaign": Case(GRANTED, REACH_OF_UNIT, api=True, kwargs=api_campaign_kw),
}
