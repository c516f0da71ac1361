"""The survey pages: the level-above rule, the slips' life through the pages, the public answer page
(secrecy: nothing kept after an answer), results and comments only after the count."""

from __future__ import annotations

import re
import zlib

import pytest
from django.core.cache import caches
from django.contrib.sessions.models import Session
from django.urls import reverse

from vanguard.audit.models import AuditEvent
from vanguard.ballots.models import SealedBallot
from vanguard.surveys import services
from vanguard.surveys.models import Survey, SurveyStatus

from .helpers import PASSPHRASES, answer, answer_all, close, make_campaign, make_survey, make_template, opened, \
    slip, target_of

pytestmark = pytest.mark.django_db


def _pdf_pages(pdf: bytes) -> int:
    """Pages of a WeasyPrint PDF, whose objects sit in compressed object streams."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", b"\n".join(parts)))


# ------------------------------------------------------------------------------ the level above


def test_the_level_above_prints_slips_and_the_org_itself_never_does(cast, login):
    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    url = reverse("surveys:target_slips", args=[a1.pk])
    response = login(cast.secretary).post(url, {"count": 3})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert services.turnout(a1).issued == 3
    # Branch A1's clerk is the org assessed: its survey does not exist for her while open.
    clerk = login(cast.clerk)
    for name in ("surveys:target_slips", "surveys:target_void", "surveys:target_detail"):
        assert clerk.get(reverse(name, args=[a1.pk])).status_code == 404
    assert clerk.post(url, {"count": 3}).status_code == 404
    assert clerk.get(reverse("surveys:survey_close", args=[survey.pk])).status_code == 404
    assert clerk.post(reverse("surveys:survey_close", args=[survey.pk]), {}).status_code == 404
    assert services.turnout(a1).issued == 3


def test_after_the_count_the_org_sees_its_result_but_still_handles_no_slip(cast, login):
    survey = opened(cast)
    answer_all(target_of(survey, cast.branch_a1), ["5", "4", "2"])
    close(cast, survey)
    a1 = target_of(survey, cast.branch_a1)
    clerk = login(cast.clerk)
    page = clerk.get(reverse("surveys:target_detail", args=[a1.pk]))
    assert page.status_code == 200 and "66.7%" in page.content.decode()
    response = clerk.get(reverse("surveys:target_slips", args=[a1.pk]))
    assert response.status_code == 403 and "上级组织" in response.content.decode()


def test_the_org_sees_nothing_of_its_survey_before_the_count(cast, login):
    survey = opened(cast)
    answer_all(target_of(survey, cast.branch_a1), ["5", "5", "5"])
    clerk = login(cast.clerk)
    listing = clerk.get(reverse("surveys:target_list"))
    assert listing.status_code == 200 and not listing.context["page_obj"].object_list
    assert clerk.get(reverse("surveys:survey_detail", args=[survey.pk])).status_code == 404
    api = clerk.get(reverse("api:get_survey_result", args=[target_of(survey, cast.branch_a1).pk]))
    assert api.status_code == 404


def test_the_level_above_sees_turnout_before_the_count_and_no_figure(cast, login):
    survey = opened(cast)
    answer_all(target_of(survey, cast.branch_a1), ["5", "5", "5"])
    page = login(cast.secretary).get(reverse("surveys:target_detail", args=[target_of(survey, cast.branch_a1).pk]))
    body = page.content.decode()
    assert "已答卷 3 份" in body and "%" not in re.sub(r"<[^>]+>", "", body).split("参与情况")[1]
    assert page.context.get("result") is None
    response = login(cast.secretary).get(reverse("api:get_survey_result", args=[target_of(survey, cast.branch_a1).pk]))
    assert response.status_code == 403


# ------------------------------------------------------------------------ preparing and opening


def test_a_survey_is_created_opened_and_counted_through_its_pages(cast, login):
    campaign = make_campaign(cast)
    template = make_template(campaign)
    client = login(cast.secretary)
    from django.utils import timezone

    response = client.post(reverse("surveys:survey_create"), {
        "campaign": campaign.pk, "template": template.pk, "org": cast.unit_a.pk,
        "targets": [cast.branch_a1.pk, cast.branch_a2.pk], "title": "页面新建的测评",
        "closes_on": timezone.localdate().isoformat(), "top_levels": 2, "min_respondents": 3})
    survey = Survey.objects.get(title="页面新建的测评")
    assert response.status_code == 302 and survey.targets.count() == 2
    response = client.post(reverse("surveys:survey_scrutineers", args=[survey.pk]),
                           {"scrutineers": [cast.admin.pk, cast.secretary.pk]})
    assert response.status_code == 302
    data = {"confirm": "on"}
    for user, phrase in zip((cast.admin, cast.secretary), PASSPHRASES):
        data |= {f"passphrase_{user.pk}": phrase, f"again_{user.pk}": phrase}
    mismatch = client.post(reverse("surveys:survey_open", args=[survey.pk]), {**data, f"again_{cast.admin.pk}": "x" * 9})
    assert mismatch.status_code == 200 and "两次输入的口令不一致" in mismatch.content.decode()
    assert client.post(reverse("surveys:survey_open", args=[survey.pk]), data).status_code == 302
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    answer_all(target_of(survey, cast.branch_a1), ["5", "4", "4"])
    wrong = client.post(reverse("surveys:survey_close", args=[survey.pk]),
                        {f"passphrase_{cast.admin.pk}": PASSPHRASES[0], f"passphrase_{cast.secretary.pk}": "错误的口令口令错误"})
    assert "口令不正确" in wrong.content.decode()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    right = client.post(reverse("surveys:survey_close", args=[survey.pk]),
                        {f"passphrase_{cast.admin.pk}": PASSPHRASES[0], f"passphrase_{cast.secretary.pk}": PASSPHRASES[1]})
    assert right.status_code == 302
    detail = client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    assert "100.0%" in detail and "无数据" in detail  # A1: three satisfied; A2: nobody answered


def test_the_create_form_refuses_an_org_surveyed_by_itself(cast, login):
    campaign = make_campaign(cast)
    template = make_template(campaign)
    from django.utils import timezone

    response = login(cast.admin).post(reverse("surveys:survey_create"), {
        "campaign": campaign.pk, "template": template.pk, "org": cast.branch_a1.pk, "targets": [cast.branch_a1.pk],
        "title": "自己测评自己", "closes_on": timezone.localdate().isoformat(), "top_levels": 2,
        "min_respondents": 3})
    assert response.status_code == 200
    assert "须由其上级组织测评" in response.content.decode()
    assert not Survey.objects.exists()


def test_the_minimum_cannot_be_set_below_three(cast, login):
    campaign = make_campaign(cast)
    template = make_template(campaign)
    from django.utils import timezone

    response = login(cast.admin).post(reverse("surveys:survey_create"), {
        "campaign": campaign.pk, "template": template.pk, "org": cast.unit_a.pk, "targets": [cast.branch_a1.pk],
        "title": "两人也出结果", "closes_on": timezone.localdate().isoformat(), "top_levels": 2,
        "min_respondents": 2})
    assert response.status_code == 200 and not Survey.objects.exists()
    assert response.context["form"].errors["min_respondents"]


def test_a_new_template_starts_with_a_question_per_dimension_and_is_worded_on_edit(cast, login):
    campaign = make_campaign(cast)
    client = login(cast.admin)
    response = client.post(reverse("surveys:template_create"), {
        "campaign": campaign.pk, "name": "新问卷", "intro": "", "comment_mode": "item", "comment_max": 100})
    template = campaign.survey_templates.get(name="新问卷")
    assert response.status_code == 302 and response.url == reverse("surveys:template_edit", args=[template.pk])
    assert template.items.count() == campaign.dimensions.orgs().count()
    dimension = services.org_dimensions(campaign).first()
    data = {"name": "新问卷", "intro": "", "comment_mode": "item", "comment_max": 100,
            f"dimension_{dimension.pk}": "第一题\n\n第二题"}
    assert client.post(reverse("surveys:template_edit", args=[template.pk]), data).status_code == 302
    assert list(template.items.values_list("text", flat=True)) == ["第一题", "第二题"]
    empty = client.post(reverse("surveys:template_edit", args=[template.pk]),
                        {**data, f"dimension_{dimension.pk}": ""})
    assert empty.status_code == 200 and "至少要有一道题" in empty.content.decode()
    assert template.items.count() == 2


# ------------------------------------------------------------------------------- slips' life


def test_slips_are_printed_voided_used_and_expire_through_the_pages(cast, login, client, monkeypatch):
    import segno

    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    secretary = login(cast.secretary)
    encoded = []
    real_make = segno.make
    monkeypatch.setattr(segno, "make", lambda content, **kw: encoded.append(content) or real_make(content, **kw))
    pdf = secretary.post(reverse("surveys:target_slips", args=[a1.pk]), {"count": 9}).content
    assert _pdf_pages(pdf) == 2  # 8 a page
    # Each QR code opens the answer page with its code after "#", which no access log keeps.
    assert len(encoded) == 9 and all(re.fullmatch(r"http://testserver/surveys/answer/#[2-9A-Z]{10}", url)
                                     for url in encoded)
    used, voided, unused = slip(a1, cast.secretary), slip(a1, cast.secretary), slip(a1, cast.secretary)
    void = reverse("surveys:target_void", args=[a1.pk])
    shown = secretary.post(void, {"slip": voided})  # by its code: the slip shown, nothing voided yet
    assert "第 11 号凭条，尚未使用。" in shown.content.decode()
    assert "已作废 0 张" in secretary.get(reverse("surveys:target_slips", args=[a1.pk])).content.decode()
    response = secretary.post(void, {"slip": voided, "confirm": "1"})
    assert response.status_code == 302
    counts = secretary.get(reverse("surveys:target_slips", args=[a1.pk])).content.decode()
    assert "已印制 12 张，已使用 0 张，已作废 1 张" in counts
    client.logout()
    page = client.post(reverse("surveys:answer"), {"code": voided})
    assert page.status_code == 400 and "已作废" in page.content.decode()
    sheet = services.answer_sheet(a1)
    data = {"code": used, "cast": "1", **{f"r_{key}": "5" for key in sheet.keys}}
    assert client.post(reverse("surveys:answer"), data).status_code == 302
    again = client.post(reverse("surveys:answer"), data)
    assert again.status_code == 400 and "已使用" in again.content.decode()
    used_void = login(cast.secretary).post(void, {"slip": "第10号", "confirm": "1"})
    assert "第 10 号凭条已使用，不能作废。" in used_void.content.decode()
    unknown = login(cast.secretary).post(void, {"slip": "13"})
    assert "没有这张凭条，请核对凭条序号或凭条码。" in unknown.content.decode()
    assert AuditEvent.objects.filter(object_type="surveys.surveytarget", object_id=str(a1.pk),
                                     message="作废第 11 号凭条", actor=cast.secretary).count() == 1
    close(cast, survey)
    client.logout()
    expired = client.post(reverse("surveys:answer"), {"code": unused})
    assert expired.status_code == 400 and "投票已结束" in expired.content.decode()
    invalid = client.post(reverse("surveys:answer"), {"code": "2345-6789"})
    assert invalid.status_code == 400 and "凭条码无效" in invalid.content.decode()


# --------------------------------------------------------------------------- the public page


def test_the_answer_page_needs_no_login_and_is_in_chinese(client):
    page = client.get(reverse("surveys:answer"))
    body = page.content.decode()
    assert page.status_code == 200 and "群众满意度测评" in body and "凭条码" in body
    assert "no-store" in page["Cache-Control"]


def test_an_answer_leaves_nothing_in_session_messages_or_cache(cast, client):
    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    code = slip(a1, cast.secretary)
    sheet = services.answer_sheet(a1)
    sessions = Session.objects.count()
    shown = client.post(reverse("surveys:answer"), {"code": code})
    assert shown.status_code == 200 and "测评对象：变电一班党支部" in shown.content.decode()
    assert SealedBallot.objects.count() == 0  # showing the sheet stores nothing
    comment = "独一无二的意见文字"
    data = {"code": code, "cast": "1", "comment": comment, **{f"r_{key}": "2" for key in sheet.keys}}
    response = client.post(reverse("surveys:answer"), data)
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]
    assert Session.objects.count() == sessions and not client.session.keys()
    assert "messages" not in response.cookies and "sessionid" not in response.cookies
    stored = caches["default"]._cache  # the local-memory cache of the test settings
    assert not any(comment.encode() in value for value in stored.values())
    receipt = client.get(response.url)
    body = receipt.content.decode()
    assert receipt.status_code == 200 and "回执码" in body
    assert comment not in body and "不太满意" not in body  # reload or back: nothing of the answers
    assert SealedBallot.objects.count() == 1


def test_a_refused_sheet_comes_back_as_it_was_sent_and_is_not_stored(cast, client):
    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    code = slip(a1, cast.secretary)
    first = services.answer_sheet(a1).keys[0]
    response = client.post(reverse("surveys:answer"), {"code": code, "cast": "1", f"r_{first}": "4"})
    assert response.status_code == 400 and "不完整" in response.content.decode()
    assert f'id="r_{first}_4" value="4" autocomplete="off" checked' in response.content.decode()
    assert SealedBallot.objects.count() == 0 and services.turnout(a1).answered == 0


# ------------------------------------------------------------------------ results and comments


def test_comments_are_shown_after_close_to_the_org_and_admins_only(cast, login):
    from tests.factories import make_user
    from vanguard.core.roles import Role

    survey = opened(cast)
    a1 = target_of(survey, cast.branch_a1)
    key = services.answer_sheet(a1).survey_comment_key
    for text in ("食堂饭菜可以更好", "支部书记很负责", ""):
        answer(a1, "4", {key: text})
    detail = reverse("surveys:target_detail", args=[a1.pk])
    assert "支部书记很负责" not in login(cast.admin).get(detail).content.decode()  # not before close
    close(cast, survey)
    for user in (cast.clerk, cast.admin):
        assert "支部书记很负责" in login(user).get(detail).content.decode()
    # The level above (unit A's secretary) reads the figures but not the comments, which speak to the org.
    above = login(cast.secretary).get(detail).content.decode()
    assert "支部书记很负责" not in above and "100.0%" in above
    unit_admin = make_user("unit_admin_s", Role.ADMIN, cast.unit_a)
    assert "支部书记很负责" in login(unit_admin).get(detail).content.decode()


def test_below_the_minimum_the_pages_say_no_data(cast, login):
    survey = opened(cast)
    answer_all(target_of(survey, cast.branch_a1), ["1", "1"])
    close(cast, survey)
    a1 = target_of(survey, cast.branch_a1)
    page = login(cast.secretary).get(reverse("surveys:target_detail", args=[a1.pk])).content.decode()
    assert "无数据" in page and "0.0%" not in page
    listing = login(cast.secretary).get(reverse("surveys:target_list"), {"export": "xlsx"})
    from openpyxl import load_workbook
    import io

    data = b"".join(listing.streaming_content) if listing.streaming else listing.content
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    header = rows[0]
    by_org = {row[header.index("被测评组织")]: row for row in rows[1:]}
    assert by_org["变电一班党支部"][header.index("满意度")] is None
    assert by_org["变电一班党支部"][header.index("答卷数")] == 2


def test_the_list_filters_by_status_and_searches(cast, login):
    open_survey = opened(cast)
    campaign = open_survey.campaign
    closed = opened(cast, make_survey(cast, campaign, title="已计票的测评", orgs=[cast.branch_a2]))
    close(cast, closed)
    client = login(cast.secretary)
    rows = client.get(reverse("surveys:target_list"), {"status": "closed"}).context["page_obj"].object_list
    assert [t.survey_id for t in rows] == [closed.pk]
    rows = client.get(reverse("surveys:target_list"), {"q": "变电一班"}).context["page_obj"].object_list
    assert [t.org_id for t in rows] == [cast.branch_a1.pk]
    rows = client.get(reverse("surveys:survey_list"), {"q": "已计票"}).context["page_obj"].object_list
    assert [s.pk for s in rows] == [closed.pk]


def test_a_started_survey_cannot_be_edited_or_deleted(cast, login):
    survey = opened(cast)
    client = login(cast.secretary)
    response = client.post(reverse("surveys:survey_delete", args=[survey.pk]))
    assert response.status_code == 302 and Survey.objects.filter(pk=survey.pk).exists()
    edit = client.get(reverse("surveys:survey_edit", args=[survey.pk]))
    assert edit.status_code == 200
    posted = client.post(reverse("surveys:survey_edit", args=[survey.pk]), {
        "campaign": survey.campaign_id, "template": survey.template_id, "org": survey.org_id,
        "targets": [cast.branch_a1.pk], "title": "改名", "closes_on": survey.closes_on.isoformat(),
        "top_levels": 2, "min_respondents": 3})
    assert posted.status_code == 200 and "测评已经开始" in posted.content.decode()
    survey.refresh_from_db()
    assert survey.title != "改名" and survey.targets.count() == 2


def test_the_to_do_badge_counts_surveys_waiting_for_the_count(cast, login):
    from datetime import timedelta

    from django.utils import timezone

    from vanguard.core.registry import todo_counts

    survey = opened(cast)
    Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    item = next(i for i in todo_counts(cast.secretary)["items"] if i["key"] == "surveys_to_close")
    assert (item["count"], item["overdue"]) == (1, 1)
    item = next(i for i in todo_counts(cast.clerk)["items"] if i["key"] == "surveys_to_close")
    assert item["count"] == 0


def test_the_breadcrumbs_are_named_in_chinese_for_screen_readers(cast, login):
    survey = opened(cast)
    target = survey.targets.get(org=cast.branch_a1)
    client = login(cast.secretary)
    for url in (survey.get_absolute_url(), survey.template.get_absolute_url(),
                reverse("surveys:target_slips", args=[target.pk])):
        page = client.get(url).content.decode()
        assert '<nav aria-label="导航路径">' in page and 'aria-label="breadcrumb"' not in page
