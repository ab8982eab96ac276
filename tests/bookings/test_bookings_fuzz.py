"""Whatever is sent to the booking form: no 500, no booking from bad input, no extra header."""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventsite.extensions import db
from eventsite.models import Booking, OutboxMessage
from tests.conftest import VALID, book, only_address, stored_bookings
from tests.factories import make_event

FIELDS = ("name", "email", "organisation", "job_title", "access_needs")
MEGABYTE = 1_000_000
NASTY = [
    "", " ", "\r\n", "Eve\r\nBcc: victim@example.org", "Eve\nTo: victim@example.org",
    "\x00", "a\x00b", "\u2028Bcc: victim@example.org", "\x85", "=?utf-8?q?x?=",
    "<script>alert(1)</script>", "' OR 1=1 --", "Zoë 👩🏽‍💻 Ærøskøbing", "\ud7ff\ufffd",
]
NASTY_EMAILS = [
    "ada@example.org\r\nBcc: victim@example.org", "ada@example.org\nBcc: victim@example.org",
    "Ada <ada@example.org>", "ada@example.org, eve@example.org", "ADA@EXAMPLE.ORG",
    "zoë@example.org", "ada@bücher.example", "@example.org", "ada@", "ada@localhost",
    "a" * 250 + "@example.org",
]

MEGABYTE_ANSWERS = [piece * (MEGABYTE // len(piece)) for piece in ("a", "é", "\r\n")]
text = st.one_of(st.text(max_size=300), st.sampled_from(NASTY + MEGABYTE_ANSWERS))
emails = st.one_of(st.emails(), st.sampled_from(NASTY_EMAILS), st.text(max_size=80))
followup = st.one_of(st.sampled_from(["y", "", "false", "on"]), st.text(max_size=20))
honeypot = st.one_of(st.just(""), st.text(max_size=20))
field_values = {
    "name": text, "email": emails, "organisation": text, "job_title": text,
    "access_needs": text, "wants_followup": followup, "website": honeypot,
}
# Mostly a good booking with a few answers replaced or left out, so that each bad answer
# is tried on its own as well as in company; sometimes nothing but random answers.
form = st.one_of(
    st.builds(
        lambda changed, missing: {
            key: value for key, value in {**VALID, **changed}.items() if key not in missing
        },
        st.fixed_dictionaries({}, optional={k: st.deferred(lambda v=v: v)
                                            for k, v in field_values.items()}).filter(
            lambda changed: len(changed) <= 3),
        st.sets(st.sampled_from(sorted(field_values)), max_size=2),
    ),
    st.fixed_dictionaries({}, optional=field_values),
)
extra = st.dictionaries(
    st.text(min_size=1, max_size=20).filter(lambda key: key not in FIELDS),
    st.one_of(st.text(max_size=50), st.sampled_from(NASTY)),
    max_size=3,
)


def one_line(value: str) -> str:
    return " ".join(value.split())


def has_control(value: str, allowed: str = "") -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in value)


def acceptable(data: dict) -> bool:
    """The form's promise, said independently: what may become a booking."""
    if (data.get("website") or "").strip():
        return False
    name = one_line(data.get("name") or "")
    if not name or len(name) > 200 or has_control(name):
        return False
    try:
        validate_email(one_line(data.get("email") or ""), check_deliverability=False,
                       allow_smtputf8=False)
    except EmailNotValidError:
        return False
    for key in ("organisation", "job_title"):
        value = one_line(data.get(key) or "")
        if len(value) > 200 or has_control(value):
            return False
    needs = (data.get("access_needs") or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return len(needs) <= 2000 and not has_control(needs, "\n\t")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=form, extra_fields=extra)
def test_no_input_breaks_the_booking_form(app, client, data, extra_fields):
    event = make_event(app, capacity=10_000)  # a fresh event: every example stands alone
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Booking))
    response = client.post(f"/events/{event.slug}/book", data={**extra_fields, **data})
    assert response.status_code < 500
    with app.app_context():
        new = db.session.scalars(
            sa.select(Booking).order_by(Booking.id).offset(before)
        ).all()
        assert len(new) <= 1
        if not acceptable(data):
            assert new == [], f"stored a booking from {data!r}"
            assert response.status_code in (303, 413, 422)  # 303 only for the honeypot
        for booking in new:
            assert booking.name == one_line(data["name"])
            for message in db.session.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.booking_id == booking.id)
            ):
                assert only_address(message.recipient).lower() == booking.email_normalised
                assert "\n" not in message.subject and "\r" not in message.subject


def test_line_breaks_in_a_name_cannot_add_a_mail_header(client, app):
    event = make_event(app)
    response = book(client, event, name="Eve\r\nBcc: victim@example.org\r\n")
    assert response.status_code == 303
    [booking] = stored_bookings(app)
    assert booking.name == "Eve Bcc: victim@example.org"
    with app.app_context():
        [message] = db.session.scalars(sa.select(OutboxMessage)).all()
        assert only_address(message.recipient) == "ada@example.org"
        assert "victim" not in only_address(message.recipient)


def test_line_breaks_in_an_address_are_refused(client, app):
    event = make_event(app)
    response = book(client, event, email="ada@example.org\r\nBcc: victim@example.org")
    assert response.status_code == 422
    assert "name@example.org" in response.text
    assert stored_bookings(app) == []


def test_an_answer_far_too_long_is_explained_beside_its_field(client, app):
    event = make_event(app)
    # 60 KB: far past the field's limit, just inside the 64 KB a public form may send.
    response = book(client, event, access_needs="x" * 60_000)
    assert response.status_code == 422
    assert '<a href="#access_needs">This answer must be 2,000 characters or fewer.</a>' in (
        response.text)
    assert stored_bookings(app) == []


def test_a_form_too_large_to_read_gets_a_page_not_an_error(client, app):
    event = make_event(app)
    response = client.post(f"/events/{event.slug}/book",
                           data={**VALID, "name": "x" * MEGABYTE},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "far too long" in response.text and "<form" in response.text
    assert stored_bookings(app) == []


def test_valid_unicode_is_kept_exactly(client, app):
    event = make_event(app)
    name = "Zoë Ærøskøbing-Ōkubo 👩🏽‍💻"
    assert book(client, event, name=name, organisation="Société Générale").status_code == 303
    [booking] = stored_bookings(app)
    assert (booking.name, booking.organisation) == (name, "Société Générale")
    assert VALID["email"] == booking.email
