"""Tibao settings: one module, everything that differs between machines comes from the environment.

With no environment at all (DEBUG=1 aside) Tibao runs on the embedded default: an SQLite file under
var/, Celery tasks executed in-process, e-mail printed to the console.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# The fixed tables among the settings (the beat schedule, the schema's names, the audit log's models).
from .settings_tables import (  # noqa: F401
    AUDITLOG_EXCLUDE_TRACKING_FIELDS,
    AUDITLOG_EXCLUDE_TRACKING_MODELS,
    AUDITLOG_INCLUDE_ALL_MODELS,
    AUDITLOG_INCLUDE_TRACKING_MODELS,
    CELERY_BEAT_SCHEDULE,
    SPECTACULAR_SETTINGS,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _dev_secret_key() -> str:
    """A key generated once per checkout and kept in var/, so dev sessions survive restarts."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _dev_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "accounts",
    "elevators",
    "insurance",
    "maintenance",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PortalLocaleMiddleware",
    # A NUL character in the path, query or body is refused before any view can put it in a query.
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Sessions of users with an authenticator must have passed it; required kinds must enrol.
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A refused page action (ApplicationError) becomes a message on the page the user came from.
    "core.middleware.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes must come last: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'tibao.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite keeps no connection pool worth keeping; WAL lets the dev server read while tasks write.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
# An optional PostgreSQL read replica (streaming): the dashboards, the monthly reports and the
# Excel exports read from it (core.dbrouter); every other read and every write stays on the primary.
# In tests the replica is the test database itself (a replica cannot be created or migrated).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# ModelBackend with the user's organisation read in the same query (accounts.backends). A session
# records its backend: those signed in through another one sign in again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.OrganisationModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated password failures (django-axes), keyed on username and address together:
# a stranger who knows a username locks out only their own address, not the user. Many government
# offices share one public address, so the address alone is no key either. A higher ceiling per
# username (from any address) still stops guessing spread over many addresses
# (accounts.lockout.PortalLockoutHandler). Failures while locked out do not count.
AXES_HANDLER = "accounts.lockout.PortalLockoutHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, or with TIBAO_PROXY_COUNT proxies in front the address they
# forwarded (a client's own X-Forwarded-For is never trusted, or it could pick any address).
TIBAO_PROXY_COUNT = env.int("TIBAO_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = TIBAO_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TIBAO_PROXY_COUNT else ["REMOTE_ADDR"]
)
# Two-factor sign-in (django-otp, accounts.two_factor): users of these organisation kinds must enrol
# an authenticator before using the portal; everyone else may. With DEBUG on and the variable unset,
# nobody must, so the demo accounts sign in with a password alone.
TIBAO_2FA_REQUIRED_KINDS = env.list(
    "TIBAO_2FA_REQUIRED_KINDS",
    default=[] if DEBUG else ["city_regulator", "district_regulator", "insurer"],
)
# Organisation admins manage their organisation's users and API keys, so they need a second factor
# whatever their kind (same default as above: off with DEBUG on, on otherwise).
TIBAO_2FA_REQUIRED_FOR_ORG_ADMINS = env.bool("TIBAO_2FA_REQUIRED_FOR_ORG_ADMINS", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("TIBAO_2FA_ISSUER", default="梯保 Tibao")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
# EMAIL_URL (smtp+tls://user:password@host:587) wins; otherwise the usual EMAIL_* variables.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND",
        default="django.core.mail.backends.console.EmailBackend"
        if DEBUG or not env.str("EMAIL_HOST", default="")
        else "django.core.mail.backends.smtp.EmailBackend",
    )
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="梯保 Tibao <noreply@tibao.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------------------
# With REDIS_URL, Redis is the cache too (the API's rate limits are shared by every web process);
# without it, each process keeps its own in memory. Redis down is a cache miss, not an error
# (core.cache, docs/decisions/0016), and a dead Redis costs a request at most 2 s to find out.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tibao",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tibao"}
    )
}

# --- Celery ---------------------------------------------------------------------------------
# With REDIS_URL, Redis is broker and result backend; without it tasks run in-process (eagerly),
# which is what the embedded default needs.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker killed mid-task (docs/decisions/0016): its unacknowledged task is delivered again, to
# the pool's next process when one process of a worker dies, or after the visibility timeout to
# any worker when a whole worker dies. An hour is longer than any task runs (the time limit) or
# waits for its retry (10 minutes at most), so a task still running is never delivered twice.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    # Redis down or unreachable: enqueueing gives up within seconds (and keeps the task in the
    # outbox, core.outbox) instead of holding the request.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# The same for the result backend, which a web process subscribes to at each enqueue (its default
# retries for about 20 s before it gives up).
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
}
# CELERY_BEAT_SCHEDULE, the periodic tasks: config/settings_tables.py.

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.OrganisationApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with its nesting depth bounded (core.api.parsers); forms and uploads as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # JSON by orjson, byte for byte what DRF's JSONRenderer writes (core.api.fast_json); DRF's
    # browsable API, its pages allowing DRF's fixed style attributes under the CSP.
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.fast_json.OrjsonRenderer",
        "core.api.renderers.BrowsableAPIRenderer",
    ],
    # django-filter's backend, skipped when a call names no filter (core.api.filtering).
    "DEFAULT_FILTER_BACKENDS": ["core.api.filtering.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # Rate limits on the cache (core.api.throttles): 429 with Retry-After once a budget is spent.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttles.CallerRateThrottle",
        "core.api.throttles.AnonymousRateThrottle",
        "core.api.throttles.ActionRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("TIBAO_API_RATE_USER", default="120/min"),
        "anon": env.str("TIBAO_API_RATE_ANON", default="30/min"),
        "quotes": env.str("TIBAO_QUOTE_RATE", default="30/min"),
    },
    "NUM_PROXIES": TIBAO_PROXY_COUNT,
}
# SPECTACULAR_SETTINGS, the OpenAPI schema's title and names: config/settings_tables.py.

# --- Audit log ------------------------------------------------------------------------------
# AUDITLOG_*, what is audited and what not: config/settings_tables.py.

# --- Security (production) ------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Content Security Policy, on with DEBUG too so development and the browser tests run under the
# production policy: nothing inline (no <script> without src, no style="" nor on...="" attributes),
# nothing from another host. data: images are Bootstrap's SVG icons inside its CSS; the QR codes
# are inline SVG elements, the charts canvases, the icon font a file on 'self'. The API docs pages
# that cannot meet it widen it for themselves only (core.api.docs, core.api.renderers);
# docs/decisions/0013.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Tibao ----------------------------------------------------------------------------------


def levels_setting(name: str, **defaults: int) -> dict[str, int]:
    """Days or minutes per maintenance level: `half_monthly=15;yearly=365` overrides those levels."""
    return {**defaults, **env.dict(name, cast={"value": int}, default={})}


TIBAO = {
    "CITY_CODE": env.str("TIBAO_CITY_CODE", default="420600"),
    "CITY_NAME": env.str("TIBAO_CITY_NAME", default="襄阳市"),
    "RESCUE_PHONE": env.str("TIBAO_RESCUE_PHONE", default="963333"),  # Hubei's province-wide line
    "COVERAGE_TARGET": env.float("TIBAO_COVERAGE_TARGET", default=0.60),
    # Use-registration numbers carry the province abbreviation and the city's letter (codes.md).
    "PROVINCE_ABBREVIATION": env.str("TIBAO_PROVINCE_ABBREVIATION", default="鄂"),
    "CITY_LETTER": env.str("TIBAO_CITY_LETTER", default="F"),
    # Imports refuse a file over these limits before parsing it.
    "IMPORT_MAX_BYTES": env.int("TIBAO_IMPORT_MAX_MB", default=50) * 1024 * 1024,
    "IMPORT_MAX_ROWS": env.int("TIBAO_IMPORT_MAX_ROWS", default=300_000),
    # A policy may be renewed from this many days before its end (Policy.can_renew).
    "RENEWAL_WINDOW_DAYS": env.int("TIBAO_RENEWAL_WINDOW_DAYS", default=60),
    # Maintenance (reference/maintenance.md): days allowed between records of a level or higher
    # (TSG T5002-2017), and the on-demand pilot's (按需维保) for elevators flagged as in it.
    "MAINTENANCE_INTERVAL_DAYS": levels_setting(
        "TIBAO_MAINTENANCE_INTERVAL_DAYS", half_monthly=15, quarterly=90, half_yearly=180, yearly=365
    ),
    "MAINTENANCE_PILOT_INTERVAL_DAYS": levels_setting(
        "TIBAO_MAINTENANCE_PILOT_INTERVAL_DAYS", half_monthly=30, quarterly=120, half_yearly=240, yearly=365
    ),
    # A scan-in farther than this from the elevator's registered location is flagged for review.
    "MAINTENANCE_SCAN_RADIUS_M": env.int("TIBAO_MAINTENANCE_SCAN_RADIUS_M", default=500),
    # A job shorter than this many minutes is flagged (no national number exists: a city's choice).
    "MAINTENANCE_MIN_MINUTES": levels_setting(
        "TIBAO_MAINTENANCE_MIN_MINUTES", half_monthly=30, quarterly=45, half_yearly=60, yearly=90
    ),
    # The national limit for rescuers on site in a city with districts.
    "RESCUE_ARRIVAL_LIMIT_MINUTES": env.int("TIBAO_RESCUE_ARRIVAL_LIMIT_MINUTES", default=30),
    # Attachments of services, hazards and maintenance records.
    "ATTACHMENT_MAX_BYTES": env.int("TIBAO_ATTACHMENT_MAX_MB", default=10) * 1024 * 1024,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

PORTAL_TITLE = _("梯保 · 电梯安全责任保险平台")
FILTERS_EMPTY_CHOICE_LABEL = _("全部")
