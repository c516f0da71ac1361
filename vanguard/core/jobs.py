"""Run long work as a background job through Django's task API (django-tasks backport)."""

from __future__ import annotations

import logging
import traceback

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from vanguard.audit.context import Actor, acting_as

from .models import Job, JobStatus

logger = logging.getLogger(__name__)


def start_job(*, kind: str, title: str, runner: str, user, params: dict, ip: str | None = None) -> Job:
    """Create a Job row and enqueue it once the surrounding transaction commits.

    ``runner`` is the dotted path of ``def run(job: Job) -> dict`` returning the result.
    """
    job = Job.objects.create(
        kind=kind,
        title=title,
        created_by=user,
        params={**params, "_runner": runner, "_actor": [user.pk, user.get_username(), ip]},
    )
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


@task()
def run_job(job_id: str) -> None:
    job = Job.objects.get(pk=job_id)
    user_id, username, ip = job.params.get("_actor", [None, "system", None])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    try:
        with acting_as(Actor(user_id=user_id, username=username, ip=ip)):
            result = import_string(job.params["_runner"])(job)
        status = JobStatus.SUCCEEDED if not result.get("errors") and not result.get("error") else JobStatus.FAILED
    except Exception as exc:  # the job page must say what happened, not hang "running"
        logger.exception("job %s failed", job_id)
        result = {"error": str(exc) or exc.__class__.__name__, "trace": traceback.format_exc()[-2000:]}
        status = JobStatus.FAILED
    Job.objects.filter(pk=job.pk).update(status=status, result=result, finished_at=timezone.now())
