"""The attendee list that leaves the site carries only what bookers were told: confirmed
people's name, organisation and job title, and access needs only when the booking form
said the venue would see them and the organiser ticked it. Never an email address."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from eventsite.attendees.lists import due_attendee_lists, queue_attendee_list
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import AuditEntry
from tests.conftest import attached_files, log_in, outbox
from tests.factories import attach_speaker, make_booking, make_event, make_speaker

TICK = "include access and dietary needs (for the venue)"


def submission_of(page: str) -> str:
    return re.search(r'name="submission" type="hidden" value="([0-9a-f]+)"', page).group(1)


def setup_event(app, **values):
    event = make_event(app, organiser_email="host@example.org", **values)
    make_booking(app, event, name="Zoë Attendee", email="zoe@example.org",
                 organisation="=HYPERLINK(1)", job_title="Head of Care",
                 access_needs="Vegan")
    make_booking(app, event, name="Wait Person", email="wait@example.org", status="waiting")
    make_booking(app, event, name="Gone Person", email="gone@example.org",
                 status="cancelled", cancelled_at=utcnow())
    return event


def emailed_csv(app) -> bytes:
    [message] = outbox(app, "attendee_list")[-1:]
    [(_name, content_type, data)] = attached_files(message.raw)
    assert content_type == "text/csv"
    return data


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def send_form(client, event, **fields):
    page = client.get(f"/admin/events/{event.slug}/attendee-list").text
    return client.post(f"/admin/events/{event.slug}/attendee-list", data={
        "extra_addresses": "venue@example.org", "submission": submission_of(page), **fields})


def test_the_emailed_list_holds_confirmed_names_organisations_and_job_titles_only(
        app, client):
    log_in(client, app)
    event = setup_event(app)
    assert send_form(client, event).status_code == 302
    data = emailed_csv(app)
    assert rows_of(data) == [["name", "organisation", "job_title"],
                             ["Zoë Attendee", "'=HYPERLINK(1)", "Head of Care"]]
    assert b"@" not in data
    # The organiser's own export keeps its full, documented columns.
    export = client.get(f"/admin/events/{event.slug}/attendees.csv").data
    assert rows_of(export)[0][:4] == ["reference", "status", "name", "email"]
    assert b"zoe@example.org" in export and b"gone@example.org" in export


def test_access_needs_are_offered_only_once_the_booking_form_tells_people(app, client):
    log_in(client, app)
    event = setup_event(app)
    assert TICK not in client.get(f"/admin/events/{event.slug}/attendee-list").text
    send_form(client, event, include_access_needs="y")
    assert rows_of(emailed_csv(app))[0] == ["name", "organisation", "job_title"]
    assert "the venue sees" not in client.get(f"/events/{event.slug}/book").text


def test_ticked_access_needs_go_to_the_venue_and_are_recorded(app, client):
    log_in(client, app)
    event = setup_event(app, share_access_needs_with_venue=True)
    booking_form = client.get(f"/events/{event.slug}/book").text
    assert "the venue sees your access or dietary needs" in booking_form
    assert TICK in client.get(f"/admin/events/{event.slug}/attendee-list").text

    send_form(client, event, include_access_needs="y")
    assert rows_of(emailed_csv(app)) == [
        ["name", "organisation", "job_title", "access_needs"],
        ["Zoë Attendee", "'=HYPERLINK(1)", "Head of Care", "Vegan"]]
    with app.app_context():
        [entry] = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "attendee list emailed")).all()
        assert "with access and dietary needs" in entry.detail


def test_the_event_setting_is_saved_from_the_edit_form(app, client):
    log_in(client, app)
    event = make_event(app)
    page = client.get(f"/admin/events/{event.slug}/edit").text
    assert "Share access and dietary needs with the venue" in page


def test_the_automatic_list_carries_no_email_address_and_no_needs(app):
    event = setup_event(app, starts_in=timedelta(hours=2),
                        share_access_needs_with_venue=True)
    attach_speaker(app, event, make_speaker(app, email="sam@example.org"))
    with app.app_context():
        for due in due_attendee_lists(utcnow() + timedelta(hours=1)):
            queue_attendee_list(due[0], due[1], dedupe_suffix="auto-test")
        db.session.commit()
    for message in outbox(app, "attendee_list"):
        [(_name, _type, data)] = attached_files(message.raw)
        assert rows_of(data)[0] == ["name", "organisation", "job_title"]
        assert b"@" not in data and b"Wait Person" not in data
        assert "every booking" not in message.body_text
    assert len(outbox(app, "attendee_list")) == 2
