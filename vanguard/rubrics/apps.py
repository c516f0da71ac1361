from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RubricsConfig(AppConfig):
    name = "vanguard.rubrics"
    label = "rubrics"
    verbose_name = _("创建标准")
