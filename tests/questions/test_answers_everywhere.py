"""Answers where they are needed: a CSV column per question, shared ones in the list
emailed to speakers (private ones never), counts per choice, the booking's detail."""
from __future__ import annotations

import csv
import io
import re

from eventsite.database import utcnow
from tests.attendees.test_attendee_list_privacy import send_form
from tests.conftest import attached_files, log_in, outbox
from tests.factories import (
    attach_speaker,
    make_answer,
    make_booking,
    make_event,
    make_question,
    make_speaker,
)


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def event_with_answers(app):
    event = make_event(app, organiser_email="host@example.org")
    breakout = make_question(app, event, "Which breakout?", kind="one_choice",
                             choices=["Housing", "Care"], shared=True, position=0)
    sessions = make_question(app, event, "Which sessions?", kind="several_choices",
                             choices=["Morning", "Afternoon"], shared=True, position=1)
    role = make_question(app, event, "=Your role", kind="short_text", position=2)
    sponsor = make_question(app, event, "Share with the sponsor?", kind="yes_no",
                            position=3)
    ada = make_booking(app, event, reference="FR-ADA", name="Ada Lovelace")
    make_answer(app, ada, breakout, text="Care")
    make_answer(app, ada, sessions, chosen=["Morning", "Afternoon"])
    make_answer(app, ada, role, text="=HYPERLINK(\"http://evil\")")
    make_answer(app, ada, sponsor, text="no")
    grace = make_booking(app, event, reference="FR-GRA", name="Grace Hopper")
    make_answer(app, grace, breakout, text="Care")
    make_answer(app, grace, sponsor, text="yes")
    waiting = make_booking(app, event, reference="FR-WAI", name="Wai Ting", status="waiting",
                           confirmed_at=None)
    make_answer(app, waiting, breakout, text="Housing")
    make_booking(app, event, reference="FR-NOA", name="No Answers", status="cancelled",
                 cancelled_at=utcnow())
    return event


def test_the_csv_has_a_column_per_question_after_the_documented_ones(app, client):
    log_in(client, app)
    event = event_with_answers(app)
    rows = rows_of(client.get(f"/admin/events/{event.slug}/attendees.csv").data)
    assert rows[0] == [
        "reference", "status", "name", "email", "organisation", "job_title", "access_needs",
        "wants_followup", "booked_at", "checked_in_at",
        "Which breakout?", "Which sessions?", "'=Your role", "Share with the sponsor?"]
    answers = {row[0]: row[10:] for row in rows[1:]}
    assert answers == {
        "FR-ADA": ["Care", "Morning; Afternoon", "'=HYPERLINK(\"http://evil\")", "no"],
        "FR-GRA": ["Care", "", "", "yes"],
        "FR-WAI": ["Housing", "", "", ""],
        "FR-NOA": ["", "", "", ""],
    }


def test_the_command_line_export_has_the_same_columns(app, runner):
    event = event_with_answers(app)
    result = runner.invoke(args=["attendees", "export", event.slug])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith(
        "checked_in_at,Which breakout?,Which sessions?,'=Your role,Share with the sponsor?")


def test_speakers_get_shared_answers_and_never_private_ones(app, client):
    log_in(client, app)
    event = event_with_answers(app)
    assert send_form(client, event).status_code == 302
    [message] = outbox(app, "attendee_list")[-1:]
    [(_name, _type, data)] = attached_files(message.raw)
    assert rows_of(data) == [
        ["name", "organisation", "job_title", "Which breakout?", "Which sessions?"],
        ["Ada Lovelace", "Example Council", "Commissioner", "Care", "Morning; Afternoon"],
        ["Grace Hopper", "Example Council", "Commissioner", "Care", ""],
    ]
    assert b"HYPERLINK" not in data and b"sponsor" not in data


def test_the_automatic_list_to_speakers_carries_shared_answers_only(app):
    from datetime import timedelta

    from eventsite.attendees.lists import AUTOMATIC_LISTS, due_attendee_lists
    from eventsite.extensions import db

    event = event_with_answers(app)
    attach_speaker(app, event, make_speaker(app, email="speaker@example.org"))
    with app.app_context():
        later = event.starts_at - timedelta(hours=1)
        for due in due_attendee_lists(later):
            AUTOMATIC_LISTS.queue(due)
        db.session.commit()
    message = next(m for m in outbox(app, "attendee_list") if "speaker@" in m.recipient)
    [(_name, _type, data)] = attached_files(message.raw)
    header = rows_of(data)[0]
    assert header[3:] == ["Which breakout?", "Which sessions?"]


def test_the_bookings_page_counts_each_choice_among_confirmed_bookings(app, client):
    log_in(client, app)
    event = event_with_answers(app)
    page = client.get(f"/admin/events/{event.slug}/bookings").get_data(as_text=True)
    counts = page[page.index('class="answer-counts"'):]
    assert "<dt>Housing</dt><dd>0</dd><dt>Care</dt><dd>2</dd>" in counts
    assert "<dt>Morning</dt><dd>1</dd><dt>Afternoon</dt><dd>1</dd>" in counts
    assert "<dt>Yes</dt><dd>1</dd><dt>No</dt><dd>1</dd>" in counts
    assert "Your role" not in counts  # text answers are read in the CSV, not counted


def test_the_bookings_detail_shows_every_answer(app, client):
    log_in(client, app)
    event = event_with_answers(app)
    page = client.get(f"/admin/events/{event.slug}/bookings").get_data(as_text=True)
    detail_url = re.search(r'href="([^"]+)">Ada Lovelace<', page).group(1)
    detail = client.get(detail_url).get_data(as_text=True)
    assert "Ada Lovelace" in detail
    for shown in ("Which breakout?", "Care", "Morning; Afternoon", "=Your role",
                  "=HYPERLINK(&#34;http://evil&#34;)", "Share with the sponsor?", "No"):
        assert shown in detail, shown
