from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "vanguard.improvements"
    label = "improvements"
    verbose_name = _("修旧利废、合理化建议与技术创新")
