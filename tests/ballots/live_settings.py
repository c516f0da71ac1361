"""The test settings served by a real gunicorn (tests/ballots/test_load.py): the ballots benchmark's
minimal cast endpoints (``benchmarks/ballots_urls.py``) on the test database."""

from vanguard.settings_test import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.ballots_urls"
