"""200 voters at once through gunicorn on loopback (PostgreSQL), some sending their ballot twice at
the same moment: every first ballot is counted, every second refused, the tally is exact.

Half vote signed in, half with slips. gunicorn serves ``tests.ballots.live_settings`` (the
benchmark's minimal cast endpoints) on the test database, with 4 workers of 16 threads, so that
dozens of casts run in parallel transactions; all requests wait at a barrier and leave together.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.factories import make_user
from vanguard.ballots import services

from .conftest import GRADES, open_box

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

MEMBERS = SLIP_VOTERS = 100
TWICE = 20  # of each kind send their ballot twice at once


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.ballots.live_settings", "DATABASE_URL": database_url(),
           "PYTHONPATH": str(settings.BASE_DIR)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vanguard.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4",
         "--worker-class", "gthread", "--threads", "16", "--timeout", "120", "--error-logfile", str(log)],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/bench/bare/")
                if conn.getresponse().status == 403:  # up: the bare view refuses the anonymous
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer in 2 minutes"
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)


def post(port: int, path: str, fields: dict[str, str], cookie: str = "") -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **({"Cookie": cookie} if cookie else {})}
    conn.request("POST", path, body=urlencode(fields), headers=headers)
    response = conn.getresponse()
    return response.status, response.read().decode()


def test_200_voters_at_once_some_twice(scrutineers, gunicorn):
    rng = random.Random(2026)
    helper = open_box(scrutineers, items=[f"p{n}" for n in range(10)])
    box = helper.box
    codes = services.issue_slips(box, SLIP_VOTERS, actor=scrutineers[0])
    cookies = []
    for n in range(MEMBERS):
        client = Client()
        client.force_login(make_user(f"voter{n}"))
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")

    # (voter, attempt, path, fields, cookie): a voter sending twice sends two different ballots.
    requests = []
    for voter in range(MEMBERS + SLIP_VOTERS):
        by_slip = voter >= MEMBERS
        attempts = 2 if voter % (MEMBERS // TWICE) == 0 else 1
        for attempt in range(attempts):
            fields = {f"r.{item}": rng.choice(GRADES) for item in box.items}
            if by_slip:
                fields["code"] = codes[voter - MEMBERS]
                requests.append((voter, attempt, f"/bench/ballots/{box.pk}/slip/", fields, ""))
            else:
                requests.append((voter, attempt, f"/bench/ballots/{box.pk}/member/", fields, cookies[voter]))
    assert len(requests) == MEMBERS + SLIP_VOTERS + 2 * TWICE

    results = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def send(index):
        _voter, _attempt, path, fields, cookie = requests[index]
        barrier.wait()
        try:
            results[index] = post(gunicorn, path, fields, cookie)
        except OSError as error:
            results[index] = (0, repr(error))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    expected = {item: dict.fromkeys(GRADES, 0) for item in box.items}
    receipts = set()
    for voter in range(MEMBERS + SLIP_VOTERS):
        mine = [(results[i], requests[i][3]) for i in range(len(requests)) if requests[i][0] == voter]
        statuses = sorted(status for (status, _body), _fields in mine)
        assert statuses == ([200, 409] if len(mine) == 2 else [200]), (voter, mine)
        (_, receipt), fields = next(((s, b), f) for (s, b), f in mine if s == 200)
        receipts.add(receipt)
        for key, grade in fields.items():
            if key.startswith("r."):
                expected[key[2:]][grade] += 1
        for (status, body), _fields in mine:
            if status == 409:
                assert body in ("您已投过票，每人只能投一次。", "该凭条已使用，每张凭条只能投一次。")

    assert services.turnout(box) == MEMBERS + SLIP_VOTERS
    helper.close()
    assert services.tally(box) == expected
    assert services.counted_receipts(box) == receipts and len(receipts) == MEMBERS + SLIP_VOTERS
    assert services.ballots_counted(box) == MEMBERS + SLIP_VOTERS
