"""Shared models: background jobs with progress."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.core.policy import Mine, Policy
from vanguard.core.scoping import ScopedQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class JobQuerySet(ScopedQuerySet):
    def unfinished(self) -> JobQuerySet:
        return self.exclude(status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED))


class Job(models.Model):
    """A long job (import, recomputation, document generation) a user can watch.

    The task itself runs through Django's task API; this row carries what the
    UI shows: progress, and a JSON result (counts, row errors, a file link).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs", verbose_name=_("提交人")
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    # A job is its submitter's alone (its result may hold row errors with personal data).
    policy = Policy(org=None, view=Mine("created_by"), change=Mine("created_by"))

    def get_absolute_url(self) -> str:
        return reverse("core:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    def set_progress(self, done: int, total: int | None = None) -> None:
        fields = {"progress_done": done, "status": JobStatus.RUNNING}
        if total is not None:
            fields["progress_total"] = total
        type(self).objects.filter(pk=self.pk).update(**fields)

    def advance(self, step: int = 1) -> None:
        type(self).objects.filter(pk=self.pk).update(progress_done=F("progress_done") + step)
