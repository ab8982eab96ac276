"""Organiser sessions end: at logout, on a password change, on `flask organiser
logout-all`, after a lifetime and after a spell idle; and their cookie is host-only."""
import re
import time

import pytest

from tests.conftest import PASSWORD, audit_actions, log_in
from tests.factories import make_organiser

STRONG = "marmalade orbit quietly sixteen"


def session_cookie(app, client) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def opens_organiser_area(client) -> bool:
    response = client.get("/admin/")
    if response.status_code == 302:
        assert response.location.startswith("/admin/login")
        return False
    assert response.status_code == 200
    return True


def test_a_cookie_copied_before_logout_no_longer_opens_the_organiser_area(app, client):
    log_in(client, app)
    copied = session_cookie(app, client)
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert opens_organiser_area(thief)
    assert client.post("/admin/logout").status_code == 302
    assert not opens_organiser_area(thief)


def test_logging_in_again_after_logout_works(app, client):
    log_in(client, app)
    client.post("/admin/logout")
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 302
    assert opens_organiser_area(client)


def test_a_password_change_ends_every_session(app, client, runner):
    log_in(client, app)
    result = runner.invoke(args=["organiser", "password", "organiser@example.org",
                                 "--password-stdin"], input=f"{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert not opens_organiser_area(client)


def test_logout_all_ends_every_session_of_that_organiser_only(app, client, runner):
    log_in(client, app)
    laptop = app.test_client()
    laptop.post("/admin/login", data={"email": "organiser@example.org", "password": PASSWORD})
    colleague = app.test_client()
    log_in(colleague, app, email="colleague@example.org")
    result = runner.invoke(args=["organiser", "logout-all", "Organiser@example.org"])
    assert result.exit_code == 0, result.output
    assert "Every session of organiser@example.org has ended" in result.output
    assert not opens_organiser_area(client) and not opens_organiser_area(laptop)
    assert opens_organiser_area(colleague)
    assert "logged out everywhere" in audit_actions(app)


def test_logout_all_for_an_unknown_address_says_so(app, runner):
    result = runner.invoke(args=["organiser", "logout-all", "nobody@example.org"])
    assert result.exit_code != 0
    assert "No organiser has the address nobody@example.org" in result.output


def shift_session(client, **seconds_ago) -> None:
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


def test_a_session_ends_after_two_idle_hours(app, client):
    log_in(client, app)
    shift_session(client, seen_at=119 * 60)
    assert opens_organiser_area(client)  # and that visit counts as being seen
    shift_session(client, seen_at=121 * 60)
    assert not opens_organiser_area(client)


def test_a_session_ends_twelve_hours_after_login_however_busy(app, client):
    log_in(client, app)
    shift_session(client, login_at=12 * 3600 - 60)
    assert opens_organiser_area(client)
    shift_session(client, login_at=12 * 3600 + 60)
    assert not opens_organiser_area(client)


def test_session_limits_come_from_the_configuration(app, client):
    app.config.update(SESSION_IDLE_MINUTES=5, SESSION_LIFETIME_HOURS=1)
    log_in(client, app)
    shift_session(client, seen_at=6 * 60)
    assert not opens_organiser_area(client)


@pytest.mark.csrf
def test_the_form_token_is_new_after_login(app, client):
    make_organiser(app, password=PASSWORD)
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as session:
        before = session["csrf_token"]
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                 "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    client.get("/admin/")
    with client.session_transaction() as session:
        assert session.get("csrf_token") != before


def test_on_https_the_session_cookie_is_host_only(app, client):
    assert app.config["SITE_URL"].startswith("https://")
    make_organiser(app, password=PASSWORD)
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                 "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(part.startswith("domain=") for part in attributes)
