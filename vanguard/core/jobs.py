"""Run long work as a background job through Django's task API (django-tasks backport).

A job always ends: whatever its runner does (raises, runs out of memory, returns what cannot be
stored), ``run_job`` records the job as failed with a Chinese message for its page and returns,
so the worker goes on with the next one. A worker that dies mid-job (killed by the system) leaves
its job running; ``fail_interrupted_jobs`` ends those once the worker is gone.
"""

from __future__ import annotations

import json
import logging
from contextlib import ExitStack
from typing import Callable, ContextManager, NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Job, JobStatus
from .registry import job_kinds
from .uploads import UploadError

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
        params={**params, "_runner": runner_for(kind, runner), "_actor": [user.pk, user.get_username(), ip],
                "_language": get_language()},
    )
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def failure_message(exc: BaseException) -> str:
    """What the job's page says about an exception: its own words only when they are meant for users."""
    if isinstance(exc, UploadError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return _("后台任务所需内存超出服务器的承受范围，已中止。请把文件拆小后重试。")
    if isinstance(exc, (SystemExit, KeyboardInterrupt)):
        return _("后台任务因服务停止而中止，请重新提交。")
    return _("后台任务执行出错，已中止。请稍后重试；如仍失败，请联系管理员。")


@task()
def run_job(job_id: str) -> None:
    """Run a job's runner and record how it ended; never raises but to let the worker stop."""
    try:
        job = Job.objects.get(pk=job_id)
    except (Job.DoesNotExist, DatabaseError):
        logger.exception("job %s cannot be loaded", job_id)
        return
    actor = JobActor(*job.params.get("_actor", [None, "system", None]))
    stopping = None
    with translation.override(job.params.get("_language") or settings.LANGUAGE_CODE):
        try:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
            with ExitStack() as stack:
                for context in _job_contexts:
                    stack.enter_context(context(actor))
                result = import_string(job.params["_runner"])(job)
            status = JobStatus.SUCCEEDED if not result.get("errors") and not result.get("error") else JobStatus.FAILED
        except BaseException as exc:  # the job page must say what happened, not hang "running"
            logger.exception("job %s failed", job_id)
            result, status = {"error": failure_message(exc)}, JobStatus.FAILED
            if isinstance(exc, (SystemExit, KeyboardInterrupt)):
                stopping = exc  # the worker is being stopped: record the job, then let it stop
        _finish(job, status, result)
    if stopping is not None:
        raise stopping


def _finish(job: Job, status: str, result: dict) -> None:
    try:
        json.dumps(result)
    except (TypeError, ValueError):  # a result that is no JSON: the job cannot report it
        logger.exception("job %s returned a result that cannot be stored", job.pk)
        status, result = JobStatus.FAILED, {"error": failure_message(TypeError())}
    try:
        Job.objects.filter(pk=job.pk).update(status=status, result=result, finished_at=timezone.now())
    except DatabaseError:  # the database refuses even the outcome (locked or gone): the worker goes on
        logger.exception("job %s: its outcome could not be saved", job.pk)


def fail_interrupted_jobs(worker_id: str) -> int:
    """End as failed the jobs a worker was running when it died; how many.

    For the database task backend: its task rows remember which worker claimed them. Call this only
    once that worker is gone (the Start command does after its worker exits).
    """
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.running().filter(task_path=run_job.module_path)
    abandoned = [row for row in running if row.worker_ids[-1:] == [worker_id]]
    if not abandoned:
        return 0
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        message = _("后台任务在执行中被中断（后台服务意外退出），请重新提交。")
    with transaction.atomic():
        count = (Job.objects.unfinished().filter(pk__in=[row.args_kwargs["args"][0] for row in abandoned])
                 .update(status=JobStatus.FAILED, result={"error": message}, finished_at=now))
        DBTaskResult.objects.filter(pk__in=[row.pk for row in abandoned]).update(
            status=TaskResultStatus.FAILED, finished_at=now, exception_class_path="", traceback="worker exited")
    return count
