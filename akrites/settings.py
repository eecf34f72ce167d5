"""Django settings for Akrites — read from the environment only (see README's table)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from akrites.core.env import (
    env_bool,
    env_header_value,
    env_int,
    env_list,
    env_secret,
    env_str,
    generated_secret,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("AKRITES_VAR_DIR", str(BASE_DIR / "var"))).resolve()
SHARED_DIR = Path(env_str("AKRITES_SHARED_DIR", str(BASE_DIR.parent / "shared"))).resolve()

DEBUG = env_bool("AKRITES_DEBUG", False)
SECRET_KEY = env_secret("AKRITES_SECRET_KEY") or generated_secret(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("AKRITES_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("AKRITES_CSRF_TRUSTED_ORIGINS", [])
AKRITES_BASE_URL = env_str("AKRITES_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# The dedup index stores keyed hashes of report tokens; the key is its own secret (not the
# rotating encryption keyring, whose rotation would silently empty the index).
AKRITES_DEDUP_INDEX_KEY = env_secret("AKRITES_DEDUP_INDEX_KEY") or generated_secret(
    VAR_DIR / "dedup_index_key"
)

# Intake limits (bytes; requests per minute). A report is its normalised content without
# attachments; a request may carry many reports (bulk, SARIF) and their attachments.
AKRITES_MAX_REPORT_BYTES = env_int("AKRITES_MAX_REPORT_BYTES", 1024 * 1024, minimum=1024)
AKRITES_MAX_ATTACHMENT_BYTES = env_int("AKRITES_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1)
AKRITES_MAX_REQUEST_BYTES = env_int("AKRITES_MAX_REQUEST_BYTES", 64 * 1024 * 1024, minimum=1024)
AKRITES_MAX_BULK_ITEMS = env_int("AKRITES_MAX_BULK_ITEMS", 5000, minimum=1)
AKRITES_RATE_PER_IDENTITY = env_int("AKRITES_RATE_PER_IDENTITY", 6000, minimum=1)
AKRITES_RATE_GLOBAL = env_int("AKRITES_RATE_GLOBAL", 20_000, minimum=1)
AKRITES_RATE_ANONYMOUS = env_int("AKRITES_RATE_ANONYMOUS", 30, minimum=1)
# Daily report budgets per sender (cases.triage.signal), shrunk for low-signal senders;
# 0 means no daily budget. A SIRT-set SenderQuota row overrides these defaults.
AKRITES_QUOTA_SCANNER_DAILY = env_int("AKRITES_QUOTA_SCANNER_DAILY", 2000, minimum=0)
AKRITES_QUOTA_PERSON_DAILY = env_int("AKRITES_QUOTA_PERSON_DAILY", 0, minimum=0)
AKRITES_SECURITY_EMAIL = env_str("AKRITES_SECURITY_EMAIL", "security@akrites.example")
# Django reads request bodies into memory up to this size; intake enforces its own limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = AKRITES_MAX_REQUEST_BYTES

# Encryption at rest (akrites.core.crypto): a JSON keyring in the environment, else var/keys.json.
AKRITES_ENCRYPTION_KEYS = env_secret("AKRITES_ENCRYPTION_KEYS")
AKRITES_KEYS_FILE = str(VAR_DIR / "keys.json")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # TOTP devices are accounts.TotpDevice (seed encrypted at rest), not otp_totp's plaintext.
    "django_otp",
    "axes",
    "akrites.core",
    "akrites.accounts",
    "akrites.orgs",
    "akrites.projects",
    "akrites.audit",
    "akrites.cases",
    "akrites.conversation",
    "akrites.intake",
    "akrites.disclosure",
    "akrites.dedup",
    "akrites.remediation",
    "akrites.confidentiality",
    "akrites.notifications",
    "akrites.api",
    "akrites.web",
    "akrites.mail",
    "akrites.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Session timeouts, MFA gate and step-up state (akrites.accounts); after OTPMiddleware.
    "akrites.accounts.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "akrites.web.middleware.DomainErrorMiddleware",
    # After DomainErrorMiddleware so its process_exception sees StepUpRequired first.
    "akrites.accounts.middleware.StepUpMiddleware",
    # django-axes wants to be last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "akrites.urls"
WSGI_APPLICATION = "akrites.wsgi.application"
ASGI_APPLICATION = "akrites.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# django-axes first: it refuses a locked-out (username, IP) before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Confidentiality (akrites.confidentiality, akrites.accounts): policy numbers and account security.
# Embargo defaults (days from maintainer notification): Project Zero's 90 / 7 when exploited.
AKRITES_EMBARGO_DAYS = env_int("AKRITES_EMBARGO_DAYS", 90, minimum=1)
AKRITES_EMBARGO_EXPLOITED_DAYS = env_int("AKRITES_EMBARGO_EXPLOITED_DAYS", 7, minimum=1)
AKRITES_EMBARGO_AVOID_WEEKENDS = env_bool("AKRITES_EMBARGO_AVOID_WEEKENDS", True)
# Pre-notification lead time before the embargo end, in working days (OpenSSF guide: 1-30).
AKRITES_PRENOTIFY_MIN_WORKING_DAYS = env_int("AKRITES_PRENOTIFY_MIN_WORKING_DAYS", 1, minimum=0)
AKRITES_PRENOTIFY_MAX_WORKING_DAYS = env_int("AKRITES_PRENOTIFY_MAX_WORKING_DAYS", 30, minimum=1)
# TOTP is required for SIRT and maintainer roles; 0 only for local experiments.
AKRITES_MFA_REQUIRED = env_bool("AKRITES_MFA_REQUIRED", True)
AKRITES_STEP_UP_SECONDS = env_int("AKRITES_STEP_UP_SECONDS", 600, minimum=30)
AKRITES_SESSION_IDLE_SECONDS = env_int("AKRITES_SESSION_IDLE_SECONDS", 1800, minimum=60)
OTP_TOTP_ISSUER = "Akrites"
AXES_FAILURE_LIMIT = env_int("AKRITES_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("AKRITES_LOGIN_COOLOFF_SECONDS", 900, minimum=1))
# Per (username, address): one address cannot lock a user out everywhere, and the answer is
# the same whether or not the username exists.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "akrites.accounts.views.locked_out"
# Failed attempts are kept in axes' table (admin); no start-up banner on every command.
AXES_VERBOSE = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "akrites.web.context.navigation",
            ],
        },
    }
]


_SQLITE_MMAP_MB = env_int("AKRITES_SQLITE_MMAP_MB", 2048, minimum=0)
_SQLITE_CACHE_MB = env_int("AKRITES_SQLITE_CACHE_MB", 32, minimum=1)


def _database() -> dict[str, object]:
    url = env_str("AKRITES_DATABASE_URL", f"sqlite:///{VAR_DIR / 'akrites.sqlite3'}")
    db = parse_database_url(url)
    if db.engine == "sqlite":
        Path(db.name).parent.mkdir(parents=True, exist_ok=True)
        # One test database per test process: concurrent runs in one checkout never collide.
        test_name = str(VAR_DIR / f"test-akrites-{os.getpid()}.sqlite3")
        return {
            "ENGINE": "akrites.core.sqlite",
            "NAME": db.name,
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # IMMEDIATE: every transaction takes the write lock up front, so SQLite has one
                # writer at a time and read-then-write sequences (audit chain, id counters)
                # cannot interleave.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # Reads through a shared memory map (one copy of hot pages for every process,
                # no read() call per page) and a per-connection page cache, both in MiB.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; "
                    f"PRAGMA mmap_size={_SQLITE_MMAP_MB * 1024 * 1024}; "
                    f"PRAGMA cache_size=-{_SQLITE_CACHE_MB * 1024};"
                ),
            },
            "TEST": {"NAME": test_name},
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db.name,
        "USER": db.user,
        "PASSWORD": db.password,
        "HOST": db.host,
        "PORT": db.port,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {"BACKEND": env_str("AKRITES_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}
}

# Notifications (akrites.notifications): mail through Django's mail framework (SMTP in
# production; tests get locmem), signed webhooks, digests. Times are in seconds.
EMAIL_BACKEND = env_str("AKRITES_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("AKRITES_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("AKRITES_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("AKRITES_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("AKRITES_EMAIL_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("AKRITES_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("AKRITES_EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("AKRITES_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("AKRITES_EMAIL_FROM", "Akrites <notifications@akrites.example>")
# A link confirming an e-mail address (akrites.accounts.addresses) works this many hours.
AKRITES_EMAIL_CONFIRM_HOURS = env_int("AKRITES_EMAIL_CONFIRM_HOURS", 48, minimum=1)
# The demo's SMTP sink (``akrites mail-sink``, started by ``make run``) writes each message
# it receives as an .eml file here; the debug-only Outbox page lists them.
AKRITES_MAIL_SINK_DIR = Path(env_str("AKRITES_MAIL_SINK_DIR", str(VAR_DIR / "outbox")))
AKRITES_NOTIFY_MAX_ATTEMPTS = env_int("AKRITES_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
AKRITES_NOTIFY_BACKOFF_SECONDS = env_int("AKRITES_NOTIFY_BACKOFF_SECONDS", 60, minimum=1)
# Immediate mails per recipient per hour; beyond it, events wait for the digest.
AKRITES_NOTIFY_HOURLY_QUOTA = env_int("AKRITES_NOTIFY_HOURLY_QUOTA", 10, minimum=1)
# At most one digest per recipient and project per period (critical severity bypasses it).
AKRITES_DIGEST_PERIOD_SECONDS = env_int("AKRITES_DIGEST_PERIOD_SECONDS", 86_400, minimum=60)
AKRITES_DIGEST_DELAY_SECONDS = env_int("AKRITES_DIGEST_DELAY_SECONDS", 300, minimum=0)
AKRITES_NOTIFY_SWEEP_SECONDS = env_int("AKRITES_NOTIFY_SWEEP_SECONDS", 60, minimum=1)
AKRITES_WEBHOOK_TIMEOUT = env_int("AKRITES_WEBHOOK_TIMEOUT", 10, minimum=1)
AKRITES_WEBHOOK_ALLOW_HTTP = env_bool("AKRITES_WEBHOOK_ALLOW_HTTP", DEBUG)
# Webhooks to loopback, private and link-local addresses (notifications.destinations).
AKRITES_WEBHOOK_ALLOW_PRIVATE = env_bool("AKRITES_WEBHOOK_ALLOW_PRIVATE", DEBUG)
AKRITES_RECIPIENT_KEYRING = env_str("AKRITES_RECIPIENT_KEYRING", str(VAR_DIR / "gpg-rcpt"))
# A running task whose worker has not beaten for this long goes back to the queue.
AKRITES_WORKER_LEASE_SECONDS = env_int("AKRITES_WORKER_LEASE_SECONDS", 60, minimum=2)

# Sessions and cookies: strict by default; make run (plain http on loopback) relaxes Secure.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("AKRITES_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# An expired form gets the site's own page (akrites.web), not Django's developer page.
CSRF_FAILURE_VIEW = "akrites.web.views.errors.csrf_failure"
SESSION_COOKIE_AGE = env_int("AKRITES_SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=60)
SECURE_CONTENT_TYPE_NOSNIFF = True
# HSTS on every https response: one year by default outside debug (make run serves plain
# http on loopback, where the header would be ignored anyway). Behind a TLS proxy, name the
# header it sets (``X-Forwarded-Proto: https``) so Django knows the request was https — and
# make sure the proxy overwrites that header from clients.
SECURE_HSTS_SECONDS = env_int("AKRITES_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("AKRITES_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_PROXY_SSL_HEADER = env_header_value("AKRITES_PROXY_SSL_HEADER")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Logs carry identifiers, never content: no request bodies, no report fields.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("AKRITES_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The template engine logs failed variable lookups at DEBUG with the whole context —
        # report content among it. Never below INFO.
        "django.template": {"level": "INFO"},
        # python-gnupg logs gpg's status lines at DEBUG, including names a reporter chose.
        "gnupg": {"level": "WARNING"},
        # httpx logs every request URL at INFO; webhook URLs may embed a token.
        "httpx": {"level": "WARNING"},
        # aiosmtpd (the mail listener and the demo sink) logs every SMTP command at INFO,
        # recipient and sender addresses among them.
        "mail.log": {"level": "WARNING"},
    },
}

# Inbound mail (``akrites mail serve`` / ``akrites mail poll``): the authserv-id of the
# border MTA whose Authentication-Results headers are trusted (empty: none is, and no
# receipt is ever sent), the largest mail accepted, and receipts per sender per hour.
AKRITES_MAIL_AUTHSERV_ID = env_str("AKRITES_MAIL_AUTHSERV_ID", "")
AKRITES_MAIL_MAX_BYTES = env_int("AKRITES_MAIL_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
AKRITES_MAIL_RECEIPTS_PER_HOUR = env_int("AKRITES_MAIL_RECEIPTS_PER_HOUR", 5, minimum=0)
# Reports by mail per minute: from one sender, and from all senders together.
AKRITES_MAIL_PER_SENDER = env_int("AKRITES_MAIL_PER_SENDER", 10, minimum=1)
AKRITES_MAIL_PER_WINDOW = env_int("AKRITES_MAIL_PER_WINDOW", 600, minimum=1)
