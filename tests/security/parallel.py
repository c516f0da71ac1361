"""Run steps at the same moment in threads, each with its own database connection (PostgreSQL)."""

from __future__ import annotations

import threading
import time

from django.db import connections


def in_parallel(*steps, timeout: float = 60):
    """Start every step together and wait for all; a step's result, or the exception it raised."""
    barrier = threading.Barrier(len(steps))
    results: list = [None] * len(steps)

    def run(index, step):
        try:
            barrier.wait()
            results[index] = step()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a parallel step did not finish"
    return results


def slowed(function, seconds: float = 0.5):
    """``function`` that waits before returning: called inside a step's transaction, it keeps the
    transaction open long enough for a second request to read the same state, if nothing locks it."""

    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        time.sleep(seconds)
        return result

    return wrapper
