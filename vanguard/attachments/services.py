"""Storing, replacing and withdrawing attachments: checked first, saved whole or not at all.

Every file goes through ``vanguard.core.uploads.check_upload`` (size, content that matches the
name, no second format hidden inside, zip containers within their limits). Pictures are then
decoded and written again by Pillow: what is stored and later shown is pixels the server drew —
no metadata (a phone photo's GPS position stays on the phone), no bytes appended after the
image, upright (EXIF orientation applied), at most ``MAX_IMAGE_EDGE`` pixels on its long side.

Checking takes time, so it happens before the transaction; the file is written to storage before
the row and removed again when the row is not saved. A withdrawn or replaced file leaves storage
once the change is committed.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.audit.models import AuditAction
from vanguard.audit.services import record
from vanguard.core.policy import can
from vanguard.core.scoping import CHANGE
from vanguard.core.uploads import CheckedUpload, UploadError, check_upload

from .models import IMAGE_KINDS, Attachment

# Photos, scans, minutes and slides: what a meeting's or an inspection's record holds.
DOCUMENT_KINDS = ("jpeg", "png", "pdf", "docx", "xlsx", "pptx")
MAX_IMAGE_EDGE = 2560
# Decoding a picture costs memory by its pixels, whatever its file size: 40 megapixels is more than
# any phone takes and 160 MB of RGBA at most.
MAX_IMAGE_PIXELS = 40_000_000
MAX_FILES_PER_UPLOAD = 20


@dataclass(frozen=True)
class Prepared:
    """A checked upload, ready to store: the bytes that will be kept."""

    name: str
    kind: str
    data: bytes


def _display_name(name: str) -> str:
    """The uploader's file name for display and download: no path, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or _("附件")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190] + dot + ext[:9]) if dot else name[:200]
    return name


def _redraw_image(checked: CheckedUpload) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(checked.data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UploadError(_("图片尺寸过大（%(w)d×%(h)d 像素），请缩小后再上传。")
                                  % {"w": image.width, "h": image.height})
            expected = "JPEG" if checked.kind == "jpeg" else "PNG"
            if image.format != expected:
                raise UploadError(_("文件内容与扩展名不符：这不是有效的 %(kind)s 图片。") % {"kind": expected})
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_IMAGE_EDGE, MAX_IMAGE_EDGE))
            out = io.BytesIO()
            if checked.kind == "jpeg":
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
            else:
                image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except UploadError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own limit, met before ours when a header claims more
        raise UploadError(_("图片尺寸过大，请缩小后再上传。")) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UploadError(_("图片已损坏或格式不受支持，无法读取。")) from exc


def prepare(upload, kinds: tuple[str, ...] = DOCUMENT_KINDS, max_bytes: int | None = None) -> Prepared:
    """Check one uploaded file (``UploadError`` with the reason) and return what would be stored."""
    checked = check_upload(upload, kinds=kinds, max_bytes=max_bytes)
    data = _redraw_image(checked) if checked.kind in IMAGE_KINDS else checked.data
    return Prepared(name=_display_name(checked.name), kind=checked.kind, data=data)


def prepare_all(uploads: list, kinds: tuple[str, ...] = DOCUMENT_KINDS) -> list[Prepared]:
    """Check every file of one submission; one refused file refuses them all (nothing half-saved)."""
    if not uploads:
        raise UploadError(_("请选择要上传的文件。"))
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise UploadError(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES_PER_UPLOAD})
    prepared = []
    for upload in uploads:
        try:
            prepared.append(prepare(upload, kinds))
        except UploadError as exc:
            raise UploadError(_("“%(name)s”未能上传：%(reason)s") % {
                "name": _display_name(getattr(upload, "name", "") or ""), "reason": exc}) from exc
    return prepared


def _fill(attachment: Attachment, prepared: Prepared, user) -> None:
    attachment.name, attachment.kind = prepared.name, prepared.kind
    attachment.size, attachment.sha256 = len(prepared.data), hashlib.sha256(prepared.data).hexdigest()
    attachment.uploaded_by = user if getattr(user, "is_authenticated", False) else None
    # Written now, outside the transaction; the name comes from the kind, never from the upload.
    attachment.file.save(prepared.name, ContentFile(prepared.data), save=False)


def _remove_files(names: list[str], storage) -> None:
    for name in names:
        if name:
            storage.delete(name)


def attach(model: type[Attachment], owner, prepared: list[Prepared], user) -> list[Attachment]:
    """Store checked files as attachments of ``owner``, all or none."""
    created: list[Attachment] = []
    storage = model._meta.get_field("file").storage
    try:
        for item in prepared:
            attachment = model(**{model.owner_field: owner})
            _fill(attachment, item, user)
            created.append(attachment)
        with transaction.atomic():
            for attachment in created:
                attachment.save()
            record(AuditAction.UPDATE, owner, message=_("上传附件：%(names)s") % {
                "names": "、".join(a.name for a in created)})
    except BaseException:
        _remove_files([a.file.name for a in created], storage)
        raise
    return created


def may_withdraw(user, attachment: Attachment) -> bool:
    """Editors of the owner may always; the uploader until the owner locks its files (reviewed)."""
    if can(user, attachment.owner, CHANGE):
        return True
    return attachment.uploaded_by_id == user.pk and not attachment.locked()


def withdraw(attachment: Attachment) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        attachment.delete()
        record(AuditAction.UPDATE, attachment.owner, message=_("删除附件：%(name)s") % {"name": attachment.name})
        transaction.on_commit(lambda: storage.delete(name))


def replace(attachment: Attachment, prepared: Prepared, user) -> Attachment:
    """Put a new file in place of an attachment's (same record; the old file goes after the commit)."""
    storage, old_name, old_label = attachment.file.storage, attachment.file.name, attachment.name
    _fill(attachment, prepared, user)
    try:
        with transaction.atomic():
            attachment.save()
            record(AuditAction.UPDATE, attachment.owner, message=_("替换附件：%(old)s → %(new)s") % {
                "old": old_label, "new": attachment.name})
            transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        _remove_files([attachment.file.name], storage)
        raise
    return attachment
