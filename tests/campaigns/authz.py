"""The campaigns app's entries of the authorisation matrix (tests/test_authorization_matrix.py).

Inside = a campaign of unit A (every cast role reaches it); outside = a campaign of unit B.
Objects are created on demand inside the requesting test's transaction.
"""

from __future__ import annotations

from datetime import date

from tests.matrix import ADMINS, ALL, VIEWERS, Case
from vanguard.campaigns.models import Campaign, ImplementationPlan, PlanImportDraft, TermCorrection


def _campaign(w, inside):
    org = w.unit_a if inside else w.unit_b
    campaign, _ = Campaign.objects.get_or_create(scope_org=org, year=2026, defaults={"name": f"{org.name}2026年活动"})
    ImplementationPlan.objects.get_or_create(campaign=campaign, defaults={
        "title": "实施方案", "issued_on": date(2026, 3, 1), "guiding_ideology": "以科学发展观为指导。",
        "org_dimensions": {"political_leadership": "学习理论。"}})
    return campaign


def campaign_kw(w, inside):
    return {"pk": _campaign(w, inside).pk}


def api_campaign_kw(w, inside):
    return {"campaign_id": _campaign(w, inside).pk}


def draft_kw(w, inside):
    draft = PlanImportDraft.objects.create(campaign=_campaign(w, inside), created_by=w.me or w.admin,
                                           filename="plan.txt", text="一、指导思想")
    return {"pk": draft.pk}


def term_kw(w, inside):
    term, _ = TermCorrection.objects.get_or_create(wrong="测试错词", defaults={"right": "测试正词"})
    return {"pk": term.pk}


POST_ONLY = dict(ok=405, sees_outside=ALL, note="POST-only: 405 before any lookup")

CAMPAIGN_CASES: dict[str, Case] = {
    "campaigns:campaign_list": Case(VIEWERS),
    "campaigns:campaign_create": Case(ADMINS),
    "campaigns:campaign_detail": Case(VIEWERS, kwargs=campaign_kw),
    "campaigns:campaign_edit": Case(ADMINS, kwargs=campaign_kw),
    "campaigns:campaign_phases": Case(ADMINS, kwargs=campaign_kw),
    "campaigns:campaign_advance": Case(ADMINS, kwargs=campaign_kw),
    "campaigns:plan_detail": Case(VIEWERS, kwargs=campaign_kw),
    "campaigns:plan_edit": Case(ADMINS, kwargs=campaign_kw),
    "campaigns:plan_correct": Case(ALL, kwargs=campaign_kw, **POST_ONLY),
    "campaigns:plan_correct_all": Case(ALL, kwargs=campaign_kw, **POST_ONLY),
    "campaigns:plan_docx": Case(VIEWERS, kwargs=campaign_kw),
    "campaigns:plan_pdf": Case(VIEWERS, kwargs=campaign_kw),
    "campaigns:plan_preview": Case(VIEWERS, kwargs=campaign_kw),
    "campaigns:plan_import": Case(ADMINS, kwargs=campaign_kw),
    "campaigns:plan_import_preview": Case(ADMINS, kwargs=draft_kw, note="a draft is its uploader's only"),
    "campaigns:plan_import_accept": Case(ALL, kwargs=draft_kw, **POST_ONLY),
    "campaigns:plan_import_confirm": Case(ALL, kwargs=draft_kw, **POST_ONLY),
    "campaigns:term_list": Case(ADMINS),
    "campaigns:term_create": Case(ADMINS),
    "campaigns:term_edit": Case(ADMINS, kwargs=term_kw, sees_outside=ADMINS, note="bureau-wide terminology"),
    "campaigns:term_delete": Case(ADMINS, kwargs=term_kw, sees_outside=ADMINS, note="bureau-wide terminology"),
    "api:list_campaigns": Case(VIEWERS, api=True),
    "api:get_campaign": Case(VIEWERS, api=True, kwargs=api_campaign_kw),
}
