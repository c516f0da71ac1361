"""Latency of the busiest pages under concurrent load (standard library only).

    python benchmarks/load.py --base http://127.0.0.1:8000 [--requests 400] [--concurrency 16]

Logs in through the login form (csrftoken cookie, then POST), shares the session cookie among
the clients of one scenario, sends ``--requests`` GETs from ``--concurrency`` threads (each with
its own connection) and prints p50/p95/p99/max latency (ms, to the last byte) and throughput.
Any answer other than 200 is an error: the script reports it and exits non-zero. Each scenario is
bounded by ``--max-seconds``. Only loopback addresses are accepted as targets.
"""

from __future__ import annotations

import argparse
import http.client
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode, urlsplit

DEMO_PASSWORD = "Vanguard@2026"
TARGET_P95_MS = 150.0

# (label, user, path)
SCENARIOS = (
    ("people list", "admin", "/orgs/people/"),
    ("people list ?q=王", "admin", "/orgs/people/?q=" + quote("王")),
    ("org tree", "admin", "/orgs/"),
    ("API people list", "admin", "/api/v1/people"),
    ("people list (secretary)", "secretary", "/orgs/people/"),
)


class BenchError(Exception):
    pass


def check_loopback(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {base!r}: only http://127.0.0.1 (loopback) is allowed")
    return parts.hostname, parts.port or 80


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def login(host: str, port: int, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the login form; returns the Cookie header value for the session."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    if response.status != 200:
        raise BenchError(f"GET /accounts/login/ answered {response.status}")
    cookies = _cookies(response)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = match.group(1) if match else cookies.get("csrftoken", "")
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    conn.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies.get('csrftoken', '')}",
        "Origin": f"http://{host}:{port}",
        "Referer": f"http://{host}:{port}/accounts/login/",
    })
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response))
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise BenchError(f"login as {username!r} failed (status {response.status}); is the demo data loaded?")
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies.get('csrftoken', '')}"


@dataclass
class Result:
    label: str
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    bytes: int = 0
    wanted: int = 0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def run_scenario(host: str, port: int, label: str, path: str, cookie: str, requests: int, concurrency: int,
                 max_seconds: float, warmup: int) -> Result:
    result = Result(label, wanted=requests)
    lock = threading.Lock()
    issued = 0
    deadline = 0.0

    def one(conn: http.client.HTTPConnection) -> tuple[int, int, float]:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
        response = conn.getresponse()
        size = len(response.read())
        if response.will_close:
            conn.close()
        return response.status, size, time.perf_counter() - started

    def client(measure: bool, quota: int | None) -> None:
        nonlocal issued
        conn = http.client.HTTPConnection(host, port, timeout=180)
        done = 0
        try:
            while True:
                if quota is not None:
                    if done >= quota:
                        return
                else:
                    with lock:
                        if issued >= requests or time.perf_counter() > deadline:
                            return
                        issued += 1
                try:
                    status, size, seconds = one(conn)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    status, size, seconds = 0, 0, 0.0
                    error = f"{type(exc).__name__}: {exc}"
                else:
                    error = "" if status == 200 else f"HTTP {status}"
                done += 1
                if measure:
                    with lock:
                        if error:
                            result.errors.append(error)
                        else:
                            result.latencies.append(seconds)
                            result.bytes += size
        finally:
            conn.close()

    # Warm-up: every worker process gets to load its code and templates before we measure.
    threads = [threading.Thread(target=client, args=(False, warmup)) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    started = time.perf_counter()
    deadline = started + max_seconds
    threads = [threading.Thread(target=client, args=(True, None)) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - started
    return result


def report(results: list[Result], concurrency: int, baseline: dict[str, Result]) -> None:
    print(f"\n{'scenario':<26} {'n':>5} {'err':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'req/s':>7}  "
          f"target p95<{TARGET_P95_MS:.0f}ms   (ms, {concurrency} concurrent clients)")
    for r in results:
        ms = [v * 1000 for v in r.latencies]
        p95 = percentile(ms, 95)
        verdict = "ok" if ms and p95 < TARGET_P95_MS else "MISSED"
        rate = len(ms) / r.elapsed if r.elapsed else 0.0
        print(f"{r.label:<26} {len(ms):>5} {len(r.errors):>4} {percentile(ms, 50):>8.1f} {p95:>8.1f} "
              f"{percentile(ms, 99):>8.1f} {max(ms) if ms else float('nan'):>8.1f} {rate:>7.1f}  {verdict}"
              f"   ({r.bytes // max(1, len(ms)) // 1024} KiB/resp)")
    if baseline:
        print(f"\n{'one client at a time':<26} {'n':>5} {'err':>4} {'p50':>8} {'p95':>8} {'max':>8}   "
              "(ms: the service time of one request without queueing)")
        for r in baseline.values():
            ms = [v * 1000 for v in r.latencies]
            print(f"{r.label:<26} {len(ms):>5} {len(r.errors):>4} {percentile(ms, 50):>8.1f} {percentile(ms, 95):>8.1f} "
                  f"{max(ms) if ms else float('nan'):>8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per scenario")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time bound per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests per client first")
    parser.add_argument("--only", help="run only scenarios whose label contains this text")
    parser.add_argument("--baseline", type=int, default=20,
                        help="also send this many requests from a single client per scenario (0: skip)")
    args = parser.parse_args(argv)
    host, port = check_loopback(args.base)

    sessions: dict[str, str] = {}
    results = []
    baseline: dict[str, Result] = {}
    for label, user, path in SCENARIOS:
        if args.only and args.only not in label:
            continue
        if user not in sessions:
            sessions[user] = login(host, port, user)
        print(f"  {label}: GET {path} as {user} ...", flush=True)
        if args.baseline:
            baseline[label] = run_scenario(host, port, label, path, sessions[user], args.baseline, 1,
                                           args.max_seconds / 2, 8)
        results.append(run_scenario(host, port, label, path, sessions[user], args.requests, args.concurrency,
                                    args.max_seconds, args.warmup))
    report(results, args.concurrency, baseline)
    failed = False
    for r in [*results, *baseline.values()]:
        if r.errors:
            failed = True
            kinds = sorted(set(r.errors))
            print(f"ERROR: {r.label}: {len(r.errors)} failed requests ({', '.join(kinds[:5])})", file=sys.stderr)
        elif len(r.latencies) < r.wanted:
            print(f"note: {r.label}: only {len(r.latencies)} of {r.wanted} requests within "
                  f"{args.max_seconds:.0f} s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
