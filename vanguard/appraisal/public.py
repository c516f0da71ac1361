"""The masses' ballot page and the receipt page: no login, a phone, Chinese.

A slip's code reaches the server only in a POST body: the QR code carries it after ``#`` and
``static/appraisal/ballot.js`` moves it into the code field (and the address bar forgets it); a
typed code is posted the same way. The first POST checks the code and answers the ballot; the
second carries the ratings and the code again, is sealed by the box, and is answered with a
redirect to the receipt (so reload and back show nothing of it). Nothing is kept between the two:
no session, no message, no cache; the answers are ``no-store``.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from vanguard.ballots.services import BallotRefused

from vanguard.core.lists import styled

from . import services
from .forms import ReceiptCheckForm
from .views import ballot_context, parse_ratings

# The form field that says the ballot is being cast, not the code being checked.
CAST_FIELD = "cast"
CODE_MAX = 40


def _code(request) -> str:
    return (request.POST.get("code") or "")[:CODE_MAX]


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def public_vote(request: HttpRequest) -> HttpResponse:
    """群众评议: enter or scan a slip's code, rate every appraised member, get a receipt."""
    if request.method == "GET":
        return render(request, "appraisal/public_code.html", {})
    code = _code(request)
    try:
        round_, _participant = services.redeem_slip(code)
    except BallotRefused as exc:
        return render(request, "appraisal/public_code.html", {"error": exc.messages[0]}, status=400)
    items = services.ballot_items(round_)
    context = {"round": round_, "code": code, "action": reverse("appraisal:public_vote"), "public": True,
               **ballot_context(items)}
    if CAST_FIELD not in request.POST:
        return render(request, "appraisal/ballot.html", context)
    ratings = parse_ratings(request.POST, items)
    try:
        round_, receipt = services.cast_slip_ballot(code, ratings)
    except BallotRefused as exc:
        context.update(ballot_context(items, ratings, exc.messages[0]))
        return render(request, "appraisal/ballot.html", context, status=400)
    return redirect("appraisal:receipt", box=round_.masses_box_id, receipt=receipt)


@never_cache
def receipt_check(request: HttpRequest, box: uuid.UUID) -> HttpResponse:
    """核对回执: a receipt code typed in, for a voter who kept the code but not the receipt's page."""
    if services.round_of_box_id(box) is None:
        raise Http404(_("没有找到该投票。"))
    form = ReceiptCheckForm(request.GET or None)
    if form.is_valid():
        typed = "".join(ch for ch in form.cleaned_data["receipt"].upper() if ch not in " -")
        return redirect("appraisal:receipt", box=box, receipt=typed)
    return render(request, "appraisal/receipt_check.html", {"form": styled(form)})


@never_cache
def receipt(request: HttpRequest, box: uuid.UUID, receipt: str) -> HttpResponse:
    """回执: the receipt code only; once counted, whether it is among the ballots counted."""
    round_ = services.round_of_box_id(box)
    if round_ is None:
        raise Http404(_("没有找到该投票。"))
    found = round_.members_box if round_.members_box_id == box else round_.masses_box
    return render(request, "appraisal/receipt.html", {
        "round": round_, "receipt": receipt[:64], "counted": services.receipt_counted(found, receipt)})
