"""The committees app plugs in: its pages in the 组织生活 menu and the posts on a person's page."""

from django.utils.translation import gettext_lazy as _

from vanguard.core.registry import register_nav, register_person_section, register_urls

from .models import CommitteeMember, CommitteeTerm

register_urls("committees/", "vanguard.committees.urls")
register_nav("life", _("支部委员会"), "committees:term_list", "person-badge", model=CommitteeTerm, order=20)
register_nav("life", _("书记任职情况"), "committees:secretary_list", "person-vcard", model=CommitteeMember, order=21)
register_person_section("committee_posts", "committees/_person_section.html",
                        "vanguard.committees.views.person_posts", order=25)
