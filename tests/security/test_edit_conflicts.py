"""Two people editing one record: the second save is refused instead of reverting the first one's change."""

from __future__ import annotations

from django.urls import reverse

from vanguard.audit.models import AuditAction, AuditEvent
from vanguard.core.views import VERSION_FIELD, record_version
from vanguard.orgs.models import Person

CONFLICT = "此记录已被他人修改，请刷新后再改"


def edit_data(person: Person, **changes) -> dict:
    data = {"name": person.name, "gender": person.gender, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "id_card": person.id_card, "phone": person.phone,
            "education": "", "post": person.post, "unit": person.unit, "status": person.status,
            "join_date": person.join_date.isoformat() if person.join_date else "", "full_date": "",
            "is_active": "on"}
    data.update(changes)
    return data


def loaded_version(client, url: str) -> str:
    """The version the edit page hands out, as a browser would send it back."""
    form = client.get(url).context["form"]
    return form[VERSION_FIELD].value()


def test_the_second_of_two_edits_from_the_same_version_is_refused(cast, login, client):
    person = cast.person_a1
    url = reverse("orgs:person_edit", args=[person.pk])
    first = loaded_version(login(cast.clerk), url)
    second = loaded_version(login(cast.secretary), url)
    assert first == second == record_version(person)

    saved = login(cast.clerk).post(url, edit_data(person, post="安全员", **{VERSION_FIELD: first}))
    assert saved.status_code == 302
    refused = login(cast.secretary).post(url, edit_data(person, unit="检修一班", **{VERSION_FIELD: second}))
    assert refused.status_code == 200 and CONFLICT in refused.content.decode()
    person.refresh_from_db()
    assert (person.post, person.unit) == ("安全员", "")
    assert AuditEvent.objects.filter(object_id=str(person.pk), action=AuditAction.UPDATE).count() == 1


def test_an_edit_from_the_current_version_saves_and_carries_the_token_in_the_page(cast, login):
    person = cast.person_a1
    url = reverse("orgs:person_edit", args=[person.pk])
    client = login(cast.clerk)
    page = client.get(url).content.decode()
    token = record_version(person)
    assert f'name="{VERSION_FIELD}" value="{token}"' in page
    assert client.post(url, edit_data(person, post="安全员", **{VERSION_FIELD: token})).status_code == 302
    person.refresh_from_db()
    assert person.post == "安全员" and record_version(person) != token


def test_a_change_by_a_workflow_or_import_also_counts(cast, login):
    """Models without an ``updated_at`` and changes that bypass it: the version hashes every stored value."""
    org = cast.branch_a1
    url = reverse("orgs:org_edit", args=[org.pk])
    client = login(cast.secretary)
    token = loaded_version(client, url)
    type(org).objects.filter(pk=org.pk).update(short_name="一班")  # a bulk update, no signal, no timestamp
    response = client.post(url, {"name": "变电一班党支部（新）", "short_name": "", "org_type": org.org_type,
                                 "category": org.category_id, "secretary": "", "sort_order": 0,
                                 "is_active": "on", VERSION_FIELD: token})
    assert CONFLICT in response.content.decode()
    org.refresh_from_db()
    assert (org.name, org.short_name) == ("变电一班党支部", "一班")


def test_a_create_form_has_no_version(cast, login):
    form = login(cast.clerk).get(reverse("orgs:person_create")).context["form"]
    assert VERSION_FIELD not in form.fields
