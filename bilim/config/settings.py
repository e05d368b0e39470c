"""Bilim settings. Every value comes from the environment (see .env.example); the defaults are safe
for development on a laptop: SQLite in WAL mode under var/, DEBUG on, plain-HTTP cookies."""

from datetime import timedelta
from pathlib import Path
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository root
PACKAGE_DIR = BASE_DIR / "bilim"
VAR_DIR = Path(os.environ.get("BILIM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("BILIM_DEBUG", True)
SECRET_KEY = os.environ.get("BILIM_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("BILIM_SECRET_KEY must be set when BILIM_DEBUG is off")
    SECRET_KEY = "dev-insecure-only-for-development-" + "x" * 20

ALLOWED_HOSTS = env_list("BILIM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("BILIM_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves Swagger UI's files itself: /api/v1/docs works on a closed network
    "bilim.core",
    "bilim.ops",
    "bilim.reporting",
    "bilim.journal",
    "bilim.analytics",
    "bilim.search",
    "bilim.library",
    "bilim.cooperation",
]

MIDDLEWARE = [
    "bilim.ops.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bilim.config.middleware.ApiJsonErrorsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bilim.config.urls"
WSGI_APPLICATION = "bilim.config.wsgi.application"
ASGI_APPLICATION = "bilim.config.asgi.application"

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
                "bilim.core.context_processors.bilim",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("BILIM_DATABASE_URL", f"sqlite:///{VAR_DIR / 'bilim.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if DATABASE_URL.startswith("sqlite") else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] not in ("", ":memory:"):
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer writes; IMMEDIATE transactions take the write lock at
    # BEGIN so two writers queue (busy timeout) instead of failing half-way.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db["TEST"] = {"NAME": os.environ.get("BILIM_TEST_SQLITE_NAME") or None}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("BILIM_DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Lockout after repeated failures (django-axes): per user name, whatever address they come from.
AXES_FAILURE_LIMIT = int(os.environ.get("BILIM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("BILIM_LOGIN_LOCKOUT_MINUTES", "15")))
# Not by address: a whole school goes out through one NAT address, and one pupil's typos must not
# lock out every teacher behind it.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bilim.core.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- security -------------------------------------------------------------------------------------
HTTPS = env_bool("BILIM_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_NAME = "bilim_session"
CSRF_COOKIE_NAME = "bilim_csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("BILIM_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# --- languages and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"  # UTC+5 for the whole country since 1 March 2024
USE_TZ = True
LANGUAGE_COOKIE_NAME = "bilim_language"

# --- static files (served by the app itself: closed networks have no CDN) -------------------------
STATIC_URL = "/static/"
STATIC_ROOT = PACKAGE_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- electronic signatures (R4) ---------------------------------------------------------------------
# A directory of PEM/DER/.p7b certificates of the certification authorities whose signatures are
# accepted on submissions (in Kazakhstan: the National Certification Authority's root and issuing CAs).
TRUSTED_CA_DIR = os.environ.get("BILIM_TRUSTED_CA_DIR", "")

# --- uploaded files (library full texts, cooperation photos and signed copies) ----------------------
# Never served as static files: every download goes through a view that checks access.
MEDIA_ROOT = Path(os.environ.get("BILIM_MEDIA_ROOT", VAR_DIR / "media"))
LIBRARY_MAX_UPLOAD_MB = int(os.environ.get("BILIM_LIBRARY_MAX_UPLOAD_MB", "100"))

# --- OAI-PMH 2.0 provider at /oai (library.oai) -----------------------------------------------------
# The repository identifier in OAI identifiers (oai:<id>:<record>) must be a domain we control.
LIBRARY_OAI_REPOSITORY_ID = os.environ.get("BILIM_OAI_REPOSITORY_ID", "bilim.edu.kz")
LIBRARY_OAI_REPOSITORY_NAME = os.environ.get("BILIM_OAI_REPOSITORY_NAME", "")  # empty: the translated default
LIBRARY_OAI_ADMIN_EMAILS = env_list("BILIM_OAI_ADMIN_EMAILS")
LIBRARY_OAI_PAGE_SIZE = int(os.environ.get("BILIM_OAI_PAGE_SIZE", "100"))

# --- special categories of personal data (Law No. 94-V on personal data) ------------------------------
# Keys for the fields encrypted at rest (core.fieldcrypt): comma-separated, the first encrypts, all
# decrypt (rotation). Development derives one from SECRET_KEY; production must set its own.
FIELD_ENCRYPTION_KEYS = env_list("BILIM_FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured("BILIM_FIELD_ENCRYPTION_KEYS must be set when BILIM_DEBUG is off")

# --- operations -----------------------------------------------------------------------------------
BACKUP_DIR = Path(os.environ.get("BILIM_BACKUP_DIR", VAR_DIR / "backups"))
LOG_LEVEL = os.environ.get("BILIM_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "bilim": {"handlers": ["console"], "level": LOG_LEVEL},
        "axes": {"handlers": ["console"], "level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
