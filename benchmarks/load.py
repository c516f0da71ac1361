"""Throughput and latency of every busy page, as ratios to a bare view (standard library only).

    python benchmarks/load.py --base http://127.0.0.1:8000 [--requests 400] [--concurrency 16]

The server must run with ``DJANGO_SETTINGS_MODULE=benchmarks.settings``, which adds the bare view
``/bench/bare/`` (the middleware stack, the session and the user: two queries, no template). Each
page is measured with one client (its service time, p50) and with ``--concurrency`` clients
(throughput), and reported as a multiple of the bare view's latency and a share of its
throughput, so the figures hold on any machine. The bare view is measured before the first page
and again after each one; a page is compared with the mean of the runs just before and after
it, so that a machine whose load changes during the run (other work on a shared host) moves
both sides of each ratio alike. The spread of the bare view's runs is printed. With
``--rounds N`` every page is measured N times, each time between two runs of the bare view, and
reported by the medians of its N ratios (and of its N absolute figures): on a shared host whose
load swings within minutes, one round's ratio can be off by half.

Targets (issue 10): at 16 clients every list page and API list serves at least 15% of the bare
view's requests per second; with one client the layout alone (``/bench/layout/``) takes at most
2x the bare view's time and each list at most 8x.

Logs in through the login form (csrftoken cookie, then POST), shares the session cookie among
the clients of one scenario, each client with its own connection. Any answer other than 200 is
an error: the script reports it and exits non-zero. Each scenario is bounded by
``--max-seconds``. Only loopback addresses are accepted as targets.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode, urlsplit

DEMO_PASSWORD = "Vanguard@2026"
BARE_PATH = "/bench/bare/"

# Targets as ratios to the bare view (issue 10 §6).
LIST_MIN_SHARE = 0.15  # of the bare view's req/s at --concurrency clients
LIST_MAX_MULTIPLE = 8.0  # of the bare view's p50 with one client
LAYOUT_MAX_MULTIPLE = 2.0

BARE, LAYOUT, LIST, OTHER = "bare", "layout", "list", "other"


@dataclass(frozen=True)
class Scenario:
    label: str
    user: str
    path: str
    kind: str


SCENARIOS = (
    # The layout alone (``base.html`` with nothing in it); its to-do badge counts what waits for each
    # role: a secretary's and a member's differ.
    Scenario("layout", "admin", "/bench/layout/", LAYOUT),
    Scenario("layout (secretary)", "secretary", "/bench/layout/", LAYOUT),
    Scenario("layout (member)", "member", "/bench/layout/", LAYOUT),
    # The profile page, which issue 10 measured as "little more than the layout": its roles, its API
    # tokens and a form besides.
    Scenario("profile", "admin", "/accounts/profile/", OTHER),
    Scenario("home", "admin", "/", OTHER),
    Scenario("people list", "admin", "/orgs/people/", LIST),
    Scenario("people list ?q=王", "admin", "/orgs/people/?q=" + quote("王"), LIST),
    Scenario("people list (secretary)", "secretary", "/orgs/people/", LIST),
    Scenario("org tree", "admin", "/orgs/", LIST),
    Scenario("org list", "admin", "/orgs/list/", LIST),
    Scenario("plans list", "admin", "/plans/", LIST),
    Scenario("meetings list", "admin", "/activities/meetings/", LIST),
    Scenario("tasks list", "admin", "/plans/tasks/", LIST),
    Scenario("API people", "admin", "/api/v1/people", LIST),
    Scenario("API orgs", "admin", "/api/v1/orgs", LIST),
    Scenario("API plans", "admin", "/api/v1/plans", LIST),
    Scenario("API tasks", "admin", "/api/v1/tasks", LIST),
    Scenario("API meetings", "admin", "/api/v1/meetings", LIST),
    Scenario("API campaigns", "admin", "/api/v1/campaigns", LIST),
    Scenario("API rubrics", "admin", "/api/v1/rubrics", LIST),
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


@dataclass
class Measured:
    scenario: Scenario
    single: Result  # one client: the service time
    loaded: Result  # --concurrency clients: the throughput

    @property
    def p50(self) -> float:
        return percentile(self.single.latencies, 50)

    @property
    def rate(self) -> float:
        return len(self.loaded.latencies) / self.loaded.elapsed if self.loaded.elapsed else 0.0


def measure(host: str, port: int, scenario: Scenario, cookie: str, args) -> Measured:
    single = run_scenario(host, port, scenario.label, scenario.path, cookie, args.single, 1, args.max_seconds / 2, 8)
    loaded = run_scenario(host, port, scenario.label, scenario.path, cookie, args.requests, args.concurrency,
                          args.max_seconds, args.warmup)
    return Measured(scenario, single, loaded)


@dataclass
class Yardstick:
    """The bare view's figures around one page: measured just before and just after it."""

    before: Measured
    after: Measured

    @property
    def p50(self) -> float:
        return (self.before.p50 + self.after.p50) / 2

    @property
    def rate(self) -> float:
        return (self.before.rate + self.after.rate) / 2


def verdict(m: Rounds) -> str:
    """Whether a page meets its targets (ratios to the bare view), and which it misses."""
    multiple, share = m.multiple, m.share
    if m.scenario.kind == LAYOUT:
        return "ok" if multiple <= LAYOUT_MAX_MULTIPLE else f"MISSED (1 client > {LAYOUT_MAX_MULTIPLE:.0f}x)"
    if m.scenario.kind != LIST:
        return ""
    missed = []
    if multiple > LIST_MAX_MULTIPLE:
        missed.append(f"1 client > {LIST_MAX_MULTIPLE:.0f}x")
    if share < LIST_MIN_SHARE:
        missed.append(f"share < {LIST_MIN_SHARE:.0%}")
    return f"MISSED ({', '.join(missed)})" if missed else "ok"


@dataclass
class Rounds:
    """One page's rounds, each with the bare view's figures around it; reported by medians."""

    scenario: Scenario
    runs: list[tuple[Measured, Yardstick]]

    @property
    def p50(self) -> float:
        return statistics.median(m.p50 for m, _bare in self.runs)

    @property
    def rate(self) -> float:
        return statistics.median(m.rate for m, _bare in self.runs)

    @property
    def multiple(self) -> float:
        return statistics.median(m.p50 / bare.p50 for m, bare in self.runs)

    @property
    def share(self) -> float:
        return statistics.median(m.rate / bare.rate for m, bare in self.runs)

    @property
    def loaded_latencies(self) -> list[float]:
        return [v for m, _bare in self.runs for v in m.loaded.latencies]

    @property
    def loaded_bytes(self) -> int:
        return sum(m.loaded.bytes for m, _bare in self.runs)


def report(pages: list[Rounds], bares: list[Measured], concurrency: int) -> None:
    p50s, rates = [b.p50 * 1000 for b in bares], [b.rate for b in bares]
    rounds = len(pages[0].runs) if pages else 1
    each = "each page's figures are the medians of its rounds, " if rounds > 1 else ""
    print(f"\n{rounds} round(s); bare view {BARE_PATH}, measured {len(bares)} times (before the first page and after each): "
          f"1 client p50 {min(p50s):.2f}-{max(p50s):.2f} ms (median {statistics.median(p50s):.2f}), "
          f"{concurrency} clients {min(rates):.0f}-{max(rates):.0f} req/s (median {statistics.median(rates):.0f}); "
          f"{each}each page is compared with the mean of the bare view's runs just before and after it")
    print(f"\n{'page':<26} {'1 client p50':>12} {'x bare':>7}   {concurrency:>2} clients: {'req/s':>7} "
          f"{'% bare':>7} {'p50':>7} {'p95':>7} {'KiB':>5}  target (list: <= {LIST_MAX_MULTIPLE:.0f}x, "
          f">= {LIST_MIN_SHARE:.0%}; layout: <= {LAYOUT_MAX_MULTIPLE:.0f}x)")
    for m in pages:
        ms = [v * 1000 for v in m.loaded_latencies]
        size = m.loaded_bytes // max(1, len(ms)) // 1024
        print(f"{m.scenario.label:<26} {m.p50 * 1000:>9.1f} ms {m.multiple:>6.1f}x   {'':>11}"
              f"{m.rate:>7.1f} {m.share:>7.1%} {percentile(ms, 50):>7.0f} {percentile(ms, 95):>7.0f} "
              f"{size:>5}  {verdict(m)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per page at --concurrency")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--single", type=int, default=40, help="measured requests per page from one client")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time bound per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests per client first")
    parser.add_argument("--only", help="run only pages whose label contains this text (the bare view always runs)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every page this many times (each between two runs of the bare view); "
                             "report the medians")
    args = parser.parse_args(argv)
    host, port = check_loopback(args.base)

    sessions: dict[str, str] = {}

    def session(user: str) -> str:
        if user not in sessions:
            sessions[user] = login(host, port, user)
        return sessions[user]

    bare_scenario = Scenario("bare view", "admin", BARE_PATH, BARE)

    def bare() -> Measured:
        return measure(host, port, bare_scenario, session("admin"), args)

    print(f"  bare view: GET {BARE_PATH} as admin (again after each page) ...", flush=True)
    bares = [bare()]
    if not bares[0].single.latencies:
        print(f"ERROR: {BARE_PATH} failed ({', '.join(sorted(set(bares[0].single.errors))[:3])}); "
              "is the server running with DJANGO_SETTINGS_MODULE=benchmarks.settings?", file=sys.stderr)
        return 1
    chosen = [scenario for scenario in SCENARIOS if not args.only or args.only in scenario.label]
    pages = [Rounds(scenario, []) for scenario in chosen]
    for round_number in range(1, max(1, args.rounds) + 1):
        for page in pages:
            scenario = page.scenario
            print(f"  round {round_number}: {scenario.label}: GET {scenario.path} as {scenario.user} ...", flush=True)
            measured = measure(host, port, scenario, session(scenario.user), args)
            bares.append(bare())
            page.runs.append((measured, Yardstick(bares[-2], bares[-1])))
    report(pages, bares, args.concurrency)
    failed = False
    for m in [*bares, *(measured for page in pages for measured, _bare in page.runs)]:
        for r in (m.single, m.loaded):
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
