"""Object URLs from pieces resolved once (``vanguard.core.links``) are the URLs ``reverse`` gives."""

import pytest
from django.test import override_settings
from django.urls import reverse

from vanguard.core.links import object_url


@pytest.mark.parametrize(("name", "ids"), [
    ("plans:plan_detail", (5,)), ("orgs:org_children", (12,)), ("appraisal:self_assessment", (3, 70)),
    ("memberpoints:rules", (1,)), ("activities:meeting_detail", (987654321,)),
])
def test_an_object_url_is_the_url_reverse_gives(name, ids):
    assert object_url(name, *ids) == reverse(name, args=ids)


@override_settings(FORCE_SCRIPT_NAME="/vanguard/")
def test_under_a_url_prefix_too():
    from django.urls import set_script_prefix

    set_script_prefix("/vanguard/")
    try:
        assert object_url("plans:plan_detail", 5) == reverse("plans:plan_detail", args=[5])
        assert object_url("plans:plan_detail", 5).startswith("/vanguard/")
    finally:
        set_script_prefix("/")
