"""The surveys app's entries of the authorisation matrix (see tests/matrix.py) and its lists' rows.

Inside = unit A surveys branch A1 in unit A's campaign; outside = unit B surveys branch B1 in unit
B's campaign. Each side has a survey in preparation (scrutineers set), one open (two unused
slips, one code kept for the public page) and one counted; and two questionnaires, one used by
the surveys and a spare one. The level above a branch (its unit's staff, the bureau admin)
manages its survey; the branch's own staff (clerk of A1, two_grants as clerk of B1) see only the
counted one.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.matrix import (
    ADMINS, ADMINS_OF_UNIT, EDITORS, SIGNED_IN, STAFF, STAFF_OF_BRANCH, Case, Seen, Write,
)
from tests.rows import Listing
from vanguard.ballots import services as ballots
from vanguard.surveys import services
from vanguard.surveys.models import Survey, SurveyTemplate

PASSPHRASE = "矩阵监票口令-0001"
# Subtree(STAFF_ROLES) of the running unit: its staff, and the bureau admin for unit B's.
STAFF_OF_UNIT = Seen({"admin", "unit_admin", "secretary", "leader"}, {"admin"})
EDITORS_OF_UNIT = Seen({"admin", "unit_admin", "secretary"}, {"admin"})
# Above(...) a branch: unit A's staff above A1; only the bureau admin above B1 (two_grants is B1's clerk).
STAFF_ABOVE_BRANCH = STAFF_OF_UNIT
EDITORS_ABOVE_BRANCH = EDITORS_OF_UNIT
# Reach(STAFF_ROLES) of a unit's campaign: its staff and the staff below it; for unit B's the
# bureau admin and two_grants (clerk of B1).
STAFF_REACH_OF_UNIT = Seen(STAFF, {"admin", "two_grants"})
PUBLIC = dict(anonymous=200, note="the masses' page: no login")


def _side(w, inside):
    return "a" if inside else "b"


def extend_world(w):
    w.survey_templates, w.surveys, w.survey_codes = {}, {}, {}
    today = timezone.localdate()
    scrutineers = {"a": [w.admin, w.secretary], "b": [w.admin, w.inspector]}
    for side, campaign, unit, branch in (("a", w.campaign_a, w.unit_a, w.branch_a1),
                                         ("b", w.campaign_b, w.unit_b, w.branch_b1)):
        template = w.survey_templates[side] = SurveyTemplate.objects.create(
            campaign=campaign, name=f"矩阵问卷（{unit.name}）")
        spare = w.survey_templates[f"{side}_spare"] = SurveyTemplate.objects.create(
            campaign=campaign, name=f"矩阵备用问卷（{unit.name}）")
        for each in (template, spare):
            services.save_template_items(each, {d.pk: [f"{d.name}满意吗"] for d in services.org_dimensions(campaign)},
                                         w.admin)
        for state in ("draft", "open", "closed"):
            survey = w.surveys[f"{side}_{state}"] = services.save_survey(
                Survey(campaign=campaign, template=template, org=unit, title=f"矩阵测评（{unit.name}·{state}）",
                       closes_on=today + timedelta(days=30)), [branch], w.admin)
            services.set_scrutineers(survey, scrutineers[side], w.admin)
            if state == "draft":
                continue
            services.open_survey(survey, {u.pk: PASSPHRASE for u in scrutineers[side]}, w.admin)
            if state == "open":
                target = survey.targets.select_related("box").get()
                w.survey_codes[side] = ballots.issue_slips(target.box, 2, actor=w.admin)[0]
            else:
                services.close_survey(survey, {u.pk: PASSPHRASE for u in scrutineers[side]}, w.admin)
    w.survey_targets = {key: survey.targets.select_related("org", "survey").get() for key, survey in w.surveys.items()}
    w.survey_scrutineers = scrutineers


def survey_kw(state):
    return lambda w, inside: {"pk": w.surveys[f"{_side(w, inside)}_{state}"].pk}


def target_kw(state):
    return lambda w, inside: {"pk": w.survey_targets[f"{_side(w, inside)}_{state}"].pk}


def spare_kw(w, inside):
    return {"pk": w.survey_templates[f"{_side(w, inside)}_spare"].pk}


def receipt_kw(w, inside):
    return {"box": w.survey_targets[f"{_side(w, inside)}_open"].box_id, "receipt": "ABCDEFGHJKMNPQRS"}


def api_survey_kw(state):
    return lambda w, inside: {"survey_id": w.surveys[f"{_side(w, inside)}_{state}"].pk}


def api_result_kw(w, inside):
    return {"target_id": w.survey_targets[f"{_side(w, inside)}_closed"].pk}


def template_payload(w, inside):
    return {"campaign": w.campaign_a.pk, "name": "矩阵新问卷", "intro": "", "comment_mode": "survey",
            "comment_max": 100}


def template_edit_payload(w, inside):
    template = w.survey_templates[f"{_side(w, inside)}_spare"]
    data = {"name": f"{template.name}（改）", "intro": "说明", "comment_mode": "item", "comment_max": 50}
    for dimension, _items in services.items_by_dimension(template):
        data[f"dimension_{dimension.pk}"] = f"{dimension.name}的新题"
    return data


def survey_payload(w, inside):
    side = _side(w, inside)
    campaign, unit, branch = ((w.campaign_a, w.unit_a, w.branch_a1) if inside
                              else (w.campaign_b, w.unit_b, w.branch_b1))
    return {"campaign": campaign.pk, "template": w.survey_templates[side].pk, "org": unit.pk,
            "targets": [branch.pk], "title": "矩阵修改的测评", "closes_on": timezone.localdate() + timedelta(days=20),
            "top_levels": 2, "min_respondents": 3}


def api_survey_payload(w, inside):
    data = survey_payload(w, inside)
    return {"campaign_id": data["campaign"], "template_id": data["template"], "org_id": data["org"],
            "target_org_ids": data["targets"], "title": "接口新建的测评", "closes_on": data["closes_on"].isoformat()}


def scrutineers_payload(w, inside):
    return {"scrutineers": [u.pk for u in w.survey_scrutineers[_side(w, inside)]]}


def passphrases_payload(confirm: bool):
    def payload(w, inside):
        data = {}
        for user in w.survey_scrutineers[_side(w, inside)]:
            data[f"passphrase_{user.pk}"] = PASSPHRASE
            if confirm:
                data[f"again_{user.pk}"] = PASSPHRASE
        if confirm:
            data["confirm"] = "on"
        return data

    return payload


def code_payload(w, inside):
    return {"code": w.survey_codes["a"]}


def nothing(w, inside):
    return {}


EVERY_ROLE = ("anonymous", "admin", "inspector", "secretary", "clerk", "member", "leader", "unit_admin", "two_grants",
              "expired", "future", "member_clerk")

CASES: dict[str, Case] = {
    "surveys:template_list": Case(STAFF),
    "surveys:template_create": Case(ADMINS, post=Write(template_payload, outside=False)),
    "surveys:template_detail": Case(STAFF, STAFF_REACH_OF_UNIT, kwargs=spare_kw),
    "surveys:template_edit": Case(ADMINS, ADMINS_OF_UNIT, kwargs=spare_kw, visible=STAFF_REACH_OF_UNIT,
                                  post=Write(template_edit_payload)),
    "surveys:template_delete": Case(ADMINS, ADMINS_OF_UNIT, kwargs=spare_kw, visible=STAFF_REACH_OF_UNIT,
                                    post=Write(nothing)),
    "surveys:survey_list": Case(STAFF),
    # An editor of a branch (clerk of A1) may create surveys, of orgs below her own only: unit A
    # is no choice of hers, so the form comes back with an error.
    "surveys:survey_create": Case(EDITORS, post=Write(survey_payload, outside=False, seen=Seen(EDITORS_OF_UNIT.inside),
                                                      unseen=200)),
    "surveys:survey_detail": Case(STAFF, STAFF_OF_UNIT, kwargs=survey_kw("open")),
    "surveys:survey_edit": Case(EDITORS, EDITORS_OF_UNIT, kwargs=survey_kw("draft"), visible=STAFF_OF_UNIT,
                                post=Write(survey_payload)),
    "surveys:survey_delete": Case(EDITORS, EDITORS_OF_UNIT, kwargs=survey_kw("draft"), visible=STAFF_OF_UNIT,
                                  post=Write(nothing)),
    "surveys:survey_scrutineers": Case(EDITORS, EDITORS_OF_UNIT, kwargs=survey_kw("draft"), visible=STAFF_OF_UNIT,
                                       post=Write(scrutineers_payload)),
    "surveys:survey_open": Case(EDITORS, EDITORS_OF_UNIT, kwargs=survey_kw("draft"), visible=STAFF_OF_UNIT,
                                post=Write(passphrases_payload(confirm=True))),
    "surveys:survey_close": Case(EDITORS, EDITORS_OF_UNIT, kwargs=survey_kw("open"), visible=STAFF_OF_UNIT,
                                 post=Write(passphrases_payload(confirm=False))),
    "surveys:target_list": Case(STAFF),
    # While open only the level above sees a surveyed org: its own clerk gets 404, not even 403.
    "surveys:target_detail": Case(STAFF, STAFF_ABOVE_BRANCH, kwargs=target_kw("open")),
    "surveys:target_slips": Case(EDITORS, EDITORS_ABOVE_BRANCH, kwargs=target_kw("open"), visible=STAFF_ABOVE_BRANCH,
                                 post=Write(lambda w, inside: {"count": 1}, ok=200)),
    "surveys:target_void": Case(EDITORS, EDITORS_ABOVE_BRANCH, kwargs=target_kw("open"), visible=STAFF_ABOVE_BRANCH,
                                post=Write(lambda w, inside: {"slip": "2", "confirm": "1"})),
    # Checking a code writes nothing, for anyone: nothing is stored before a sheet is sealed.
    "surveys:answer": Case(SIGNED_IN, **PUBLIC, post=Write(
        code_payload, ok=200, allowed=frozenset(), overrides={(role, "in"): 200 for role in EVERY_ROLE},
        note="a code is checked and the sheet shown; nothing is written")),
    "surveys:receipt": Case(SIGNED_IN, kwargs=receipt_kw, **PUBLIC),
    "api:list_surveys": Case(STAFF, api=True),
    "api:get_survey": Case(STAFF, STAFF_OF_UNIT, api=True, kwargs=api_survey_kw("open")),
    # POST /surveys: a GET of the same address is the list's.
    "api:create_survey": Case(STAFF, api=True, post=Write(
        api_survey_payload, ok=201, allowed=EDITORS, seen=Seen(EDITORS_OF_UNIT.inside), unseen=400, outside=False,
        json=True)),
    "api:survey_turnout": Case(STAFF, STAFF_OF_UNIT, api=True, kwargs=api_survey_kw("open")),
    "api:list_survey_results": Case(STAFF, api=True),
    # After close the branch's own staff read its result too (Subtree, not Above).
    "api:get_survey_result": Case(STAFF, STAFF_OF_BRANCH, api=True, kwargs=api_result_kw),
}

SURVEY_ROWS = {
    "admin": {"a_draft", "a_open", "a_closed", "b_draft", "b_open", "b_closed"}, "inspector": None,
    "secretary": {"a_draft", "a_open", "a_closed"}, "clerk": set(), "member": None,
    "leader": {"a_draft", "a_open", "a_closed"}, "unit_admin": {"a_draft", "a_open", "a_closed"},
    "two_grants": set(), "expired": None, "future": None, "member_clerk": set(),
}
# The level above sees every state; the org's own staff the counted one only.
TARGET_ROWS = {**SURVEY_ROWS, "clerk": {"a_closed"}, "member_clerk": {"a_closed"}, "two_grants": {"b_closed"}}
RESULT_ROWS = {
    "admin": {"a_closed", "b_closed"}, "inspector": None, "secretary": {"a_closed"}, "clerk": {"a_closed"},
    "member": None, "leader": {"a_closed"}, "unit_admin": {"a_closed"}, "two_grants": {"b_closed"},
    "expired": None, "future": None, "member_clerk": {"a_closed"},
}
UNIT_A_TEMPLATES = {"a", "a_spare"}
TEMPLATE_ROWS = {
    "admin": {"a", "a_spare", "b", "b_spare"}, "inspector": None, "secretary": UNIT_A_TEMPLATES,
    "clerk": UNIT_A_TEMPLATES, "member": None, "leader": UNIT_A_TEMPLATES, "unit_admin": UNIT_A_TEMPLATES,
    "two_grants": {"a", "a_spare", "b", "b_spare"}, "expired": None, "future": None, "member_clerk": UNIT_A_TEMPLATES,
}


def _closed_targets(w):
    return {key: target for key, target in w.survey_targets.items() if key.endswith("_closed")}


LISTINGS = [
    Listing("surveys:survey_list", lambda w: w.surveys, SURVEY_ROWS, key=lambda s: (s.title,), headers=("测评名称",)),
    Listing("api:list_surveys", lambda w: w.surveys, SURVEY_ROWS, key=None, api=True),
    Listing("surveys:target_list", lambda w: w.survey_targets, TARGET_ROWS,
            key=lambda t: (t.org.name, t.survey.title), headers=("被测评组织", "测评")),
    Listing("api:list_survey_results", _closed_targets, RESULT_ROWS, key=None, api=True),
    Listing("surveys:template_list", lambda w: w.survey_templates, TEMPLATE_ROWS, key=lambda t: (t.name,),
            headers=("问卷名称",)),
]

# API lists and the page whose FilterSet each applies (tests/api/test_filters.py).
API_LISTS = {"list_surveys": "surveys:survey_list", "list_survey_results": "surveys:target_list"}
