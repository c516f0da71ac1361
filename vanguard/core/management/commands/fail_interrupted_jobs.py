"""End the jobs a dead background worker left running (the Start command runs it after a worker exits)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from vanguard.core.jobs import fail_interrupted_jobs


class Command(BaseCommand):
    help = "Mark as failed the jobs the given db_worker was running when it exited (run it once that worker is gone)."

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", required=True, help="the --worker-id the exited db_worker ran with")

    def handle(self, *args, worker_id: str, **options):
        count = fail_interrupted_jobs(worker_id)
        if count:
            self.stdout.write(f"{count} interrupted job(s) marked as failed")
