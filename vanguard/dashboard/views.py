"""The home page: figures of the user's scope, current campaigns and everything waiting for them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanguard.campaigns.models import Campaign
from vanguard.orgs.models import Org, Person


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The to-do counts of every app come with each page (the navigation context processor).
    orgs = Org.objects.for_user(request.user)
    people = Person.objects.for_user(request.user).current()
    figures = {
        "orgs": orgs.filter(is_active=True).count(),
        "members": people.party_members().count(),
        "people": people.count(),
    }
    roots = orgs.topmost()  # where the user's visible tree starts, as on the tree page
    campaigns = Campaign.objects.for_user(request.user).current().select_related("scope_org")[:5]
    return render(request, "dashboard/home.html", {
        "figures": figures, "roots": roots.select_related("category"), "campaigns": campaigns})
