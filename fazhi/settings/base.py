"""Settings shared by every environment. No secret and no DEBUG=True here (security.md)."""

from __future__ import annotations

from datetime import timedelta

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from . import env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR
PACKAGE_DIR = BASE_DIR / "fazhi"

DEBUG = env.flag("FAZHI_DEBUG", False)
ALLOWED_HOSTS = env.listing("FAZHI_ALLOWED_HOSTS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules",
    "django_htmx",
    "csp",
    "ninja",
    "fazhi.core",
    "fazhi.core.calendar",
    "fazhi.core.files",
    "fazhi.core.identity",
    "fazhi.core.notify",
    "fazhi.core.search",
    "fazhi.api",
    "fazhi.rules",
    "fazhi.disclosure",
    "fazhi.oversight",
    "fazhi.services",
    "fazhi.accounts",
    "fazhi.workspace",
    "fazhi.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fazhi.core.middleware.CookieLocaleMiddleware",
    "fazhi.core.middleware.MethodNotAllowedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fazhi.accounts.middleware.SessionPolicyMiddleware",
    "fazhi.accounts.middleware.SecurityGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fazhi.urls"
WSGI_APPLICATION = "fazhi.wsgi.application"

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
                "fazhi.workspace.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": env.database(
        env.get("FAZHI_DATABASE_URL") or env.sqlite_url(VAR_DIR / "fazhi.sqlite3")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked (username, IP) pairs before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "fazhi.accounts.passwords.LengthValidator",
        "OPTIONS": {
            "min_length": env.integer("FAZHI_PASSWORD_MIN_LENGTH", 10),
            "max_length": 128,
        },
    },
    {
        "NAME": "fazhi.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": 3},
    },
    {"NAME": "fazhi.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "fazhi.accounts.passwords.UsernameValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "portal:home"

# --- Security controls (../shared/security.md); each number is a site setting ---
FAZHI_PASSWORD_MAX_AGE_DAYS = env.integer("FAZHI_PASSWORD_MAX_AGE_DAYS", 90)
FAZHI_LOGIN_FAILURE_LIMIT = env.integer("FAZHI_LOGIN_FAILURE_LIMIT", 5)
FAZHI_LOCKOUT_MINUTES = env.integer("FAZHI_LOCKOUT_MINUTES", 30)
FAZHI_SESSION_IDLE_SECONDS = env.integer("FAZHI_SESSION_IDLE_SECONDS", 30 * 60)
FAZHI_SESSION_ABSOLUTE_SECONDS = env.integer("FAZHI_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
# Roles that must use the second factor; "all" makes it everyone on the staff side.
FAZHI_OTP_REQUIRED_ROLES = env.listing(
    "FAZHI_OTP_REQUIRED_ROLES", ["sysadmin", "secadmin", "auditor", "leader", "legal_officer"]
)
FAZHI_OTP_ISSUER = env.get("FAZHI_OTP_ISSUER", "Fazhi")
# Demo accounts skip the second factor only where a settings module says so (dev).
FAZHI_DEMO_SKIP_OTP = False
FAZHI_DEMO_PASSWORD = env.get("FAZHI_DEMO_PASSWORD", "Fazhi-demo-2026")
# Requests per minute per client IP.
FAZHI_RATE_LIMITS = {
    "login": env.integer("FAZHI_RATE_LOGIN_PER_MINUTE", 30),
    "public_form": env.integer("FAZHI_RATE_PUBLIC_FORM_PER_MINUTE", 10),
}
# Comma-separated proxies whose X-Forwarded-For is believed (nginx in production).
FAZHI_TRUSTED_PROXIES = env.listing("FAZHI_TRUSTED_PROXIES", [])

AXES_ENABLED = True
AXES_FAILURE_LIMIT = FAZHI_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=FAZHI_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fazhi.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "fazhi.core.http.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = FAZHI_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "fazhi.portal.errors.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation: Chinese first, English kept complete ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

_redis_url = env.get("FAZHI_REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fazhi"}
    )
}

# --- Jobs: Celery with Redis in production; in-process (eager) on one machine ---
CELERY_BROKER_URL = _redis_url or "memory://"
CELERY_TASK_ALWAYS_EAGER = not _redis_url
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {"fazhi-sweep": {"task": "fazhi.notify.sweep", "schedule": 30 * 60}}

# --- Notifications ---
FAZHI_SMS_GATEWAY = env.get("FAZHI_SMS_GATEWAY", "fazhi.core.notify.sms.ConsoleSmsGateway")
FAZHI_NOTIFY_MAX_ATTEMPTS = env.integer("FAZHI_NOTIFY_MAX_ATTEMPTS", 5)
FAZHI_NOTIFY_RETRY_SECONDS = env.integer("FAZHI_NOTIFY_RETRY_SECONDS", 60)
FAZHI_NOTIFY_REQUEUE_MINUTES = env.integer("FAZHI_NOTIFY_REQUEUE_MINUTES", 45)
FAZHI_REMINDER_WORKDAYS = env.integer("FAZHI_REMINDER_WORKDAYS", 3)
FAZHI_DEADLINE_CHANNELS = ("inbox", "email")
# Scheme and host put before links in e-mails, e.g. https://fazhi.example.gov.cn
FAZHI_SITE_URL = env.get("FAZHI_SITE_URL", "")
EMAIL_TIMEOUT = env.integer("FAZHI_EMAIL_TIMEOUT", 10)

EMAIL_BACKEND = env.get("FAZHI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.get("FAZHI_EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("FAZHI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get("FAZHI_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get("FAZHI_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.flag("FAZHI_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.get("FAZHI_DEFAULT_FROM_EMAIL", "fazhi@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "fazhi": {"handlers": ["stderr"], "level": env.get("FAZHI_LOG_LEVEL", "INFO")},
        "django.security": {"handlers": ["stderr"], "level": "WARNING"},
    },
}

OTP_TOTP_ISSUER = FAZHI_OTP_ISSUER

# --- Personal identifiers: AES-256-GCM key (base64 of 32 bytes), retired keys for reading ---
FAZHI_IDENTITY_KEY = env.get("FAZHI_IDENTITY_KEY")
FAZHI_IDENTITY_OLD_KEYS = env.listing("FAZHI_IDENTITY_OLD_KEYS", [])
# The standard's own example (440524188001010014) is born in 1880.
FAZHI_IDENTITY_EARLIEST_BIRTH_YEAR = env.integer("FAZHI_IDENTITY_EARLIEST_BIRTH_YEAR", 1800)
FAZHI_IDENTITY_REVEAL_REASON_MAX_LENGTH = env.integer(
    "FAZHI_IDENTITY_REVEAL_REASON_MAX_LENGTH", 200
)

# --- Files: zip-bomb limits, antivirus (clamd socket; empty = no scanning) ---
FAZHI_FILES_STORAGE = env.get("FAZHI_FILES_STORAGE", "default")
FAZHI_FILES_ZIP_MAX_ENTRIES = env.integer("FAZHI_FILES_ZIP_MAX_ENTRIES", 2000)
FAZHI_FILES_ZIP_MAX_UNCOMPRESSED = env.integer(
    "FAZHI_FILES_ZIP_MAX_UNCOMPRESSED", 200 * 1024 * 1024
)
FAZHI_FILES_ZIP_MAX_RATIO = env.integer("FAZHI_FILES_ZIP_MAX_RATIO", 100)
FAZHI_FILES_ZIP_RATIO_MIN_BYTES = env.integer("FAZHI_FILES_ZIP_RATIO_MIN_BYTES", 1024 * 1024)
FAZHI_CLAMAV_SOCKET = env.get("FAZHI_CLAMAV_SOCKET", "")
FAZHI_CLAMAV_TIMEOUT = env.integer("FAZHI_CLAMAV_TIMEOUT", 30)

# --- Working-day calendar ---
FAZHI_CALENDAR_MAX_DAYS = env.integer("FAZHI_CALENDAR_MAX_DAYS", 3650)
FAZHI_CALENDAR_RECHECK_SECONDS = env.integer("FAZHI_CALENDAR_RECHECK_SECONDS", 10)

# --- Search ---
FAZHI_SEARCH_BODY_MAX_CHARS = env.integer("FAZHI_SEARCH_BODY_MAX_CHARS", 20000)
FAZHI_SEARCH_QUERY_MAX_CHARS = env.integer("FAZHI_SEARCH_QUERY_MAX_CHARS", 100)
FAZHI_SEARCH_QUERY_MAX_TERMS = env.integer("FAZHI_SEARCH_QUERY_MAX_TERMS", 12)
FAZHI_SEARCH_MAX_LIMIT = env.integer("FAZHI_SEARCH_MAX_LIMIT", 100)
FAZHI_SEARCH_MAX_OFFSET = env.integer("FAZHI_SEARCH_MAX_OFFSET", 1000)
FAZHI_SEARCH_SNIPPET_CHARS = env.integer("FAZHI_SEARCH_SNIPPET_CHARS", 120)
# A deployment's own jieba dictionary, loaded after the built-in userdict.txt.
FAZHI_SEARCH_EXTRA_DICT = env.get("FAZHI_SEARCH_EXTRA_DICT", "")

# Audit log retention: 网络安全法 Art. 21 requires at least six months.
FAZHI_AUDIT_RETENTION_MIN_DAYS = 180
FAZHI_AUDIT_RETENTION_DAYS = max(
    env.integer("FAZHI_AUDIT_RETENTION_DAYS", 180), FAZHI_AUDIT_RETENTION_MIN_DAYS
)
