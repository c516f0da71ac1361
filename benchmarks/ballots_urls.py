"""The benchmark's URLconf (``benchmarks/urls.py``, with its bare view) plus two minimal cast endpoints.

They are what a ballot page does once its form is checked, and nothing more: no template, no
session write, the ballot in the POST body. ``POST /bench/ballots/<box>/slip/`` votes with a
slip's ``code`` (``redeem`` then ``cast``), ``POST /bench/ballots/<box>/member/`` as the signed-in
user; the ratings are ``r.<item>=<choice>`` fields. 200 answers the receipt, 409 the refusal.
Only under ``benchmarks.ballots_settings`` and the ballots tests' live server: CSRF-exempt, so
never in the project's URLconf.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from benchmarks.urls import handler403, handler404, handler500, urlpatterns as bench_urlpatterns  # noqa: F401
from vanguard.ballots import services
from vanguard.ballots.models import BallotBox


def _ratings(request) -> dict[str, str]:
    return {key[2:]: value for key, value in request.POST.items() if key.startswith("r.")}


def _answer(box: BallotBox, participant: str, request) -> HttpResponse:
    try:
        receipt = services.cast(box, participant=participant, ratings=_ratings(request))
    except services.BallotRefused as refused:
        return HttpResponse(refused.messages[0], status=409, content_type="text/plain; charset=utf-8")
    return HttpResponse(receipt, content_type="text/plain")


@csrf_exempt
@require_POST
@sensitive_post_parameters()
def cast_with_slip(request, box_id):
    try:
        box, participant = services.redeem(request.POST.get("code", ""))
    except services.BallotRefused as refused:
        return HttpResponse(refused.messages[0], status=409, content_type="text/plain; charset=utf-8")
    if box.pk != box_id:
        return HttpResponse(status=404)
    return _answer(box, participant, request)


@csrf_exempt
@require_POST
@sensitive_post_parameters()
def cast_as_member(request, box_id):
    if not request.user.is_authenticated:
        return HttpResponse("sign in first", status=403, content_type="text/plain")
    box = BallotBox.objects.filter(pk=box_id).first()
    if box is None:
        return HttpResponse(status=404)
    return _answer(box, services.participant_for_user(request.user), request)


urlpatterns = [
    path("bench/ballots/<uuid:box_id>/slip/", cast_with_slip, name="bench_ballot_slip"),
    path("bench/ballots/<uuid:box_id>/member/", cast_as_member, name="bench_ballot_member"),
    *bench_urlpatterns,
]
