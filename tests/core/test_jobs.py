"""A job always ends, whatever its runner does, and the worker goes on (vanguard.core.jobs)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vanguard.core.jobs import fail_interrupted_jobs, run_job
from vanguard.core.models import Job, JobStatus
from vanguard.core.uploads import UploadError

pytestmark = pytest.mark.django_db


def raises_value_error(job):
    raise ValueError("internal detail: /srv/secret/path")


def raises_upload_error(job):
    raise UploadError("文件解压后过大（5.0 GB），上限为 128.0 MB。")


def runs_out_of_memory(job):
    raise MemoryError


def returns_what_json_cannot_hold(job):
    return {"when": datetime.date(2026, 1, 1)}


def is_stopped(job):
    raise SystemExit(1)


def job_for(cast, runner: str) -> Job:
    return Job.objects.create(kind="test", title="测试作业", created_by=cast.clerk,
                              params={"_runner": f"tests.core.test_jobs.{runner}",
                                      "_actor": [cast.clerk.pk, cast.clerk.username, None]})


@pytest.mark.parametrize("runner,message", [
    ("raises_value_error", "后台任务执行出错，已中止。请稍后重试；如仍失败，请联系管理员。"),
    ("raises_upload_error", "文件解压后过大（5.0 GB），上限为 128.0 MB。"),
    ("runs_out_of_memory", "后台任务所需内存超出服务器的承受范围，已中止。请把文件拆小后重试。"),
    ("returns_what_json_cannot_hold", "后台任务执行出错，已中止。请稍后重试；如仍失败，请联系管理员。"),
])
def test_a_failing_runner_ends_its_job_as_failed_and_the_worker_goes_on(cast, runner, message):
    job = job_for(cast, runner)
    assert run_job.call(str(job.pk)) is None  # returned: nothing reaches the worker
    job.refresh_from_db()
    assert (job.status, job.result) == (JobStatus.FAILED, {"error": message})
    assert job.finished_at is not None
    assert "/srv/secret" not in str(job.result)  # internals stay in the log


def test_a_worker_being_stopped_records_the_job_then_stops(cast):
    job = job_for(cast, "is_stopped")
    with pytest.raises(SystemExit):
        run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result == {"error": "后台任务因服务停止而中止，请重新提交。"}


def test_a_job_that_no_longer_exists_is_skipped(cast):
    job = job_for(cast, "raises_value_error")
    job_id = str(job.pk)
    job.delete()
    assert run_job.call(job_id) is None


def task_row(job: Job, worker: str, status=TaskResultStatus.RUNNING) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [str(job.pk)], "kwargs": {}}, task_path=run_job.module_path,
        backend_name="default", run_after=timezone.now(), worker_ids=[worker], exception_class_path="",
        traceback="")


def test_jobs_a_dead_worker_was_running_end_as_failed_and_no_others(cast):
    killed = job_for(cast, "raises_value_error")
    elsewhere = job_for(cast, "raises_value_error")
    done = job_for(cast, "raises_value_error")
    for job in (killed, elsewhere, done):
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    Job.objects.filter(pk=done.pk).update(status=JobStatus.SUCCEEDED)
    killed_row = task_row(killed, "start-sh-1")
    task_row(elsewhere, "start-sh-2")
    task_row(done, "start-sh-1", status=TaskResultStatus.SUCCESSFUL)

    call_command("fail_interrupted_jobs", worker_id="start-sh-1")

    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {killed.pk: JobStatus.FAILED, elsewhere.pk: JobStatus.RUNNING, done.pk: JobStatus.SUCCEEDED}
    killed.refresh_from_db()
    assert killed.result == {"error": "后台任务在执行中被中断（后台服务意外退出），请重新提交。"}
    killed_row.refresh_from_db()
    assert killed_row.status == TaskResultStatus.FAILED  # and the worker will not pick it up again
    assert fail_interrupted_jobs("start-sh-1") == 0
