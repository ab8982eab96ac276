"""The attendee list as CSV: streamed, UTF-8 with a BOM, safe to open in a spreadsheet.

Columns (stable; add new ones only at the end):
reference, status (confirmed, waiting or cancelled), name, email, organisation,
job_title, access_needs, wants_followup (yes or no), booked_at and checked_in_at (ISO 8601
in the event's timezone, empty when not checked in). One row per booking of any status,
in the order they were made. Then a column per booking question the event has asked
(retired ones last), headed by the question's label (docs/ATTENDEE_CSV.md).

The attendee list that is emailed (`attendee_list_csv`) is another file: confirmed
people only, with name, organisation and job_title (what the booking form tells people
speakers see), plus access_needs only when asked for the venue, then the answers to the
questions shared with speakers. Never an email address.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, stream_with_context

from .. import audit
from ..bookings.answers import every_question
from ..extensions import db
from ..models import Booking, BookingAnswer, BookingQuestion, BookingStatus, Event

HEADER = (
    "reference", "status", "name", "email", "organisation", "job_title", "access_needs",
    "wants_followup", "booked_at", "checked_in_at",
)
LIST_HEADER = ("name", "organisation", "job_title")
LIST_NEEDS = "access_needs"
BOM = "\ufeff"
# Spreadsheet programs run a cell starting with one of these as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_FETCH = 500


def neutralise(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would otherwise run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def _local_iso(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="seconds") if value else ""


def question_header(questions: list[BookingQuestion]) -> tuple[str, ...]:
    """The questions' labels as column headings, neutralised as cells are."""
    return tuple(neutralise(question.label) for question in questions)


def _answers(event: Event, questions: list[BookingQuestion]) -> dict[tuple[int, int], str]:
    """Every answer to these questions at this event, by (booking id, question id)."""
    if not questions:
        return {}
    rows = db.session.scalars(
        sa.select(BookingAnswer).join(Booking, Booking.id == BookingAnswer.booking_id)
        .where(Booking.event_id == event.id,
               BookingAnswer.question_id.in_([question.id for question in questions])))
    return {(answer.booking_id, answer.question_id): answer.shown for answer in rows}


def attendee_rows(event: Event, status: str | None = None,
                  questions: list[BookingQuestion] = ()) -> Iterator[tuple[str, ...]]:
    """The event's bookings as CSV rows, fetched a few hundred at a time, each with its
    answers to `questions` at the end."""
    answers = _answers(event, questions)
    query = (
        sa.select(
            Booking.id, Booking.reference, Booking.status, Booking.name, Booking.email,
            Booking.organisation, Booking.job_title, Booking.access_needs,
            Booking.wants_followup, Booking.created_at, Booking.checked_in_at,
        )
        .where(Booking.event_id == event.id)
        .order_by(Booking.created_at, Booking.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    if status:
        query = query.where(Booking.status == status)
    zone = event.tz
    for row in db.session.execute(query):
        yield (
            row.reference, row.status, row.name, row.email, row.organisation,
            row.job_title, row.access_needs, "yes" if row.wants_followup else "no",
            _local_iso(row.created_at, zone), _local_iso(row.checked_in_at, zone),
            *(answers.get((row.id, question.id), "") for question in questions),
        )


def attendee_list_rows(event: Event, *, with_access_needs: bool,
                       questions: list[BookingQuestion] = ()) -> Iterator[tuple[str, ...]]:
    """Confirmed people, in booking order: name, organisation, job title (and needs),
    then their answers to `questions`."""
    answers = _answers(event, questions)
    columns = [Booking.id, Booking.name, Booking.organisation, Booking.job_title]
    if with_access_needs:
        columns.append(Booking.access_needs)
    query = (
        sa.select(*columns)
        .where(Booking.event_id == event.id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(Booking.created_at, Booking.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    for booking_id, *cells in db.session.execute(query):
        yield (*cells, *(answers.get((booking_id, question.id), "") for question in questions))


def attendee_list_csv(event: Event, *, with_access_needs: bool = False) -> bytes:
    """The attendee list as emailed to speakers and the venue (see the module's note)."""
    shared = [question for question in every_question(event.id) if question.shared]
    header = (LIST_HEADER + ((LIST_NEEDS,) if with_access_needs else ())
              + question_header(shared))
    rows = attendee_list_rows(event, with_access_needs=with_access_needs, questions=shared)
    return b"".join(csv_chunks(rows, header=header))


def attendee_list_filename(event: Event) -> str:
    return f"{event.slug}-attendee-list.csv"


def csv_chunks(rows: Iterable[tuple[str, ...]], rows_per_chunk: int = 200, *,
               header: tuple[str, ...] = HEADER) -> Iterator[bytes]:
    """The BOM and header, then the rows, encoded as UTF-8 in chunks of a few rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    pending = 1
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def attendee_csv(event: Event, status: str | None = None) -> Iterator[bytes]:
    """The whole attendee CSV for an event, as a stream of bytes."""
    # A generator: nothing is read until the download starts (after the view's commit).
    questions = every_question(event.id)
    yield from csv_chunks(attendee_rows(event, status, questions),
                          header=HEADER + question_header(questions))


def export_filename(event: Event, status: str | None = None) -> str:
    return f"{event.slug}-{status or 'all'}-attendees.csv"


def csv_download(event: Event, status: str | None, chunks: Iterator[bytes]) -> Response:
    """The export's chunks as a streamed download for the organiser's browser.

    Streamed within the request, after the view has committed the audit entry.
    """
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="{export_filename(event, status)}"'},
    )


def export_attendees(event: Event, status: str | None = None, *, via: str) -> Iterator[bytes]:
    """The attendee CSV, recorded in the audit log as an export (the caller commits)."""
    audit.record("attendee list exported", event=event,
                 detail=f"{status or 'all'} bookings, {via}")
    return attendee_csv(event, status)
