"""The assessment's manual inputs and settings (mounted at ``assessment/entries/`` by the appeals app)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import entries_views as views
from .entries_forms import BonusAwardForm, ManualScoreForm, SecretaryItemForm, VetoRecordForm
from .models import BonusAward, ManualScore, SecretaryItem, VetoRecord

app_name = "assessment_entries"

urlpatterns = [
    *views.register("scores", "manual_score", ManualScore, ManualScoreForm, views.ManualScoreListView,
                    (_("新增人工评分"), _("修改人工评分"))),
    *views.register("vetoes", "veto", VetoRecord, VetoRecordForm, views.VetoRecordListView,
                    (_("新增否决记录"), _("修改否决记录"))),
    *views.register("bonuses", "bonus", BonusAward, BonusAwardForm, views.BonusAwardListView,
                    (_("新增加分认定"), _("修改加分认定"))),
    *views.register("secretaries", "secretary_item", SecretaryItem, SecretaryItemForm, views.SecretaryItemListView,
                    (_("新增书记个人考核项"), _("修改书记个人考核项"))),
    path("settings/", views.settings_index, name="settings_index"),
    path("settings/<int:campaign_pk>/", views.SettingsView.as_view(), name="settings_edit"),
]
