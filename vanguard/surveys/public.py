"""The masses' answer page and the receipt page: no login, a phone, Chinese.

As the appraisal's ballot page: a slip's code reaches the server only in a POST body (the QR code
carries it after ``#``; ``static/surveys/answer.js`` moves it into the form and out of the address
bar). The first POST checks the code and answers the questionnaire; the second carries the
answers and the code again, is sealed by the box, and is answered with a redirect to the receipt,
so reload and back show nothing of it. Nothing is kept between the two: no session, no message,
no cache; the answers are ``no-store``.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from vanguard.ballots.services import BallotRefused

from . import services
from .models import SCALE, CommentMode, SurveyTarget

CAST_FIELD = "cast"  # the ballot is being cast, not the code being checked
CODE_MAX = 40
SURVEY_COMMENT_FIELD = "comment"


@sensitive_variables()
def parse_answers(data, sheet: services.AnswerSheet) -> tuple[dict[str, str], dict[str, str]]:
    """The answers of a posted sheet: ``r_<key>`` per question answered, comments as the template asks."""
    ratings = {key: data[f"r_{key}"] for key in sheet.keys if data.get(f"r_{key}")}
    if sheet.comment_mode == CommentMode.ITEM:
        comments = {key: data[f"c_{key}"] for key in sheet.keys if data.get(f"c_{key}")}
    elif sheet.comment_mode == CommentMode.SURVEY and data.get(SURVEY_COMMENT_FIELD):
        comments = {sheet.survey_comment_key: data[SURVEY_COMMENT_FIELD]}
    else:
        comments = {}
    return ratings, comments


@sensitive_variables()
def _sheet_context(sheet: services.AnswerSheet, code: str, ratings=None, comments=None, error: str = "") -> dict:
    ratings, comments = ratings or {}, comments or {}
    sections = [(section.dimension, [(question, ratings.get(question.key, ""), comments.get(question.key, ""))
                                     for question in section.questions])
                for section in sheet.sections]
    survey_comment = comments.get(sheet.survey_comment_key, "") if sheet.comment_mode == CommentMode.SURVEY else ""
    return {"sheet": sheet, "target": sheet.target, "survey": sheet.target.survey, "code": code,
            "sections": sections, "scale": SCALE, "error": error, "survey_comment": survey_comment,
            "per_item": sheet.comment_mode == CommentMode.ITEM, "per_survey": sheet.comment_mode == CommentMode.SURVEY}


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@sensitive_variables()  # innermost: it hides the locals of the function it wraps directly
def answer(request: HttpRequest) -> HttpResponse:
    """群众满意度测评: type or scan a slip's code, answer every question, get a receipt."""
    if request.method == "GET":
        return render(request, "surveys/answer_code.html", {})
    code = (request.POST.get("code") or "")[:CODE_MAX]
    try:
        target, _participant = services.redeem(code)
    except BallotRefused as exc:
        return render(request, "surveys/answer_code.html", {"error": exc.messages[0]}, status=400)
    sheet = services.answer_sheet(target)
    if CAST_FIELD not in request.POST:
        return render(request, "surveys/answer_sheet.html", _sheet_context(sheet, code))
    ratings, comments = parse_answers(request.POST, sheet)
    try:
        target, receipt = services.cast_answer(code, ratings, comments)
    except BallotRefused as exc:
        return render(request, "surveys/answer_sheet.html",
                      _sheet_context(sheet, code, ratings, comments, exc.messages[0]), status=400)
    return redirect("surveys:receipt", box=target.box_id, receipt=receipt)


@never_cache
def receipt(request: HttpRequest, box: uuid.UUID, receipt: str) -> HttpResponse:
    """回执: the receipt code only; once counted, whether it is among the answers counted."""
    target = SurveyTarget.objects.select_related("survey", "org", "box").filter(box_id=box).first()
    if target is None:
        raise Http404(_("没有找到该测评。"))
    receipt = receipt[:64]
    return render(request, "surveys/receipt.html", {
        "target": target, "survey": target.survey, "receipt": receipt,
        "counted": services.receipt_counted(target, receipt)})
