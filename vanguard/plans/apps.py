from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "vanguard.plans"
    label = "plans"
    verbose_name = _("创建方案与责任分解")
