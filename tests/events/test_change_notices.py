"""One email per burst of edits: attendees hear the net change of time or place once the
organiser has stopped editing for CHANGE_NOTICE_DELAY_SECONDS, with a new invitation
(same UID, the event's SEQUENCE when it is sent) and their manage link."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from eventsite.database import utcnow
from eventsite.events.services import cancel_event, update_event
from eventsite.extensions import db
from eventsite.models import Event, PendingChangeNotice
from eventsite.outbox.schedule import queue_scheduled_messages
from tests.conftest import audit_actions, book, load, log_in, manage_token, outbox
from tests.factories import make_booking, make_event

HOST = "events.example.org"
DELAY = timedelta(seconds=600)  # CHANGE_NOTICE_DELAY_SECONDS' default, as the tests run


def when_the_window_closes(app, after: timedelta = DELAY + timedelta(seconds=1)) -> int:
    """Run the worker's schedule as it would `after` from now; returns what it queued."""
    with app.app_context():
        queued = queue_scheduled_messages(utcnow() + after)
        db.session.commit()
        return queued


def edit(app, event: Event, tell_attendees: bool = True, **values) -> None:
    with app.app_context():
        update_event(db.session.get(Event, event.id), values, tell_attendees=tell_attendees)
        db.session.commit()


def the_request(raw: bytes):
    """(UID, SEQUENCE, METHOD, VEVENT) of the one invitation, body part and invite.ics
    alike, METHOD matching method= (the helper of the invitation tests)."""
    from tests.bookings.test_calendar_invitations import the_invitation

    return the_invitation(raw)


def text_of(message) -> str:
    import email
    import email.policy

    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    return parsed.get_body(("plain",)).get_content()


def test_two_quick_edits_send_one_notice_with_the_net_change(app, client):
    event = make_event(app, starts_at=datetime(2030, 7, 1, 17, 30, tzinfo=timezone.utc))
    booking = make_booking(app, event)
    edit(app, event, venue="Room 7")
    edit(app, event, starts_at=datetime(2030, 7, 1, 18, 0, tzinfo=timezone.utc),
         ends_at=datetime(2030, 7, 1, 19, 30, tzinfo=timezone.utc))

    assert when_the_window_closes(app, after=DELAY - timedelta(seconds=60)) == 0
    assert outbox(app, "event_changed") == []
    assert when_the_window_closes(app) == 1

    [notice] = outbox(app, "event_changed")
    uid, sequence, method, vevent = the_request(notice.raw)
    assert (uid, sequence, method) == (
        f"{booking.calendar_uid}@{HOST}", 2, "REQUEST")
    assert sequence == load(app, Event, event.id).sequence
    assert vevent.decoded("DTSTART") == datetime(2030, 7, 1, 18, 0, tzinfo=timezone.utc)
    assert str(vevent["LOCATION"]).startswith("Room 7")
    text = text_of(notice)
    assert "Venue: Room 7, was Meeting Room 4" in text
    # In the event's timezone (London, summer time): 18:30 then, 19:00 now.
    assert ("When: Monday 1 July 2030, 19:00–20:30 BST, "
            "was Monday 1 July 2030, 18:30–20:00 BST") in text
    page = client.get(f"/bookings/{manage_token(notice)}")
    assert page.status_code == 200 and booking.reference in page.get_data(as_text=True)
    assert "/bookings/" not in notice.body_text  # the mail log's copy keeps no manage link
    assert "event change notices queued" in audit_actions(app)
    with app.app_context():
        assert db.session.get(PendingChangeNotice, event.id) is None


def test_an_edit_undone_within_the_window_sends_nothing(app):
    event = make_event(app)
    make_booking(app, event)
    edit(app, event, venue="Room 7")
    edit(app, event, venue="Meeting Room 4")
    assert when_the_window_closes(app) == 0
    assert outbox(app, "event_changed") == []
    with app.app_context():
        assert db.session.get(PendingChangeNotice, event.id) is None


def test_each_edit_puts_the_notice_back_to_the_full_delay(app):
    event = make_event(app)
    make_booking(app, event)
    edit(app, event, venue="Room 7")
    with app.app_context():
        first_due = db.session.get(PendingChangeNotice, event.id).due_at
        db.session.get(PendingChangeNotice, event.id).due_at = first_due - timedelta(minutes=9)
        db.session.commit()
    edit(app, event, address="2 Quay Street, Manchester")
    with app.app_context():
        assert db.session.get(PendingChangeNotice, event.id).due_at >= first_due


def test_a_later_burst_is_a_new_email_even_back_to_the_first_state(app):
    event = make_event(app)
    booking = make_booking(app, event)
    edit(app, event, venue="Room 7")
    when_the_window_closes(app)
    edit(app, event, venue="Meeting Room 4")
    when_the_window_closes(app)
    edit(app, event, venue="Room 7")
    when_the_window_closes(app)
    notices = outbox(app, "event_changed")
    assert [the_request(n.raw)[:3] for n in notices] == [
        (f"{booking.calendar_uid}@{HOST}", seq, "REQUEST") for seq in (1, 2, 3)]
    assert "Venue: Meeting Room 4, was Room 7" in text_of(notices[1])


def test_someone_who_booked_during_the_burst_hears_only_what_changed_since(app, client):
    event = make_event(app)
    before = make_booking(app, event)
    edit(app, event, venue="Room 7")
    book(client, event, email="late@example.org")
    edit(app, event, address="2 Quay Street, Manchester")
    edit(app, event, venue="Room 7")  # no change: nothing noted
    when_the_window_closes(app)
    notices = {n.booking_id: text_of(n) for n in outbox(app, "event_changed")}
    [late] = [booking_id for booking_id in notices if booking_id != before.id]
    assert "Venue: Room 7, was Meeting Room 4" in notices[before.id]
    assert "Address: 2 Quay Street, Manchester" in notices[before.id]
    assert "Venue:" not in notices[late]
    assert "Address: 2 Quay Street, Manchester, was 1 Quay Street, Manchester" in notices[late]


def test_people_waiting_are_told_in_words_with_their_link(app, client):
    event = make_event(app, capacity=1)
    make_booking(app, event)
    waiting = make_booking(app, event, status="waiting", confirmed_at=None)
    edit(app, event, venue="Room 7")
    when_the_window_closes(app)
    [notice] = [n for n in outbox(app, "event_changed") if n.booking_id == waiting.id]
    from tests.bookings.test_calendar_invitations import calendar_parts

    assert calendar_parts(notice.raw) == []
    assert "still on the waiting list" in text_of(notice)
    assert client.get(f"/bookings/{manage_token(notice)}").status_code == 200


def test_a_cancelled_event_gets_no_change_notice(app):
    event = make_event(app)
    make_booking(app, event)
    edit(app, event, venue="Room 7")
    with app.app_context():
        cancel_event(db.session.get(Event, event.id))
        db.session.commit()
    when_the_window_closes(app)
    assert outbox(app, "event_changed") == []
    assert len(outbox(app, "event_cancelled")) == 1


def test_a_typo_fix_tells_nobody_and_keeps_the_sequence(app, client):
    log_in(client, app)
    event = make_event(app, venue="Meeting Rom 4")
    make_booking(app, event)
    page = client.post(f"/admin/events/{event.slug}/edit", data=form_of(
        event, venue="Meeting Room 4", typo_fix="y"), follow_redirects=True)
    assert "Attendees were not told (a typo fix)." in page.get_data(as_text=True)
    assert when_the_window_closes(app) == 0
    saved = load(app, Event, event.id)
    assert (saved.venue, saved.sequence) == ("Meeting Room 4", 0)
    assert outbox(app, "event_changed") == []
    with app.app_context():
        assert db.session.get(PendingChangeNotice, event.id) is None


def test_a_typo_fix_that_moves_the_time_is_refused_keeping_what_was_typed(app, client):
    log_in(client, app)
    event = make_event(app, starts_at=datetime(2030, 7, 1, 17, 30, tzinfo=timezone.utc))
    make_booking(app, event)
    response = client.post(f"/admin/events/{event.slug}/edit", data=form_of(
        event, starts="2030-07-01T19:00", ends="2030-07-01T20:00", typo_fix="y"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A new time is not a typo fix" in page
    assert 'value="2030-07-01T19:00"' in page
    assert load(app, Event, event.id).starts_at == datetime(2030, 7, 1, 17, 30,
                                                            tzinfo=timezone.utc)
    assert when_the_window_closes(app) == 0


def test_the_edit_page_says_when_attendees_will_be_told(app, client):
    log_in(client, app)
    event = make_event(app)
    make_booking(app, event)
    page = client.post(f"/admin/events/{event.slug}/edit", data=form_of(
        event, venue="Room 7"), follow_redirects=True).get_data(as_text=True)
    assert "emailed about the change in 10 minutes" in page


def test_the_worker_sends_the_notice_once_the_window_has_closed(app, runner):
    app.config["CHANGE_NOTICE_DELAY_SECONDS"] = 0
    event = make_event(app)
    make_booking(app, event)
    edit(app, event, venue="Room 7")
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output
    [notice] = outbox(app, "event_changed")
    assert notice.status == "sent"


def form_of(event: Event, **overrides) -> dict:
    """The edit form as the page fills it for this event, with some fields changed."""
    local = {"starts": event.local_starts_at, "ends": event.local_ends_at}
    form = {
        "title": event.title, "host_conference": event.host_conference,
        "summary": event.summary, "description": event.description,
        "starts": local["starts"].strftime("%Y-%m-%dT%H:%M"),
        "ends": local["ends"].strftime("%Y-%m-%dT%H:%M"),
        "timezone": event.timezone, "venue": event.venue, "address": event.address,
        "capacity": str(event.capacity), "waiting_list": "y", "slug": event.slug,
        "organiser_email": event.organiser_email, "published": "y",
    }
    form.update(overrides)
    return form
