"""The pages of an app's attachments, made from its attachment model: ``attachment_urls(...)``.

Every page loads the *owner* with ``get_scoped`` first (404 outside the user's scope, as for the
owner's own page) and the file only among the owner's files, so a file is served to exactly the
people who may see the record it belongs to. Pictures and PDF open in the browser (a preview);
Office files download. Uploading needs ``upload_action`` on the owner; withdrawing and replacing
need the owner's change action, or being the uploader while the file is not locked.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from vanguard.core.policy import could, get_scoped
from vanguard.core.scoping import CHANGE, VIEW
from vanguard.core.uploads import KIND_LABELS, UploadError

from . import services
from .models import EXTENSION_OF, Attachment

ACCEPT = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf", "docx": ".docx", "xlsx": ".xlsx",
          "pptx": ".pptx"}


class AttachmentPages:
    """The upload, file, replace and delete pages of one attachment model."""

    def __init__(self, model: type[Attachment], *, upload_action: str = CHANGE,
                 kinds: tuple[str, ...] = services.DOCUMENT_KINDS):
        self.model = model
        self.owner_model = model._meta.get_field(model.owner_field).related_model
        self.upload_action = upload_action
        self.kinds = kinds

    # ---------------------------------------------------------------- loading
    def owner(self, request, owner_pk: int, action: str = VIEW):
        return get_scoped(request, self.owner_model, action, pk=owner_pk)

    def attachment(self, request, owner_pk: int, pk: int) -> Attachment:
        owner = self.owner(request, owner_pk)
        attachment = get_object_or_404(self.model, pk=pk, **{self.model.owner_field: owner})
        setattr(attachment, self.model.owner_field, owner)
        return attachment

    def _withdrawable(self, request, owner_pk: int, pk: int) -> Attachment:
        # Nobody who could neither change such records nor upload to them has uploaded a file.
        if not (could(request.user, self.owner_model, CHANGE) or could(request.user, self.owner_model,
                                                                        self.upload_action)):
            raise PermissionDenied(_("您没有删除或替换附件的权限。"))
        attachment = self.attachment(request, owner_pk, pk)
        if not services.may_withdraw(request.user, attachment):
            raise PermissionDenied(_("只有记录的维护人，或在审核前的上传人本人，可以删除或替换此附件。"))
        return attachment

    def _context(self, owner, **extra) -> dict:
        return {"owner": owner, "kinds": "、".join(KIND_LABELS[k] for k in self.kinds),
                "accept": ",".join(ACCEPT[k] for k in self.kinds), **extra}

    # ---------------------------------------------------------------- pages
    def upload(self, request: HttpRequest, owner_pk: int) -> HttpResponse:
        owner = self.owner(request, owner_pk, self.upload_action)
        error = None
        if request.method == "POST":
            try:
                prepared = services.prepare_all(request.FILES.getlist("file"), self.kinds)
                created = services.attach(self.model, owner, prepared, request.user)
            except UploadError as exc:
                error = str(exc)
            else:
                messages.success(request, _("已上传 %(n)d 个附件。") % {"n": len(created)})
                return redirect(owner.get_absolute_url())
        return render(request, "attachments/upload.html", self._context(owner, error=error))

    def serve(self, request: HttpRequest, owner_pk: int, pk: int) -> HttpResponse:
        attachment = self.attachment(request, owner_pk, pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("附件文件已不存在。")) from exc
        inline = attachment.is_previewable and request.GET.get("download") != "1"
        name = attachment.name
        if not name.lower().endswith(EXTENSION_OF.get(attachment.kind, "")):
            name += EXTENSION_OF.get(attachment.kind, "")
        response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=attachment.content_type)
        # The stored bytes are only ever what they were checked to be (nosniff is set site-wide); a
        # file opened on its own loads nothing else. A PDF needs the browser's viewer (object-src).
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'" + (
            "; object-src 'self'" if attachment.kind == "pdf" else "")
        return response

    def replace(self, request: HttpRequest, owner_pk: int, pk: int) -> HttpResponse:
        attachment = self._withdrawable(request, owner_pk, pk)
        error = None
        if request.method == "POST":
            try:
                prepared = services.prepare(request.FILES.get("file"), self.kinds)
                services.replace(attachment, prepared, request.user)
            except UploadError as exc:
                error = str(exc)
            else:
                messages.success(request, _("已替换附件“%(name)s”。") % {"name": attachment.name})
                return redirect(attachment.owner.get_absolute_url())
        return render(request, "attachments/upload.html",
                      self._context(attachment.owner, error=error, replacing=attachment))

    def delete(self, request: HttpRequest, owner_pk: int, pk: int) -> HttpResponse:
        attachment = self._withdrawable(request, owner_pk, pk)
        owner = attachment.owner
        if request.method == "POST":
            services.withdraw(attachment)
            messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.name})
            return redirect(owner.get_absolute_url())
        return render(request, "core/confirm_delete.html", {"object": attachment, "cancel_url": owner.get_absolute_url()})

    def urls(self, prefix: str, name: str) -> list:
        """``<prefix><owner_pk>/files/…`` named ``<name>_attachment_upload``, ``<name>_attachment``, …"""
        def page(method):
            view = login_required(method)
            view.__name__ = method.__name__
            return view

        return [
            path(f"{prefix}<int:owner_pk>/files/new/", page(self.upload), name=f"{name}_attachment_upload"),
            path(f"{prefix}<int:owner_pk>/files/<int:pk>/", page(self.serve), name=f"{name}_attachment"),
            path(f"{prefix}<int:owner_pk>/files/<int:pk>/replace/", page(self.replace),
                 name=f"{name}_attachment_replace"),
            path(f"{prefix}<int:owner_pk>/files/<int:pk>/delete/", page(self.delete), name=f"{name}_attachment_delete"),
        ]
