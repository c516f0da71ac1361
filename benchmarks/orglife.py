"""Organisational life at scale: every metric of a campaign, a raw-SQL yardstick, and the compliance pages.

    DATABASE_URL=postgres://... python benchmarks/orglife.py [--base http://127.0.0.1:8000]
        [--repeat 3] [--requests 200] [--concurrency 16]

On a database loaded with ``seed_demo --scale M`` (3,000 orgs, 60,000 people, a year of meetings)
and PostgreSQL, it prints:

1. the time to compute every registered metric (org and member) for every org and member of
   the demo campaign: each metric alone, and all of them at once as the scoring engine computes
   them (``activities.metrics.compute_all``, which computes what several metrics share once) —
   that total has the target (under 2 s) — each the best of ``--repeat`` runs, after checking
   that both give the same figures;
2. in the same run, the time of one hand-written PostgreSQL statement that computes the three
   core metrics (三会一课完成率, 参会率, 主题党日开展次数) for every org, against the time of
   those three registered metrics, as a ratio (target: at most 3×), after checking that both give
   the same figures;
3. with ``--base`` (a running server with the same database, loopback only): p50 and p95 of the
   unit compliance table (the demo ``secretary``'s unit), the same table for the whole bureau
   (``admin``) and a branch's heatmap (the demo ``clerk``'s branch) at ``--concurrency`` clients,
   through ``load.py``'s client, with the people list measured alongside for scale.

It reads the database in-process with the project's settings (``DJANGO_SETTINGS_MODULE``,
default ``vanguard.settings``) and writes nothing.
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

from load import check_loopback, login, percentile, run_scenario  # noqa: E402

TARGET_METRICS_S = 2.0
TARGET_RATIO = 3.0
CORE = ("three_meetings_one_lesson_rate", "attendance_rate", "themed_day_held")

# The three core metrics in one statement, written for PostgreSQL from the definitions (the rules'
# periods wholly inside the assessed period, required of an org that existed for all of them; a
# meeting counts when held, dated, with topic and minutes and everyone expected marked; a 党小组's
# figures are its branch's).
CORE_SQL = """
WITH scope AS (
    SELECT id, org_type, category_id, established_on, dissolved_on, is_active,
           CASE WHEN org_type = 'group' AND parent_id IS NOT NULL THEN parent_id ELSE id END AS owner
    FROM orgs_org WHERE path LIKE %(path)s
),
counted AS (
    SELECT m.id, m.org_id, m.kind, m.held_on, m.by_secretary
    FROM activities_meeting m JOIN scope s ON s.id = m.org_id
    WHERE m.status = 'held' AND m.held_on BETWEEN %(start)s AND %(end)s AND m.topic <> '' AND m.minutes <> ''
      AND EXISTS (SELECT 1 FROM activities_attendance a WHERE a.meeting_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM activities_attendance a WHERE a.meeting_id = m.id
                      AND (a.status = '' OR a.provisional))
),
periods AS (
    SELECT r.id AS rule_id, r.kind, r.by_secretary, r.minimum, r.org_types, r.category_ids,
           make_date(%(year)s, (p.idx - 1) * r.months + 1, 1) AS starts,
           (make_date(%(year)s, (p.idx - 1) * r.months + 1, 1) + make_interval(months => r.months)
            - interval '1 day')::date AS ends
    FROM (SELECT *, CASE period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 ELSE 12 END AS months
          FROM compliance_frequencyrule
          WHERE is_active AND kind IN ('branch_general_meeting', 'committee_meeting', 'group_meeting',
                                       'party_lecture')) r
    CROSS JOIN LATERAL generate_series(1, 12 / r.months) AS p(idx)
),
due AS (
    SELECT s.owner, s.id AS org_id, p.*
    FROM scope s JOIN periods p ON p.org_types ? s.org_type
        AND (jsonb_array_length(p.category_ids) = 0 OR p.category_ids @> to_jsonb(s.category_id))
    WHERE p.ends <= %(end)s
      AND (s.established_on IS NULL OR s.established_on <= p.starts)
      AND (s.dissolved_on IS NULL OR s.dissolved_on > p.ends)
      AND (s.is_active OR s.dissolved_on IS NOT NULL)
),
per_period AS (
    SELECT d.owner, d.minimum, count(c.id) AS held
    FROM due d LEFT JOIN counted c ON c.org_id = d.org_id AND c.kind = d.kind
        AND c.held_on BETWEEN d.starts AND d.ends AND (NOT d.by_secretary OR c.by_secretary)
    GROUP BY d.owner, d.org_id, d.rule_id, d.starts, d.minimum
),
rates AS (
    SELECT owner, 100.0 * count(*) FILTER (WHERE held >= minimum) / count(*) AS rate
    FROM per_period GROUP BY owner
),
attendance AS (
    SELECT s.owner, count(*) AS expected, count(*) FILTER (WHERE a.status = 'present') AS present
    FROM counted c JOIN scope s ON s.id = c.org_id JOIN activities_attendance a ON a.meeting_id = c.id
    GROUP BY s.owner
),
themed AS (
    SELECT s.owner, count(*) AS n FROM counted c JOIN scope s ON s.id = c.org_id
    WHERE c.kind = 'themed_day' GROUP BY s.owner
)
SELECT o.id, r.rate, 100.0 * a.present / NULLIF(a.expected, 0), t.n, o.org_type
FROM scope o LEFT JOIN rates r ON r.owner = o.id LEFT JOIN attendance a ON a.owner = o.id
    LEFT JOIN themed t ON t.owner = o.id
WHERE o.is_active
"""


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")
    import django

    django.setup()


def timed(fn, repeat: int):
    """(best seconds, last result) of ``repeat`` calls."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def raw_core(campaign, period):
    from django.db import connection

    params = {"path": campaign.scope_org.path + "%", "start": period[0], "end": period[1], "year": campaign.year}
    with connection.cursor() as cursor:
        cursor.execute(CORE_SQL, params)
        return cursor.fetchall()


def differences(rows, computed) -> list[str]:
    """Where the raw statement and the registered metrics disagree (rounding to 0.1 aside)."""
    problems = []
    for org_id, rate, attendance, themed, org_type in rows:
        expected = {
            "three_meetings_one_lesson_rate": None if rate is None else round(float(rate), 1),
            "attendance_rate": None if attendance is None else round(float(attendance), 1),
            "themed_day_held": (themed or 0) if org_type == "branch" else themed,
        }
        for code, value in expected.items():
            got = computed[code].get(org_id)
            same = got == value or (got is not None and value is not None and abs(got - value) <= 0.1)
            if not same:
                problems.append(f"{code} of org {org_id}: metric {got!r}, raw SQL {value!r}")
    return problems


def metrics_report(repeat: int) -> bool:
    from django.db import connection

    from vanguard.activities.metrics import assessed_period, compute_all
    from vanguard.campaigns.models import Campaign
    from vanguard.core import registry

    campaign = Campaign.objects.select_related("scope_org").order_by("pk").first()
    if campaign is None:
        raise SystemExit("no campaign in the database: run seed_demo first")
    period = assessed_period(campaign)
    print(f"== metrics of “{campaign.name}” ({connection.vendor}; assessed {period[0]} – {period[1]}) ==")
    ok = True
    alone, computed, org_seconds = 0.0, {}, {}
    print("  each metric alone:")
    for subject in ("org", "member"):
        for code, metric in sorted(registry.metrics(subject).items()):
            seconds, values = timed(lambda m=metric: m.compute(campaign), repeat)
            alone += seconds
            computed[(subject, code)] = values
            if subject == "org":
                org_seconds[code] = seconds
            known = sum(v is not None for v in values.values())
            print(f"  {subject:6} {code:34} {seconds * 1000:8.1f} ms  ({len(values)} subjects, {known} with a value)")
    print(f"  sum of the metrics alone: {alone:.3f} s")
    total, together = timed(lambda: compute_all(campaign), repeat)
    apart = sorted(f"{subject} {code}" for (subject, code), values in together.items()
                   if values != computed[(subject, code)])
    verdict = "OK" if total < TARGET_METRICS_S else "ABOVE TARGET"
    ok &= total < TARGET_METRICS_S and not apart
    print(f"  all metrics, all orgs and members, at once (compute_all): {total:.3f} s "
          f"(target < {TARGET_METRICS_S:.0f} s: {verdict}); "
          f"{'same figures as alone' if not apart else 'differ from alone: ' + ', '.join(apart)}")
    computed = {code: values for (subject, code), values in computed.items() if subject == "org"}

    core_orm = sum(org_seconds[code] for code in CORE)
    if connection.vendor != "postgresql":
        print("  raw-SQL yardstick: PostgreSQL only, skipped")
        return ok
    raw_seconds, rows = timed(lambda: raw_core(campaign, period), repeat)
    problems = differences(rows, computed)
    ratio = core_orm / raw_seconds
    verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    ok &= ratio <= TARGET_RATIO and not problems
    print(f"  three core metrics: registered {core_orm * 1000:.1f} ms, hand-written SQL {raw_seconds * 1000:.1f} ms, "
          f"ratio {ratio:.2f}× (target ≤ {TARGET_RATIO:.0f}×: {verdict}); "
          f"{'same figures for all ' + str(len(rows)) + ' orgs' if not problems else str(len(problems)) + ' differ'}")
    # For a loaded machine: the whole run in units of the same run's hand-written statement.
    print(f"  all metrics at once: {total / raw_seconds:.2f}× the hand-written SQL of the three core metrics")
    for problem in problems[:10]:
        print(f"    differs: {problem}")
    return ok


def pages_report(base: str, requests: int, concurrency: int, max_seconds: float) -> bool:
    from vanguard.accounts.models import RoleGrant

    host, port = check_loopback(base)
    unit = RoleGrant.objects.filter(user__username="secretary").values_list("org_id", flat=True).first()
    branch = RoleGrant.objects.filter(user__username="clerk").values_list("org_id", flat=True).first()
    scenarios = (
        ("unit compliance table (secretary, own unit)", "secretary", f"/compliance/?unit={unit}"),
        ("unit compliance table (admin, whole bureau)", "admin", "/compliance/"),
        ("org heatmap (clerk, own branch)", "clerk", f"/compliance/orgs/{branch}/"),
        # For scale: a list page of another app, measured in the same run on the same machine.
        ("yardstick: people list (secretary)", "secretary", "/orgs/people/"),
    )
    print(f"== compliance pages at {concurrency} concurrent clients ({base}) ==")
    ok = True
    for label, user, path in scenarios:
        cookie = login(host, port, user)
        result = run_scenario(host, port, label, path, cookie, requests, concurrency, max_seconds, warmup=2)
        if result.errors:
            ok = False
            print(f"  {label}: {len(result.errors)} errors ({', '.join(sorted(set(result.errors))[:3])})")
            continue
        lat = result.latencies
        print(f"  {label:46} GET {path:28} p50 {percentile(lat, 50) * 1000:7.1f} ms  "
              f"p95 {percentile(lat, 95) * 1000:7.1f} ms  max {max(lat) * 1000:7.1f} ms  "
              f"{len(lat) / result.elapsed:6.1f} req/s  ({len(lat)} requests)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="a running server on the same database (loopback), for the page timings")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each computation (the best is reported)")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time bound per page")
    args = parser.parse_args(argv)
    setup_django()
    ok = metrics_report(args.repeat)
    if args.base:
        print()
        ok &= pages_report(args.base, args.requests, args.concurrency, args.max_seconds)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
