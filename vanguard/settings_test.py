"""Settings for the test suite: same as development, with fast hashing and inline jobs."""

from .settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# WhiteNoise rescans the static root for every new client; tests read static files
# through the finders (and the live server's static handler) instead.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# An app that lives in tests/ and plugs itself in like any other (tests/exampleapp): installed
# here only, so production settings never see its model or migrations.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.exampleapp"]  # noqa: F405
# Secret ballots: a fixed slip key, and argon2id cheap enough for many boxes a run (production: 64 MiB).
BALLOT_SLIP_KEY = "test-only-ballot-slip-key-0123456789abcdef"
BALLOT_KDF_COST = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}
