"""Configuration: defaults, then the environment (and `.env`), read once by create_app."""
from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
MIN_SECRET_KEY_LENGTH = 32
# The development key this code once shipped with: it is public, so it is refused.
PUBLISHED_SECRET_KEYS = {"dev-insecure-secret-key-change-me"}

# The brand a fresh install shows until SITE_NAME and SITE_DESCRIPTION are set.
DEFAULT_SITE_NAME = "Fringe events"
DEFAULT_SITE_DESCRIPTION = (
    "Fringe events beside the conference: who is speaking, when and where, and a place "
    "to book."
)

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def parse_bool(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false (or 1 or 0), not {value!r}")


def parse_int(name: str, value: str | None, default: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def parse_float(name: str, value: str | None, default: float) -> float:
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}") from None


def parse_timezone(name: str, value: str | None, default: str = "Europe/London") -> str:
    """An IANA timezone name such as Europe/London, checked against the zone database."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = (value or "").strip() or default
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{name} must be a timezone such as Europe/London, not {value!r}") from None
    return zone


def normalise_database_url(url: str) -> str:
    """Point postgres:// and postgresql:// URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(environ: os._Environ | dict | None = None) -> dict:
    """Every setting the app reads, from the environment, with development defaults."""
    if environ is None:
        load_dotenv(BASE_DIR / ".env")
        environ = os.environ
    env = environ.get
    upload_folder = env("UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    site_name = (env("SITE_NAME") or "").strip() or DEFAULT_SITE_NAME
    return {
        "SECRET_KEY": env("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            env("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'eventsite.db'}"
        ),
        "SITE_URL": (env("SITE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "SITE_NAME": site_name,
        "SITE_DESCRIPTION": (env("SITE_DESCRIPTION") or "").strip() or DEFAULT_SITE_DESCRIPTION,
        "SITE_CONTACT_EMAIL": (env("SITE_CONTACT_EMAIL") or "").strip(),
        "MAIL_BACKEND": (env("MAIL_BACKEND") or "file").strip().lower(),
        "MAIL_FOLDER": env("MAIL_FOLDER") or str(INSTANCE_DIR / "mail"),
        "MAIL_SERVER": env("MAIL_SERVER") or "localhost",
        "MAIL_PORT": parse_int("MAIL_PORT", env("MAIL_PORT"), 25),
        "MAIL_USE_TLS": parse_bool("MAIL_USE_TLS", env("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": parse_bool("MAIL_USE_SSL", env("MAIL_USE_SSL"), False),
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER") or f"{site_name} <events@localhost>",
        "DKIM_DOMAIN": env("DKIM_DOMAIN") or None,
        "DKIM_SELECTOR": env("DKIM_SELECTOR") or None,
        "DKIM_PRIVATE_KEY_FILE": env("DKIM_PRIVATE_KEY_FILE") or None,
        "MAIL_BOUNCE_ADDRESS": env("MAIL_BOUNCE_ADDRESS") or None,
        "BOUNCE_IMAP_URL": env("BOUNCE_IMAP_URL") or None,
        "RATELIMIT_ENABLED": parse_bool("RATELIMIT_ENABLED", env("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI") or "memory://",
        "TRUSTED_PROXIES": parse_int("TRUSTED_PROXIES", env("TRUSTED_PROXIES"), 0),
        "UPLOAD_FOLDER": upload_folder,
        "OUTBOX_RETRY_BASE": parse_int("OUTBOX_RETRY_BASE", env("OUTBOX_RETRY_BASE"), 30),
        "OUTBOX_MAX_ATTEMPTS": parse_int("OUTBOX_MAX_ATTEMPTS", env("OUTBOX_MAX_ATTEMPTS"), 8),
        "OUTBOX_LEASE_SECONDS": parse_int(
            "OUTBOX_LEASE_SECONDS", env("OUTBOX_LEASE_SECONDS"), 300
        ),
        "REMINDER_HOURS": parse_int("REMINDER_HOURS", env("REMINDER_HOURS"), 24),
        "JOIN_LINK_HOURS": parse_int("JOIN_LINK_HOURS", env("JOIN_LINK_HOURS"), 24),
        "ATTENDEE_LIST_HOURS": parse_int(
            "ATTENDEE_LIST_HOURS", env("ATTENDEE_LIST_HOURS"), 24
        ),
        "CHANGE_NOTICE_DELAY_SECONDS": parse_int(
            "CHANGE_NOTICE_DELAY_SECONDS", env("CHANGE_NOTICE_DELAY_SECONDS"), 600
        ),
        "PAGE_CACHE_CHECK_SECONDS": parse_float(
            "PAGE_CACHE_CHECK_SECONDS", env("PAGE_CACHE_CHECK_SECONDS"), 1.0
        ),
        "PAGE_MAX_AGE_SECONDS": parse_int(
            "PAGE_MAX_AGE_SECONDS", env("PAGE_MAX_AGE_SECONDS"), 1
        ),
        "PAGE_STALE_SECONDS": parse_int("PAGE_STALE_SECONDS", env("PAGE_STALE_SECONDS"), 10),
        "SITE_TIMEZONE": parse_timezone("SITE_TIMEZONE", env("SITE_TIMEZONE")),
        "PRIVACY_PURGE_DAYS": parse_int("PRIVACY_PURGE_DAYS", env("PRIVACY_PURGE_DAYS"), 365),
        "SESSION_LIFETIME_HOURS": parse_int(
            "SESSION_LIFETIME_HOURS", env("SESSION_LIFETIME_HOURS"), 12
        ),
        "SESSION_IDLE_MINUTES": parse_int(
            "SESSION_IDLE_MINUTES", env("SESSION_IDLE_MINUTES"), 120
        ),
        "SESSION_COOKIE_SECURE": parse_bool(
            "SESSION_COOKIE_SECURE", env("SESSION_COOKIE_SECURE"), False
        ),
        "DEBUG": parse_bool("FLASK_DEBUG", env("FLASK_DEBUG"), False),
    }


def check_secret_key(key: str | None) -> None:
    """Refuse a missing, published or short SECRET_KEY: it signs sessions and links."""
    if not key:
        raise ConfigError(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment or .env to a long "
            "random value, for example the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` "
            "(`make run` keeps one in instance/secret_key)."
        )
    if key in PUBLISHED_SECRET_KEYS:
        raise ConfigError(
            "SECRET_KEY is the published development key, which anyone can use to forge "
            "a session. Set SECRET_KEY to a long random value of your own."
        )
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long; "
            "use a long random value."
        )


def check_production_safety(config: dict) -> None:
    """Refuse settings that would be unsafe: a weak SECRET_KEY anywhere but in the tests
    (`make run` makes a random one), and anything else unsafe outside debug mode."""
    if config.get("TESTING"):
        return
    check_secret_key(config.get("SECRET_KEY"))
    if config.get("DEBUG"):
        return
    if config.get("MAIL_BACKEND") not in ("smtp", "file"):
        raise ConfigError(f"MAIL_BACKEND must be smtp or file, not {config.get('MAIL_BACKEND')!r}")
