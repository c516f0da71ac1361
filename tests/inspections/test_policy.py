"""Who sees which inspection: inspectors only theirs and their orgs, inspected orgs an unannounced
one only once it has started (pages, API, to-do, exports), findings only once the feedback is sent."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import make_user
from vanguard.core import registry
from vanguard.core.roles import Role
from vanguard.inspections import services
from vanguard.inspections.models import Finding, Inspection, InspectionKind, InspectionStatus
from vanguard.orgs.models import Org, Person

from .helpers import campaign_with_rubric, find, fresh, inspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast):
    return campaign_with_rubric(cast)


@pytest.fixture
def unannounced(cast, campaign):
    return inspect(campaign, cast.bureau, targets=[cast.branch_a1], inspectors=[cast.inspector],
                   kind=InspectionKind.UNANNOUNCED, title="暗访抽查")


def visible(user, model=Inspection):
    return set(model.objects.for_user(fresh(user)).values_list("pk", flat=True))


class TestUnannounced:
    def test_the_inspected_org_sees_nothing_before_it_starts(self, cast, unannounced, login):
        for user in (cast.clerk, cast.secretary, cast.leader):
            assert unannounced.pk not in visible(user), user
            client = login(user)
            assert client.get(reverse("inspections:inspection_detail", args=[unannounced.pk])).status_code == 404
            listing = client.get(reverse("inspections:inspection_list")).content.decode()
            assert "暗访抽查" not in listing
            export = client.get(reverse("inspections:inspection_list") + "?export=xlsx")
            cells = [c for row in openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)
                     if export.streaming else export.content)).active.iter_rows(values_only=True) for c in row]
            assert "暗访抽查" not in cells
            api = client.get("/api/v1/inspections")
            assert api.status_code == 200 and all(row["id"] != unannounced.pk for row in api.json()["items"])
            assert client.get(f"/api/v1/inspections/{unannounced.pk}").status_code == 404
            target = unannounced.targets.get()
            assert client.get(reverse("inspections:target_detail", args=[target.pk])).status_code == 404

    def test_and_sees_it_once_started(self, cast, unannounced, login):
        services.start(unannounced, cast.admin)
        for user in (cast.clerk, cast.secretary):
            assert unannounced.pk in visible(user)
            assert login(user).get(reverse("inspections:inspection_detail", args=[unannounced.pk])).status_code == 200

    def test_a_periodic_inspection_is_announced_from_the_plan(self, cast, campaign):
        periodic = inspect(campaign, cast.bureau, targets=[cast.branch_a1])
        assert periodic.pk in visible(cast.clerk)
        assert periodic.pk not in visible(make_user("clerk_b", Role.CLERK, cast.branch_b1))

    def test_the_inspectors_to_do_counts_it_but_not_the_orgs(self, cast, unannounced):
        assert registry.todo_counts(fresh(cast.inspector))["total"] >= 1
        counts = {item["key"]: item["count"] for item in registry.todo_counts(fresh(cast.clerk))["items"]}
        assert counts.get("inspection_feedback", 0) == 0 and counts.get("inspections_to_conduct", 0) == 0


class TestInspector:
    def test_sees_only_the_inspections_assigned(self, cast, campaign, unannounced):
        other = make_user("inspector2", Role.INSPECTOR, cast.bureau)
        assert visible(cast.inspector) == {unannounced.pk}
        assert visible(other) == set()

    def test_reads_the_people_of_assigned_orgs_only(self, cast, unannounced):
        people = set(Person.objects.for_user(fresh(cast.inspector)).values_list("org_id", flat=True))
        assert people == {cast.branch_a1.pk}
        orgs = set(Org.objects.for_user(fresh(cast.inspector)).values_list("pk", flat=True))
        assert cast.branch_a1.pk in orgs and cast.branch_b1.pk not in orgs

    def test_records_only_while_started(self, cast, unannounced, login):
        target = unannounced.targets.get()
        url = reverse("inspections:finding_create", args=[target.pk])
        assert login(cast.inspector).get(url).status_code == 403
        services.start(unannounced, cast.admin)
        assert login(cast.inspector).get(url).status_code == 200
        assert login(cast.clerk).get(url).status_code == 403


class TestFindings:
    def test_reach_the_inspected_org_with_the_feedback(self, cast, unannounced):
        services.start(unannounced, cast.admin)
        finding = find(unannounced, cast.branch_a1)
        assert finding.pk not in visible(cast.clerk, Finding)
        assert finding.pk in visible(cast.inspector, Finding)
        services.close(unannounced, cast.admin)
        assert finding.pk in visible(cast.clerk, Finding)
        assert finding.pk not in visible(make_user("clerk_b", Role.CLERK, cast.branch_b1), Finding)

    def test_closing_puts_the_notice_on_the_orgs_to_do_until_signed(self, cast, unannounced, login):
        services.start(unannounced, cast.admin)
        find(unannounced, cast.branch_a1)
        services.close(unannounced, cast.admin)
        counts = {i["key"]: i["count"] for i in registry.todo_counts(fresh(cast.clerk))["items"]}
        assert counts["inspection_feedback"] == 1
        target = unannounced.targets.get()
        assert login(cast.clerk).post(reverse("inspections:target_acknowledge", args=[target.pk])).status_code == 302
        counts = {i["key"]: i["count"] for i in registry.todo_counts(fresh(cast.clerk))["items"]}
        assert counts.get("inspection_feedback", 0) == 0
        unannounced.refresh_from_db()
        assert unannounced.status == InspectionStatus.CLOSED
