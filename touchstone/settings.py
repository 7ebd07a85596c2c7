"""Touchstone settings: one file, every knob read from the environment by strict helpers.

A bad value stops the process at start-up with a message naming the variable, rather than
surfacing later as a puzzling runtime error.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from touchstone.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("TOUCHSTONE_SHARED_DIR", BASE_DIR.parent / "shared"))


def env_str(name: str, default: str | None = None) -> str:
    """A string from NAME, or from the file named by NAME_FILE (for secrets mounted as files)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {error}") from error
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value; use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_local_settings(path: Path) -> dict[str, str]:
    """NAME=value lines of the local settings file `make run` writes (blank lines and # comments allowed).

    Anything else stops start-up naming the file and line, as a bad environment variable does.
    """
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, equals, value = text.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier() or name.upper() != name:
            raise ImproperlyConfigured(f"{path}, line {number}: write NAME=value, e.g. DEBUG=true.")
        values[name] = value.strip()
    return values


# Development on this machine: `make run` writes .env.local (a generated secret, DEBUG=true) and every manage.py
# command reads it. The environment wins over the file; tests never read it (TOUCHSTONE_ENV_FILE="" reads none).
_local_settings_file = os.environ.get("TOUCHSTONE_ENV_FILE", str(BASE_DIR / ".env.local"))
if (
    _local_settings_file
    and not env_bool("TOUCHSTONE_TESTING", False)
    and Path(_local_settings_file).is_file()
):
    for _name, _value in read_local_settings(Path(_local_settings_file)).items():
        os.environ.setdefault(_name, _value)

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TOUCHSTONE_TESTING", False)
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY if (DEBUG or TESTING) else None)
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and not (DEBUG or TESTING):
    raise ImproperlyConfigured("SECRET_KEY is the development secret while DEBUG is off; set a real one.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG or TESTING else []
)
if not ALLOWED_HOSTS and not (DEBUG or TESTING):
    # Otherwise the server starts and answers 400 to every request.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty while DEBUG is off; name the site's hosts, e.g. ALLOWED_HOSTS=touchstone.example.gov."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "axes",
    "touchstone.core",
    "touchstone.catalog",
    "touchstone.surveys",
    "touchstone.analysis",
    "touchstone.standards",
    "touchstone.complaints",
    "touchstone.voice",
    "touchstone.reports",
    "touchstone.benchmarks",
    "touchstone.improvement",
    "touchstone.portal",
    "touchstone.api",
    "ninja",
]

MIDDLEWARE = [
    "touchstone.core.health.HealthCheckMiddleware",  # /healthz and /readyz, before host checks and HTTPS redirects
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "touchstone.core.middleware.RequestSafetyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "touchstone.core.middleware.NoStoreForPrivatePages",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "touchstone.urls"
WSGI_APPLICATION = "touchstone.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "touchstone.core.context_processors.touchstone",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    }
]

# Databases: SQLite by default, PostgreSQL in production (DATABASE_URL=postgres://...).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'touchstone.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL)
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {error}") from error
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL with synchronous=NORMAL: measured here at about 1.5x the inserts per second of FULL,
    # and still durable across a process crash.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Keep PostgreSQL connections between requests: reconnecting each time costs about 10x here.
    _database["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    _database["CONN_HEALTH_CHECKS"] = True
    # psycopg prepares a statement after this many uses on a connection; only statements sent with their values
    # apart are preparable, which here is the survey response insert (touchstone/surveys/services.py). Empty turns
    # it off, as a PgBouncer older than 1.21 in transaction mode needs.
    _threshold = env_str("DATABASE_PREPARE_THRESHOLD", "5")
    _database.setdefault("OPTIONS", {})["prepare_threshold"] = int(_threshold) if _threshold else None
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "touchstone.core.auth.AddressThrottleBackend",  # django-axes: refuses an address that failed too often
    "django.contrib.auth.backends.ModelBackend",
    *env_list("EXTRA_AUTHENTICATION_BACKENDS", []),
]
# Sign-in through OpenID Connect providers (Login.gov, and agencies' own), by touchstone.core.oidc. The default
# provider, on when OIDC_CLIENT_ID is set: A verified email is matched to an account an admin gave a membership; nobody is created.
# Login.gov: PKCE (no secret) with OIDC_ACR_VALUES; another provider: a client secret (OIDC_CLIENT_SECRET_FILE).
# OIDC_SIGN_IN_URL instead names a sign-in handled elsewhere (an EXTRA_AUTHENTICATION_BACKENDS backend).
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Login.gov")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_AUTH_REQUEST_EXTRA_PARAMS = (
    {"acr_values": env_str("OIDC_ACR_VALUES", "")} if env_str("OIDC_ACR_VALUES", "") else {}
)
OIDC_CREATE_USER = False  # never: access comes only from a membership an admin granted
OIDC_CALLBACK_CLASS = "touchstone.core.oidc.CallbackView"
OIDC_TIMEOUT = 10


# More providers at once, each with its own button: OIDC_PROVIDERS=logingov,treasury and, for each name,
# OIDC_<NAME>_CLIENT_ID, _ISSUER, the four endpoints, and optionally _NAME (the button's), _CLIENT_SECRET(_FILE),
# _PRIVATE_KEY(_FILE) (private_key_jwt), _USE_PKCE, _ACR_VALUES, _SCOPES, _SIGN_ALGORITHM, and _AGENCY: the slug of
# the one agency whose memberships that provider's sign-in may use. The OIDC_* provider above, when set, comes first.
def oidc_provider(key: str) -> dict[str, object]:
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,39}", key) or key == "default":
        raise ImproperlyConfigured(
            f"OIDC_PROVIDERS names {key!r}: use lower-case letters, digits and hyphens (not 'default')."
        )
    prefix = f"OIDC_{key.upper().replace('-', '_')}_"
    private_key = env_str(prefix + "PRIVATE_KEY", "")
    return {
        "name": env_str(prefix + "NAME", key),
        "client_id": env_str(prefix + "CLIENT_ID"),
        "client_secret": env_str(prefix + "CLIENT_SECRET", ""),
        "private_key": private_key,
        "issuer": env_str(prefix + "ISSUER"),
        "authorization_endpoint": env_str(prefix + "AUTHORIZATION_ENDPOINT"),
        "token_endpoint": env_str(prefix + "TOKEN_ENDPOINT"),
        "userinfo_endpoint": env_str(prefix + "USERINFO_ENDPOINT"),
        "jwks_endpoint": env_str(prefix + "JWKS_ENDPOINT"),
        "sign_algorithm": env_str(prefix + "SIGN_ALGORITHM", "RS256"),
        "scopes": env_str(prefix + "SCOPES", "openid email"),
        "use_pkce": env_bool(prefix + "USE_PKCE", not private_key),
        "acr_values": env_str(prefix + "ACR_VALUES", ""),
        "agency": env_str(prefix + "AGENCY", ""),
    }


OIDC_PROVIDERS = {key: oidc_provider(key) for key in env_list("OIDC_PROVIDERS", [])}
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID) or bool(OIDC_PROVIDERS)
if OIDC_RP_CLIENT_ID:
    _missing = [
        name
        for name, value in {
            "OIDC_ISSUER": OIDC_OP_ISSUER,
            "OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
            "OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
            "OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_CLIENT_ID is set; set {', '.join(_missing)} too (the provider's).")
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("touchstone.core.oidc.AgencySignInBackend")
OIDC_SIGN_IN_URL = env_str("OIDC_SIGN_IN_URL", "")
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "manage:home"
LOGOUT_REDIRECT_URL = "portal:home"
SIGN_IN_MAX_FAILURES = env_int("SIGN_IN_MAX_FAILURES", 5)
SIGN_IN_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 15)
# Failed sign-ins are counted per address, whatever the user names tried, and lock that address only: one address
# cannot try many user names, and nobody elsewhere can lock an admin out. Behind a proxy, set TRUSTED_PROXY_COUNT.
AXES_FAILURE_LIMIT = SIGN_IN_MAX_FAILURES
AXES_COOLOFF_TIME = SIGN_IN_LOCKOUT_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "touchstone.core.auth.locked_out"
AXES_VERBOSE = False  # its log lines would carry user names and addresses
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)  # proxies in front that append to X-Forwarded-For
AXES_CLIENT_IP_CALLABLE = "touchstone.core.ratelimit.client_address"
PASSWORD_RESETS_PER_MINUTE = env_int("PASSWORD_RESETS_PER_MINUTE", 3)
SECOND_FACTOR_TRIES_PER_MINUTE = env_int("SECOND_FACTOR_TRIES_PER_MINUTE", 5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Django's own Content-Security-Policy: scripts and styles only from our origin, never inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Español"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static", ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist")]
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        # Compressed copies (gzip, brotli) cost a few CPU minutes at collectstatic; STATIC_COMPRESS=false skips them.
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_COMPRESS", True)
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Customer transactions that standards are measured on live here as Parquet files (touchstone.standards.store).
# Without an object store this folder is the store; with one, it is this server's cache of the bucket's files.
TRANSACTION_STORE = Path(env_str("TRANSACTION_STORE", str(BASE_DIR / "var" / "transactions")))
# Past one machine: an S3-compatible bucket (s3://bucket/prefix) every app server and worker shares, holding the
# transactions (<prefix>/transactions/) and attachments (<prefix>/media/). touchstone.core.objectstore.
OBJECT_STORE_URL = env_str("OBJECT_STORE_URL", "")
if OBJECT_STORE_URL and (
    not OBJECT_STORE_URL.startswith("s3://") or not OBJECT_STORE_URL.removeprefix("s3://").split("/", 1)[0]
):
    raise ImproperlyConfigured(
        f"OBJECT_STORE_URL={OBJECT_STORE_URL!r} is not an object store address; write s3://bucket or s3://bucket/prefix."
    )
OBJECT_STORE_OPTIONS = {
    "endpoint_url": env_str("OBJECT_STORE_ENDPOINT_URL", ""),  # empty: AWS itself
    "region_name": env_str("OBJECT_STORE_REGION", "us-east-1"),
    "access_key": env_str(
        "OBJECT_STORE_ACCESS_KEY_ID", ""
    ),  # empty: the machine's own credentials (an IAM role)
    "secret_key": env_str("OBJECT_STORE_SECRET_ACCESS_KEY", ""),
}


def media_in_object_store(url: str, options: dict[str, str]) -> dict[str, object]:
    """The STORAGES entry keeping attachments under <prefix>/media/ of the object store's bucket (django-storages)."""
    bucket, _slash, prefix = url.removeprefix("s3://").partition("/")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **options,
            "endpoint_url": options["endpoint_url"] or None,
            "bucket_name": bucket,
            "location": "/".join(part for part in (prefix.strip("/"), "media") if part),
            "default_acl": None,
            "querystring_auth": True,  # attachments are private: a link to one expires (in an hour)
            "file_overwrite": False,
            "addressing_style": "path",
        },
    }


if OBJECT_STORE_URL:
    STORAGES["default"] = media_in_object_store(OBJECT_STORE_URL, OBJECT_STORE_OPTIONS)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files sent to the upload page or the API's imports (larger ones: `manage.py import` on the server), and how long
# a background import may wait or load before the schedule marks it failed (its worker is taken to be gone).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_STUCK_MINUTES = env_int("IMPORT_STUCK_MINUTES", 120)
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Outgoing email is chosen by setting: the console in development (access links and addresses withheld), SMTP
# (EMAIL_HOST...) in production, where the console is refused: it would write receipts and reset links to the log.
_email_backend = env_str(
    "EMAIL_BACKEND", "touchstone.core.redaction.ConsoleEmailBackend" if DEBUG or TESTING else ""
)
if not (DEBUG or TESTING) and (not _email_backend or "console" in _email_backend.lower()):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is unset or the console while DEBUG is off: mail would go to the log. "
        "Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST."
    )
_email_options: dict[str, object] = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Touchstone <no-reply@touchstone.example.gov>")

# Background work: the database queue by default; tests run tasks at once.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}
# Scaled out, the queue can live in Redis (pip install -e '.[rq]'): workers are `manage.py rqworker default
# --with-scheduler` (the scheduler runs deferred tasks). docs/deploy.md.
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        "default": {
            "URL": env_str("TASKS_REDIS_URL", env_str("REDIS_URL", "redis://127.0.0.1:6379/0")),
            "DEFAULT_TIMEOUT": env_int("TASKS_TIMEOUT", 3600),  # seconds a task may run (a large import)
        }
    }

# The cache holds rate-limit counters, shared by every worker: Redis (CACHE_URL or REDIS_URL=redis://...:6379/1),
# else a database table (made by a migration); never one worker's memory, which would multiply every limit.
CACHE_URL = env_str("CACHE_URL", "") or env_str("REDIS_URL", "")
CACHE_TABLE = "touchstone_cache"
CACHES = {
    "default": {"BACKEND": "touchstone.core.cache.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if TESTING
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
}

# One line per record to stderr; JSON lines outside debug (LOG_FORMAT=json or text), holding no personal data
# (touchstone.core.logs says what is kept) and no access link or address (touchstone.core.redaction).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is neither json nor text.")
LOGGING = logging_config(env_str("LOG_LEVEL", "INFO"), structured=LOG_FORMAT == "json")

API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
# Per address and survey; an agency raises it for its known networks, and a kiosk device has a limit of its own.
SURVEY_SUBMISSIONS_PER_MINUTE = env_int("SURVEY_SUBMISSIONS_PER_MINUTE", 20)
SURVEY_SPAM_SCORE = env_int("SURVEY_SPAM_SCORE", 50)  # an answer scoring this (of 100) is kept marked as spam
SURVEY_SECONDS_TO_ANSWER = env_int(
    "SURVEY_SECONDS_TO_ANSWER", 3
)  # answered sooner after the form showed: suspect
COMPLAINT_STATUS_CHECKS_PER_MINUTE = env_int("COMPLAINT_STATUS_CHECKS_PER_MINUTE", 10)
COMPLAINT_FILINGS_PER_MINUTE = env_int("COMPLAINT_FILINGS_PER_MINUTE", 5)  # public form, per address
COMPLAINT_API_FILINGS_PER_MINUTE = env_int("COMPLAINT_API_FILINGS_PER_MINUTE", 120)  # per token and address
