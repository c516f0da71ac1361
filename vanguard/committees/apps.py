from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "vanguard.committees"
    label = "committees"
    verbose_name = _("支部委员会")
