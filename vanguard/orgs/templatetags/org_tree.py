"""The org tree's nodes, written in Python: through the template engine each node cost a third of
a millisecond (two URL lookups, two ``blocktranslate``, a choice label), and the tree opens with
a bureau's thirty-one."""

from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vanguard.core.links import object_url
from vanguard.core.lists import choice_labels
from vanguard.orgs.models import Org

register = template.Library()


@lru_cache(maxsize=None)
def _words(language: str) -> dict[str, str]:
    return {"expand": escape(_("展开")), "members": _("党员 %(n)s"), "people": _("人员 %(n)s"),
            "secretary": escape(_("书记"))}


def _node(node, people_url: str, words: dict, types: dict) -> str:
    loaded = getattr(node, "loaded_children", None)  # the levels below the first two load on demand
    if loaded:
        toggle = '<span class="vg-toggle d-inline-block text-muted"><i class="bi bi-dash-square"></i></span>'
    elif node.child_count:
        toggle = (f'<button type="button" class="btn btn-link btn-sm p-0 vg-toggle" hx-get="{object_url("orgs:org_children", node.pk)}" '
                  f'hx-target="#org-children-{node.pk}" hx-swap="innerHTML" aria-label="{words["expand"]}">'
                  '<i class="bi bi-plus-square"></i></button>')
    else:
        toggle = '<span class="vg-toggle d-inline-block"></span>'
    struck = "" if node.is_active else ' class="text-decoration-line-through text-muted"'
    parts = [f'<li id="org-node-{node.pk}">', toggle,
             f'<a href="{object_url("orgs:org_detail", node.pk)}"{struck}>{escape(node.name)}</a>',
             f' <span class="badge text-bg-light">{escape(types.get(node.org_type, node.org_type))}</span>']
    if node.category:
        parts.append(f' <span class="badge text-bg-info-subtle text-info-emphasis">{escape(node.category.name)}</span>')
    members = escape(words["members"] % {"n": node.members_total})
    people = escape(words["people"] % {"n": node.people_total})
    if node.roster_complete:
        parts.append(f' <a class="small text-muted ms-1" href="{people_url}?org={node.pk}&amp;status=party&amp;is_active=true">{members}</a>'
                     f' <span class="small text-muted">· <a class="text-muted" href="{people_url}?org={node.pk}&amp;is_active=true">{people}</a></span>')
    else:
        parts.append(f' <span class="small text-muted ms-1">{members} · {people}</span>')
    if node.secretary:
        parts.append(f' <span class="small text-muted">· {words["secretary"]} {escape(node.secretary.name)}</span>')
    children = tree_nodes(loaded) if loaded else ""
    parts.append(f'<ul id="org-children-{node.pk}">{children}</ul></li>')
    return "".join(parts)


@register.simple_tag
def tree_nodes(nodes) -> str:
    """``{% tree_nodes nodes %}``: these nodes as the tree's ``<li>``, their loaded children inside."""
    people_url = escape(reverse("orgs:person_list"))
    words, types = _words(get_language()), choice_labels(Org, "org_type")
    return mark_safe("".join(_node(node, people_url, words, types) for node in nodes))
