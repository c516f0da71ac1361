"""Time the export of every person over HTTP and the import of a 10,000-row roster.

    DATABASE_URL=... python benchmarks/import_export.py --base http://127.0.0.1:8000 [--rows 10000]

1. Export: GET /orgs/people/?export=xlsx as ``admin`` through the running server; time to the last
   byte, file size, and the data rows counted with openpyxl (read-only) against the database.
2. Import: writes a roster .xlsx with the template's Chinese headers (new people in existing
   branches) and times ``manage.py import_roster FILE --user admin`` as a subprocess.

Uses the same database settings as the server (environment), to pick branches and check counts.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import check_loopback, login  # noqa: E402

TARGET_IMPORT_S = 30.0
TARGET_EXPORT_S = 10.0
FALLBACK_HEADERS = ["姓名", "性别", "民族", "出生日期", "身份证号码", "手机号码", "学历", "岗位职务", "工作单位",
                    "所在组织", "政治面貌", "入党日期", "转正日期", "困难党员", "生产骨干", "技术骨干", "管理骨干"]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")
    import django

    django.setup()


def roster_headers() -> list[str]:
    try:
        from vanguard.orgs import roster
    except ImportError:
        return FALLBACK_HEADERS
    for name in ("HEADERS", "ROSTER_HEADERS"):
        if hasattr(roster, name):
            return list(getattr(roster, name))
    return FALLBACK_HEADERS


def make_roster(path: Path, rows: int, seed: int = 2026) -> int:
    """A roster of ``rows`` new people spread over the existing branches; returns the row count."""
    from openpyxl import Workbook

    from vanguard.orgs import idcard
    from vanguard.orgs.demo import add_years
    from vanguard.orgs.models import Education, Org, OrgType, Person

    rng = random.Random(seed)
    branches = list(Org.objects.filter(org_type=OrgType.BRANCH, is_active=True).order_by("path")
                    .values_list("name", flat=True))
    if not branches:
        raise SystemExit("no branches in the database: run seed_demo first")
    existing = set(Person.objects.values_list("id_card", flat=True))
    headers = roster_headers()
    statuses = [("正式党员", 65), ("预备党员", 5), ("入党积极分子", 5), ("群众", 25)]
    educations = [str(label) for _value, label in Education.choices]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员名册")
    sheet.append(headers)
    seen: set[str] = set()
    for i in range(rows):
        male = rng.random() < 0.7
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(36 * 365))
        while True:
            number = idcard.make("110105", born, rng.randrange(500) * 2 + (1 if male else 0))
            if number not in existing and number not in seen:
                seen.add(number)
                break
        status = rng.choices([s for s, _ in statuses], weights=[w for _, w in statuses])[0]
        join = full = None
        if status == "正式党员":
            join = min(add_years(born, 20) + timedelta(days=rng.randrange(3000)), date(2024, 6, 30))
            full = join + timedelta(days=365)
        elif status == "预备党员":
            join = date(2025, 3, 1) + timedelta(days=rng.randrange(250))
        surname = rng.choice("王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高")
        given = rng.choice("伟强磊军勇杰涛斌超明" if male else "芳娜敏静丽艳娟霞燕玲") + rng.choice("华平辉鹏文宇婷雪琳慧")
        values = {
            "姓名": surname + given,
            "性别": "男" if male else "女",
            "民族": "汉族",
            "出生日期": born,
            "身份证号码": number,
            "手机号码": f"17{rng.randrange(10**9):09d}",
            "学历": rng.choice(educations),
            "岗位职务": rng.choice(["配电运检工", "客户经理", "专责", "工程师", "变电运维工"]),
            "工作单位": "XX供电局",
            "所在组织": branches[i % len(branches)],
            "政治面貌": status,
            "入党日期": join,
            "转正日期": full,
            "困难党员": "否",
            "生产骨干": "是" if rng.random() < 0.1 else "否",
            "技术骨干": "否",
            "管理骨干": "否",
        }
        sheet.append([values.get(h) for h in headers])
    workbook.save(path)
    return rows


def time_export(host: str, port: int) -> int:
    """GET the full people export as admin; returns 0 if it met the checks."""
    from openpyxl import load_workbook

    from vanguard.orgs.models import Person

    expected = Person.objects.count()
    cookie = login(host, port, "admin")
    conn = http.client.HTTPConnection(host, port, timeout=600)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as out:
        started = time.perf_counter()
        conn.request("GET", "/orgs/people/?export=xlsx", headers={"Cookie": cookie})
        response = conn.getresponse()
        first = None
        size = 0
        while True:
            chunk = response.read(256 * 1024)
            if not chunk:
                break
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
            out.write(chunk)
        elapsed = time.perf_counter() - started
        path = Path(out.name)
    conn.close()
    if response.status != 200:
        print(f"ERROR: export answered HTTP {response.status}", file=sys.stderr)
        path.unlink(missing_ok=True)
        return 1
    workbook = load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    data_rows = sum(1 for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row))
    workbook.close()
    path.unlink(missing_ok=True)
    verdict = "ok" if elapsed < TARGET_EXPORT_S else "MISSED"
    print(f"export people .xlsx   {elapsed:7.2f} s to last byte (first byte {first or 0:.2f} s), "
          f"{size / 1024 / 1024:.1f} MiB, {data_rows} rows   target < {TARGET_EXPORT_S:.0f} s: {verdict}")
    if data_rows != expected:
        print(f"ERROR: export has {data_rows} rows, the database {expected} people", file=sys.stderr)
        return 1
    return 0


def time_import(rows: int) -> int:
    from vanguard.orgs.models import Person

    before = Person.objects.count()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster-bench.xlsx"
        started = time.perf_counter()
        make_roster(path, rows)
        print(f"  roster file: {rows} rows, {path.stat().st_size / 1024:.0f} KiB "
              f"(generated in {time.perf_counter() - started:.1f} s)")
        command = [sys.executable, str(ROOT / "manage.py"), "import_roster", str(path), "--user", "admin"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        print(f"ERROR: import_roster exited with {done.returncode}", file=sys.stderr)
        return 1
    added = Person.objects.count() - before
    verdict = "ok" if elapsed < TARGET_IMPORT_S else "MISSED"
    summary = " ".join(line.strip() for line in done.stdout.strip().splitlines()[-2:])
    print(f"import {rows} rows      {elapsed:7.2f} s (manage.py import_roster, incl. start-up), "
          f"{added} people added   target < {TARGET_IMPORT_S:.0f} s: {verdict}\n  ({summary})")
    if added != rows:
        print(f"ERROR: expected {rows} new people, found {added}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args(argv)
    host, port = check_loopback(args.base)
    setup_django()
    rc = 0
    if not args.skip_export:
        rc |= time_export(host, port)  # first, so it covers exactly the seeded people
    if not args.skip_import:
        rc |= time_import(args.rows)
    return rc


if __name__ == "__main__":
    sys.exit(main())
