from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfchecksConfig(AppConfig):
    name = "vanguard.selfchecks"
    label = "selfchecks"
    verbose_name = _("自查")
