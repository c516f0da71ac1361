from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.core.lists import Column, ObjectListView, SearchFilterSet, attr
from vanguard.core.views import ScopedFormView

from .forms import InspectionForm
from .models import Inspection


class InspectionFilterSet(SearchFilterSet):
    search_fields = ("title", "org__name")

    class Meta:
        model = Inspection
        fields = ["q", "announced", "finished"]


class InspectionListView(ObjectListView):
    model = Inspection
    filterset_class = InspectionFilterSet
    related = ("org", "inspector")
    ordering = ("-starts_on", "-pk")
    title = export_name = _("督查")
    create_url = "exampleapp:inspection_create"
    columns = [
        Column(_("督查事项"), attr("title"), sort="title"),
        Column(_("被督查组织"), attr("org.name"), sort="org__path"),
        Column(_("督查员"), attr("inspector.username")),
        Column(_("开始日期"), attr("starts_on"), sort="starts_on"),
        Column(_("事先通知"), attr("announced")),
    ]


class InspectionCreateView(ScopedFormView):
    model = Inspection
    form_class = InspectionForm
    title = _("新建督查")

    def success_url(self, obj) -> str:
        return reverse("exampleapp:inspection_list")

    def cancel_url(self) -> str:
        return reverse("exampleapp:inspection_list")
