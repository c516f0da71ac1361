from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """Accounts with an admin-set password must choose their own before anything else."""

    ALLOWED_PREFIXES = ("/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = (reverse("accounts:password_change"), reverse("accounts:logout"))
            if request.path not in allowed and not request.path.startswith(self.ALLOWED_PREFIXES):
                if request.path.startswith("/api/"):  # a program gets an answer it can read, not a page
                    return JsonResponse({"detail": _("请先修改初始密码，再使用 API。")}, status=403)
                return redirect("accounts:password_change")
        return self.get_response(request)
