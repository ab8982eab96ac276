"""Short ways to make the things tests need: make_event(app, capacity=2) and so on.

Each factory commits in its own app context and returns the object detached, with its
columns loaded, so a test can read event.slug or booking.id without a session.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from email.utils import make_msgid

from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import (
    Booking,
    BookingAnswer,
    BookingQuestion,
    Event,
    EventSpeaker,
    FollowUp,
    Organiser,
    OutboxMessage,
    Resource,
    Speaker,
)
from eventsite.outbox.delivery import OutgoingEmail, email_bytes

_counter = itertools.count(1)

CONFIRMATION_TEXT = (
    "Dear Alex,\n\nYou have a place at How local authorities can spin out mutuals.\n\n"
    + "When: Tuesday 20 October 2026, 18:30-20:00 BST\nWhere: Meeting Room 4\n" * 12
)
CONFIRMATION_HTML = "<p>" + CONFIRMATION_TEXT.replace("\n", "<br>\n") + "</p>"


def _save(app, obj):
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
    return obj


def make_event(app, *, starts_in: timedelta = timedelta(days=14), **values) -> Event:
    n = next(_counter)
    starts_at: datetime = values.pop(
        "starts_at", (utcnow() + starts_in).replace(second=0, microsecond=0))
    defaults = {
        "slug": f"event-{n}",
        "title": f"Fringe event {n}",
        "host_conference": "National Children and Adult Services Conference",
        "summary": "A session about public service mutuals.",
        "description": "Come and **hear** from people who did it.",
        "venue": "Meeting Room 4",
        "address": "1 Quay Street, Manchester",
        "capacity": 20,
        "published": True,
        "organiser_email": "organiser@example.org",
        "starts_at": starts_at,
        "ends_at": values.pop("ends_at", starts_at + timedelta(hours=1, minutes=30)),
    }
    return _save(app, Event(**{**defaults, **values}))


def make_speaker(app, **values) -> Speaker:
    n = next(_counter)
    defaults = {
        "slug": f"speaker-{n}",
        "name": f"Sam Speaker{n}",
        "role": "Chief Executive",
        "organisation": "Example Mutual",
        "bio": "Runs a *staff-owned* mutual.",
        "email": f"speaker{n}@example.org",
    }
    return _save(app, Speaker(**{**defaults, **values}))


def attach_speaker(app, event: Event, speaker: Speaker, *, role="speaker", position=0):
    return _save(
        app, EventSpeaker(event_id=event.id, speaker_id=speaker.id, role=role, position=position)
    )


def make_booking(app, event: Event, **values) -> Booking:
    """A booking written straight to the database (the booking rules are not applied)."""
    n = next(_counter)
    email = values.pop("email", f"attendee{n}@example.org")
    defaults = {
        "event_id": event.id,
        "reference": f"FR-T{n:03d}",
        "status": "confirmed",
        "name": f"Alex Attendee{n}",
        "email": email,
        "email_normalised": email.lower(),
        "organisation": "Example Council",
        "job_title": "Commissioner",
        "confirmed_at": utcnow(),
    }
    return _save(app, Booking(**{**defaults, **values}))


def make_question(app, event: Event, label: str = "Which breakout?", **values
                  ) -> BookingQuestion:
    """A booking question of the event (short text unless `kind` says otherwise)."""
    defaults = {"event_id": event.id, "label": label, "kind": "short_text", "choices": [],
                "position": next(_counter)}
    return _save(app, BookingQuestion(**{**defaults, **values}))


def make_answer(app, booking: Booking, question: BookingQuestion, text: str = "",
                chosen: list[str] | None = None) -> BookingAnswer:
    return _save(app, BookingAnswer(booking_id=booking.id, question_id=question.id,
                                    text=text, chosen=chosen or []))


def make_resource(app, event: Event, **values) -> Resource:
    defaults = {"event_id": event.id, "title": "Slides", "url": "https://example.org/slides",
                "published": True}
    return _save(app, Resource(**{**defaults, **values}))


def make_organiser(app, *, email="organiser@example.org", password="correct horse battery",
                   **values) -> Organiser:
    organiser = Organiser(email=email, name=values.pop("name", "Olive Organiser"), **values)
    organiser.set_password(password)
    return _save(app, organiser)


def outbox_row(kind: str, dedupe_key: str, recipient: str, subject: str,
               body_text: str = CONFIRMATION_TEXT, body_html: str = CONFIRMATION_HTML,
               **columns) -> OutboxMessage:
    """An outbox row with its email built, as queue_email writes it (no template needed).

    Needs an app context (the sender comes from its config).
    """
    outgoing = OutgoingEmail(
        message_id=make_msgid(domain="events.example.org"),
        recipient=recipient, subject=subject, body_text=body_text, body_html=body_html,
        headers={},
    )
    return OutboxMessage(
        kind=kind, dedupe_key=dedupe_key, message_id=outgoing.message_id,
        recipient=recipient, subject=subject, body_text=body_text, body_html=body_html,
        headers={}, raw=email_bytes(outgoing), **columns,
    )


def queue_messages(app, count: int, *, to: str = "attendee{n}@example.org",
                   kind: str = "booking_confirmed") -> list[int]:
    """`count` confirmation-sized rows, queued directly (no template needed)."""
    with app.app_context():
        messages = [
            outbox_row(kind, f"test:{make_msgid()}", to.format(n=n), f"Your place, number {n}")
            for n in range(count)
        ]
        db.session.add_all(messages)
        db.session.commit()
        return [message.id for message in messages]


def mail_route_values(app, event) -> dict[str, int]:
    """An email, a follow-up and a booking question of the event, for tests that open
    every /admin route."""
    with app.app_context():
        follow_up = FollowUp(event_id=event.id, subject="Slides", message="Thank you.")
        message = outbox_row("follow_up", "route-test", "someone@example.org", "Slides",
                             "Thank you.", "<p>Thank you.</p>", event_id=event.id)
        question = BookingQuestion(event_id=event.id, label="Which breakout?",
                                   kind="one_choice", choices=["Housing", "Care"])
        db.session.add_all([follow_up, message, question])
        db.session.commit()
        return {"follow_up_id": follow_up.id, "message_id": message.id,
                "question_id": question.id}


def one_of_everything(app) -> dict[str, object]:
    """A real event, bookings (one waiting), speaker, resource, follow-up and email, and a
    real manage token: a value for every argument a route's URL can have."""
    from eventsite.bookings.tokens import issue_manage_token

    event = make_event(app, slug="the-event", capacity=2)
    booking = make_booking(app, event, email="ada@example.org")
    waiting = make_booking(app, event, status="waiting", email="grace@example.org")
    speaker = make_speaker(app, slug="the-speaker", email="speaker@example.org")
    attach_speaker(app, event, speaker)
    resource = make_resource(app, event)
    with app.app_context():
        token = issue_manage_token(db.session.get(Booking, booking.id))
        db.session.commit()
    return {"slug": event.slug, "event_id": event.id, "booking_id": booking.id,
            "waiting_id": waiting.id, "speaker_id": speaker.id, "resource_id": resource.id,
            "token": token, "code": check_in_code_for(app, booking),
            **mail_route_values(app, event)}


def check_in_code_for(app, booking) -> str:
    """A real check-in code of the booking (what its QR code holds), from a new manage link."""
    from eventsite.bookings.tokens import check_in_code, issue_manage_token

    with app.app_context():
        token = issue_manage_token(db.session.get(Booking, booking.id))
        db.session.commit()
    return check_in_code(token)
