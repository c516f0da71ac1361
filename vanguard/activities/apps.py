from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "vanguard.activities"
    label = "activities"
    verbose_name = _("组织生活与活动")
