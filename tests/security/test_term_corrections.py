"""The correction-term list rewrites every unit's plans (全部更正): only an admin of the whole tree keeps it."""

from __future__ import annotations

from django.urls import reverse

from vanguard.campaigns.models import TermCorrection
from vanguard.core.policy import could
from vanguard.core.roles import Role

from ..factories import make_user


def test_a_unit_admin_may_neither_read_nor_add_terms(cast, login):
    unit_admin = make_user("unit_admin", Role.ADMIN, cast.unit_a)
    assert not could(unit_admin, TermCorrection, "change") and not could(unit_admin, TermCorrection, "view")
    client = login(unit_admin)
    response = client.post(reverse("campaigns:term_create"), {"wrong": "开展思路", "right": "发展思路", "is_active": "on"})
    assert response.status_code == 403 and not TermCorrection.objects.exists()
    assert client.get(reverse("campaigns:term_list")).status_code == 403


def test_the_bureau_admin_may(cast, login):
    response = login(cast.admin).post(reverse("campaigns:term_create"), {"wrong": "开展思路", "right": "发展思路",
                                                                         "is_active": "on"})
    assert response.status_code == 302 and TermCorrection.objects.get().right == "发展思路"
