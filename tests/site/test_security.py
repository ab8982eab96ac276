"""The protections every page and form carries, checked from the outside."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import AuditEntry
from tests.conftest import ROOT, stored_bookings, test_config
from tests.factories import make_event, make_organiser, one_of_everything

CSRF_EXEMPT = {"followups.unsubscribe"}  # RFC 8058 one-click: a signed token instead


def assert_refused_for_want_of_a_token(rule, url: str, response) -> None:
    """A 400; but cancelling a booking answers an expired form by going back to its own
    confirm page, and taking an offered place by going back to the booking's page, which
    say so (and the booking stays, as the callers check)."""
    if rule.endpoint == "bookings.cancel":
        assert (response.status_code, response.location) == (303, url), rule.rule
    elif rule.endpoint == "bookings.accept":
        assert (response.status_code, response.location) == (
            303, url.removesuffix("/accept")), rule.rule
    else:
        assert response.status_code == 400, (rule.rule, response.status_code)


def real_path(rule, values: dict[str, object]) -> str:
    """The rule's URL for things that exist, so the view is reached, not a 404."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def post_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and rule.endpoint not in CSRF_EXEMPT]


@pytest.mark.csrf
def test_csrf_guards_every_view_but_the_one_click_unsubscribe(app):
    from eventsite.extensions import csrf

    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert csrf._exempt_blueprints == set()
    assert csrf._exempt_views == {"eventsite.followups.views.unsubscribe"}


@pytest.mark.csrf
def test_every_form_post_without_a_token_is_turned_away(app, client):
    values = one_of_everything(app)
    rules = post_rules(app)
    assert len(rules) > 10  # booking, cancel, login, logout and the organiser's forms
    for rule in rules:
        url = real_path(rule, values)
        assert_refused_for_want_of_a_token(rule, url, client.post(url, data={"name": "x"}))
    assert audit_count(app) == 0
    assert [b.status for b in stored_bookings(app)] == ["confirmed", "waiting"]


@pytest.mark.csrf
def test_a_logged_in_organisers_posts_need_the_token_too(app, client):
    make_organiser(app, email="olive@example.org", password="a long enough password")
    login_page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    response = client.post("/admin/login", data={
        "csrf_token": token, "email": "olive@example.org", "password": "a long enough password"})
    assert response.status_code == 302
    values = one_of_everything(app)
    for rule in post_rules(app):
        if rule.endpoint == "organiser.login":
            continue
        url = real_path(rule, values)
        assert_refused_for_want_of_a_token(rule, url, client.post(url, data={"name": "x"}))
    assert audit_count(app) == 1  # the login; nothing the refused posts would have done
    assert [b.status for b in stored_bookings(app)] == ["confirmed", "waiting"]
    assert client.get("/admin/").status_code == 200  # the refused logout left them logged in


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_organiser(app, email="olive@example.org", password="a long enough password")
    response = client.post("/admin/login", data={
        "email": "olive@example.org", "password": "a long enough password"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the test site's SITE_URL is https://


def test_cookie_is_not_secure_on_a_plain_http_development_site(database_url, tmp_path):
    from eventsite import create_app
    from eventsite.extensions import db

    app = create_app(test_config(database_url, tmp_path, SITE_URL="http://127.0.0.1:5000"))
    assert app.config.get("SESSION_COOKIE_SECURE") is False
    with app.app_context():
        db.engine.dispose()


def test_hsts_only_over_https(app, client):
    make_event(app, slug="an-event")
    secure = client.get("/events/an-event", base_url="https://events.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_every_response_carries_the_protective_headers(app, client):
    for path in ("/", "/admin/login", "/no-such-page", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_templates_have_no_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        if template.parts[-2] == "email":
            continue  # email clients need inline style; no CSP applies to a message
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or "application/ld+json" in tag, f"{template}: {tag}"
        assert not re.search(r"\sstyle\s*=", text), f"{template} has a style attribute"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template} has an event handler"


def test_bandit_finds_nothing_of_medium_or_high_severity():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "eventsite", "config.py", "wsgi.py",
         "--severity-level", "medium", "-f", "json"],
        cwd=ROOT, capture_output=True, text=True,
    )
    findings = json.loads(result.stdout)["results"]
    assert findings == [], "\n".join(
        f"{f['filename']}:{f['line_number']} {f['test_id']} {f['issue_text']}" for f in findings)
