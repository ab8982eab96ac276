"""`flask mail check-dns` against a DNS server on loopback that holds the records we say."""
from __future__ import annotations

import pytest

from eventsite import create_app
from eventsite.extensions import db
from eventsite.outbox.dkim_keys import key_from_pem, new_key_pem
from tests.conftest import test_config
from tests.dns_stub import txt

DOMAIN, SELECTOR = "example.org", "fringe"


@pytest.fixture
def dkim_app(database_url, tmp_path):
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(new_key_pem())
    app = create_app(test_config(database_url, tmp_path, DKIM_DOMAIN=DOMAIN,
                                 DKIM_SELECTOR=SELECTOR, DKIM_PRIVATE_KEY_FILE=str(key_file)))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def publish_all(dns_stub, app, *, dkim_record: str | None = None) -> None:
    key = key_from_pem(open(app.config["DKIM_PRIVATE_KEY_FILE"], "rb").read(), DOMAIN,
                       SELECTOR)
    dns_stub.records.update({
        (DOMAIN, "TXT"): [txt("v=spf1 mx -all"), txt("google-site-verification=abc")],
        (DOMAIN, "MX"): ["10 mail.example.org."],
        (f"{SELECTOR}._domainkey.{DOMAIN}", "TXT"): [txt(dkim_record or key.record)],
        (f"_dmarc.{DOMAIN}", "TXT"): [txt("v=DMARC1; p=quarantine; rua=mailto:d@example.org")],
    })


def check_dns(app, dns_stub):
    return app.test_cli_runner().invoke(args=["mail", "check-dns",
                                              "--nameserver", dns_stub.address])


def test_all_records_published_says_all_is_well(dkim_app, dns_stub):
    publish_all(dns_stub, dkim_app)
    result = check_dns(dkim_app, dns_stub)
    assert result.exit_code == 0, result.output
    assert "All is well" in result.output
    assert "PROBLEM" not in result.output
    assert "DKIM at fringe._domainkey.example.org matches the signing key" in result.output


def test_missing_dmarc_is_reported_with_the_record_to_publish(dkim_app, dns_stub):
    publish_all(dns_stub, dkim_app)
    del dns_stub.records[(f"_dmarc.{DOMAIN}", "TXT")]
    result = check_dns(dkim_app, dns_stub)
    assert result.exit_code == 1
    assert "PROBLEM  DMARC: No DMARC record at _dmarc.example.org" in result.output
    assert '"v=DMARC1; p=none; rua=mailto:dmarc@example.org"' in result.output
    assert "To fix for example.org: DMARC." in result.output
    assert "All is well" not in result.output


def test_a_dkim_record_with_another_key_is_called_wrong(dkim_app, dns_stub):
    other = key_from_pem(new_key_pem(), DOMAIN, SELECTOR)
    publish_all(dns_stub, dkim_app, dkim_record=other.record)
    result = check_dns(dkim_app, dns_stub)
    assert result.exit_code == 1
    assert "does not match the key in DKIM_PRIVATE_KEY_FILE" in result.output
    assert "fringe._domainkey.example.org. IN TXT" in result.output  # what to publish
    assert "To fix for example.org: DKIM." in result.output


def test_nothing_published_names_every_record_missing(app, dns_stub):
    dns_stub.records[("other.example", "A")] = ["192.0.2.1"]
    result = app.test_cli_runner().invoke(args=["mail", "check-dns",
                                                "--nameserver", dns_stub.address])
    assert result.exit_code == 1
    assert "No SPF record on example.org" in result.output
    assert "Email is not DKIM-signed" in result.output
    assert "No MX record on example.org" in result.output
    assert "To fix for example.org: SPF, DKIM, DMARC, MX." in result.output
