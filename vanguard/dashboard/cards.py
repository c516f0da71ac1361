"""The home page's own cards, registered like any app's (``registry.register_card``).

A member's home is personal: the tasks they are responsible for, their branch and its
latest meetings (the meetings to come are the activities app's card). Staff keep the figures of their scope; someone who is both sees both. Each context
function returns None when the card has nothing to say to this user, and every link a card
shows is one the policy lets the user open: the link walk (tests/test_link_walk.py) follows them.
Each card runs a fixed number of queries, whatever the data.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from vanguard.activities.models import Meeting
from vanguard.campaigns.models import Campaign
from vanguard.core.policy import can, could
from vanguard.core.scoping import get_scope
from vanguard.orgs.models import Org, Person
from vanguard.plans.models import OrgPlan, overdue_q
from vanguard.plans.services import my_open_tasks

TASKS_SHOWN = 8
MEETINGS_SHOWN = 5
# A meeting held within these days is still news to a member (the minutes, the attendance).
RECENT_MEETING_DAYS = 14
ROOTS_SHOWN = 10
CAMPAIGNS_SHOWN = 5


def my_tasks(request: HttpRequest) -> dict | None:
    """The open tasks the user is responsible for, the earliest deadline first."""
    user = request.user
    if get_scope(user).person_id is None:
        return None  # only a person is responsible for tasks
    tasks = my_open_tasks(user)
    figures = tasks.aggregate(total=Count("pk"), overdue=Count("pk", filter=overdue_q()))
    shown = list(tasks.select_related("plan__org", "plan__campaign").order_by("due_on", "pk")[:TASKS_SHOWN])
    readable_plans = set(
        OrgPlan.objects.for_user(user).filter(pk__in={t.plan_id for t in shown}).values_list("pk", flat=True)
    ) if shown else set()
    return {
        "tasks": [{"task": t, "plan_readable": t.plan_id in readable_plans} for t in shown],
        "total": figures["total"],
        "overdue": figures["overdue"],
        "more": figures["total"] - len(shown),
    }


def my_branch(request: HttpRequest) -> dict | None:
    """The user's own record, the org it belongs to, its secretary and the meetings it just held.

    The meetings to come are on the activities app's card (those the user is expected at, with
    their check-in); here, the branch's latest meetings, whose minutes a member may want to read.
    """
    user = request.user
    person_id = get_scope(user).person_id
    if person_id is None:
        return None
    person = Person.objects.select_related("org__secretary__org").filter(pk=person_id).first()
    if person is None:
        return None
    branch, secretary = person.org, person.org.secretary
    today = timezone.localdate()
    return {
        "person": person,
        "person_readable": can(user, person, "view"),
        "branch": branch,
        "branch_readable": can(user, branch, "view"),
        "secretary": secretary,
        "secretary_readable": secretary is not None and can(user, secretary, "view"),
        # A held meeting has its day: held_on (a planned one has none yet).
        "recent": list(Meeting.objects.for_user(user).filter(
            org=branch, held_on__lte=today, held_on__gte=today - timedelta(days=RECENT_MEETING_DAYS))
            .order_by("-held_on", "-pk")[:MEETINGS_SHOWN]),
        "recent_days": RECENT_MEETING_DAYS,
        "meetings_listed": could(user, Meeting),
    }


def scope_figures(request: HttpRequest) -> dict | None:
    """The staff's figures of their scope and where their visible tree starts.

    Shown to those who read a roster (the people list's own rule), so that nobody sees figures
    whose links answer 403; a member's own branch is on their branch card instead.
    """
    user = request.user
    if not could(user, Person, "roster"):
        return None
    orgs = Org.objects.for_user(user)
    people = Person.objects.for_user(user, "roster").current()
    roots = list(orgs.topmost().select_related("category").order_by("path")[:ROOTS_SHOWN + 1])
    return {
        "orgs": orgs.active().count(),
        "members": people.party_members().count(),
        "people": people.count(),
        "roots": roots[:ROOTS_SHOWN],
        "more_roots": len(roots) > ROOTS_SHOWN,
    }


def current_campaigns(request: HttpRequest) -> dict | None:
    """Campaigns under way in the user's reach; a draft is not under way (admins find it in the list)."""
    user = request.user
    if not could(user, Campaign):
        return None
    campaigns = (Campaign.objects.for_user(user).current()
                 .select_related("scope_org"))
    return {"campaigns": list(campaigns[:CAMPAIGNS_SHOWN])}
