"""Roster import pages: the template download and the upload that starts an import job."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vanguard.audit.context import client_ip
from vanguard.core.exports import XLSX_MIME
from vanguard.core.jobs import start_job
from vanguard.core.policy import require
from vanguard.core.uploads import UploadError, check_upload

from . import roster
from .models import Person

IMPORT_DIR = "imports"


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    require(request, Person, "change")
    response = HttpResponse(roster.template_bytes(), content_type=XLSX_MIME)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%90%8D%E5%86%8C%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    require(request, Person, "change")
    error = None
    if request.method == "POST":
        try:
            upload = check_upload(request.FILES.get("file"), kinds=("xlsx",))
        except UploadError as exc:
            error = str(exc)
        else:
            folder = Path(settings.MEDIA_ROOT) / IMPORT_DIR
            folder.mkdir(parents=True, exist_ok=True)
            stored = f"{IMPORT_DIR}/{uuid.uuid4()}.xlsx"
            (Path(settings.MEDIA_ROOT) / stored).write_bytes(upload.data)
            job = start_job(
                kind="roster_import",
                title=_("导入人员名册：%(name)s") % {"name": Path(upload.name).name[:150]},
                runner="vanguard.orgs.roster.run_import_job",
                user=request.user,
                params={"path": stored, "name": Path(upload.name).name[:200], "language": get_language()},
                ip=client_ip(request),
            )
            return redirect(job.get_absolute_url())
    return render(request, "orgs/roster_import.html", {
        "title": _("导入人员名册"),
        "error": error,
        "max_size": filesizeformat(settings.UPLOAD_MAX_BYTES),
        "max_rows": roster.max_rows(),
        "headers": roster.HEADERS,
        "required_headers": roster.REQUIRED_HEADERS,
    })
