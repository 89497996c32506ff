"""The one settings module. Everything an operator may change is an environment
variable, listed in ``SETTINGS_DOC`` and documented in docs/configuration.md
(a test keeps the two in step).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from daybook.config import env_bool, env_list, env_str

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
    "daybook.news",
    "daybook.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

# Fetching. Hosts listed here may be fetched even though they are private or
# loopback addresses (a test server, an intranet publisher).
DAYBOOK_ALLOWED_HOSTS = frozenset(env_list("DAYBOOK_ALLOWED_HOSTS", []))
DAYBOOK_FETCH_MAX_BYTES = int(env_str("DAYBOOK_FETCH_MAX_BYTES", str(5 * 1024 * 1024)))
DAYBOOK_FETCH_TIMEOUT = float(env_str("DAYBOOK_FETCH_TIMEOUT", "60"))
DAYBOOK_HOST_DELAY = float(env_str("DAYBOOK_HOST_DELAY", "1.0"))
DAYBOOK_RESPECT_ROBOTS = env_bool("DAYBOOK_RESPECT_ROBOTS", True)
DAYBOOK_POLL_INTERVAL = int(env_str("DAYBOOK_POLL_INTERVAL", "1800"))
DAYBOOK_FETCH_WORKERS = int(env_str("DAYBOOK_FETCH_WORKERS", "8"))
DAYBOOK_NEAR_DUPLICATE_THRESHOLD = float(env_str("DAYBOOK_NEAR_DUPLICATE_THRESHOLD", "0.6"))

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
        "daybook": {"handlers": ["stderr"], "level": env_str("DAYBOOK_LOG_LEVEL", "WARNING")}
    },
}
