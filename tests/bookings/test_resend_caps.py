"""No inbox bombing through the booking form: booking again with an address that has a
live booking re-sends its email at most once an hour per booking, and at most 5 times a
day per address across every event; a new booking always gets its confirmation."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import OutboxMessage
from tests.conftest import book, only_address, outbox, stored_bookings
from tests.factories import make_event


def emails_to(app, address: str) -> list[OutboxMessage]:
    return [m for m in outbox(app) if only_address(m.recipient).lower() == address]


def age_outbox(app, by: timedelta) -> None:
    """Make every queued email look `by` older, as if that much time had passed."""
    with app.app_context():
        for message in db.session.scalars(sa.select(OutboxMessage)):
            message.created_at -= by
        db.session.commit()


def test_twenty_repeat_bookings_resend_at_most_once_within_the_hour(client, app):
    event = make_event(app, capacity=5)
    first = book(client, event, email="ada@example.org")
    thanks = client.get(first.location).text
    for _ in range(20):
        again = book(client, event, email="ada@example.org")
        assert again.status_code == 303 and again.location == first.location
        assert client.get(again.location).text == thanks  # the same page as ever
    assert len(stored_bookings(app)) == 1
    assert len(emails_to(app, "ada@example.org")) == 2  # the confirmation, one re-send

    age_outbox(app, timedelta(minutes=61))
    book(client, event, email="ada@example.org")
    book(client, event, email="ada@example.org")
    assert len(emails_to(app, "ada@example.org")) == 3  # an hour on, one more


def test_resends_reach_one_address_at_most_five_times_a_day_across_events(client, app):
    events = [make_event(app, capacity=5) for _ in range(7)]
    for event in events:
        book(client, event, email="ada@example.org")
    assert len(emails_to(app, "ada@example.org")) == 7  # new bookings: always confirmed
    age_outbox(app, timedelta(hours=2))

    for event in events:
        assert book(client, event, email="ADA@example.org").status_code == 303
    assert len(emails_to(app, "ada@example.org")) == 7 + 5

    age_outbox(app, timedelta(hours=2))  # the hourly limit is over, the daily one is not
    for event in events:
        book(client, event, email="ada@example.org")
    assert len(emails_to(app, "ada@example.org")) == 7 + 5

    another = make_event(app, capacity=5)
    book(client, another, email="ada@example.org")
    assert len(emails_to(app, "ada@example.org")) == 7 + 5 + 1  # a new booking still is

    age_outbox(app, timedelta(hours=23))  # the first re-sends are 25 hours old
    book(client, events[0], email="ada@example.org")
    assert len(emails_to(app, "ada@example.org")) == 7 + 5 + 1 + 1  # a day on
