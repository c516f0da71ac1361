from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "vanguard.commitments"
    label = "commitments"
    verbose_name = _("党员承诺")
