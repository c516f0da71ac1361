"""The pages of one org and of one person: what they are, their figures, their history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.policy import could, get_scoped
from vanguard.core.registry import person_sections

from . import services
from .models import MemberStatus, Org, OrgMove, Person


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An org's page; its figures are the org's own, its links only those the policy opens.

    Whoever may see an org sees how many people it has (a member, her branch's 22, not the
    1 record she may open), as on the tree; a figure links to the roster only where the roster
    lists exactly those people (``services.attach_roster_links``).
    """
    user = request.user
    org = get_scoped(request, Org.objects.select_related("category", "secretary__org", "parent"), pk=pk)
    visible = Org.objects.for_user(user)
    # The breakdown by status, which the headcounts do not keep: the org's people, not the user's rows.
    by_status = dict(Person.objects.in_subtree(org).current().order_by().values_list("status")
                     .annotate(n=Count("pk")))
    figures = [(label, by_status.get(value, 0), value) for value, label in MemberStatus.choices]
    children = services.attach_tree_counts(
        list(visible.filter(parent=org).select_related("category", "secretary").order_by("sort_order", "name")))
    services.attach_roster_links([org, *children], user)
    reads_roster = could(user, Person, "roster")
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "ancestors": visible.filter(pk__in=org.ancestor_ids()).order_by("depth"),
            "children": children,
            "figures": figures,
            "people_total": sum(by_status.values()),
            "roster_complete": org.roster_complete,
            # The people of this org the user may list, as on the roster (a member lists nobody).
            "direct_people": (Person.objects.for_user(user, "roster").filter(org=org).current().order_by("name")[:20]
                              if reads_roster else None),
            "moves": OrgMove.objects.for_user(user).filter(org=org).select_related("from_parent", "to_parent")[:10],
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(request, Person.objects.select_related("org", "org__category"), pk=pk)
    full_numbers = person.shows_full_numbers_to(request.user)
    if full_numbers and (person.id_card or person.phone):
        record(AuditAction.VIEW, person, message=_("查看完整的身份证号码和手机号码"))
    return render(request, "orgs/person_detail.html", {
        "person": person,
        "full_numbers": full_numbers,
        "roster_listed": could(request.user, Person, "roster"),  # a member opens her record, not the roster
        "memberships": person.memberships.select_related("org"),
        # What other apps keep about this person (meetings, activities, commitments …).
        "sections": person_sections(request, person),
    })
