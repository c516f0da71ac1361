from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from vanguard.core.policy import orgs_for
from vanguard.core.scoping import CHANGE
from vanguard.orgs.forms import DateInput
from vanguard.orgs.models import Person

from .models import RoleGrant, User


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名或手机号"), max_length=150)

    error_messages = {
        "invalid_login": _("用户名/手机号或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class UserCreateForm(forms.ModelForm):
    """Admins create accounts with an initial password the user must change at first login."""

    initial_password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "phone", "person"]
        labels = {"last_name": _("姓"), "first_name": _("名")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.for_user(user, CHANGE).filter(user__isnull=True)
        self.fields["person"].required = False

    def clean_phone(self):
        return (self.cleaned_data.get("phone") or "").strip() or None

    def _post_clean(self):
        # Validated once the instance holds the username and names, as a password the user
        # chooses is: the similarity check compares it with them (Django's UserCreationForm
        # validates here for the same reason).
        super()._post_clean()
        password = self.cleaned_data.get("initial_password")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("initial_password", error)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["initial_password"])
        user.must_change_password = True
        if commit:
            user.save()
        return user


class PasswordResetByAdminForm(forms.Form):
    """A new initial password for ``user``, held to the rules of one the user chooses."""

    new_password = forms.CharField(label=_("新的初始密码"), widget=forms.PasswordInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_password(self):
        password = self.cleaned_data["new_password"]
        password_validation.validate_password(password, self.user)
        return password


class RoleGrantForm(forms.ModelForm):
    class Meta:
        model = RoleGrant
        fields = ["user", "role", "org", "valid_from", "valid_until"]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs_for(user, RoleGrant, CHANGE).filter(is_active=True)
        self.fields["user"].queryset = User.objects.for_user(user, CHANGE).filter(is_active=True)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=60)
