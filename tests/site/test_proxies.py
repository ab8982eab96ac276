"""Behind a proxy: with TRUSTED_PROXIES=N the client's address, not the proxy's, is what
rate limits count and what the audit log records; without it, forwarded headers are
ignored, so nobody can choose the address they are recorded under."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from eventsite import create_app
from eventsite.extensions import db
from eventsite.models import AuditEntry
from tests.conftest import PASSWORD, test_config
from tests.factories import make_organiser

PROXY = "10.0.0.1"
CLIENT = "203.0.113.9"


@pytest.fixture
def make_app(database_url, tmp_path):
    made = []

    def make(**overrides):
        app = create_app(test_config(database_url, tmp_path, **overrides))
        with app.app_context():
            db.create_all()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def post_login(client, password: str, client_address: str = CLIENT):
    return client.post("/admin/login",
                       data={"email": "organiser@example.org", "password": password},
                       environ_base={"REMOTE_ADDR": PROXY},
                       headers={"X-Forwarded-For": client_address,
                                "X-Forwarded-Proto": "https"})


def recorded_addresses(app) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.address).order_by(AuditEntry.id)))


def test_behind_a_trusted_proxy_the_audit_log_records_the_clients_address(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    make_organiser(app, password=PASSWORD)
    client = app.test_client()
    assert post_login(client, PASSWORD).status_code == 302
    assert recorded_addresses(app) == [CLIENT]
    page = client.get("/admin/audit", environ_base={"REMOTE_ADDR": PROXY},
                      headers={"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"})
    assert f"<td>{CLIENT}</td>" in page.get_data(as_text=True)


def test_without_trusted_proxies_a_forwarded_address_is_ignored(make_app):
    app = make_app()
    make_organiser(app, password=PASSWORD)
    assert post_login(app.test_client(), PASSWORD).status_code == 302
    assert recorded_addresses(app) == [PROXY]


def test_rate_limits_count_each_client_behind_the_proxy_apart(make_app):
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True)
    make_organiser(app, password=PASSWORD)
    client = app.test_client()
    for _ in range(5):
        assert post_login(client, "guess").status_code == 200
    assert post_login(client, "guess").status_code == 429
    # Another person reaching the site through the same proxy is not locked out.
    assert post_login(client, PASSWORD, client_address="198.51.100.4").status_code == 302
