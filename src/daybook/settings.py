"""The one settings module. Everything an operator may change is an environment
variable, listed in ``SETTINGS_DOC`` and documented in docs/configuration.md
(a test keeps the two in step).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from daybook.config import env_bool, env_list, env_str
from daybook.errors import ConfigError
from daybook.text.places import HOME_REGION, REGIONS

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(env_str("DAYBOOK_DATA_DIR", str(Path.cwd() / "daybook-data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# The key signs sessions and CSRF tokens. A laptop run gets a random key kept
# in the data directory so restarts keep sessions; production sets one.
SECRET_KEY = os.environ.get("DAYBOOK_SECRET_KEY") or ""
if not SECRET_KEY:
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

DEBUG = env_bool("DAYBOOK_DEBUG", False)
ALLOWED_HOSTS = env_list("DAYBOOK_WEB_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "daybook.news",
    "daybook.community",
    "daybook.mail",
    "daybook.api",
    "daybook.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything touches the database or the session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages every signed-out reader gets alike, sent again before the session is read.
    "daybook.web.pagecache.SharedPages",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag from the body for what the page cache does not validate itself
    # (signed-in pages, the API); answers a matching If-None-Match with a 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "daybook.urls"
WSGI_APPLICATION = "daybook.wsgi.application"

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
            ]
        },
    }
]

# SQLite is the default. WAL lets readers run beside one writer; IMMEDIATE
# transactions take the write lock up front so a second writer waits out the
# busy timeout instead of failing halfway with "database is locked".
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'daybook.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
USE_I18N = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# whitenoise serves static files. `daybook serve` collects them first under hashed
# names, which get far-future cache headers; without that step (tests, a bare
# WSGI run) the plain names are served from the app folders with a short max-age.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "daybook.web.static.Storage"},
}

# Readers. argon2 hashes new passwords; the others still verify old hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DAYBOOK_HTTPS", False)
# Reverse proxies in front of daybook: the sign-in throttle counts readers by the
# address the nearest of them saw, not by the proxy's own address.
DAYBOOK_PROXY_HOPS = int(env_str("DAYBOOK_PROXY_HOPS", "0"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script anywhere, and nothing from elsewhere: every script is a file from
# our own origin, and publishers' images come through /media/ (``daybook.web.media``).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
    }
}

# Mail (password resets). The console backend prints mails when no SMTP host is set.
EMAIL_HOST = env_str("DAYBOOK_EMAIL_HOST", "")
EMAIL_PORT = int(env_str("DAYBOOK_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("DAYBOOK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("DAYBOOK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DAYBOOK_EMAIL_TLS", False)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DAYBOOK_EMAIL_FROM", "daybook <daybook@localhost>")
# Digests and alerts (daybook.mail) link to DAYBOOK_PUBLIC_URL and are not sent without it.
DAYBOOK_EMAIL_UNSUBSCRIBE = env_str("DAYBOOK_EMAIL_UNSUBSCRIBE", "")

# The page cache. Keys carry the content revision (news/revision.py), so a page
# is never served stale after new articles land, whatever the backend. Redis is
# shared by every web process; the default is each process's own memory.
CACHE_URL = env_str("DAYBOOK_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# Fetching. Hosts listed here may be fetched even though they are private or
# loopback addresses (a test server, an intranet publisher).
DAYBOOK_ALLOWED_HOSTS = frozenset(env_list("DAYBOOK_ALLOWED_HOSTS", []))
DAYBOOK_FETCH_MAX_BYTES = int(env_str("DAYBOOK_FETCH_MAX_BYTES", str(5 * 1024 * 1024)))
DAYBOOK_FETCH_TIMEOUT = float(env_str("DAYBOOK_FETCH_TIMEOUT", "60"))
DAYBOOK_MEDIA_CACHE_MB = int(env_str("DAYBOOK_MEDIA_CACHE_MB", "500"))
DAYBOOK_HOST_DELAY = float(env_str("DAYBOOK_HOST_DELAY", "1.0"))
DAYBOOK_RESPECT_ROBOTS = env_bool("DAYBOOK_RESPECT_ROBOTS", True)
DAYBOOK_POLL_INTERVAL = int(env_str("DAYBOOK_POLL_INTERVAL", "1800"))
# Whether any signed-in reader may add a new source from the web (staff always may).
DAYBOOK_READERS_ADD_SOURCES = env_bool("DAYBOOK_READERS_ADD_SOURCES", True)
DAYBOOK_NEAR_DUPLICATE_THRESHOLD = float(env_str("DAYBOOK_NEAR_DUPLICATE_THRESHOLD", "0.6"))

# Background work: Django's tasks API. Unset, tasks queue in the database itself
# (django-tasks-db: no broker, SQLite on a laptop, SKIP LOCKED on PostgreSQL);
# a redis:// URL puts them on RQ, whose workers may run on any number of machines.
DAYBOOK_TASKS_URL = env_str("DAYBOOK_TASKS_URL", "")
DAYBOOK_QUEUES = ("feeds", "pages", "enrich", "stories", "llm", "mail")
_QUEUE_BACKEND = {"BACKEND": "django_tasks_db.DatabaseBackend"}
if DAYBOOK_TASKS_URL.startswith(("redis://", "rediss://", "unix://")):
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {name: {"URL": DAYBOOK_TASKS_URL} for name in DAYBOOK_QUEUES}
    _QUEUE_BACKEND = {"BACKEND": "django_tasks_rq.RQBackend"}
elif DAYBOOK_TASKS_URL:
    raise ConfigError(f"DAYBOOK_TASKS_URL must be empty or a redis:// URL: {DAYBOOK_TASKS_URL!r}")
TASKS = {
    "default": {**_QUEUE_BACKEND, "QUEUES": list(DAYBOOK_QUEUES)},
    # `daybook ingest` runs the same tasks in its own process.
    "inprocess": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": list(DAYBOOK_QUEUES),
    },
}

# The scheduler. Intervals follow how often a feed publishes, within these bounds.
DAYBOOK_POLL_MIN_SECONDS = int(env_str("DAYBOOK_POLL_MIN_SECONDS", "300"))
DAYBOOK_POLL_MAX_SECONDS = int(env_str("DAYBOOK_POLL_MAX_SECONDS", "86400"))
DAYBOOK_FEED_DISABLE_DAYS = float(env_str("DAYBOOK_FEED_DISABLE_DAYS", "30"))
DAYBOOK_TICK_SECONDS = float(env_str("DAYBOOK_TICK_SECONDS", "5"))
DAYBOOK_LEASE_SECONDS = int(env_str("DAYBOOK_LEASE_SECONDS", "600"))
DAYBOOK_PAGE_FRESHNESS_SECONDS = float(env_str("DAYBOOK_PAGE_FRESHNESS_SECONDS", "30"))
# Where the readers are: news from other regions, without this one, is also "World".
# One of the news regions (daybook.text.places.REGIONS), or empty for none.
DAYBOOK_HOME_REGION = env_str("DAYBOOK_HOME_REGION", HOME_REGION)
if DAYBOOK_HOME_REGION and DAYBOOK_HOME_REGION not in REGIONS:
    raise ConfigError(
        f"DAYBOOK_HOME_REGION must be empty or one of {', '.join(REGIONS)}: {DAYBOOK_HOME_REGION!r}"
    )
DAYBOOK_PUBLIC_URL = env_str("DAYBOOK_PUBLIC_URL", "").rstrip("/")

# Enrichment. The language-model provider is off unless a base URL is given; the
# extractive summaries and answers never depend on it.
DAYBOOK_EMBEDDING_BACKEND = env_str("DAYBOOK_EMBEDDING_BACKEND", "wordllama")
DAYBOOK_LLM_BASE_URL = env_str("DAYBOOK_LLM_BASE_URL", "")
DAYBOOK_LLM_MODEL = env_str("DAYBOOK_LLM_MODEL", "")
DAYBOOK_LLM_API_KEY = env_str("DAYBOOK_LLM_API_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {"()": "daybook.logs.KeyValueFormatter"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "loggers": {
        "daybook": {"handlers": ["stderr"], "level": env_str("DAYBOOK_LOG_LEVEL", "WARNING")},
        # Its warnings are about the signals ``daybook.news.worker`` relays ("press
        # Ctrl+C again to force", which would not reach it): errors only.
        "django_tasks_db": {"handlers": ["stderr"], "level": "ERROR"},
    },
}
