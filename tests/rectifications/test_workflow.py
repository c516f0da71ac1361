"""The rectification workflow: opened on close, answered with evidence, verified or reopened, resubmitted;
each step logged once, a repeated click changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.policy import can
from vanguard.rectifications import services
from vanguard.rectifications.models import Rectification, RectificationEvidence, RectificationStatus as S

from .helpers import close, days, inspect, make_campaign, photo, rectification_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(cast):
    campaign = make_campaign(cast)
    return inspect(campaign, [cast.branch_a1, cast.branch_b1], [cast.inspector])


@pytest.fixture
def opened(inspection):
    return close(inspection)


@pytest.fixture
def rect(cast, opened):
    return rectification_at(opened, cast.branch_a1)


def events(rect) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="rectifications.rectification", object_id=str(rect.pk),
                                          action=AuditAction.WORKFLOW).order_by("pk").values_list("message", flat=True))


def answered(rect, user, measures="已补齐会议记录", deadline=None, uploads=None):
    return services.submit(rect, services.Answer(measures, deadline or rect.deadline), user,
                           uploads=[photo()] if uploads is None else uploads)


class TestOpening:
    def test_nothing_before_the_inspection_is_closed(self, inspection):
        assert not Rectification.objects.exists()

    def test_closing_opens_one_per_finding_with_the_findings_deadline(self, cast, opened):
        rects = list(Rectification.objects.select_related("finding"))
        assert len(rects) == 2
        assert all(r.status == S.PENDING and r.deadline == r.finding.rectify_by for r in rects)

    def test_saving_a_closed_inspection_again_opens_nothing_more(self, opened):
        opened.save()
        assert services.open_for(opened) == 0 and Rectification.objects.count() == 2

    def test_a_finding_without_deadline_gets_the_default_one(self, cast):
        inspection = inspect(make_campaign(cast), [cast.branch_a1], rectify_by=None)
        inspection.findings.update(rectify_by=None)
        close(inspection)
        assert rectification_at(inspection, cast.branch_a1).deadline == days(services.DEFAULT_RECTIFY_DAYS)


class TestAnswering:
    def test_the_answer_with_a_photo_goes_to_verification(self, cast, rect):
        assert answered(rect, cast.clerk) is True
        rect.refresh_from_db()
        assert (rect.status, rect.submissions, rect.submitted_by) == (S.SUBMITTED, 1, cast.clerk)
        assert RectificationEvidence.objects.get(rectification=rect).kind == "jpeg"
        assert events(rect) == ["提交整改情况（第1次）"]

    def test_a_double_submission_changes_nothing(self, cast, rect):
        answered(rect, cast.clerk)
        assert answered(rect, cast.clerk, uploads=[]) is False
        rect.refresh_from_db()
        assert rect.submissions == 1 and len(events(rect)) == 1

    def test_evidence_is_required(self, cast, rect):
        with pytest.raises(ValidationError) as error:
            answered(rect, cast.clerk, uploads=[])
        assert "请上传整改佐证材料（照片或文件）。" in error.value.messages

    def test_measures_are_required(self, cast, rect):
        with pytest.raises(ValidationError):
            answered(rect, cast.clerk, measures="  ")
        assert not RectificationEvidence.objects.exists()

    def test_the_deadline_may_come_forward_not_go_back(self, cast, rect):
        with pytest.raises(ValidationError) as error:
            answered(rect, cast.clerk, deadline=rect.finding.rectify_by + timedelta(days=1))
        assert "整改期限不能晚于督查反馈要求的" in error.value.messages[0]
        answered(rect, cast.clerk, deadline=days(5))
        rect.refresh_from_db()
        assert rect.deadline == days(5)

    def test_a_refused_file_refuses_the_submission(self, cast, rect):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from vanguard.core.uploads import UploadError

        with pytest.raises(UploadError):
            answered(rect, cast.clerk, uploads=[SimpleUploadedFile("x.jpg", b"not a picture")])
        rect.refresh_from_db()
        assert rect.status == S.PENDING and not RectificationEvidence.objects.exists()


class TestReviewing:
    @pytest.fixture
    def submitted(self, cast, rect):
        answered(rect, cast.clerk)
        rect.refresh_from_db()
        return rect

    def test_verified(self, cast, submitted):
        assert services.review(submitted, cast.inspector, "verify", submission=1) is True
        submitted.refresh_from_db()
        assert (submitted.status, submitted.verified_on, submitted.reviewed_by) == (
            S.VERIFIED, timezone.localdate(), cast.inspector)
        assert events(submitted)[-1] == "整改验收通过"

    def test_a_double_review_changes_nothing(self, cast, submitted):
        services.review(submitted, cast.inspector, "verify", submission=1)
        assert services.review(submitted, cast.inspector, "verify", submission=1) is False
        assert len(events(submitted)) == 2

    def test_reopening_needs_a_reason(self, cast, submitted):
        with pytest.raises(ValidationError) as error:
            services.review(submitted, cast.inspector, "reopen", "  ")
        assert error.value.message_dict == {"comment": ["退回须填写原因。"]}

    def test_reopened_then_resubmitted_then_verified(self, cast, submitted):
        services.review(submitted, cast.inspector, "reopen", "佐证不足", submission=1)
        submitted.refresh_from_db()
        assert (submitted.status, submitted.review_comment) == (S.REOPENED, "佐证不足")
        answered(submitted, cast.clerk, measures="补充了签到表")
        submitted.refresh_from_db()
        assert (submitted.status, submitted.submissions) == (S.SUBMITTED, 2)
        with pytest.raises(ValidationError):  # a review of the first submission, sent late
            services.review(submitted, cast.inspector, "verify", submission=1)
        services.review(submitted, cast.inspector, "verify", submission=2)
        assert events(submitted) == ["提交整改情况（第1次）", "整改退回：佐证不足", "提交整改情况（第2次）", "整改验收通过"]

    def test_only_a_submitted_answer_is_reviewed(self, cast, rect):
        with pytest.raises(ValidationError):
            services.review(rect, cast.inspector, "verify")

    def test_nobody_verifies_their_own_answer(self, cast, submitted):
        submitted.submitted_by = cast.admin
        submitted.save()
        with pytest.raises(ValidationError):
            services.review(submitted, cast.admin, "verify")

    def test_evidence_a_review_saw_stays(self, cast, submitted):
        evidence = RectificationEvidence.objects.get(rectification=submitted)
        assert not evidence.locked()
        services.review(submitted, cast.inspector, "reopen", "不清楚")
        evidence.refresh_from_db()
        assert evidence.locked()

    def test_after_verification_nothing_is_answered(self, cast, submitted):
        services.review(submitted, cast.inspector, "verify")
        submitted.refresh_from_db()
        assert not can(cast.clerk, submitted, "answer")
        with pytest.raises(ValidationError):
            answered(submitted, cast.clerk, measures="再改")


class TestPages:
    def test_the_org_answers_with_a_photo_and_the_inspector_reopens_then_verifies(self, cast, login, client, rect):
        login(cast.clerk)
        url = reverse("rectifications:answer", args=[rect.pk])
        response = client.post(url, {"measures": "已整改", "deadline": rect.deadline.isoformat(), "evidence": [photo()]})
        assert response.status_code == 302
        rect.refresh_from_db()
        assert rect.status == S.SUBMITTED
        login(cast.inspector)
        review = reverse("rectifications:review", args=[rect.pk])
        response = client.post(review, {"decision": "reopen", "comment": "", "submission": 1})
        assert response.status_code == 200 and "退回须填写原因。" in response.content.decode()
        client.post(review, {"decision": "reopen", "comment": "照片看不清", "submission": 1})
        rect.refresh_from_db()
        assert rect.status == S.REOPENED
        page = client.get(rect.get_absolute_url()).content.decode()
        assert "照片看不清" in page

    def test_an_empty_answer_comes_back_with_messages(self, cast, login, client, rect):
        login(cast.clerk)
        response = client.post(reverse("rectifications:answer", args=[rect.pk]), {"measures": "", "deadline": ""})
        page = response.content.decode()
        assert response.status_code == 200 and "请填写整改措施。" in page and "请填写整改期限。" in page

    def test_the_uploader_withdraws_a_file_until_it_is_reviewed(self, cast, login, client, rect):
        answered(rect, cast.clerk)
        evidence = RectificationEvidence.objects.get(rectification=rect)
        login(cast.clerk)
        delete = reverse("rectifications:evidence_attachment_delete", args=[rect.pk, evidence.pk])
        assert client.get(delete).status_code == 200
        services.review(rect, cast.inspector, "reopen", "重拍")
        assert client.get(delete).status_code == 403


class TestReviewHistory:
    def test_the_page_and_the_api_list_every_review_newest_first(self, cast, login, client, rect):
        answered(rect, cast.clerk)
        services.review(rect, cast.inspector, "reopen", "照片看不清")
        answered(rect, cast.clerk, measures="已重新拍照")
        services.review(rect, cast.inspector, "reopen", "签到表缺页")
        answered(rect, cast.clerk, measures="已补齐签到表")
        services.review(rect, cast.admin, "verify", "整改到位")
        services.review(rect, cast.admin, "verify", "整改到位")  # a repeated click: no second entry
        page = login(cast.clerk).get(rect.get_absolute_url())
        reviews = list(page.context["reviews"])
        assert [(r.submission, r.decision, r.comment) for r in reviews] == [
            (3, "verify", "整改到位"), (2, "reopen", "签到表缺页"), (1, "reopen", "照片看不清")]
        html = page.content.decode()
        assert html.index("签到表缺页") < html.index("照片看不清") and "第1次提交" in html
        body = client.get(f"/api/v1/rectifications/{rect.pk}").json()
        assert [(r["submission"], r["decision"]) for r in body["reviews"]] == [(3, "verify"), (2, "reopen"), (1, "reopen")]

    def test_nobody_outside_reads_the_reviews(self, cast, rect):
        from tests.factories import make_user
        from vanguard.rectifications.models import RectificationReview

        answered(rect, cast.clerk)
        services.review(rect, cast.inspector, "reopen", "照片看不清")
        assert RectificationReview.objects.for_user(cast.clerk).count() == 1
        assert not RectificationReview.objects.for_user(make_user("clerk_b", "clerk", cast.branch_b1)).exists()
