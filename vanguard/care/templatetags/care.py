"""``{% load care %}{% knows_needy person as shows_needy %}``: whether the viewer may know of the
person's hardship (the 困难党员 flag), by the care policy (``care.access``), as the roster does."""

from django import template

from ..access import may_know_needy_of

register = template.Library()


@register.simple_tag(takes_context=True)
def knows_needy(context, person) -> bool:
    request = context.get("request")
    return request is not None and person is not None and may_know_needy_of(request.user, person)
