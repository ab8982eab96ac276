"""Reminders and the automatic attendee list: queued by the worker, once each."""
from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Event
from eventsite.outbox.schedule import queue_scheduled_messages
from tests.conftest import outbox
from tests.factories import attach_speaker, make_booking, make_event, make_speaker

LONG_AGO = timedelta(days=3)
NO_LIST = {"organiser_email": ""}  # no speakers and no contact: no automatic attendee list


def run_scheduler(app, now=None) -> int:
    with app.app_context():
        queued = queue_scheduled_messages(now)
        db.session.commit()
        return queued


def test_reminders_are_queued_once_however_often_the_scheduler_runs(app):
    event = make_event(app, starts_in=timedelta(hours=20), **NO_LIST)
    early = [make_booking(app, event, confirmed_at=utcnow() - LONG_AGO) for _ in range(2)]
    make_booking(app, event, status="waiting", confirmed_at=None)
    make_booking(app, event, status="cancelled", confirmed_at=utcnow() - LONG_AGO)
    make_booking(app, event, confirmed_at=utcnow() - timedelta(hours=1))  # confirmation is fresh

    assert run_scheduler(app) == 2
    for _ in range(3):
        assert run_scheduler(app) == 0
    reminders = outbox(app, "reminder")
    assert sorted(r.booking_id for r in reminders) == sorted(b.id for b in early)
    assert all(r.subject.startswith(f"Reminder: {event.title}, ") for r in reminders)


def test_reminders_wait_until_the_set_time_before_the_event(app):
    event = make_event(app, starts_in=timedelta(hours=30), **NO_LIST)
    make_booking(app, event, confirmed_at=utcnow() - LONG_AGO)
    assert run_scheduler(app) == 0
    assert run_scheduler(app, utcnow() + timedelta(hours=7)) == 1
    app.config["REMINDER_HOURS"] = 48
    other = make_event(app, starts_in=timedelta(hours=40), **NO_LIST)
    make_booking(app, other, confirmed_at=utcnow() - LONG_AGO)
    assert run_scheduler(app) == 1


def test_no_reminders_for_cancelled_unpublished_or_started_events(app):
    soon = timedelta(hours=5)
    for values in ({"cancelled_at": utcnow()}, {"published": False}, {"starts_in": -soon}):
        event = make_event(app, **{"starts_in": soon, **NO_LIST, **values})
        make_booking(app, event, confirmed_at=utcnow() - LONG_AGO)
    assert run_scheduler(app) == 0
    assert outbox(app, "reminder") == []


def test_a_rescheduled_event_gets_a_fresh_reminder(app):
    event = make_event(app, starts_in=timedelta(hours=10), **NO_LIST)
    make_booking(app, event, confirmed_at=utcnow() - LONG_AGO)
    assert run_scheduler(app) == 1
    with app.app_context():
        moved = db.session.get(Event, event.id)
        moved.starts_at += timedelta(hours=2)
        moved.ends_at += timedelta(hours=2)
        db.session.commit()
    assert run_scheduler(app) == 1
    assert run_scheduler(app) == 0


def test_attendee_list_goes_once_to_the_speakers_and_the_organiser_contact(app):
    event = make_event(app, starts_in=timedelta(hours=12), organiser_email="olive@example.org")
    for speaker in (make_speaker(app, email="ann@example.org", name="Ann Chair"),
                    make_speaker(app, email="")):
        attach_speaker(app, event, speaker)
    make_booking(app, event)

    assert run_scheduler(app) == 2  # the attendee's reminder is not due (booked just now)
    assert run_scheduler(app) == 0
    lists = outbox(app, "attendee_list")
    assert [parseaddr(m.recipient)[1] for m in lists] == ["ann@example.org",
                                                          "olive@example.org"]
    assert all(len(m.body_text) > 0 and m.event_id == event.id for m in lists)

    attach_speaker(app, event, make_speaker(app, email="late@example.org"), position=2)
    assert run_scheduler(app) == 1  # a speaker added later gets it too, once
    assert run_scheduler(app) == 0


def test_worker_sends_each_reminder_once_however_often_it_runs(smtp_app, smtp_server, runner):
    event = make_event(smtp_app, starts_in=timedelta(hours=20), organiser_email="")
    bookings = [make_booking(smtp_app, event, confirmed_at=utcnow() - LONG_AGO)
                for _ in range(3)]
    for _ in range(3):
        result = runner.invoke(args=["outbox", "run", "--once"])
        assert result.exit_code == 0, result.output
    assert sorted(parseaddr(m["To"])[1] for m in smtp_server.messages) == sorted(
        b.email for b in bookings)
