"""The dashboard provides the home page (``core:home``) and its own cards.

Other apps add theirs the same way (check-in, commitments, ballots, points). Cards show by
``order``: the user's own first (tasks 10, branch 20; a personal card of another app belongs
between 11 and 29), then the staff's scope (30) and the campaigns under way (40); a card
registered without an order (100) comes after them.
"""

from vanguard.core.registry import register_card, register_home

register_home("vanguard.dashboard.views.home")
register_card("my_tasks", "dashboard/cards/my_tasks.html", "vanguard.dashboard.cards.my_tasks", order=10)
register_card("my_branch", "dashboard/cards/my_branch.html", "vanguard.dashboard.cards.my_branch", order=20)
register_card("scope", "dashboard/cards/scope.html", "vanguard.dashboard.cards.scope_figures", order=30)
register_card("campaigns", "dashboard/cards/campaigns.html", "vanguard.dashboard.cards.current_campaigns", order=40)
