"""Ballots per second through gunicorn, as a share of the bare view's throughput, and close-and-tally time.

    bash -c '. scripts/lib.sh; . scripts/pg_test_server.sh; pg_test_start; trap pg_test_stop EXIT;
             DATABASE_URL="$PG_TEST_URL_BASE/vanguard_bench_ballots" .venv/bin/python benchmarks/ballots.py'

On a PostgreSQL database on loopback (created and migrated if need be), the script makes its data
itself (users, sessions, a box of ``--items`` members rated 优秀/合格/基本合格/不合格, slips),
starts gunicorn (``--workers``) with ``benchmarks.ballots_settings`` (the bare view of
``benchmarks/urls.py`` plus the minimal cast endpoints of ``benchmarks/ballots_urls.py``) and
measures at ``--concurrency`` clients:

- the bare view (session and user: the least a signed-in request costs);
- ballots cast with slips (``redeem`` + ``cast``: what the masses' page does), each code once;
- ballots cast by signed-in members (``cast``), each member once.

The ballots go in ``--rounds`` chunks, each between two runs of the bare view and compared with
their mean, so that a shared machine whose load changes moves both sides of a ratio alike; each kind
is reported in ballots per second and as the median share of the bare view's throughput (target: at
least 40%). Then, in this process, a box of ``--voters`` voters rating ``--items`` members is filled and
timed through ``close_box`` with the production argon2id cost: the passphrases' key derivation,
opening and counting every ballot, dropping the partition. Any answer but the expected one is an
error: reported, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
GRADES = ["excellent", "qualified", "basic", "unqualified"]
TARGET_SHARE = 0.40
PASSPHRASES = ("bench-scrutineer-one", "bench-scrutineer-two")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"DATABASE_URL must be a PostgreSQL database on loopback, not {url!r}")


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# --------------------------------------------------------------------- load


class Run:
    def __init__(self, label: str):
        self.label = label
        self.ok = 0
        self.errors: list[str] = []
        self.seconds = 0.0

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def drive(port: int, label: str, requests: list[tuple[str, str, str, dict[str, str]]], concurrency: int,
          expect: int = 200) -> Run:
    """Send ``requests`` (method, path, cookie, fields) over ``concurrency`` clients; time them all."""
    run = Run(label)
    lock = threading.Lock()
    queue = iter(requests)

    def client():
        while True:
            with lock:
                request = next(queue, None)
            if request is None:
                return
            method, path, cookie, fields = request
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            headers = {"Cookie": cookie} if cookie else {}
            body = None
            if method == "POST":
                body = urlencode(fields)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()
                error = "" if response.status == expect else f"HTTP {response.status}: {text[:80]!r}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
            finally:
                conn.close()
            with lock:
                if error:
                    run.errors.append(error)
                else:
                    run.ok += 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run


def start_gunicorn(port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vanguard.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", "/dev/null", "--error-logfile", str(log), "--timeout", "300"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited:\n" + log.read_text()[-3000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/bench/bare/")
            conn.getresponse().read()
            return server
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer in 2 minutes") from None
            time.sleep(0.3)


# --------------------------------------------------------------------- data (in this process)


def signed_in_cookies(users) -> list[str]:
    from django.conf import settings
    from django.test import Client

    cookies = []
    for user in users:
        client = Client()
        client.force_login(user, backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    return cookies


def make_users(prefix: str, n: int):
    from vanguard.accounts.models import User

    User.objects.bulk_create(User(username=f"{prefix}{i}", password="!") for i in range(n))
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def open_bench_box(scrutineers, items: int, title: str):
    from vanguard.ballots import services

    return services.create_box(title=title, items=[f"p{n}" for n in range(items)], choices=GRADES,
                               scrutineers=list(zip(scrutineers, PASSPHRASES)), actor=scrutineers[0])


def ballot_fields(rng: random.Random, items: int) -> dict[str, str]:
    return {f"r.p{n}": rng.choice(GRADES) for n in range(items)}


def close_and_tally(scrutineers, voters: int, items: int) -> dict[str, float]:
    from vanguard.ballots import services

    box = open_bench_box(scrutineers, items, f"close-and-tally {voters} x {items}")
    rng = random.Random(500)
    expected = {f"p{n}": dict.fromkeys(GRADES, 0) for n in range(items)}
    started = time.perf_counter()
    for voter in range(voters):
        skip = {f"p{voter % items}"}  # nobody rates themself
        ratings = {f"p{n}": rng.choice(GRADES) for n in range(items) if f"p{n}" not in skip}
        for item, grade in ratings.items():
            expected[item][grade] += 1
        services.cast(box, participant=f"user:{10_000_000 + voter}", ratings=ratings, skip=skip)
    cast_seconds = time.perf_counter() - started
    passphrases = {user.pk: passphrase for user, passphrase in zip(scrutineers, PASSPHRASES)}
    started = time.perf_counter()
    services._private_key(box, passphrases)  # the key derivation alone, for the breakdown
    derive_seconds = time.perf_counter() - started
    started = time.perf_counter()
    services.close_box(box, passphrases, actor=scrutineers[0])
    close_seconds = time.perf_counter() - started
    if services.tally(box) != expected or services.ballots_counted(box) != voters:
        raise SystemExit("close-and-tally: the tally is not what was cast")
    return {"cast": cast_seconds, "derive": derive_seconds, "close": close_seconds}


# --------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per scenario (default 1000)")
    parser.add_argument("--rounds", type=int, default=4, help="each kind measured in this many chunks, "
                        "each between two runs of the bare view (default 4)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--items", type=int, default=40, help="members rated on each ballot (default 40)")
    parser.add_argument("--voters", type=int, default=500, help="voters of the close-and-tally box (default 500)")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    check_database(url)
    create_database(url)
    work = Path(tempfile.mkdtemp(prefix="vanguard-ballots-bench."))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.ballots_settings", "DEBUG": "false",
           "SECRET_KEY": "benchmark-only-" + secrets.token_hex(32), "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "LOG_LEVEL": "WARNING", "VANGUARD_VAR_DIR": str(work / "var"), "MEDIA_ROOT": str(work / "media"),
           "BALLOT_SLIP_KEY": secrets.token_hex(32), "PYTHONPATH": str(ROOT)}
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from vanguard.ballots import services

    run_id = secrets.token_hex(3)
    n = args.requests
    scrutineers = make_users(f"bench-scrutineer-{run_id}-", 2)
    bare_user = make_users(f"bench-bare-{run_id}-", 1)
    members = make_users(f"bench-member-{run_id}-", n)
    slip_box = open_bench_box(scrutineers, args.items, "benchmark: slips")
    member_box = open_bench_box(scrutineers, args.items, "benchmark: members")
    codes = []
    while len(codes) < n:
        codes += services.issue_slips(slip_box, min(services.MAX_SLIPS_PER_PRINT, n - len(codes)), actor=scrutineers[0])
    bare_cookie = signed_in_cookies(bare_user)[0]
    member_cookies = signed_in_cookies(members)
    rng = random.Random(2026)
    slip_requests = [("POST", f"/bench/ballots/{slip_box.pk}/slip/", "", {"code": code, **ballot_fields(rng, args.items)})
                     for code in codes]
    member_requests = [("POST", f"/bench/ballots/{member_box.pk}/member/", cookie, ballot_fields(rng, args.items))
                       for cookie in member_cookies]
    bare_requests = [("GET", "/bench/bare/", bare_cookie, {})] * n

    port = free_port()
    server = start_gunicorn(port, args.workers, env, work / "gunicorn.log")
    chunk = math.ceil(n / args.rounds)
    bares: list[Run] = []
    casts: dict[str, list[tuple[Run, float]]] = {"ballots with slips": [], "ballots signed in": []}
    try:
        drive(port, "warm-up", [("GET", "/bench/bare/", bare_cookie, {})] * (args.workers * 20), args.concurrency)
        bares.append(drive(port, "bare view", bare_requests[:chunk], args.concurrency))
        for start in range(0, n, chunk):
            for label, requests in (("ballots with slips", slip_requests), ("ballots signed in", member_requests)):
                run = drive(port, label, requests[start:start + chunk], args.concurrency)
                bares.append(drive(port, "bare view", bare_requests[:chunk], args.concurrency))
                # Against the bare runs just before and after it: a load that changes moves both alike.
                casts[label].append((run, statistics.mean(b.per_second for b in bares[-2:])))
    finally:
        server.terminate()
        server.wait(timeout=60)

    runs = bares + [run for pairs in casts.values() for run, _bare in pairs]
    errors = [e for run in runs for e in run.errors]
    answered = {label: sum(run.ok for run, _bare in pairs) for label, pairs in casts.items()}
    if services.turnout(slip_box) != answered["ballots with slips"] or \
            services.turnout(member_box) != answered["ballots signed in"]:
        errors.append("turnout differs from the ballots answered 200")

    print(f"== Ballots: gunicorn --workers {args.workers}, {args.concurrency} clients, {n} ballots of "
          f"{args.items} ratings per kind in {args.rounds} rounds, PostgreSQL, {os.cpu_count()} CPUs ==")
    rates = [b.per_second for b in bares]
    print(f"{'bare view':<20} {statistics.median(rates):8.1f} req/s (median of {len(rates)} runs, "
          f"{min(rates):.1f}–{max(rates):.1f})")
    met = True
    for label, pairs in casts.items():
        shares = [run.per_second / bare for run, bare in pairs]
        share = statistics.median(shares)
        met &= share >= TARGET_SHARE
        rate = sum(run.ok for run, _ in pairs) / sum(run.seconds for run, _ in pairs)
        print(f"{label:<20} {rate:8.1f} ballots/s; {share:5.1%} of the bare view (median of {len(shares)} rounds, "
              f"{min(shares):.0%}–{max(shares):.0%}; target >= {TARGET_SHARE:.0%}){'' if share >= TARGET_SHARE else '  NOT MET'}")

    timing = close_and_tally(scrutineers, args.voters, args.items)
    print(f"close-and-tally, {args.voters} voters x {args.items} members: {timing['close']:.2f} s "
          f"(of which argon2id for 2 passphrases {timing['derive']:.2f} s); "
          f"casting them in-process took {timing['cast']:.2f} s")
    for error in sorted(set(errors))[:10]:
        print("ERROR", error, file=sys.stderr)
    if errors:
        print(f"{len(errors)} errors", file=sys.stderr)
        return 1
    print("target met" if met else "target NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
