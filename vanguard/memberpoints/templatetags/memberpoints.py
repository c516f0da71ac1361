"""``{{ value|points }}`` ("2", "1.5") and ``{{ value|points_signed }}`` ("+2", "-1.5")."""

from django import template

from ..models import points_text

register = template.Library()


@register.filter
def points(value):
    return "—" if value is None else points_text(value)


@register.filter
def points_signed(value):
    return "—" if value is None else points_text(value, sign=True)
