"""The benchmark settings (``benchmarks/settings.py``: the project's, with the bare view) plus the
minimal cast endpoints of ``benchmarks/ballots_urls.py``."""

from benchmarks.settings import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.ballots_urls"
