"""Every door an inspected org could learn of an unannounced inspection by, walked as its secretary
and clerk before the start and after it; and what an inspector reaches through an assignment,
until it is taken back."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from django.urls import reverse

from tests.factories import make_user
from vanguard.core import registry
from vanguard.core.roles import Role
from vanguard.inspections import services
from vanguard.inspections.models import InspectionKind, InspectionStatus
from vanguard.inspections.services import DrawRequest

from .helpers import campaign_with_rubric, find, fresh, inspect

pytestmark = pytest.mark.django_db

SECRET = "暗访抽查（十一月）"
ANNOUNCED = "第三季度定期考核"


def xlsx_cells(response) -> set:
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return {cell for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for cell in row}


def todo_keys(user) -> dict:
    return {item["key"]: item["count"] for item in registry.todo_counts(fresh(user))["items"]}


@pytest.fixture
def campaign(cast):
    return campaign_with_rubric(cast)


@pytest.fixture
def secret(cast, campaign):
    """An unannounced inspection of branch A1 (drawn at random, with the inspector), and an announced one
    of the same branch: what the org may see, to show that each door below is read for real."""
    inspection = inspect(campaign, cast.bureau, inspectors=[cast.inspector], kind=InspectionKind.UNANNOUNCED,
                         title=SECRET)
    inspect(campaign, cast.bureau, targets=[cast.branch_a1], inspectors=[cast.inspector], title=ANNOUNCED)
    from tests.factories import make_org

    make_org("变电三班党支部", cast.unit_a)
    services.draw_sample(inspection, cast.admin, DrawRequest(size=1, seed="x"))
    # The draw picks one branch; make it branch A1 whatever the seed gave, as set by hand.
    inspection.targets.all().delete()
    services.set_targets(inspection, [cast.branch_a1])
    return inspection


LISTS = {  # list page → how a row names its inspection
    "inspections:inspection_list": lambda row: row.pk,
    "inspections:finding_list": lambda row: row.inspection_id,
    "inspections:feedback_list": lambda row: row.inspection_id,
    "rectifications:ledger": lambda row: row.finding.inspection_id,
}
LIST_DOORS = {"inspections:inspection_list": "list", "inspections:finding_list": "findings list",
              "inspections:feedback_list": "feedback list", "rectifications:ledger": "ledger list"}


def doors(client, inspection, control=True, pages=None):
    """What the inspected org's staff can read about ``inspection``, door by door: the doors where it shows.

    Lists count their rows (once it has started, its title may be offered in a list's filter);
    ``pages`` collects the text of every page read, to look for any mention at all.
    """
    target = inspection.targets.get()
    draw = inspection.draws.get()
    pages = [] if pages is None else pages

    def get(url, params=None):
        response = client.get(url, params or {})
        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            pages.append(response.content.decode())
        return response

    seen = {}
    for name, of in LISTS.items():
        rows = get(reverse(name)).context["page_obj"]
        seen[LIST_DOORS[name]] = any(of(row) == inspection.pk for row in rows)
        seen[LIST_DOORS[name].replace("list", "export")] = SECRET in xlsx_cells(
            get(reverse(name), {"export": "xlsx"}))
    seen |= {
        "list search": any(row.pk == inspection.pk
                           for row in get(reverse("inspections:inspection_list"), {"q": "暗访"}).context["page_obj"]),
        "detail": get(inspection.get_absolute_url()).status_code == 200,
        "target": get(target.get_absolute_url()).status_code == 200,
        "draw": get(reverse("inspections:draw_detail", args=[draw.pk])).status_code == 200,
        "frozen list": get(reverse("inspections:draw_eligible", args=[draw.pk])).status_code == 200,
        "notice pdf": get(reverse("inspections:notice_pdf", args=[target.pk])).status_code == 200,
        "notice docx": get(reverse("inspections:notice_docx", args=[target.pk])).status_code == 200,
        "api list": any(row["id"] == inspection.pk for row in get("/api/v1/inspections").json()["items"]),
        "api detail": get(f"/api/v1/inspections/{inspection.pk}").status_code == 200,
        "api findings": any(row["inspection_id"] == inspection.pk
                            for row in get("/api/v1/inspections/findings").json()["items"]),
        "api ledger": any(row["inspection_id"] == inspection.pk
                          for row in get("/api/v1/rectifications").json()["items"]),
        "home": SECRET in get("/").content.decode(),
    }
    # The announced one shows through the same doors: the reading above is real.
    if control:
        assert ANNOUNCED in client.get(reverse("inspections:inspection_list")).content.decode()
        assert ANNOUNCED in xlsx_cells(client.get(reverse("inspections:inspection_list"), {"export": "xlsx"}))
    return {door for door, shown in seen.items() if shown}


def test_the_inspected_orgs_staff_find_no_door_before_the_start(cast, secret, login):
    for user in (cast.secretary, cast.clerk, cast.leader):
        pages = []
        assert doors(login(user), secret, pages=pages) == set(), user
        assert not [page for page in pages if SECRET in page], user  # not even in a filter
        assert todo_keys(user).get("inspections_to_conduct", 0) == 0
        assert todo_keys(user).get("inspection_feedback", 0) == 0
    # Its inspector and the organisers know of it all along.
    assert {"list", "detail", "draw", "api detail"} <= doors(login(cast.inspector), secret)
    assert todo_keys(cast.inspector)["inspections_to_conduct"] == 2


def test_from_the_start_they_see_it_and_its_findings_come_with_the_feedback(cast, secret, login):
    services.start(secret, cast.admin)
    announced = {"list", "list search", "export", "detail", "target", "api list", "api detail"}
    for user in (cast.secretary, cast.clerk):
        assert doors(login(user), secret) == announced, user
    find(secret, cast.branch_a1, description="暗访发现的问题")
    assert doors(login(cast.clerk), secret) == announced  # findings wait for the feedback
    services.close(secret, cast.admin)
    after = announced | {"notice pdf", "notice docx", "feedback list", "feedback export", "findings list",
                         "findings export", "api findings", "ledger list", "ledger export", "api ledger"}
    for user in (cast.secretary, cast.clerk):
        assert doors(login(user), secret) == after, user
    assert todo_keys(cast.clerk)["inspection_feedback"] == 1
    # The draw (the whole eligible list) stays with the organisers and inspectors.
    assert "draw" not in after and secret.status == InspectionStatus.PLANNED  # (the fixture's copy)


def test_an_org_outside_the_inspection_never_sees_it(cast, secret, login):
    outsider = make_user("clerk_b", Role.CLERK, cast.branch_b1)
    services.start(secret, cast.admin)
    services.close(secret, cast.admin)
    assert doors(login(outsider), secret, control=False) == set()


def test_the_notice_of_an_unannounced_inspection_is_not_served_before_it_starts(cast, secret, login):
    target = secret.targets.get()
    for name in ("inspections:notice_pdf", "inspections:notice_docx"):
        assert login(cast.clerk).get(reverse(name, args=[target.pk])).status_code == 404
    # The inspector's draft names the org and the inspection: what the org must not get early.
    draft = login(cast.inspector).get(reverse("inspections:notice_docx", args=[target.pk]))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(draft.content)).paragraphs)
    assert SECRET in text and cast.branch_a1.name in text


class TestAssignment:
    """An inspector reaches an inspection, its orgs and their people only while assigned to it."""

    @pytest.fixture
    def mine(self, cast, campaign):
        return inspect(campaign, cast.bureau, targets=[cast.branch_a1], inspectors=[cast.inspector],
                       status=InspectionStatus.STARTED, title="我的督查")

    @pytest.fixture
    def theirs(self, cast, campaign):
        other = make_user("inspector2", Role.INSPECTOR, cast.bureau)
        inspection = inspect(campaign, cast.bureau, targets=[cast.branch_b1], inspectors=[other],
                             status=InspectionStatus.STARTED, title="别人的督查")
        find(inspection, cast.branch_b1, description="别人发现的问题")
        return inspection

    def reach(self, client, cast, mine, theirs) -> set:
        target = mine.targets.get()
        people = xlsx_cells(client.get(reverse("orgs:person_list"), {"export": "xlsx"}))
        reached = {
            "list": "我的督查" in client.get(reverse("inspections:inspection_list")).content.decode(),
            "export": "我的督查" in xlsx_cells(client.get(reverse("inspections:inspection_list"), {"export": "xlsx"})),
            "detail": client.get(mine.get_absolute_url()).status_code == 200,
            "target": client.get(target.get_absolute_url()).status_code == 200,
            "api": [row["id"] for row in client.get("/api/v1/inspections").json()["items"]] == [mine.pk],
            "org page": client.get(reverse("orgs:org_detail", args=[cast.branch_a1.pk])).status_code == 200,
            "person page": client.get(reverse("orgs:person_detail", args=[cast.person_a1.pk])).status_code == 200,
            "people export": "张伟" in people,
        }
        # Never the others' inspection, org or people, assigned or not.
        assert "别人的督查" not in client.get(reverse("inspections:inspection_list")).content.decode()
        assert "别人的督查" not in xlsx_cells(client.get(reverse("inspections:inspection_list"), {"export": "xlsx"}))
        assert "别人发现的问题" not in xlsx_cells(client.get(reverse("inspections:finding_list"), {"export": "xlsx"}))
        assert client.get(theirs.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/inspections/{theirs.pk}").status_code == 404
        assert client.get(reverse("orgs:org_detail", args=[cast.branch_b1.pk])).status_code == 404
        assert client.get(reverse("orgs:person_detail", args=[cast.person_b1.pk])).status_code == 404
        assert "王芳" not in people
        return {door for door, ok in reached.items() if ok}

    def test_while_assigned_and_not_once_the_admin_takes_it_back(self, cast, campaign, mine, theirs, login):
        everything = {"list", "export", "detail", "target", "api", "org page", "person page", "people export"}
        assert self.reach(login(cast.inspector), cast, mine, theirs) == everything
        # The target page leads to the org's page (and so to its people).
        page = login(cast.inspector).get(mine.targets.get().get_absolute_url()).content.decode()
        assert reverse("orgs:org_detail", args=[cast.branch_a1.pk]) in page
        # The admin takes the assignment back on the edit page, as easily as it was given.
        edit = login(cast.admin).post(reverse("inspections:inspection_edit", args=[mine.pk]), {
            "campaign": campaign.pk, "kind": mine.kind, "title": mine.title, "org": cast.bureau.pk,
            "starts_on": mine.starts_on.isoformat(), "ends_on": mine.ends_on.isoformat(), "inspectors": []})
        assert edit.status_code == 302 and not mine.inspectors.exists()
        client = login(cast.inspector)
        assert self.reach(client, cast, mine, theirs) == set()
        assert client.get(reverse("inspections:finding_create", args=[mine.targets.get().pk])).status_code == 404
        assert todo_keys(cast.inspector).get("inspections_to_conduct", 0) == 0
        # And given again.
        mine.inspectors.add(cast.inspector)
        assert self.reach(login(cast.inspector), cast, mine, theirs) == everything
