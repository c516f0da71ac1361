"""Nothing about a ballot is kept by the pages: not in the session, the messages, the cache, the logs,
the audit log or an error report; the pages are not stored by the browser, and after voting a reload
or "back" shows nothing of the ballot."""

from __future__ import annotations

import logging

import pytest
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from vanguard.appraisal import services, views
from vanguard.appraisal.models import Grade
from vanguard.audit.models import AuditEvent

from .helpers import ballot, opened

pytestmark = pytest.mark.django_db


def post_of(ratings: dict[str, str]) -> dict:
    return {"cast": "1", **{f"r_{item}": grade for item, grade in ratings.items()}}


def everything_cached() -> str:
    found = []
    for alias in caches:
        store = getattr(caches[alias], "_cache", None)
        if isinstance(store, dict):
            found += [repr(key) for key in store] + [repr(value) for value in store.values()]
    return "\n".join(found)


@pytest.fixture
def voting(cast, login):
    round_ = opened(cast)
    client = login(cast.member)
    # A distinctive ballot: 张伟 不合格, everyone else 基本合格.
    ratings = ballot(round_, {cast.person_a1: Grade.UNQUALIFIED}, Grade.BASIC, skip=cast.member_person)
    return round_, client, ratings


def test_a_member_vote_leaves_nothing_in_the_session_messages_cache_or_audit(cast, voting, caplog):
    round_, client, ratings = voting
    url = reverse("appraisal:member_vote", args=[round_.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'autocomplete="off"' in form.content.decode()
    session_before = dict(client.session.items())
    events_before = AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = client.post(url, post_of(ratings))
    assert response.status_code == 302 and "/appraisal/receipt/" in response.url
    assert dict(client.session.items()) == session_before
    assert not list(get_messages(response.wsgi_request))
    assert "unqualified" not in everything_cached() and "basic" not in everything_cached()
    assert AuditEvent.objects.count() == events_before  # a vote is no event: only round events are
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "unqualified" not in logged and "basic" not in logged


def test_the_receipt_and_a_reload_show_nothing_of_the_ballot(cast, voting):
    round_, client, ratings = voting
    url = reverse("appraisal:member_vote", args=[round_.pk])
    response = client.post(url, post_of(ratings))
    receipt = client.get(response.url)
    page = receipt.content.decode()
    assert "回执码" in page and "不合格" not in page and "基本合格" not in page
    assert "no-store" in receipt["Cache-Control"]
    # Back to the ballot page (or a reload): it says the vote is cast, with no choice on it.
    again = client.get(url).content.decode()
    assert "您已投过票" in again and "checked" not in again and "不合格" not in again


def test_the_ballot_pages_are_never_stored_by_the_browser(cast, voting):
    round_, client, ratings = voting
    url = reverse("appraisal:member_vote", args=[round_.pk])
    assert "no-store" in client.get(url)["Cache-Control"]
    refused = client.post(url, post_of({}))  # an empty ballot: refused, shown again
    assert refused.status_code == 400 and "no-store" in refused["Cache-Control"]


def test_an_error_report_omits_the_ballot(cast, voting, monkeypatch):
    """A crash while casting: Django's error report filters every POST value of the ballot views."""
    round_, client, ratings = voting

    def crash(*args, **kwargs):
        raise RuntimeError("box unreachable")

    monkeypatch.setattr(services.ballots, "cast", crash)
    request = RequestFactory().post(reverse("appraisal:member_vote", args=[round_.pk]), post_of(ratings))
    request.user = cast.member
    request._dont_enforce_csrf_checks = True
    with pytest.raises(RuntimeError):
        views.member_vote(request, pk=round_.pk)
    filtered = SafeExceptionReporterFilter().get_post_parameters(request)
    assert set(filtered.values()) == {SafeExceptionReporterFilter.cleansed_substitute}


def test_the_public_ballot_view_marks_its_post_sensitive(cast):
    from vanguard.appraisal import public

    request = RequestFactory().post(reverse("appraisal:public_vote"), {"code": "ABCDE-FGHJK", "r_p1": "excellent"})
    request.user = cast.member
    request._dont_enforce_csrf_checks = True
    public.public_vote(request)
    assert request.sensitive_post_parameters == "__ALL__"


def test_the_audit_log_records_round_events_never_a_ballot(cast):
    from .helpers import closed, every, mass_vote

    round_ = opened(cast)
    first = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    services.cast_member_ballot(round_, cast.member, ballot(round_, {cast.person_a1: Grade.UNQUALIFIED},
                                                            Grade.BASIC, skip=cast.member_person))
    mass_vote(round_, every(round_, Grade.UNQUALIFIED))
    closed(cast, round_)
    messages = list(AuditEvent.objects.filter(object_type="appraisal.appraisalround", object_id=str(round_.pk))
                    .order_by("pk").values_list("message", flat=True))
    assert {"设置监票人", "开始投票", "计票完成"} <= set(messages)
    since = AuditEvent.objects.filter(pk__gt=first)
    logged = " ".join(f"{e.message} {e.changes}" for e in since)
    assert "unqualified" not in logged and "basic" not in logged and "p%d" % cast.person_a1.pk not in logged
