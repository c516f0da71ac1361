from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExampleAppConfig(AppConfig):
    name = "tests.exampleapp"
    label = "exampleapp"
    verbose_name = _("示例督查")
    policy_checked = True  # outside vanguard.*: ask the access-policy system check to cover it too
