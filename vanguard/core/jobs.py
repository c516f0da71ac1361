"""Run long work as a background job through Django's task API (django-tasks backport)."""

from __future__ import annotations

import logging
import traceback
from contextlib import ExitStack
from typing import Callable, ContextManager, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .models import Job, JobStatus
from .registry import job_kinds

logger = logging.getLogger(__name__)


class JobActor(NamedTuple):
    """Who submitted a job, and from where: the job acts on their behalf."""

    user_id: int | None
    username: str
    ip: str | None


# Context managers entered around every job run, ``context(actor)``: the audit app registers one
# so that what a job changes is logged as its submitter's doing, not as an anonymous worker's.
_job_contexts: list[Callable[[JobActor], ContextManager]] = []


def register_job_context(context: Callable[[JobActor], ContextManager]) -> None:
    if context not in _job_contexts:
        _job_contexts.append(context)


def runner_for(kind: str, runner: str | None = None) -> str:
    """The dotted path of a kind's runner: the registered one, or ``runner`` for an unregistered kind."""
    registered = job_kinds().get(kind)
    if registered is None:
        if runner is None:
            raise ImproperlyConfigured(f"job kind {kind!r} is not registered (registry.register_job)")
        return runner
    if runner is not None and runner != registered.runner:
        raise ImproperlyConfigured(f"job kind {kind!r} runs {registered.runner}, not {runner}")
    return registered.runner


def start_job(*, kind: str, title: str, user, params: dict, ip: str | None = None, runner: str | None = None) -> Job:
    """Create a Job row and enqueue it once the surrounding transaction commits.

    The runner, ``def run(job: Job) -> dict`` returning the result, is the one registered for
    ``kind`` (``registry.register_job``); ``runner`` names it for a kind not registered.
    """
    job = Job.objects.create(
        kind=kind,
        title=title,
        created_by=user,
        params={**params, "_runner": runner_for(kind, runner), "_actor": [user.pk, user.get_username(), ip]},
    )
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


@task()
def run_job(job_id: str) -> None:
    job = Job.objects.get(pk=job_id)
    actor = JobActor(*job.params.get("_actor", [None, "system", None]))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    try:
        with ExitStack() as stack:
            for context in _job_contexts:
                stack.enter_context(context(actor))
            result = import_string(job.params["_runner"])(job)
        status = JobStatus.SUCCEEDED if not result.get("errors") and not result.get("error") else JobStatus.FAILED
    except Exception as exc:  # the job page must say what happened, not hang "running"
        logger.exception("job %s failed", job_id)
        result = {"error": str(exc) or exc.__class__.__name__, "trace": traceback.format_exc()[-2000:]}
        status = JobStatus.FAILED
    Job.objects.filter(pk=job.pk).update(status=status, result=result, finished_at=timezone.now())
