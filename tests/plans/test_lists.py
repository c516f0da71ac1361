"""List pages keep a constant query count (10 vs 50 rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.orgs.models import OrgType
from vanguard.plans import services

from ..factories import make_org, make_person
from .helpers import make_campaign, make_plan

pytestmark = pytest.mark.django_db


def _grow(cast, campaign, start, n):
    for i in range(start, start + n):
        org = make_org(f"列表支部{i}", cast.unit_a, OrgType.BRANCH, secretary=None)
        person = make_person(org)
        org.secretary = person
        org.save()
        make_plan(campaign, org, task_for=person)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/plans/?campaign={c}", "/plans/letters/?campaign={c}", "/plans/tasks/",
                                 "/plans/?campaign={c}&late=true"])
def test_list_query_count_is_constant(cast, login, url):
    campaign = make_campaign(cast)
    client = login(cast.admin)
    url = url.format(c=campaign.pk)
    _grow(cast, campaign, 0, 10)
    services.generate_letters(campaign, cast.admin)
    few = _count(client, url)
    _grow(cast, campaign, 10, 40)
    services.generate_letters(campaign, cast.admin)
    assert _count(client, url) == few


def test_plan_list_exports(cast, login):
    campaign = make_campaign(cast)
    make_plan(campaign, cast.branch_a1)
    response = login(cast.admin).get(f"/plans/?campaign={campaign.pk}&export=xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]


def test_generate_plans_is_idempotent(cast, login):
    campaign = make_campaign(cast)
    client = login(cast.admin)
    client.post(f"/plans/generate/{campaign.pk}/")
    client.post(f"/plans/generate/{campaign.pk}/")
    assert campaign.org_plans.count() == 5


def test_the_plan_editor_runs_the_same_queries_for_one_task_or_six(cast, login):
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vanguard.plans.models import PlanTask

    from .helpers import make_campaign, make_plan

    plan = make_plan(make_campaign(cast), cast.branch_a1)
    client = login(cast.admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/plans/{plan.pk}/edit/").status_code == 200
        return len(queries)

    PlanTask.objects.create(plan=plan, title="任务0", responsible=cast.person_a1, due_on=date(2026, 6, 30))
    one = count()
    for n in range(1, 6):
        PlanTask.objects.create(plan=plan, title=f"任务{n}", responsible=cast.person_a1, due_on=date(2026, 6, 30))
    assert count() == one
