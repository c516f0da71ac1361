"""The back-fill pages: the template download and the upload that starts an import job (as the roster's)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.activities.models import Meeting
from vanguard.audit.context import client_ip
from vanguard.core.exports import XLSX_MIME
from vanguard.core.jobs import start_job
from vanguard.core.lists import FastSelect, styled
from vanguard.core.policy import orgs_for, require
from vanguard.core.scoping import CHANGE
from vanguard.core.uploads import UploadError, check_upload
from vanguard.orgs.models import Org

from . import backfill

IMPORT_DIR = "imports"


class DefaultOrgForm(forms.Form):
    org = forms.ModelChoiceField(label=gettext_lazy("默认组织"), queryset=Org.objects.none(), required=False,
                                 widget=FastSelect,
                                 help_text=gettext_lazy("“组织”列空白的行记入此组织。"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs_for(user, Meeting, CHANGE).filter(is_active=True).only("pk", "name")
        self.fields["org"].empty_label = _("（按“组织”列）")


@login_required
def meeting_template(request: HttpRequest) -> HttpResponse:
    require(request, Meeting, CHANGE)
    response = HttpResponse(backfill.template_bytes(), content_type=XLSX_MIME)
    # 历史会议补录模板.xlsx
    response["Content-Disposition"] = ("attachment; filename*=UTF-8''%E5%8E%86%E5%8F%B2%E4%BC%9A%E8%AE%AE"
                                       "%E8%A1%A5%E5%BD%95%E6%A8%A1%E6%9D%BF.xlsx")
    return response


@login_required
def meeting_import(request: HttpRequest) -> HttpResponse:
    require(request, Meeting, CHANGE)
    error = None
    form = styled(DefaultOrgForm(request.POST if request.method == "POST" else None, user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            upload = check_upload(request.FILES.get("file"), kinds=("xlsx",))
        except UploadError as exc:
            error = str(exc)
        else:
            folder = Path(settings.MEDIA_ROOT) / IMPORT_DIR
            folder.mkdir(parents=True, exist_ok=True)
            stored = f"{IMPORT_DIR}/{uuid.uuid4()}.xlsx"
            (Path(settings.MEDIA_ROOT) / stored).write_bytes(upload.data)
            org = form.cleaned_data.get("org")
            job = start_job(
                kind="meeting_import",
                title=_("补录历史会议：%(name)s") % {"name": Path(upload.name).name[:150]},
                user=request.user,
                params={"path": stored, "name": Path(upload.name).name[:200], "language": get_language(),
                        "org_id": org.pk if org else None},
                ip=client_ip(request),
            )
            return redirect(job.get_absolute_url())
    return render(request, "compliance/meeting_import.html", {
        "title": _("补录历史会议"),
        "form": form,
        "error": error,
        "max_size": filesizeformat(settings.UPLOAD_MAX_BYTES),
        "max_rows": backfill.max_rows(),
        "headers": backfill.HEADERS,
    })
