"""The background job of a recompute (job kind ``assessment_recompute``, registered by the pages)."""

from __future__ import annotations

from .models import Snapshot


def run_recompute(job) -> dict:
    """Job runner: fill the job's 计算中 snapshot (``services.compute``), reporting progress on the job.

    A failure marks the snapshot 计算失败 and is raised on, for the job to record as failed.
    """
    from . import services

    snapshot = Snapshot.objects.select_related("campaign").get(pk=job.params["snapshot_id"])
    snapshot = services.compute(snapshot, progress=job.set_progress)
    return {"snapshot_id": snapshot.pk, "campaign_id": snapshot.campaign_id, "version": snapshot.version,
            **snapshot.figures}
