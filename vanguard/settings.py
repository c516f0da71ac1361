"""Settings for every environment, driven by environment variables.

The defaults give a working development instance on an embedded SQLite
database; production overrides live in ``settings_production``.
"""

from pathlib import Path
import os

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VANGUARD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The development key: production settings refuse to start with it (or any short key).
DEVELOPMENT_SECRET_KEY = "dev-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",  # serves Swagger UI from its own static files; without it /api/docs loads them from a CDN
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "vanguard.core",
    "vanguard.audit",
    "vanguard.accounts",
    "vanguard.orgs",
    "vanguard.campaigns",
    "vanguard.rubrics",
    "vanguard.plans",
    "vanguard.activities",
    "vanguard.attachments",
    "vanguard.committees",
    "vanguard.compliance",
    "vanguard.improvements",
    "vanguard.commitments",
    "vanguard.care",
    "vanguard.ballots",
    "vanguard.appraisal",
    "vanguard.surveys",
    "vanguard.inspections",
    "vanguard.rectifications",
    "vanguard.selfchecks",
    "vanguard.assessment",
    "vanguard.appeals",
    "vanguard.memberpoints",
    "vanguard.dashboard",
    "vanguard.demo",
    "vanguard.backup",
]
# Each app plugs itself in from its registrations.py (vanguard.core.registry): its URLs, menu
# entries, to-do counts, API router, demo step and job kinds. Adding an app is adding it here.

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vanguard.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vanguard.core.middleware.IdleSessionMiddleware",
    "vanguard.core.middleware.NoStoreMiddleware",
    "vanguard.core.middleware.UrlIntegerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vanguard.audit.middleware.AuditContextMiddleware",
    "vanguard.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Axes must be last: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vanguard.urls"
WSGI_APPLICATION = "vanguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vanguard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "vanguard.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vanguard.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
# Figures kept until a table they read is written (vanguard.core.tablecache, PostgreSQL LISTEN/NOTIFY);
# false behind a proxy that pools connections by transaction (pgbouncer's transaction mode).
VANGUARD_TABLECACHE = env_bool("VANGUARD_TABLECACHE", True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the background worker write while pages read.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The organisation tree every policy's org path leads to (read by vanguard.core.policy.orgs_for).
VANGUARD_ORG_MODEL = "orgs.Org"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "vanguard.accounts.backends.UsernameOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A signed-in session ends after this many minutes without a request (vanguard.core.middleware).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_ENGINE = "vanguard.core.sessions"
# Exact ID or phone number searches a day by a user who sees those numbers masked: each one is
# audit-logged, and past the limit they match only people the user may edit (vanguard.audit.services).
EXACT_LOOKUPS_PER_DAY = int(os.environ.get("EXACT_LOOKUPS_PER_DAY", "20"))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Reverse proxies in front of the app that append the client address to X-Forwarded-For
# (0: none, the address of the connection is the client's). Used for the audit log's IP.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
# Lock the account, not the address: on an intranet many users share one NAT address,
# so an address-based lock would shut out a whole office (hence axes.W006 is silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "vanguard.accounts.backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "429.html"  # vanguard/templates: the error pages share the layout
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "vanguard" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: every file goes through vanguard.core.uploads, which checks content and size.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A file past UPLOAD_MAX_BYTES is counted and dropped as it arrives, never written to a temporary file.
FILE_UPLOAD_HANDLERS = [
    "vanguard.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Zip containers (.docx, .xlsx): what reading one may cost (vanguard.core.archives).
ARCHIVE_MAX_BYTES = int(os.environ.get("ARCHIVE_MAX_BYTES", str(128 * 1024 * 1024)))  # all of it, inflated
ARCHIVE_MAX_MEMBERS = int(os.environ.get("ARCHIVE_MAX_MEMBERS", "2000"))
ARCHIVE_MAX_RATIO = int(os.environ.get("ARCHIVE_MAX_RATIO", "200"))  # inflated : compressed, per large part
ARCHIVE_MAX_PART_BYTES = int(os.environ.get("ARCHIVE_MAX_PART_BYTES", str(16 * 1024 * 1024)))  # read whole

# Form input (vanguard.core.validators): the longest text a field without a limit of its own takes,
# and how many years ahead a date may lie.
TEXT_MAX_LENGTH = int(os.environ.get("TEXT_MAX_LENGTH", "20000"))
DATE_MAX_YEARS_AHEAD = int(os.environ.get("DATE_MAX_YEARS_AHEAD", "10"))

# Secret ballots (vanguard.ballots, docs/BALLOTS.md): the key of the slips' HMAC lives outside the
# database, in this variable or else in this file (created with mode 0600 when first needed).
BALLOT_SLIP_KEY = os.environ.get("BALLOT_SLIP_KEY", "")
BALLOT_SLIP_KEY_FILE = Path(os.environ.get("BALLOT_SLIP_KEY_FILE", VAR_DIR / "ballot_slip.key"))

# QR check-in at meetings (vanguard.activities.checkin, README "QR check-in on an intranet"): the
# address phones reach the server by, and the key of the codes (default: SECRET_KEY).
VANGUARD_PUBLIC_URL = os.environ.get("VANGUARD_PUBLIC_URL", "")
VANGUARD_CHECKIN_KEY = os.environ.get("VANGUARD_CHECKIN_KEY", "")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

PAGE_SIZE = 50

# Content-Security-Policy: everything is served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
