from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class RectificationsConfig(AppConfig):
    name = "vanguard.rectifications"
    label = "rectifications"
    verbose_name = _("整改")

    def ready(self):
        from vanguard.inspections.models import Inspection

        from .services import open_on_close

        # Closing an inspection sends its feedback: each finding becomes a rectification to answer.
        post_save.connect(open_on_close, sender=Inspection, dispatch_uid="rectifications_open_on_close")
