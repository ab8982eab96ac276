"""The attendee CSV: streamed, BOM, stable header, formula-safe, same from the command line."""
from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from eventsite.attendees.export import attendee_csv, neutralise
from eventsite.extensions import db
from eventsite.models import AuditEntry, Booking, Event
from tests.conftest import audit_actions, log_in
from tests.factories import make_booking, make_event

HEADER = ("reference,status,name,email,organisation,job_title,access_needs,wants_followup,"
          "booked_at,checked_in_at,walk_in")


@pytest.mark.parametrize(("cell", "expected"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+44 20 7946 0000", "'+44 20 7946 0000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tindented", "'\tindented"),
    ("\rreturn", "'\rreturn"),
    ("Plain Name", "Plain Name"),
    ("", ""),
    ("a=b", "a=b"),
])
def test_cells_a_spreadsheet_would_run_are_neutralised(cell, expected):
    assert neutralise(cell) == expected


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_export_is_streamed_with_bom_header_and_every_status(app, client):
    log_in(client, app)
    event = make_event(app, slug="mutuals", timezone="Europe/London",
                       starts_at=datetime(2030, 10, 20, 11, 30, tzinfo=timezone.utc))
    made = datetime(2030, 9, 1, 8, 0, tzinfo=timezone.utc)
    make_booking(app, event, reference="FR-A", name="Siobhán Ó Briain", email="s@example.org",
                 organisation="Comhairle Cathrach", created_at=made,
                 checked_in_at=datetime(2030, 10, 20, 11, 25, tzinfo=timezone.utc))
    make_booking(app, event, reference="FR-B", name="=cmd|' /C calc'!A0",
                 organisation="@evil", job_title="-1+1", access_needs="+wheelchair",
                 status="waiting", wants_followup=False, created_at=made)
    make_booking(app, event, reference="FR-C", name="Zhāng Wěi 张伟", status="cancelled",
                 created_at=made)

    response = client.get("/admin/events/mutuals/attendees.csv")

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="mutuals-all-attendees.csv"'
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    rows = read_csv(data)
    assert ",".join(rows[0]) == HEADER
    assert rows[1] == ["FR-A", "confirmed", "Siobhán Ó Briain", "s@example.org",
                       "Comhairle Cathrach", "Commissioner", "", "yes",
                       "2030-09-01T09:00:00+01:00", "2030-10-20T12:25:00+01:00", "no"]
    assert rows[2][:8] == ["FR-B", "waiting", "'=cmd|' /C calc'!A0", rows[2][3], "'@evil",
                           "'-1+1", "'+wheelchair", "no"]
    assert rows[2][9] == ""
    assert rows[3][1:3] == ["cancelled", "Zhāng Wěi 张伟"]
    assert len(rows) == 4
    assert audit_actions(app) == ["logged in", "attendee list exported"]


def test_csv_export_can_be_limited_to_one_status(app, client):
    log_in(client, app)
    event = make_event(app)
    make_booking(app, event, name="In")
    make_booking(app, event, name="Out", status="cancelled")
    response = client.get(f"/admin/events/{event.slug}/attendees.csv?status=confirmed")
    assert [row[2] for row in read_csv(response.data)[1:]] == ["In"]
    assert client.get(f"/admin/events/{event.slug}/attendees.csv?status=x").status_code == 404


def test_cli_export_writes_the_same_bytes(app, client, runner, tmp_path):
    log_in(client, app)
    event = make_event(app)
    make_booking(app, event, name="Ünïcode Person", organisation="=1+2")
    make_booking(app, event, name="Waiting One", status="waiting")
    web = client.get(f"/admin/events/{event.slug}/attendees.csv").data
    target = tmp_path / "attendees.csv"

    result = runner.invoke(args=["attendees", "export", event.slug, "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert target.read_bytes() == web
    result = runner.invoke(args=["attendees", "export", event.slug, "--status", "waiting"])
    assert [row[2] for row in read_csv(result.stdout_bytes)[1:]] == ["Waiting One"]
    with app.app_context():
        actors = db.session.scalars(sa.select(AuditEntry.actor).order_by(AuditEntry.id)).all()
    assert actors == ["organiser@example.org", "organiser@example.org", "command line",
                      "command line"]  # logging in, exporting, then two exports by command


def test_cli_export_of_an_unknown_event_says_so(runner):
    result = runner.invoke(args=["attendees", "export", "no-such-event"])
    assert result.exit_code != 0
    assert "There is no event with the web address 'no-such-event'." in result.output


def _peak_bytes(app, event_id: int) -> tuple[int, int]:
    with app.app_context():
        event = db.session.get(Event, event_id)
        tracemalloc.start()
        size = sum(len(chunk) for chunk in attendee_csv(event))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return size, peak


def _add_bookings(app, event_id: int, start: int, count: int) -> None:
    with app.app_context():
        db.session.execute(sa.insert(Booking), [
            {"event_id": event_id, "reference": f"R{n:07d}",
             "status": "confirmed", "name": f"Person {n} " + "x" * 100,
             "email": f"p{n}@example.org", "email_normalised": f"p{n}@example.org",
             "organisation": "Organisation " * 5}
            for n in range(start, start + count)
        ])
        db.session.commit()


def test_memory_stays_flat_as_the_list_grows(app):
    event = make_event(app, capacity=100_000)
    _add_bookings(app, event.id, 0, 1_000)
    _peak_bytes(app, event.id)  # warm caches
    small_size, small_peak = _peak_bytes(app, event.id)
    _add_bookings(app, event.id, 1_000, 9_000)
    large_size, large_peak = _peak_bytes(app, event.id)
    assert large_size > 9 * small_size
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
