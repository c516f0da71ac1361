"""Shared views: a job's page, and the scoped create/edit/delete base views."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from .lists import styled
from .models import Job
from .policy import get_scoped, require
from .registry import job_kinds
from .scoping import CHANGE
from .validators import harden

# The hidden field of an edit form that carries the version of the record the user started from.
VERSION_FIELD = "record_version"


def record_version(obj) -> str:
    """A token that changes whenever any stored value of ``obj`` changes.

    A keyed hash of every concrete field as loaded, so it serves models with and without an
    ``updated_at`` (and changes made by workflow steps or imports, which may not touch it). The key
    keeps the token from telling anything about fields the form does not show.
    """
    values = [[field.attname, getattr(obj, field.attname)] for field in obj._meta.concrete_fields]
    payload = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return salted_hmac("vanguard.core.views.record_version", payload, algorithm="sha256").hexdigest()


@login_required
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    job = get_scoped(request, Job, pk=pk)
    template = "core/_job_status.html" if request.htmx else "core/job_detail.html"
    # A registered job kind may bring its own result template; others get the generic one.
    kind = job_kinds().get(job.kind)
    own = [kind.result_template] if kind is not None and kind.result_template else []
    result_template = select_template([*own, "core/job_results/default.html"])
    return render(request, template, {"job": job, "result_template": result_template})


class ScopedFormView(LoginRequiredMixin, View):
    """Create or edit an object inside the user's scope, as the model's policy allows ``action``.

    Editing loads the object with ``get_scoped`` (403 for a user whom nothing could allow,
    404 outside scope); creating needs the action to be possible at all. After saving, the
    object is read back through the policy inside the transaction, so nobody creates or moves
    an object out of their own scope.

    An edit form carries the version of the record it was loaded from (``record_version``); the
    save locks the row and refuses when the record changed meanwhile, so the second of two people
    editing one record does not silently revert the first one's change. Every field gets the
    project's input rules (``validators.harden``).
    """

    model = None
    form_class = None
    template_name = "core/object_form.html"
    title: Any = ""
    action = CHANGE

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            require(self.request, self.model, self.action)
            return None
        return get_scoped(self.request, self.model, self.action, pk=pk)

    def get_form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def get_form(self, data=None, files=None):
        form = self.form_class(data, files, instance=self.object, **self.get_form_kwargs())
        if self.object is not None:
            form.fields[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False,
                                                         initial=record_version(self.object))
        return harden(styled(form))

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            with transaction.atomic():
                if not self.still_current(form):
                    form.add_error(None, _("此记录已被他人修改，请刷新后再改"))
                    return self.render(form)
                obj = self.save(form)
                if not self.model.objects.for_user(request.user, self.action).filter(pk=obj.pk).exists():
                    transaction.set_rollback(True)
                    form.add_error(None, _("保存后的对象不在您的管理范围内，未保存。"))
                    return self.render(form)
            messages.success(request, _("已保存“%(obj)s”。") % {"obj": obj})
            return redirect(self.success_url(obj))
        return self.render(form)

    def still_current(self, form) -> bool:
        """Whether the record is still the version the form was loaded from (locks its row).

        Read again from the database: validating the form has already written the user's
        input onto ``self.object``. A post without a version (an older page, a script) is
        not checked.
        """
        sent = form.cleaned_data.get(VERSION_FIELD) if self.object is not None else None
        if not sent:
            return True
        stored = type(self.object)._base_manager.select_for_update(of=("self",)).filter(pk=self.object.pk).first()
        return stored is not None and record_version(stored) == sent

    def save(self, form):
        return form.save()

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_title(self):
        return self.title

    def render(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": self.object, "title": self.get_title(), "cancel_url": self.cancel_url()},
        )

    def cancel_url(self) -> str:
        if self.object:
            return self.object.get_absolute_url()
        referer = self.request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(referer, {self.request.get_host()}, self.request.is_secure())
        return referer if safe else "/"


class ScopedDeleteView(LoginRequiredMixin, View):
    """Delete after an explicit confirmation page; protected relations give a clear message."""

    model = None
    template_name = "core/confirm_delete.html"
    action = CHANGE

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = get_scoped(request, self.model, self.action, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"object": self.object, "cancel_url": self.cancel_url()})

    def cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def post(self, request, *args, **kwargs):
        from django.db.models import ProtectedError

        label = str(self.object)
        try:
            with transaction.atomic():
                # A second click (or a second person) finds the row gone: nothing is deleted or
                # logged twice. The lock makes the two wait for each other.
                if type(self.object)._base_manager.select_for_update(of=("self",)).filter(pk=self.object.pk).first() is None:
                    messages.info(request, _("“%(obj)s”已被删除。") % {"obj": label})
                    return redirect(self.success_url())
                self.object.delete()
        except ProtectedError:
            messages.error(request, _("“%(obj)s”仍被其他记录引用，不能删除。") % {"obj": label})
            return redirect(self.cancel_url())
        messages.success(request, _("已删除“%(obj)s”。") % {"obj": label})
        return redirect(self.success_url())

    def success_url(self) -> str:
        return "/"

