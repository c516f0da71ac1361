"""The assessment at scale: a full recompute of the demo campaign, its parts, and a raw-SQL yardstick.

    DATABASE_URL=postgres://.../vanguard_bench_m DJANGO_SETTINGS_MODULE=benchmarks.settings \\
        python benchmarks/assessment.py [--repeat 1] [--profile]

On a database loaded with ``seed_demo --scale M`` (3,000 orgs, 60,000 people, a year of records)
and PostgreSQL, it prints, in one run:

1. the time of a full recompute of the first campaign (``assessment.services.recompute_now``:
   gathering every input, scoring every org, member and secretary, ranking, writing the
   results) — target ≤ 10 s — and its parts as the snapshot records them, the metrics part
   (``activities.metrics.compute_all``) among them;
2. the time of hand-written PostgreSQL statements over the same records as the yardstick: the
   core metrics' statement of ``benchmarks/orglife.py`` (三会一课完成率, 参会率, 主题党日) and the
   members' attendance (``MEMBER_ATTENDANCE_SQL``), with the metrics part as a multiple of them
   (target ≤ 3×). The yardstick computes four of the metrics the recompute computes all of (the
   four that read the most rows), so the ratio errs on the side of the metrics part;
3. the load average beside the figures: the machine may be shared, the ratios stay comparable.

Each recompute runs inside a transaction that is rolled back: the database is left as it was
(other benchmarks measure on it). ``--profile`` prints the recompute's 25 costliest functions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_RECOMPUTE_S = 10.0
TARGET_RATIO = 3.0

# Each member's attendance over the counted meetings of the assessed period (the member metric
# ``attendance_rate``), written for PostgreSQL from its definition: a meeting counts when held,
# dated, with topic and minutes, someone expected and every expected person marked (its stored
# figures, as ``activities.models.counted_q`` reads them).
MEMBER_ATTENDANCE_SQL = """
SELECT a.person_id, round(100.0 * count(*) FILTER (WHERE a.status = 'present') / count(*), 1)
FROM activities_attendance a JOIN activities_meeting m ON m.id = a.meeting_id JOIN orgs_org o ON o.id = m.org_id
WHERE o.path LIKE %(path)s AND m.status = 'held' AND m.held_on BETWEEN %(start)s AND %(end)s
  AND m.topic <> '' AND m.minutes <> '' AND m.attendance_expected > 0 AND m.attendance_open = 0
GROUP BY a.person_id
"""


class Rollback(Exception):
    """Raised to roll the benchmark's writes back."""


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()


def recompute_once(campaign, profile: bool):
    """(seconds, snapshot figures) of one recompute, rolled back."""
    from django.db import transaction

    from vanguard.assessment import services

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    found = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            snapshot = services.recompute_now(campaign, None, note="benchmark")
            if profiler:
                profiler.disable()
            found["seconds"] = time.perf_counter() - started
            found["figures"] = snapshot.figures
            found["results"] = snapshot.results.count()
            raise Rollback
    except Rollback:
        pass
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return found


def member_attendance(campaign, period):
    from django.db import connection

    params = {"path": campaign.scope_org.path + "%", "start": period[0], "end": period[1]}
    with connection.cursor() as cursor:
        cursor.execute(MEMBER_ATTENDANCE_SQL, params)
        return cursor.fetchall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="recomputes (the best is reported)")
    parser.add_argument("--profile", action="store_true", help="profile one recompute")
    args = parser.parse_args(argv)
    setup_django()

    from django.db import connection

    from orglife import raw_core, timed
    from vanguard.activities.metrics import assessed_period
    from vanguard.campaigns.models import Campaign

    campaign = Campaign.objects.select_related("scope_org").order_by("pk").first()
    if campaign is None:
        raise SystemExit("no campaign in the database: run seed_demo first")
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (the yardstick is written for it)")
    period = assessed_period(campaign)
    print(f"== assessment recompute of “{campaign.name}” ({connection.vendor}; assessed {period[0]} – {period[1]}) ==")

    runs = [recompute_once(campaign, args.profile and n == 0) for n in range(args.repeat)]
    best = min(runs, key=lambda run: run["seconds"])
    seconds, figures = best["seconds"], best["figures"]
    parts = figures["seconds"]
    core_seconds, _rows = timed(lambda: raw_core(campaign, period), 3)
    member_seconds, _members = timed(lambda: member_attendance(campaign, period), 3)
    yardstick = core_seconds + member_seconds

    ok = seconds <= TARGET_RECOMPUTE_S
    print(f"  full recompute: {seconds:.2f} s (target ≤ {TARGET_RECOMPUTE_S:.0f} s: "
          f"{'OK' if ok else 'ABOVE TARGET'}); {best['results']} results: {figures['orgs']} orgs, "
          f"{figures['members']} members, {figures['secretaries']} secretaries")
    print("  its parts: " + ", ".join(f"{name} {value:.2f} s" for name, value in parts.items())
          + f" ({figures['distinct_scorings']} distinct scorings)")
    ratio = parts["metrics"] / yardstick
    ok &= ratio <= TARGET_RATIO
    print(f"  yardstick (hand-written SQL): core org metrics {core_seconds * 1000:.0f} ms + member attendance "
          f"{member_seconds * 1000:.0f} ms = {yardstick * 1000:.0f} ms")
    print(f"  metrics part {parts['metrics']:.2f} s = {ratio:.2f}× the yardstick (target ≤ {TARGET_RATIO:.0f}×: "
          f"{'OK' if ratio <= TARGET_RATIO else 'ABOVE TARGET'}); full recompute = {seconds / yardstick:.1f}× it")
    print("  load average during the run: " + " ".join(f"{load:.1f}" for load in os.getloadavg())
          + f" on {os.cpu_count()} CPUs")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
