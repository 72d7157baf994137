"""Settings of the One-stop Business Hall.

Everything is read from environment variables with safe local defaults, so that a fresh
machine runs the hall with no services at all: no DATABASE_URL means a SQLite file, no
REDIS_URL means a local-memory cache and Celery tasks run in process, no EMAIL_HOST means
mail is printed to the console.
"""

import contextlib
import os
import secrets
import tempfile
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key_from_file(path: Path) -> str:
    """The key kept in ``path``, made there on first use (readable by its owner only).

    Several processes may start at once (the server and the ticker of ``make run``): the key is
    written to a private temporary file and linked into place, so exactly one key ever wins
    and nobody reads a half-written file.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50) + "\n")
            os.chmod(tmp, 0o600)
            # Another process won the race: its key is the one.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is not set and no key could be kept in {path}: {exc}"
        ) from None
    return path.read_text().strip()


# Three ways to run: DJANGO_DEBUG unset is the embedded run (`make run`: DEBUG off, plain HTTP
# on loopback); DJANGO_DEBUG=0 is a deployment (HTTPS protections on by default);
# DJANGO_DEBUG=1 is a developer who wants Django's debug pages.
DEBUG = env_bool("DJANGO_DEBUG", False)
DEPLOYED = os.environ.get("DJANGO_DEBUG") is not None and not DEBUG
# Where the embedded hall keeps what it makes for itself (the secret key, uploads, collected
# static files), beside the SQLite file's default place.
DATA_DIR = Path(env_str("HALL_DATA_DIR", str(BASE_DIR / "var")))
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or secret_key_from_file(DATA_DIR / "secret_key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "import_export",
    "axes",
    "csp",
    # Its two small tables (CAS session tickets, for single logout) exist whether CAS is on or
    # not; its views answer 404 until HALL_CAS_SERVER_URL is set.
    "django_cas_ng",
    "viewflow",
    "viewflow.workflow",
    "hall",
    "archives",
    "workflows",
    "workflows.research",
    "documents",
    "performance",
    "reception",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hall.middleware.HallLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hall.middleware.HallHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: a session that ended says so on the login page.
    "hall.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hall.urls"
WSGI_APPLICATION = "hall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hall.context_processors.hall",
                "archives.context_processors.archives",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Only hall.compiled's statements are prepared (psycopg2 sends every other query as
        # text), and only those whose values are all keys: planned once each, for any person
        # (the inbox's done tab was planned on every visit, 0.4 ms of Postgres's CPU for a
        # 0.1 ms query, as the planner rated its generic plan a little dearer).
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = (
            f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "CONN_MAX_AGE": 60,
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and tasks ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# `make test` runs the suite in pytest-xdist's processes gw0, gw1, …: pytest-django gives each
# its own test database, and each takes its own Redis database here (the URL's number plus the
# worker's, modulo Redis's 16), so one process's cache.clear() or Celery queue is not another's.
# A Celery worker a test starts inherits the variable and lands on the same one.
if REDIS_URL and (xdist_worker := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(REDIS_URL)
    number = int(parts.path.strip("/") or 0) + int(xdist_worker[2:])
    REDIS_URL = urlunsplit(parts._replace(path=f"/{number % 16}"))
# django-redis, so that a cache which is away is a miss, not a 500: every page reads the
# catalogue's facets, the unread count and the boards' versions from it, and the database
# answers them all (IGNORE_EXCEPTIONS, each logged). Half a second to connect or answer on an
# intranet, so a Redis that has gone away costs a page a moment, not seconds.
HALL_REDIS_CACHE = {
    "BACKEND": "django_redis.cache.RedisCache",
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
}
if REDIS_URL:
    CACHES = {"default": {**HALL_REDIS_CACHE, "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "hall.cache"
# A page reads its session from the cache, not Postgres (written through to both; a cache that
# is away is logged and the database answers: Django's cached_db).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
# Without a broker the hall still works: tasks run in the process that enqueues them.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
# An approver never waits on Redis: a publish that cannot reach the broker fails at once (no
# retries, a half-second connect timeout) and the request carries on; the outbox sweep and the
# minute tick send what was not queued. Workers keep reconnecting on their own
# (broker_connection_retry), which these options do not touch.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_TASK_PUBLISH_RETRY = False
# Redis hands a task whose worker died (acks_late, never acknowledged) to another worker after
# the visibility timeout: 300 s. Nothing waits for it: the tick re-queues a missing PDF after
# HALL_PDF_REQUEUE_SECONDS and the outbox sweep a missing message after its grace; both tasks
# are idempotent, so the late redelivery does nothing.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300),
    "socket_connect_timeout": 0.5,
    # The producer's own connect attempt: once, not kombu's default retry loop.
    "max_retries": 0,
}
HALL_PDF_REQUEUE_SECONDS = env_int("HALL_PDF_REQUEUE_SECONDS", 120)
CELERY_BEAT_SCHEDULE = {
    "sweep-deliveries": {"task": "hall.tasks.sweep_deliveries", "schedule": 60.0},
    "reminders-tick": {"task": "workflows.tasks.reminders_tick", "schedule": 60.0},
    # The guides' views counted in Redis, added to the services' popularity.
    "popularity-fold": {"task": "hall.tasks.popularity_fold", "schedule": 60.0},
    "workflows-pdf-orphans": {"task": "workflows.tasks.pdf_orphans_sweep", "schedule": 3600.0},
    "archives-loans-expire": {"task": "archives.tasks.loans_expire", "schedule": 3600.0},
    "archives-loans-remind": {"task": "archives.tasks.loans_remind", "schedule": 3600.0},
    # Daily; the reminders it sends are logged once each, so a rerun sends nothing twice.
    "archives-office-remind": {"task": "archives.tasks.office_remind", "schedule": 86400.0},
    # The research and finance mirror's HTTP pull; it does nothing while no URL is set.
    "research-pull": {
        "task": "workflows.research.tasks.pull",
        "schedule": float(env_int("RESEARCH_PULL_EVERY_SECONDS", 3600)),
    },
    "research-transfers": {"task": "workflows.research.tasks.transfers_tick", "schedule": 60.0},
    "archives-fixity": {
        "task": "archives.tasks.fixity_check",
        "schedule": float(env_int("HALL_FIXITY_EVERY_SECONDS", 7 * 24 * 3600)),
    },
}

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "hall.User"
AUTHENTICATION_BACKENDS = [
    # First: a locked-out account or address is refused before any password is checked.
    "hall.auth.LoginThrottleBackend",
    "hall.auth.NumberOrUsernameBackend",
    # The campus identity system and the enterprise WeChat; each declines while it is off.
    "hall.sso.CASBackend",
    "hall.sso.OIDCBackend",
    "hall.wecom.WeComBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "hall:home"
LOGOUT_REDIRECT_URL = "hall:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# Login throttling (django-axes): this many failures in a row for one account (its user name
# and its staff / student number count together) lock it for the cool-off, and so do
# HALL_LOGIN_ADDRESS_FAILURE_LIMIT failures over any accounts from one client address (higher: a
# campus behind one NAT address is many people); the lockouts are listed, and lifted by deleting
# them, in admin ("Access attempts").
AXES_FAILURE_LIMIT = env_int("HALL_LOGIN_FAILURE_LIMIT", 10)
HALL_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("HALL_LOGIN_ADDRESS_FAILURE_LIMIT", 100)
AXES_HANDLER = "hall.auth.AccountOrAddressHandler"
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HALL_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "hall.auth.login_account"
AXES_LOCKOUT_CALLABLE = "hall.auth.lockout_response"
# The cool-off runs from the failure that locked, so the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind a reverse proxy every login comes from the proxy's address: say how many proxies set
# X-Forwarded-For, and the client's own address is read from it instead.
HALL_PROXY_COUNT = env_int("HALL_PROXY_COUNT", 0)
if HALL_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = HALL_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# --- single sign-on with the campus identity system (统一身份认证) ---------------------------
# CAS is on when HALL_CAS_SERVER_URL is set (e.g. https://ids.example.edu.cn/authserver/);
# OpenID Connect when HALL_OIDC_CLIENT_ID is. Local password login stays for everyone.
HALL_CAS_SERVER_URL = env_str("HALL_CAS_SERVER_URL")
CAS_SERVER_URL = HALL_CAS_SERVER_URL
CAS_VERSION = env_str("HALL_CAS_VERSION", "3")
CAS_REDIRECT_URL = "/"
CAS_LOGOUT_COMPLETELY = True
CAS_STORE_NEXT = True
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
# The hall writes profile fields itself, through HALL_SSO_ATTRIBUTES.
CAS_APPLY_ATTRIBUTES_TO_USER = False
CAS_CREATE_USER = False
OIDC_RP_CLIENT_ID = env_str("HALL_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("HALL_OIDC_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("HALL_OIDC_AUTHORIZATION_URL")
OIDC_OP_TOKEN_ENDPOINT = env_str("HALL_OIDC_TOKEN_URL")
OIDC_OP_USER_ENDPOINT = env_str("HALL_OIDC_USERINFO_URL")
OIDC_OP_JWKS_ENDPOINT = env_str("HALL_OIDC_JWKS_URL")
OIDC_RP_SIGN_ALGO = env_str("HALL_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("HALL_OIDC_SCOPES", "openid profile email")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("HALL_SSO_TIMEOUT", 5)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=refused"
# Who a signed-in person is: the released attribute that holds the staff / student number
# (empty: the CAS user name itself, or the OIDC "sub").
HALL_SSO_MATCH_ATTRIBUTE = env_str("HALL_SSO_MATCH_ATTRIBUTE", "")
# Whether someone the hall does not know yet gets an account at their first sign-in.
HALL_SSO_CREATE_USERS = env_bool("HALL_SSO_CREATE_USERS", False)
# Profile field = released attribute, comma separated; fields: full_name, department (matched
# by code, then by Chinese name), identity, title, phone, email. (The number is the match key.)
HALL_SSO_ATTRIBUTES = env_str(
    "HALL_SSO_ATTRIBUTES",
    "full_name=cn,department=department,identity=identity,title=title,phone=mobile,email=mail",
)
# Directory value = identity (staff, undergraduate, graduate, external); other values are kept
# as they are when they already name an identity, and ignored otherwise.
HALL_SSO_IDENTITY_VALUES = env_str(
    "HALL_SSO_IDENTITY_VALUES", "教职工=staff,本科生=undergraduate,研究生=graduate,校外=external"
)
# A person the directory marks as gone: this attribute holding one of these values is refused.
HALL_SSO_LEFT_ATTRIBUTE = env_str("HALL_SSO_LEFT_ATTRIBUTE", "status")
HALL_SSO_LEFT_VALUES = env_list("HALL_SSO_LEFT_VALUES", ["left", "离职", "离校", "毕业", "退休"])

# --- the enterprise WeChat application (企业微信自建应用) ----------------------------------
# On when the corp id, agent id and secret are all set.
HALL_WECOM_CORP_ID = env_str("HALL_WECOM_CORP_ID")
HALL_WECOM_AGENT_ID = env_str("HALL_WECOM_AGENT_ID")
HALL_WECOM_SECRET = env_str("HALL_WECOM_SECRET")
HALL_WECOM_API_URL = env_str("HALL_WECOM_API_URL", "https://qyapi.weixin.qq.com")
HALL_WECOM_OAUTH_URL = env_str(
    "HALL_WECOM_OAUTH_URL", "https://open.weixin.qq.com/connect/oauth2/authorize"
)
HALL_WECOM_TIMEOUT = env_int("HALL_WECOM_TIMEOUT", 5)
# While the API is down or rate-limits, a message waits and is retried by the outbox sweep,
# up to this many hours after it was written.
HALL_WECOM_RETRY_HOURS = env_int("HALL_WECOM_RETRY_HOURS", 24)

# --- sessions ---------------------------------------------------------------------------------
# Signed out after this long without a request: staff (everyone) and admins (is_staff).
HALL_SESSION_IDLE_MINUTES = env_int("HALL_SESSION_IDLE_MINUTES", 8 * 60)
HALL_ADMIN_SESSION_IDLE_MINUTES = env_int("HALL_ADMIN_SESSION_IDLE_MINUTES", 30)

# --- language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# A deployment serves what collectstatic gathered (compressed); the embedded run serves the
# source folders directly, so a fresh clone needs no collect step before `make run`.
WHITENOISE_USE_FINDERS = env_bool("HALL_STATIC_FROM_SOURCE", not DEPLOYED)
if WHITENOISE_USE_FINDERS:
    # Nothing was collected, and nothing needs to be: not worth a warning at every start.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
STORAGES = {
    # Files appear whole or not at all (hall/storage.py).
    "default": {"BACKEND": "hall.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Not the manifest storage: viewflow's bundled font CSS names files it does not ship,
            # which the manifest's CSS rewriting refuses. Files are still compressed.
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}

# --- mail -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hall@localhost")

# --- security (a deployment, DJANGO_DEBUG=0, turns the HTTPS ones on) -----------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", DEPLOYED)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", DEPLOYED)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if DEPLOYED else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from the hall itself or inline with this response's nonce
# (nonce="{{ request.csp_nonce }}"); styles may be inline (admin and viewflow pages carry
# <style> blocks and style attributes, and a style cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [
            SELF,
            NONCE,
            # django-import-export's export page has one inline handler, allowed by its hash:
            # onchange="onSelectToggleChange(event)".
            UNSAFE_HASHES,
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
        ],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features the hall never uses, off for every page and anything it embeds.
HALL_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
if env_bool("DJANGO_HSTS_PRELOAD", False) is False:
    # Preloading is a one-way commitment an institution makes deliberately, not a default.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- the hall -------------------------------------------------------------------------------
HALL_NAME = env_str("HALL_NAME", "")
# Links in messages point here (the address people open the hall at).
HALL_BASE_URL = env_str("HALL_BASE_URL", "http://127.0.0.1:8000")
HALL_MAIL_DOMAIN = env_str("HALL_MAIL_DOMAIN", "hall.localhost")
# An enterprise-chat robot (e.g. a WeCom group robot) that takes text cards as JSON.
HALL_WEBHOOK_URL = env_str("HALL_WEBHOOK_URL", "")
HALL_WEBHOOK_TIMEOUT = env_int("HALL_WEBHOOK_TIMEOUT", 5)
HALL_OUTBOX_GRACE_SECONDS = env_int("HALL_OUTBOX_GRACE_SECONDS", 30)
# Reminders: "deadline approaching" this many working days ahead, escalation to the head after
# this many working days overdue, urgent requests re-reminded every so many working hours.
HALL_REMIND_BEFORE_DAYS = env_int("HALL_REMIND_BEFORE_DAYS", 1)
HALL_ESCALATE_AFTER_DAYS = env_int("HALL_ESCALATE_AFTER_DAYS", 2)
# A coordination case waiting this many working days for the leader's decision reminds them.
HALL_COORDINATION_DECIDE_DAYS = env_int("HALL_COORDINATION_DECIDE_DAYS", 3)
HALL_URGENT_EVERY_HOURS = env_int("HALL_URGENT_EVERY_HOURS", 4)
HALL_PAGE_SIZE = env_int("HALL_PAGE_SIZE", 20)
# Open311 GeoReport v2: the one jurisdiction the hall serves. A call may name it (any other is
# 404); with OPEN311_JURISDICTION_REQUIRED a call without it is 400.
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", HALL_MAIL_DOMAIN)
OPEN311_JURISDICTION_REQUIRED = env_bool("OPEN311_JURISDICTION_REQUIRED", False)

# The research and finance offices' systems of record (workflows/research): the JSON API the
# mirror pulls from, and the age after which its pages say the figures may be out of date.
RESEARCH_API_URL = env_str("RESEARCH_API_URL", "")
RESEARCH_API_TOKEN = env_str("RESEARCH_API_TOKEN", "")
RESEARCH_API_TIMEOUT = env_int("RESEARCH_API_TIMEOUT", 10)
RESEARCH_MIRROR_MAX_AGE_HOURS = env_int("RESEARCH_MIRROR_MAX_AGE_HOURS", 26)
# Holders of any role in these departments see every project (the finance and research offices).
RESEARCH_OFFICE_DEPARTMENTS = env_str("RESEARCH_OFFICE_DEPARTMENTS", "finance,research").split(",")
# Holders of any role in these departments see every member's Party fees (the Party office).
PARTY_OFFICE_DEPARTMENTS = env_str("PARTY_OFFICE_DEPARTMENTS", "organization").split(",")
# The demo's finance system of record: a local receiver `make run` starts beside the hall
# (manage.py finance_receiver); the demo services send their approved requests to it.
FINANCE_RECEIVER_ENABLED = env_bool("FINANCE_RECEIVER_ENABLED", True)
FINANCE_RECEIVER_PORT = env_int("FINANCE_RECEIVER_PORT", 8765)
FINANCE_RECEIVER_SECRET = env_str("FINANCE_RECEIVER_SECRET", "hall-demo-finance-secret")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes greets every process at INFO; its failures and lockouts are WARNINGs.
        "axes": {"level": "WARNING"},
    },
}

# The people's voices: a case's reminder this many working days before its deadline, and the
# office's leader told when it is this many working days late (reception/case_clock.py).
RECEPTION_CASE_REMIND_DAYS = env_int("RECEPTION_CASE_REMIND_DAYS", 1)
RECEPTION_CASE_ESCALATE_DAYS = env_int("RECEPTION_CASE_ESCALATE_DAYS", 2)
# The principal's / mayor's mailbox read over IMAP (reception/mailbox.py): no host, no reading.
# The tick reads the folder at most every RECEPTION_IMAP_EVERY_MINUTES; messages become cases on
# the channel "mailbox", once per Message-ID.
RECEPTION_IMAP_HOST = env_str("RECEPTION_IMAP_HOST")
RECEPTION_IMAP_PORT = env_int("RECEPTION_IMAP_PORT", 993)
RECEPTION_IMAP_SSL = env_bool("RECEPTION_IMAP_SSL", True)
RECEPTION_IMAP_USER = env_str("RECEPTION_IMAP_USER")
RECEPTION_IMAP_PASSWORD = env_str("RECEPTION_IMAP_PASSWORD")
RECEPTION_IMAP_FOLDER = env_str("RECEPTION_IMAP_FOLDER", "INBOX")
RECEPTION_IMAP_EVERY_MINUTES = env_int("RECEPTION_IMAP_EVERY_MINUTES", 10)
# The category and kind an imported message starts with (the office may reclassify it).
RECEPTION_MAILBOX_CATEGORY = env_str("RECEPTION_MAILBOX_CATEGORY")
RECEPTION_MAILBOX_KIND = env_str("RECEPTION_MAILBOX_KIND", "complaint")
