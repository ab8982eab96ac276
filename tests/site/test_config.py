"""Configuration: read from the environment, with safe refusals in production."""
import os
import shutil
import stat
import subprocess

import pytest

from config import ConfigError, from_environment, normalise_database_url
from eventsite import create_app
from tests.conftest import ROOT, require

# The development key the code once shipped with: known to everyone, so refused.
PUBLISHED_KEY = "dev-insecure-secret-key-change-me"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db/events", "postgresql+psycopg://u:p@db/events"),
        ("postgresql://u@db:5432/events", "postgresql+psycopg://u@db:5432/events"),
        ("postgresql+psycopg://u@db/events", "postgresql+psycopg://u@db/events"),
        ("sqlite:////srv/events.db", "sqlite:////srv/events.db"),
    ],
)
def test_database_urls_use_psycopg_3(url, expected):
    assert normalise_database_url(url) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("true", True), ("1", True), ("TRUE", True), ("false", False), ("0", False)],
)
def test_booleans_accept_true_false_one_zero(word, expected):
    config = from_environment({"MAIL_USE_TLS": word, "RATELIMIT_ENABLED": word})
    assert config["MAIL_USE_TLS"] is expected
    assert config["RATELIMIT_ENABLED"] is expected


def test_a_boolean_that_is_not_one_says_which_setting():
    with pytest.raises(ConfigError, match="MAIL_USE_SSL must be true or false"):
        from_environment({"MAIL_USE_SSL": "maybe"})


def test_a_number_that_is_not_one_says_which_setting():
    with pytest.raises(ConfigError, match="OUTBOX_MAX_ATTEMPTS must be a whole number"):
        from_environment({"OUTBOX_MAX_ATTEMPTS": "lots"})


def test_defaults_are_for_development():
    config = from_environment({})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/eventsite.db")
    assert config["MAIL_BACKEND"] == "file"
    assert config["OUTBOX_RETRY_BASE"] > 0 and config["OUTBOX_LEASE_SECONDS"] > 0


def test_every_documented_setting_is_read():
    environ = {
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": "postgres://db/x",
        "SITE_URL": "https://events.example.org/",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "1",
        "MAIL_USE_SSL": "0",
        "MAIL_USERNAME": "user",
        "MAIL_PASSWORD": "pw",
        "MAIL_DEFAULT_SENDER": "Events <events@example.org>",
        "RATELIMIT_ENABLED": "false",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "UPLOAD_FOLDER": "/srv/uploads",
        "OUTBOX_RETRY_BASE": "5",
        "OUTBOX_MAX_ATTEMPTS": "3",
        "OUTBOX_LEASE_SECONDS": "60",
    }
    config = from_environment(environ)
    assert config["SECRET_KEY"] == "s" * 40
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/x"
    assert config["SITE_URL"] == "https://events.example.org"
    assert (config["MAIL_BACKEND"], config["MAIL_SERVER"], config["MAIL_PORT"]) == (
        "smtp", "smtp.example.org", 587)
    assert config["MAIL_USE_TLS"] is True and config["MAIL_USE_SSL"] is False
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("user", "pw")
    assert config["MAIL_DEFAULT_SENDER"] == "Events <events@example.org>"
    assert config["RATELIMIT_ENABLED"] is False
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["UPLOAD_FOLDER"] == "/srv/uploads"
    assert (config["OUTBOX_RETRY_BASE"], config["OUTBOX_MAX_ATTEMPTS"],
            config["OUTBOX_LEASE_SECONDS"]) == (5, 3, 60)


def app_with_key(tmp_path, key, **config):
    return create_app({"SECRET_KEY": key, "DEBUG": False, "TESTING": False,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", **config})


@pytest.mark.parametrize("debug", [False, True])
def test_the_published_development_key_is_refused_even_in_debug(tmp_path, debug):
    with pytest.raises(ConfigError, match="SECRET_KEY is the published development key"):
        app_with_key(tmp_path, PUBLISHED_KEY, DEBUG=debug)


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_secret_key_is_refused_even_in_debug(tmp_path, debug):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        app_with_key(tmp_path, None, DEBUG=debug)


def test_the_code_holds_no_development_key():
    assert from_environment({})["SECRET_KEY"] is None


@pytest.mark.parametrize("debug", [False, True])
def test_a_short_secret_key_is_refused(tmp_path, debug):
    with pytest.raises(ConfigError, match="at least 32 characters"):
        app_with_key(tmp_path, "a-short-but-not-empty-key", DEBUG=debug)


def test_tests_may_use_any_key(tmp_path):
    app = app_with_key(tmp_path, "short", TESTING=True)
    assert app.config["SECRET_KEY"] == "short"


def test_production_runs_with_a_real_secret_key(tmp_path):
    app = app_with_key(tmp_path, "a-long-random-secret-for-production-use")
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_make_run_keeps_one_random_key_readable_only_by_its_owner(tmp_path):
    make = shutil.which("make")
    require(make, "make is not installed")
    key_file = tmp_path / "instance" / "secret_key"

    def make_key() -> str:
        subprocess.run([make, "-s", f"SECRET_KEY_FILE={key_file}", str(key_file)],
                       cwd=ROOT, check=True, timeout=60)
        return key_file.read_text().strip()

    key = make_key()
    assert len(key) >= 32
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert make_key() == key  # written once, then kept


def test_session_limits_are_read_with_safe_defaults():
    assert (from_environment({})["SESSION_LIFETIME_HOURS"],
            from_environment({})["SESSION_IDLE_MINUTES"]) == (12, 120)
    config = from_environment({"SESSION_LIFETIME_HOURS": "8", "SESSION_IDLE_MINUTES": "30"})
    assert (config["SESSION_LIFETIME_HOURS"], config["SESSION_IDLE_MINUTES"]) == (8, 30)
