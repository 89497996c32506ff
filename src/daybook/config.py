"""Reading settings from the environment, with clear errors for bad values."""

from __future__ import annotations

import os

from daybook.errors import ConfigError

# Every environment variable daybook reads, with its meaning. docs/configuration.md
# documents each one; tests/test_docs.py keeps them in step.
SETTINGS_DOC: dict[str, str] = {
    "DATABASE_URL": "Database to use; default a SQLite file in the data directory.",
    "DAYBOOK_DATA_DIR": "Directory for the SQLite database, secret key and indexes.",
    "DAYBOOK_SECRET_KEY": "Django secret key; default a random key kept in the data dir.",
    "DAYBOOK_DEBUG": "Django debug mode (never in production).",
    "DAYBOOK_WEB_HOSTS": "Host names the web server answers to (Django ALLOWED_HOSTS).",
    "DAYBOOK_ALLOWED_HOSTS": "host[:port] list the fetcher may reach even if private.",
    "DAYBOOK_FETCH_MAX_BYTES": "Largest body accepted, after decompression.",
    "DAYBOOK_FETCH_TIMEOUT": "Total seconds allowed for one fetch.",
    "DAYBOOK_MEDIA_CACHE_MB": "Disk kept for publishers' images shown through /media/.",
    "DAYBOOK_HOST_DELAY": "Minimum seconds between two requests to one host.",
    "DAYBOOK_RESPECT_ROBOTS": "Honour robots.txt (on by default).",
    "DAYBOOK_POLL_INTERVAL": "Starting interval, in seconds, of a feed with no history yet.",
    "DAYBOOK_READERS_ADD_SOURCES": "Whether any signed-in reader may add new sources (staff may).",
    "DAYBOOK_POLL_MIN_SECONDS": "Shortest interval between two polls of a feed.",
    "DAYBOOK_POLL_MAX_SECONDS": "Longest interval between two polls of a healthy feed.",
    "DAYBOOK_FEED_DISABLE_DAYS": "Days of unbroken failure after which a feed is disabled.",
    "DAYBOOK_TASKS_URL": "Task queue: empty for the database, redis://host:port/N for RQ.",
    "DAYBOOK_TICK_SECONDS": "Seconds between two scheduler ticks.",
    "DAYBOOK_LEASE_SECONDS": "How long a claimed piece of work is held before it is due again.",
    "DAYBOOK_PAGE_FRESHNESS_SECONDS": "Longest a cached page may lag new articles.",
    "DAYBOOK_HOME_REGION": "The readers' own news region: news from elsewhere is World.",
    "DAYBOOK_PUBLIC_URL": "The site's public base URL (WebSub, links in mail); empty: neither.",
    "DAYBOOK_NEAR_DUPLICATE_THRESHOLD": "Containment above which an article is a copy.",
    "DAYBOOK_LOG_LEVEL": "Log level for daybook's loggers.",
    "DAYBOOK_EMBEDDING_BACKEND": "Embedding model: wordllama (default) or minilm (extra).",
    "DAYBOOK_LLM_BASE_URL": "OpenAI-compatible API base URL; empty turns the provider off.",
    "DAYBOOK_LLM_MODEL": "Model name sent to the language-model provider.",
    "DAYBOOK_LLM_API_KEY": "Bearer key for the language-model provider, if it needs one.",
    "DAYBOOK_HTTPS": "The site is served over HTTPS: cookies are marked Secure.",
    "DAYBOOK_PROXY_HOPS": "Reverse proxies in front of daybook (X-Forwarded-For hops to trust).",
    "DAYBOOK_EMAIL_HOST": "SMTP server for password-reset mail; empty prints mail instead.",
    "DAYBOOK_EMAIL_PORT": "SMTP port.",
    "DAYBOOK_EMAIL_USER": "SMTP user name, if the server needs one.",
    "DAYBOOK_EMAIL_PASSWORD": "SMTP password, if the server needs one.",
    "DAYBOOK_EMAIL_TLS": "Use STARTTLS with the SMTP server.",
    "DAYBOOK_EMAIL_FROM": "From address of the mail daybook sends.",
    "DAYBOOK_EMAIL_UNSUBSCRIBE": "Optional mailto: unsubscribe address for digests and alerts.",
    "DAYBOOK_CACHE_URL": "redis:// URL of a shared page cache; default each process's memory.",
}


def env_str(name: str, default: str) -> str:
    assert name in SETTINGS_DOC, f"undocumented setting {name}"
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    assert name in SETTINGS_DOC, f"undocumented setting {name}"
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
