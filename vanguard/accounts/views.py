from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

import django_filters

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr, styled
from vanguard.core.policy import get_scoped, scoped
from vanguard.core.roles import Role
from vanguard.core.scoping import CHANGE
from vanguard.core.views import ScopedDeleteView, ScopedFormView

from .forms import ApiTokenForm, LoginForm, PasswordResetByAdminForm, RoleGrantForm, UserCreateForm
from .models import ApiToken, RoleGrant, User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = styled(PasswordChangeForm(request.user, request.POST or None))
    if request.method == "POST" and form.is_valid():
        user = form.save()
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        update_session_auth_hash(request, user)
        record(AuditAction.PASSWORD, user)
        messages.success(request, _("密码已修改。"))
        return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    new_token = None
    form = styled(ApiTokenForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        token, new_token = ApiToken.issue(request.user, form.cleaned_data["name"])
        record(AuditAction.TOKEN, token, message=_("创建 API 令牌"))
        form = styled(ApiTokenForm())
    return render(request, "accounts/profile.html", {
        "form": form,
        "new_token": new_token,
        # Tokens issued under an earlier password no longer work: not listed as if they did.
        "tokens": [token for token in ApiToken.objects.for_user(request.user).select_related("user") if token.works()],
        "grants": request.user.grants.select_related("org"),
    })


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_scoped(request, ApiToken.objects.filter(revoked_at__isnull=True), CHANGE, pk=pk)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    record(AuditAction.TOKEN, token, message=_("撤销 API 令牌"))
    messages.success(request, _("已撤销令牌“%(name)s”。") % {"name": token.name})
    return redirect("accounts:profile")


class GrantFilterSet(SearchFilterSet):
    search_fields = ("user__username", "user__last_name", "user__first_name", "org__name")
    role = django_filters.ChoiceFilter(label=gettext_lazy("角色"), choices=Role.choices)

    class Meta:
        model = RoleGrant
        fields = ["q", "role"]


def grant_validity(grant: RoleGrant) -> str:
    if grant.valid_from is None and grant.valid_until is None:
        return _("长期")
    start = date_format(grant.valid_from, "DATE_FORMAT") if grant.valid_from else "…"
    end = date_format(grant.valid_until, "DATE_FORMAT") if grant.valid_until else "…"
    return f"{start} ~ {end}"


class GrantListView(ObjectListView):
    """The grants one may change (everyone may view their own grants, on the profile page)."""

    model = RoleGrant
    action = CHANGE
    filterset_class = GrantFilterSet
    related = ("user", "org", "granted_by")
    ordering = ("user__username", "role", "org__path")
    title = gettext_lazy("角色授权")
    export_name = gettext_lazy("角色授权")
    create_url = "accounts:grant_create"
    template_name = "accounts/grant_list.html"
    columns = [
        Column(gettext_lazy("用户"), attr("user.username"), sort="user__username"),
        Column(gettext_lazy("姓名"), lambda g: g.user.get_full_name()),
        Column(gettext_lazy("角色"), attr("get_role_display"), sort="role"),
        Column(gettext_lazy("组织范围"), attr("org.name"), sort="org__path"),
        Column(gettext_lazy("有效期"), grant_validity),
        Column(gettext_lazy("授权人"), attr("granted_by.username")),
    ]


class GrantCreateView(ScopedFormView):
    model = RoleGrant
    form_class = RoleGrantForm
    title = gettext_lazy("新增角色授权")

    def save(self, form):
        grant = form.save(commit=False)
        grant.granted_by = self.request.user
        grant.save()
        return grant

    def success_url(self, obj) -> str:
        return reverse("accounts:grant_list")

    def cancel_url(self) -> str:
        return reverse("accounts:grant_list")


class GrantRevokeView(ScopedDeleteView):
    model = RoleGrant
    template_name = "accounts/grant_confirm_revoke.html"

    def success_url(self) -> str:
        return reverse("accounts:grant_list")

    def cancel_url(self) -> str:  # a grant has no page of its own
        return reverse("accounts:grant_list")


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "last_name", "first_name", "phone")
    is_active = django_filters.BooleanFilter(label=gettext_lazy("启用"))

    class Meta:
        model = User
        fields = ["q", "is_active"]


class UserListView(ObjectListView):
    """The accounts one may manage (everyone may view their own)."""

    model = User
    action = CHANGE
    filterset_class = UserFilterSet
    related = ("person", "person__org")
    ordering = ("username",)
    title = gettext_lazy("用户账号")
    export_name = gettext_lazy("用户账号")
    create_url = "accounts:user_create"
    template_name = "accounts/user_list.html"
    columns = [
        Column(gettext_lazy("用户名"), attr("username"), sort="username"),
        Column(gettext_lazy("姓名"), lambda u: u.get_full_name()),
        Column(gettext_lazy("人员档案"), attr("person.name")),
        Column(gettext_lazy("所在组织"), attr("person.org.name")),
        Column(gettext_lazy("启用"), lambda u: _("是") if u.is_active else _("否")),
        Column(gettext_lazy("须改密码"), lambda u: _("是") if u.must_change_password else ""),
        Column(gettext_lazy("最近登录"), attr("last_login", None), sort="last_login"),
    ]


class UserCreateView(ScopedFormView):
    model = User
    form_class = UserCreateForm
    title = gettext_lazy("新建用户账号")

    def save(self, form):
        # User is not an AuditedModel (its password hash and last_login must stay out of
        # the log), so the creation is recorded here, without the password.
        user = form.save()
        record(AuditAction.CREATE, user, changes={
            "username": [None, user.username], "phone": [None, user.phone], "person_id": [None, user.person_id]},
            message=_("管理员创建账号"))
        return user

    def success_url(self, obj) -> str:
        return reverse("accounts:user_list")

    def cancel_url(self) -> str:
        return reverse("accounts:user_list")


@login_required
@scoped(User, CHANGE, as_="target")
def user_password_reset(request: HttpRequest, target: User) -> HttpResponse:
    form = styled(PasswordResetByAdminForm(request.POST or None, user=target))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            target.set_password(form.cleaned_data["new_password"])
            target.must_change_password = True
            target.save(update_fields=["password", "must_change_password"])
            record(AuditAction.PASSWORD, target, message=_("管理员重置密码"))
        messages.success(request, _("已为“%(user)s”设置新的初始密码，首次登录须修改。") % {"user": target.username})
        return redirect("accounts:user_list")
    return render(request, "core/object_form.html", {
        "form": form, "object": target, "title": _("重置密码：%(user)s") % {"user": target.username},
        "cancel_url": reverse("accounts:user_list"), "submit_label": _("重置")})
