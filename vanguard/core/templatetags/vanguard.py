"""Template helpers shared by every page."""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value):
    """One table cell: dates as dates, times without seconds, empty as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return value



@register.simple_tag(takes_context=True)
def can(context, obj, action="view"):
    """``{% can plan "review" as may_review %}``: the model's policy decides, as for the view."""
    from vanguard.core.policy import can as policy_can

    request = context.get("request")
    return bool(obj) and request is not None and policy_can(request.user, obj, action)


@register.simple_tag(takes_context=True)
def link_if_allowed(context, obj, action="view"):
    """``{% link_if_allowed repair.org %}``: the object's name, a link to its page only where the
    policy lets this user open it (no link leads to a 403 or 404)."""
    from django.utils.html import format_html

    if obj is None:
        return "—"
    if can(context, obj, action):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)
    return format_html("{}", obj)
