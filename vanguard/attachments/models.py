"""The abstract attachment: what every app's file record holds.

An app subclasses it with the foreign key to the record the files belong to and that record's
policy path (a file is seen by whoever may see its owner)::

    class MeetingAttachment(Attachment):
        owner_field = "meeting"
        meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
        objects = ScopedQuerySet.as_manager()
        policy = Policy(org="meeting__org", view=..., change=...)

Files live under MEDIA_ROOT (``var/media`` by default, outside the static root), under a random
name: nothing of the uploader's name reaches the file system, and no URL serves them but the
owner-checking view.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What a browser may show inline: pictures and PDF. Everything else downloads.
PREVIEWABLE_KINDS = frozenset({"png", "jpeg", "pdf"})
IMAGE_KINDS = frozenset({"png", "jpeg"})
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EXTENSION_OF = {"png": ".png", "jpeg": ".jpg", "pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "pptx": ".pptx"}


def stored_name(instance: "Attachment", filename: str) -> str:
    """``<app>/<model>/<year>/<random><ext>``: the extension from the checked kind, never the upload's name."""
    meta = instance._meta
    return f"{meta.app_label}/{meta.model_name}/{instance.uploaded_at_year()}/{secrets.token_hex(16)}" \
           f"{EXTENSION_OF.get(instance.kind, '')}"


class Attachment(models.Model):
    # The name of the foreign key to the owning record, set by each concrete model.
    owner_field: str = ""

    file = models.FileField(_("文件"), upload_to=stored_name, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    def uploaded_at_year(self) -> int:
        from django.utils import timezone

        return (self.uploaded_at or timezone.now()).year

    def locked(self) -> bool:
        """Whether the uploader may no longer withdraw or replace the file.

        An owner that is reviewed (a rectification report, a care record) overrides this to say
        so once the review happened; editors of the owner may always.
        """
        return False

    @property
    def owner(self):
        return getattr(self, self.owner_field)

    @property
    def owner_id(self) -> int:
        return getattr(self, f"{self.owner_field}_id")

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS

    @property
    def is_previewable(self) -> bool:
        return self.kind in PREVIEWABLE_KINDS

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.kind, "application/octet-stream")
