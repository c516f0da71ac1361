"""The project's settings plus the benchmark's bare view (``benchmarks/urls.py``).

The bare view is the yardstick of ``load.py``: every page is reported as a share of its
throughput and a multiple of its latency, measured in the same run on the same machine, so the
figures mean the same on a laptop and on a server. It exists only under these settings.
"""

from vanguard.settings import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.urls"
