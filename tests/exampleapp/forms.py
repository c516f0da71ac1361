from django.utils.translation import gettext_lazy as _

from vanguard.accounts.models import User
from vanguard.core.roles import Role
from vanguard.orgs.forms import ScopedModelForm

from .models import Inspection


class InspectionForm(ScopedModelForm):
    org_fields = ("org",)  # the orgs where the policy lets this user change inspections

    class Meta:
        model = Inspection
        fields = ["org", "inspector", "title", "starts_on", "announced"]
        error_messages = {"title": {"required": _("请填写督查事项。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = User.objects.filter(grants__role=Role.INSPECTOR).distinct()
