"""Settings for ucmsc-crf.

Every deployment setting comes from the environment (see README, "Deployment settings"). Without any
variable set the app runs in DEBUG on a SQLite file in the project directory: the demo. A production
deployment sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and
DJANGO_CSRF_TRUSTED_ORIGINS; `manage.py check --deploy` then prints no warning.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# A secret key is required outside DEBUG; the development key is only ever used with DEBUG on.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (set DJANGO_DEBUG=1 for the demo)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production-0123456789"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin with a site-scoped "view on site" redirect (patients/admin_site.py).
    "patients.admin_site.CrfAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    # Login lockout after repeated failures, recorded in the database (shared by every app server).
    "axes",
    "patients",
    "dosing",
    "outcomes",
    # Last: the project composes the apps above (participant admin with every app's inlines, demo data).
    "ucmsc_crf",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Static files above keep their caching; every page and download below is no-store.
    "ucmsc_crf.middleware.NoStoreMiddleware",
    "ucmsc_crf.middleware.RejectNulBytesMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below).
    "ucmsc_crf.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Puts request.user on every history record written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Asked first about a view's exception: a deadlock's victim runs once more.
    "ucmsc_crf.middleware.DeadlockRetryMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username from this address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures for one username from one address lock that pair out for 30 minutes (an administrator
# can lift it earlier in the admin, "Access attempts"). Keyed on the pair, so a typo-prone colleague on the
# same ward PC does not lock out everyone behind the hospital's NAT.
AXES_FAILURE_LIMIT = int(os.environ.get("CRF_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("CRF_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a TLS proxy the client address comes from X-Forwarded-For (DJANGO_SECURE_PROXY_SSL_HEADER on).
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False) else None

ROOT_URLCONF = "ucmsc_crf.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "ucmsc_crf.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# One request, one transaction: a form that fails half-way saves nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# SQLite (the demo) serves several people at once: write-ahead logging so readers never wait for a writer,
# a busy timeout so a writer waits its turn instead of failing, and transactions that take the write lock
# when they begin (BEGIN IMMEDIATE): a deferred one that read first and then wrote fails at once with
# "database is locked" when another writer holds the lock (four simultaneous logins did, 9 times in 12).
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
# PostgreSQL's JIT compiles any query its planner guesses is costly: on the report and the lists at 10,000
# participants that took 50-60 ms per query to save a few (issue 19). A web app's queries are short; off.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(None, [DATABASES["default"]["OPTIONS"].get("options", ""), "-c jit=off"])
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The trial site's zone: study days and "today" are computed in it. Datetimes are stored in UTC.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Nothing lives in one app server's memory or disk, so several gunicorn hosts can serve one database:
# sessions and lockouts are database-backed (above), and the cache, which holds only an uploaded import
# file between its preview and its confirmation, is a table in the same database (created by the
# ucmsc_crf migration 0001). Static files are built into each host by collectstatic.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "crf_cache",
        # The report keeps a block of facts per 250 participants and a version per block
        # (ucmsc_crf/report_cache.py): Django's default of 300 entries would cull them, and their versions,
        # at a few thousand participants, and every report would start afresh.
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}
# The import preview and its confirmation may reach different app servers: keep the file in the shared
# cache, not in the first server's /tmp.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "patients.admin_base.transfer.SharedImportFileStorage"

# Content-Security-Policy (django-csp): everything from this server (hospital networks are offline, every
# asset is in static/), no inline script anywhere, no inline style outside the admin (see the middleware),
# no framing, forms post only here. The browser tests fail on any violation the pages cause.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Clinical records carry the reason for each change; simple_history keeps it on the history row.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Deleting is refused anyway; keep any history should a superuser ever bypass it at the SQL level.
SIMPLE_HISTORY_REVERT_DISABLED = True

# E-mail (emergency unblinding notices): printed on the console in the demo, SMTP otherwise.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ucmsc-crf@localhost")
# Seconds an SMTP connection may take: a mail server that hangs must not hold a sender for ever.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
# How the outbox sends after a commit (patients/outbox.py): "background" (a thread, the page does not wait)
# or "inline" (in the committing process; the test suite). `manage.py send_outbox` retries what is due.
CRF_MAIL_DELIVERY = os.environ.get("CRF_MAIL_DELIVERY", "background")
# Blinding and allocation are the trial's design, data in the admin (patients/casebook/design.py), not settings.
# The largest file the admin import accepts (MB); larger files are refused before they are read.
CRF_IMPORT_MAX_MB = int(os.environ.get("CRF_IMPORT_MAX_MB", "10"))
# The trial summary report is kept until the data change (ucmsc_crf/report_cache.py), at most this long: the
# bound for a change made past the models (SQL by hand). 0 computes it on every request.
CRF_REPORT_CACHE_SECONDS = int(os.environ.get("CRF_REPORT_CACHE_SECONDS", "600"))
# What an import file may make the server hold (patients/import_formats.py): data rows, columns, and what
# an XLSX workbook may unpack to. A few kilobytes of XLSX can otherwise describe a billion-cell sheet.
CRF_IMPORT_MAX_ROWS = int(os.environ.get("CRF_IMPORT_MAX_ROWS", "50000"))
CRF_IMPORT_MAX_COLUMNS = int(os.environ.get("CRF_IMPORT_MAX_COLUMNS", "200"))
# Cells (data rows x columns) an import may hold, CSV or XLSX: rows and columns alone still allowed 10 million.
CRF_IMPORT_MAX_CELLS = int(os.environ.get("CRF_IMPORT_MAX_CELLS", "1500000"))
# Refused rows an import lists before it stops checking the rest (a file of 400,000 bad rows grew a worker
# past 3 GB collecting their errors): the user corrects these and imports again.
CRF_IMPORT_MAX_REFUSED_ROWS = int(os.environ.get("CRF_IMPORT_MAX_REFUSED_ROWS", "100"))
# Rows an import's preview lists (the rest are counted by what they would do): the page and the worker's
# memory stay the same size whatever the file's length.
CRF_IMPORT_PREVIEW_ROWS = int(os.environ.get("CRF_IMPORT_PREVIEW_ROWS", "200"))
CRF_IMPORT_MAX_XLSX_UNPACKED_MB = int(os.environ.get("CRF_IMPORT_MAX_XLSX_UNPACKED_MB", "100"))

# Security: on when DEBUG is off, each overridable for a deployment behind a TLS-terminating proxy.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Idle sessions end after 30 minutes (a ward PC left logged in): the expiry moves with every request.
# Sessions live in the database, so any app server can serve any request. A password change ends every
# other session of that user (Django's session auth hash).
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
