"""Check-in by camera: each confirmation carries a QR code of the check-in address, which
opens the person for an organiser and the login page for anyone else; the code is kept
only as a hash, and the stored email forgets the image once sent."""
from __future__ import annotations

import hashlib
import io
from email import message_from_bytes
from email.policy import default as default_policy

import sqlalchemy as sa
import zxingcpp
from PIL import Image

from eventsite.bookings.services import cancel_booking
from eventsite.bookings.tokens import check_in_code, hash_token
from eventsite.extensions import db
from eventsite.models import Booking, BookingLink
from tests.conftest import (
    audit_actions,
    book,
    deliver,
    load,
    log_in,
    manage_token,
    outbox,
    stored_bookings,
)
from tests.factories import make_event

SITE = "https://events.example.org"


def qr_images(raw: bytes) -> list[tuple[str, bytes]]:
    """(Content-ID, PNG) of each image shown inline in the email's HTML."""
    message = message_from_bytes(raw, policy=default_policy)
    return [(part["Content-ID"].strip("<>"), part.get_payload(decode=True))
            for part in message.walk() if part.get_content_type() == "image/png"
            and part.get_content_disposition() == "inline"]


def decoded(png: bytes) -> str:
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return barcode.text


def check_in_path(raw: bytes) -> str:
    [(_, png)] = qr_images(raw)
    url = decoded(png)
    assert url.startswith(f"{SITE}/admin/check-in/")
    return url.removeprefix(SITE)


def test_the_confirmation_shows_a_qr_code_of_the_check_in_address_beside_the_reference(
        client, app):
    event = make_event(app)
    book(client, event)
    [message] = outbox(app, "booking_confirmed")
    [booking] = stored_bookings(app)
    token = manage_token(message)
    parsed = message_from_bytes(message.raw, policy=default_policy)
    [related] = [p for p in parsed.walk() if p.get_content_type() == "multipart/related"]
    assert related.get_body(("html",)) is not None
    [(content_id, png)] = qr_images(message.raw)
    html = parsed.get_body(("html",)).get_content()
    assert f'src="cid:{content_id}"' in html and booking.reference in html
    assert booking.reference in parsed.get_body(("plain",)).get_content()

    code = decoded(png).removeprefix(f"{SITE}/admin/check-in/")
    assert code == check_in_code(token) and code not in token and token not in code
    with app.app_context():
        stored = db.session.scalars(sa.select(BookingLink.check_in_hash)).all()
    assert stored == [hashlib.sha256(code.encode()).hexdigest()]
    assert code not in message.body_html + message.body_text


def test_a_stranger_gets_the_login_page_and_comes_back_to_the_person(client, app):
    event = make_event(app)
    book(client, event, name="Ada Lovelace", organisation="Analytical Engines Ltd",
         access_needs="Step-free access, please")
    path = check_in_path(outbox(app, "booking_confirmed")[0].raw)

    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login" in response.location and "next=" in response.location
    assert "Ada" not in response.text

    log_in(client, app)
    page = client.get(path)
    assert page.status_code == 200
    for shown in ("Ada Lovelace", "Analytical Engines Ltd", "Step-free access, please",
                  "Confirmed", "Not checked in yet", "Check in"):
        assert shown in page.text
    done = client.post(path, follow_redirects=True)
    assert "Ada Lovelace is checked in." in done.text
    assert "Already checked in at" in done.text and ">Check in</button>" not in done.text
    assert stored_bookings(app)[0].checked_in_at is not None
    assert audit_actions(app)[-1] == "checked in"


def test_waiting_and_cancelled_bookings_say_so_and_cannot_be_checked_in(client, app):
    event = make_event(app, capacity=1, waiting_list=True)
    book(client, event, email="first@example.org")
    book(client, event, email="second@example.org")
    first, second = stored_bookings(app)
    assert second.status == "waiting"
    assert qr_images(outbox(app, "booking_waiting_list")[0].raw) == []  # no place, no code
    codes = {b.id: check_in_code(manage_token(m)) for b, m in
             zip((first, second), outbox(app)[:2], strict=True)}
    with app.app_context():
        cancel_booking(db.session.get(Booking, first.id))
        db.session.commit()
    log_in(client, app)
    # Cancelling `first` promoted `second`; for a waiting booking, add a third.
    book(client, event, email="third@example.org")
    third = stored_bookings(app)[2]
    codes[third.id] = check_in_code(manage_token(outbox(app, "booking_waiting_list")[-1]))

    for booking, words in ((first, "This booking is cancelled"),
                           (third, "On the waiting list, without a place")):
        path = f"/admin/check-in/{codes[booking.id]}"
        page = client.get(path).text
        assert words in page and 'class="check-in-refused' in page
        assert ">Check in</button>" not in page
        refused = client.post(path, follow_redirects=True).text
        assert "cannot be checked in" in refused
        assert load(app, Booking, booking.id).checked_in_at is None


def test_the_promotion_carries_a_code_and_an_unknown_code_finds_nobody(client, app):
    event = make_event(app, capacity=1, waiting_list=True)
    book(client, event, email="first@example.org")
    book(client, event, email="second@example.org")
    first, second = stored_bookings(app)
    with app.app_context():
        cancel_booking(db.session.get(Booking, first.id))
        db.session.commit()
    [promotion] = outbox(app, "booking_promoted")
    log_in(client, app)
    assert second.name in client.get(check_in_path(promotion.raw)).text
    unknown = client.get("/admin/check-in/" + "A" * 22)
    assert unknown.status_code == 404 and "No booking has this check-in code" in unknown.text
    assert client.get("/admin/check-in/short").status_code == 404


def test_a_sent_email_keeps_no_qr_code(smtp_app, smtp_server, client):
    event = make_event(smtp_app)
    book(client, event)
    assert deliver(smtp_app).sent == 1
    [received] = smtp_server.received(to="ada@example.org")
    assert len(qr_images(received.as_bytes())) == 1  # the attendee has it
    [kept] = outbox(smtp_app, "booking_confirmed")
    assert qr_images(kept.raw) == []  # the database does not
    assert "multipart/related" in kept.raw.decode("ascii", "replace")


def test_the_manage_page_shows_the_qr_code_and_gives_an_older_link_its_code(client, app):
    event = make_event(app)
    book(client, event)
    token = manage_token(outbox(app, "booking_confirmed")[0])
    with app.app_context():  # as a link issued before check-in codes existed
        db.session.execute(sa.update(BookingLink).values(check_in_hash=None))
        db.session.commit()
    page = client.get(f"/bookings/{token}").text
    assert '<svg role="img"' in page and "QR code for checking in" in page
    with app.app_context():
        stored = db.session.scalar(sa.select(BookingLink.check_in_hash))
    assert stored == hash_token(check_in_code(token))
    log_in(client, app)
    assert "Ada Lovelace" in client.get(f"/admin/check-in/{check_in_code(token)}").text


def test_an_anonymised_booking_is_not_found_by_its_code(client, app, runner):
    from eventsite.attendees.privacy import anonymise_booking

    event = make_event(app)
    book(client, event)
    code = check_in_code(manage_token(outbox(app, "booking_confirmed")[0]))
    with app.app_context():
        anonymise_booking(db.session.scalars(sa.select(Booking)).one())
        db.session.commit()
    log_in(client, app)
    assert client.get(f"/admin/check-in/{code}").status_code == 404
