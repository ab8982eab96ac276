"""The organiser area: login, the one guard over every /admin page, and events."""
from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite import create_app
from eventsite.extensions import db
from eventsite.models import AuditEntry, Booking, Event
from tests.conftest import PASSWORD, load, log_in, test_config
from tests.factories import (
    attach_speaker,
    check_in_code_for,
    mail_route_values,
    make_booking,
    make_event,
    make_organiser,
    make_resource,
    make_speaker,
)

# --- every /admin route requires login -------------------------------------------------

def _admin_routes() -> list[tuple[str, str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="eventsite-routes-"))
    app = create_app(test_config(f"sqlite:///{folder / 'routes.db'}", folder))
    return sorted(
        (rule.rule, method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and rule.endpoint != "organiser.login"
        for method in sorted(rule.methods & {"GET", "POST"})
    )


ADMIN_ROUTES = _admin_routes()


def test_the_route_list_covers_the_whole_organiser_area(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")}
    assert rules - {"/admin/login"} == {route for route, _, _ in ADMIN_ROUTES}
    assert len(ADMIN_ROUTES) > 20


@pytest.mark.parametrize(("rule", "method", "endpoint"), ADMIN_ROUTES,
                         ids=[f"{m} {r}" for r, m, _ in ADMIN_ROUTES])
def test_anonymous_requests_are_sent_to_login_and_see_no_data(app, client, rule, method,
                                                              endpoint):
    event = make_event(app, capacity=1, starts_in=timedelta(days=-1))
    booking = make_booking(app, event, name="Secret Attendee", email="secret@example.org",
                           access_needs="Wheelchair user")
    waiting = make_booking(app, event, status="waiting", name="Waiting Person")
    speaker = make_speaker(app, email="private-speaker@example.org")
    attach_speaker(app, event, speaker)
    resource = make_resource(app, event)
    values = {"slug": event.slug, "booking_id": booking.id, "speaker_id": speaker.id,
              "resource_id": resource.id}
    values.update(mail_route_values(app, event), code=check_in_code_for(app, booking))
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)
    form = {"email": "secret@example.org", "title": "Hacked", "name": "Hacked",
            "q": "", "status": ""}

    response = client.open(url, method=method, data=form if method == "POST" else None)

    assert response.status_code == 302
    assert response.location.startswith("/admin/login")
    body = response.get_data(as_text=True)
    for secret in ("Secret Attendee", "secret@example.org", "Wheelchair", "private-speaker"):
        assert secret not in body
    with app.app_context():
        assert db.session.get(Booking, booking.id).checked_in_at is None
        assert db.session.get(Booking, booking.id).status == "confirmed"
        assert db.session.get(Booking, waiting.id).status == "waiting"
        assert db.session.get(Event, event.id).cancelled_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


GET_ROUTES = [(rule, endpoint) for rule, method, endpoint in ADMIN_ROUTES if method == "GET"]


@pytest.mark.parametrize(("rule", "endpoint"), GET_ROUTES, ids=[r for r, _ in GET_ROUTES])
def test_every_organiser_page_opens_for_an_organiser(app, client, rule, endpoint):
    log_in(client, app)
    event = make_event(app)
    booking = make_booking(app, event, name="Visible Attendee")
    speaker = make_speaker(app)
    attach_speaker(app, event, speaker)
    folder = Path(app.config["UPLOAD_FOLDER"], "resources")
    folder.mkdir(parents=True)
    (folder / "stored.pdf").write_bytes(b"%PDF-1.7")
    resource = make_resource(app, event, url=None, filename="slides.pdf",
                             stored_name="stored.pdf", content_type="application/pdf", size=8)
    values = {"slug": event.slug, "booking_id": booking.id, "speaker_id": speaker.id,
              "resource_id": resource.id}
    values.update(mail_route_values(app, event), code=check_in_code_for(app, booking))
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)

    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


# --- login -----------------------------------------------------------------------------

def test_login_page_has_email_and_password_labels(client):
    page = client.get("/admin/login").get_data(as_text=True)
    assert re.search(r"<label for=\"email\">Email</label>", page)
    assert re.search(r"<label for=\"password\">Password</label>", page)


def test_wrong_password_is_refused_with_what_was_wrong_and_keeps_the_email(app, client):
    make_organiser(app, password=PASSWORD)
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                 "password": "nope"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That email and password don&#39;t match an organiser account." in page
    assert 'value="organiser@example.org"' in page
    assert client.get("/admin/").status_code == 302


def test_login_then_logout(app, client):
    log_in(client, app)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Organiser area" in page and "Log out" in page
    assert client.get("/admin/logout").status_code == 405
    assert client.post("/admin/logout").status_code == 302
    assert client.get("/admin/").location.startswith("/admin/login")
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_email_is_matched_whatever_its_case(app, client):
    make_organiser(app, password=PASSWORD)
    response = client.post("/admin/login", data={"email": " Organiser@Example.ORG ",
                                                 "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(("next_value", "expected"), [
    ("/admin/speakers/", "/admin/speakers/"),
    ("https://evil.example/admin/", "/admin/"),
    ("//evil.example/", "/admin/"),
    ("/\\evil.example", "/admin/"),
    ("javascript:alert(1)", "/admin/"),
])
def test_login_goes_to_next_only_when_it_is_on_this_site(app, client, next_value, expected):
    make_organiser(app, password=PASSWORD)
    response = client.post("/admin/login", query_string={"next": next_value},
                           data={"email": "organiser@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == expected


def test_a_page_asked_for_before_login_is_shown_after_it(app, client):
    make_organiser(app, password=PASSWORD)
    first = client.get("/admin/speakers/")
    login_page = first.location
    assert "next=" in login_page
    response = client.post(login_page, data={"email": "organiser@example.org",
                                              "password": PASSWORD})
    assert response.location == "/admin/speakers/"


@pytest.mark.ratelimit
def test_repeated_failed_logins_answer_429_with_the_styled_page(app, client):
    make_organiser(app, password=PASSWORD)
    for _ in range(5):
        response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                     "password": "guess"})
        assert response.status_code == 200
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.ratelimit
def test_a_paused_login_says_why_and_keeps_the_email(app, client):
    for _ in range(5):
        client.post("/admin/login", data={"email": "nobody@example.org", "password": "guess"})
    response = client.post("/admin/login", data={"email": "nobody@example.org",
                                                 "password": "guess"})
    assert response.status_code == 429
    assert "Too many attempts to log in from this connection. Wait a minute" in response.text
    assert 'value="nobody@example.org"' in response.text
    assert '<label for="password">Password</label>' in response.text


def test_empty_fields_are_named(app, client):
    response = client.post("/admin/login", data={"email": " ", "password": ""})
    assert "Enter your email address." in response.text
    assert "Enter your password." in response.text


def test_an_unknown_account_and_a_wrong_password_read_the_same(app, client):
    make_organiser(app, password=PASSWORD)
    unknown = client.post("/admin/login", data={"email": "nobody@example.org",
                                                "password": "nope"}).text
    wrong = client.post("/admin/login", data={"email": "organiser@example.org",
                                              "password": "nope"}).text
    assert unknown.replace("nobody@", "organiser@") == wrong


@pytest.mark.ratelimit
def test_failures_from_other_addresses_do_not_lock_the_organiser_out(app, client):
    make_organiser(app, password=PASSWORD)
    for n in range(40):  # 4 guesses from each of 10 addresses: under each address's limit
        response = client.post("/admin/login", environ_base={"REMOTE_ADDR": f"10.0.0.{n % 10}"},
                               data={"email": "organiser@example.org", "password": "guess"})
        assert response.status_code in (200, 429)
    response = client.post("/admin/login", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                           data={"email": "organiser@example.org", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.ratelimit
def test_an_address_that_keeps_failing_is_stopped(app, client):
    make_organiser(app, password=PASSWORD)
    statuses = [client.post("/admin/login", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                            data={"email": "organiser@example.org", "password": "guess"}
                            ).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    elsewhere = client.post("/admin/login", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                            data={"email": "organiser@example.org", "password": PASSWORD})
    assert elsewhere.status_code == 302


@pytest.mark.csrf
def test_a_post_without_the_csrf_token_is_refused(app, client):
    make_organiser(app, password=PASSWORD)
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/admin/login", data={"email": "organiser@example.org",
                                             "password": PASSWORD}).status_code == 400
    response = client.post("/admin/login", data={"email": "organiser@example.org",
                                                  "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    event = make_event(app, published=False)

    response = client.post(f"/admin/events/{event.slug}/publish")

    assert response.status_code == 400
    assert load(app, Event, event.id).published is False
