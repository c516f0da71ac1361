from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemberpointsConfig(AppConfig):
    name = "vanguard.memberpoints"
    label = "memberpoints"
    verbose_name = _("党员积分")
