from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with either the username or the phone number on the account."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        user = User._default_manager.filter(Q(username=username) | Q(phone=username)).order_by("pk").first()
        if user is None:
            User().set_password(password)  # same cost as a real check, against user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials) -> str:
    """The account a login attempt aims at, for django-axes.

    Users may type their username or their phone; counting failures per typed
    text would give each account twice the allowed attempts, so both forms
    count against the account's username.
    """
    typed = (credentials or {}).get("username") or (request.POST.get("username") if request is not None else "")
    typed = (typed or "").strip()
    if not typed:
        return ""
    User = get_user_model()
    username = User._default_manager.filter(Q(username=typed) | Q(phone=typed)).order_by("pk").values_list(
        "username", flat=True).first()
    return username or typed
