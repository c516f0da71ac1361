"""The one form the apps share for slips: naming a slip to void, then confirming it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VoidSlipForm(forms.Form):
    """Names the slip as it reads on paper. Posted once to show the slip, then again with the
    confirmation button (``confirmed``) to void it.

    The code is posted, never put in a URL: an unused slip's code must not reach an access log.
    """

    slip = forms.CharField(label=_("凭条序号或凭条码"), max_length=40,
                           help_text=_("凭条上印的“第 N 号”中的 N，或 10 位凭条码。"),
                           error_messages={"required": _("请输入凭条序号或凭条码。")})

    @property
    def confirmed(self) -> bool:
        # The confirmation button's own value, not a field: a refused confirmation shows the first
        # step again, and no hidden field of it may carry the confirmation into the next post.
        return self.is_bound and self.data.get("confirm") == "1"
