"""The home page: figures of the user's scope, current campaigns and everything waiting for them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanguard.campaigns.models import Campaign
from vanguard.core.scoping import get_scope
from vanguard.orgs.models import Org, Person


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The to-do counts of every app come with each page (the navigation context processor).
    scope = get_scope(request.user)
    orgs = Org.objects.for_user(request.user)
    people = Person.objects.for_user(request.user).current()
    figures = {
        "orgs": orgs.filter(is_active=True).count(),
        "members": people.party_members().count(),
        "people": people.count(),
    }
    roots = orgs.filter(path__in=scope.paths(scope.roles())) if not scope.is_superuser else orgs.filter(depth=0)
    campaigns = Campaign.objects.for_user(request.user).current().select_related("scope_org")[:5]
    return render(request, "dashboard/home.html", {
        "figures": figures, "roots": roots.select_related("category"), "campaigns": campaigns})
