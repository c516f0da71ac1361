"""The home page: what waits for the user and the cards the apps registered for them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanguard.core.registry import home_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The to-do counts of every app come with each page (the navigation context processor).
    return render(request, "dashboard/home.html", {"cards": home_cards(request)})
