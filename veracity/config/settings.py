"""Django settings for Veracity, read from the environment (see .env.example and docs/configuration.md)."""

import datetime as dt
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from veracity.config.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent

ENVIRONMENT = env_str("VERACITY_ENV", "development")  # development | test | production
IS_PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = env_path("VERACITY_DATA_DIR", BASE_DIR / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _development_secret_key() -> str:
    """Outside production a random key is kept in the data dir, so sessions survive restarts
    and no key is ever committed."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env_str("VERACITY_SECRET_KEY") if IS_PRODUCTION else env_str(
    "VERACITY_SECRET_KEY", _development_secret_key()
)
DEBUG = env_bool("VERACITY_DEBUG", False)
ALLOWED_HOSTS = env_list("VERACITY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("VERACITY_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",  # AUTH-HARDENING (see below)
    "veracity.audit",
    "veracity.accounts",
    "veracity.core",
    "veracity.notifications",
    "veracity.standards",
    "veracity.matching",
    "veracity.customers",
    "veracity.catalog",
    "veracity.sales",
    "veracity.pipeline",
    "veracity.activities",
    "veracity.quality",
    "veracity.service",
    "veracity.feedback",
    "veracity.forecasting",
    "veracity.analytics",
    "veracity.dedup",
    "veracity.workspace",
    "veracity.imports",
    "veracity.exports",
    "veracity.ops",
    "veracity.marketing",
    "veracity.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "veracity.core.middleware.RequestBodyGuardMiddleware",
    "veracity.core.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "veracity.accounts.middleware.SessionTimeoutMiddleware",
    "veracity.accounts.middleware.TwoFactorEnrolmentMiddleware",  # AUTH-HARDENING (see below)
    "veracity.audit.middleware.RequestContextMiddleware",
    "veracity.quality.middleware.EntryRejectionMiddleware",  # rejected saves per user, for scorecards
    "django.contrib.messages.middleware.MessageMiddleware",
    "veracity.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # AUTH-HARDENING: last, as django-axes asks (see below)
]

ROOT_URLCONF = "veracity.config.urls"
WSGI_APPLICATION = "veracity.config.wsgi.application"
ASGI_APPLICATION = "veracity.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "veracity.workspace.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite durability (SECURITY.md R19): WAL, synchronous=FULL (no committed write is lost on power
# failure), a busy timeout, foreign keys on, and IMMEDIATE transactions so writers queue instead of
# failing with "database is locked" half-way through a transaction.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "2",  # FULL
    "busy_timeout": "10000",
    "foreign_keys": "1",
}
DATABASE_URL = env_str("VERACITY_DATABASE_URL", f"sqlite:///{DATA_DIR / 'veracity.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("VERACITY_DB_CONN_MAX_AGE", 0))
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
        "init_command": "".join(f"PRAGMA {name}={value};" for name, value in SQLITE_PRAGMAS.items()),
    }
    _database["TEST"] = {"NAME": env_str("VERACITY_TEST_SQLITE_NAME", "")} if env_str(
        "VERACITY_TEST_SQLITE_NAME", ""
    ) else {}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# ===== AUTH-HARDENING (SECURITY.md R4–R8): passwords, login throttling, two-factor, sessions =====
# Everything the accounts hardening changed in settings is in this block, plus three list entries
# marked AUTH-HARDENING: "axes" in INSTALLED_APPS, TwoFactorEnrolmentMiddleware after the session
# timeout, and axes.middleware.AxesMiddleware last. See docs/security.md.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # Argon2id; older hashes are upgraded on login
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST SP 800-63B: 8–64 characters (15 recommended), no composition rules, no forced rotation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "veracity.accounts.validators.PasswordLengthValidator",
     "OPTIONS": {"min_length": 8, "max_length": 64, "recommended_length": 15}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Brute-force control (R6) with django-axes: failures are counted per (username, IP) pair, so an
# attacker elsewhere cannot lock a user out; the lock lifts by itself after the cool-off.
AUTHENTICATION_BACKENDS = [
    "veracity.accounts.backends.ThrottledLoginBackend",  # django-axes; steps aside without a request
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("VERACITY_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = env_int("VERACITY_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("VERACITY_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "veracity.accounts.views.login_locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Sessions (R8): the idle timeout and the absolute lifetime are both enforced server-side by
# SessionTimeoutMiddleware (the absolute one from the login time kept in the session, so activity
# never extends it); SESSION_SAVE_EVERY_REQUEST stays False.
SESSION_COOKIE_AGE = env_int("VERACITY_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_IDLE_SECONDS = env_int("VERACITY_SESSION_IDLE_SECONDS", 2 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
# ===== end AUTH-HARDENING ==========================================================================
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION

# --- Security headers (SECURITY.md R9) -----------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("VERACITY_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("VERACITY_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("VERACITY_MAX_BODY_BYTES", 5 * 1024 * 1024)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
# Our own zh_Hans input formats put ISO dates first (see config/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["veracity.config.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("VERACITY_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files (installed from npm at set-up, served locally by WhiteNoise) ----------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(DATA_DIR / "files")}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if IS_PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Background jobs (django-tasks; Django 6's tasks framework, backported) -------------------
# The database-backed queue needs no extra server; `veracity db_worker` runs the jobs. Tests run
# jobs immediately, in the test's own transaction.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend" if ENVIRONMENT == "test"
        else "django_tasks_db.DatabaseBackend",
    },
}

# --- Veracity ---------------------------------------------------------------------------------
REPORTING_CURRENCY = env_str("VERACITY_REPORTING_CURRENCY", "CNY")
TRASH_RETENTION_DAYS = env_int("VERACITY_TRASH_RETENTION_DAYS", 30)
API_PAGE_SIZE_MAX = 200
# Imports (docs/imports.md): order-line CSV files at least this big load through the bulk path; a run
# whose heartbeat is older than this many seconds (and whose process is gone) is interrupted.
VERACITY_IMPORT_BULK_MIN_BYTES = env_int("VERACITY_IMPORT_BULK_MIN_BYTES", 1024 * 1024)
VERACITY_IMPORT_STALE_SECONDS = env_int("VERACITY_IMPORT_STALE_SECONDS", 300)
# A bulk import of at least this many order lines (and at least as many as the table holds) drops the
# secondary indexes of the tables it fills and rebuilds them at the end (docs/decisions, imports.bulk.indexes).
VERACITY_IMPORT_DEFER_INDEXES_MIN_LINES = env_int("VERACITY_IMPORT_DEFER_INDEXES_MIN_LINES", 200_000)
# The dry run of a bulk import of at least this many bytes checks its batches in this many worker processes
# (0: in the importing process, by a thread that checks the next batch while this one is resolved, unless
# VERACITY_IMPORT_CHECK_THREAD is off; imports.bulk.workers).
VERACITY_IMPORT_CHECK_WORKERS = env_int("VERACITY_IMPORT_CHECK_WORKERS", 0)
VERACITY_IMPORT_CHECK_THREAD = env_bool("VERACITY_IMPORT_CHECK_THREAD", True)
# A bulk load writes each batch on a second connection while it resolves the next (imports.bulk.runner).
VERACITY_IMPORT_PIPELINE = env_bool("VERACITY_IMPORT_PIPELINE", True)
VERACITY_IMPORT_CHECK_POOL_MIN_BYTES = env_int("VERACITY_IMPORT_CHECK_POOL_MIN_BYTES", 16 * 1024 * 1024)
# The checked batches a dry run leaves beside the upload (imports.bulk.prepared) of a run nobody loads are
# deleted after this many days by the `import_prepared_sweep` job.
VERACITY_IMPORT_PREPARED_KEEP_DAYS = env_int("VERACITY_IMPORT_PREPARED_KEEP_DAYS", 7)

# --- Marketing: the public web-to-lead form (docs/marketing.md) --------------------------------
LEAD_OWNER = env_str("VERACITY_LEAD_OWNER", "")            # username owning web leads …
LEAD_OWNER_TEAM = env_str("VERACITY_LEAD_OWNER_TEAM", "")  # … or a team whose members take turns
# Sites allowed to embed the form in an iframe (CSP frame-ancestors of that page only).
LEAD_FORM_FRAME_ANCESTORS = env_list("VERACITY_LEAD_FORM_FRAME_ANCESTORS", [])
LEAD_FORM_MIN_SECONDS = env_int("VERACITY_LEAD_FORM_MIN_SECONDS", 3)
LEAD_FORM_MAX_AGE_SECONDS = env_int("VERACITY_LEAD_FORM_MAX_AGE_SECONDS", 2 * 60 * 60)
LEAD_FORM_RATE_LIMIT = env_int("VERACITY_LEAD_FORM_RATE_LIMIT", 5)  # submissions per address per hour

# --- Backups (ops.backups; docs/backups.md) ---------------------------------------------------
# Tests never write into the real data dir: their default is a per-process temporary directory.
BACKUP_DIR = env_path("VERACITY_BACKUP_DIR", Path(tempfile.gettempdir()) / f"veracity-test-backups-{os.getpid()}"
                      if ENVIRONMENT == "test" else DATA_DIR / "backups")
BACKUP_KEY = env_str("VERACITY_BACKUP_KEY", "")  # a Fernet key; empty: backups are not encrypted
BACKUP_KEEP_HOURLY = env_int("VERACITY_BACKUP_KEEP_HOURLY", 48)
BACKUP_KEEP_DAILY = env_int("VERACITY_BACKUP_KEEP_DAILY", 14)
BACKUP_KEEP_MONTHLY = env_int("VERACITY_BACKUP_KEEP_MONTHLY", 12)
BACKUP_PG_BIN_DIRS = env_list("VERACITY_PG_BIN_DIRS", ["/usr/lib/postgresql/15/bin"])
# Failed restore drills are mailed to the active administrators.
EMAIL_BACKEND = env_str("VERACITY_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("VERACITY_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("VERACITY_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("VERACITY_DEFAULT_FROM_EMAIL", "veracity@localhost")
# Links in emailed notifications and digests (notifications app) start with this address.
SITE_URL = env_str("VERACITY_SITE_URL", "http://localhost:8000").rstrip("/")

LOG_FORMAT = env_str("VERACITY_LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfiguredEnv(f"VERACITY_LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}.")
# --- Feedback (feedback app; docs/feedback.md) -------------------------------------------------
# The address customers reach this site at: personal survey links in e-mails start with it.
PUBLIC_BASE_URL = env_str("VERACITY_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Which sites may show the embeddable feedback form in an iframe (CSP frame-ancestors, that page only).
FEEDBACK_FRAME_ANCESTORS = env_list("VERACITY_FEEDBACK_FRAME_ANCESTORS", ["'self'", "https:"])
# Public survey submissions per client address within the window (no outside services).
FEEDBACK_RATE_LIMIT = env_int("VERACITY_FEEDBACK_RATE_LIMIT", 20)
FEEDBACK_RATE_WINDOW_SECONDS = env_int("VERACITY_FEEDBACK_RATE_WINDOW_SECONDS", 600)
FEEDBACK_LINK_DAYS = env_int("VERACITY_FEEDBACK_LINK_DAYS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "veracity.config.logging.JsonFormatter"}},
    # VERACITY_LOG_FORMAT=json: one JSON object per line with the request id (docs/deploy.md, monitoring)
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("VERACITY_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
