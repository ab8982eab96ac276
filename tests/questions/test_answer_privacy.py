"""The privacy purge and erasure cover answers as they cover the standard fields; answers
to choices an organiser marked as not personal stay for the counts."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import BookingAnswer
from tests.conftest import log_in
from tests.factories import make_answer, make_booking, make_event, make_question


def answer_texts(app, booking) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(sa.select(BookingAnswer).where(
            BookingAnswer.booking_id == booking.id)).all()
        return {row.question.label: row.shown for row in rows}


def questions_for(app, event):
    return {
        "council": make_question(app, event, "Your council", kind="short_text",
                                 personal=False),
        "story": make_question(app, event, "Your story", kind="long_text"),
        "breakout": make_question(app, event, "Which breakout?", kind="one_choice",
                                  choices=["Housing", "Care"], personal=False),
        "sponsor": make_question(app, event, "Share with the sponsor?", kind="yes_no"),
        "days": make_question(app, event, "Which days?", kind="several_choices",
                              choices=["Mon", "Tue"], personal=False),
    }


def answer_all(app, booking, questions):
    make_answer(app, booking, questions["council"], text="Northfield")
    make_answer(app, booking, questions["story"], text="I ran a mutual in Leeds.")
    make_answer(app, booking, questions["breakout"], text="Care")
    make_answer(app, booking, questions["sponsor"], text="yes")
    make_answer(app, booking, questions["days"], chosen=["Mon", "Tue"])


def test_the_purge_erases_personal_and_written_answers_and_keeps_counted_choices(
        app, runner):
    old = make_event(app, starts_in=timedelta(days=-400))
    questions = questions_for(app, old)
    booking = make_booking(app, old)
    answer_all(app, booking, questions)

    result = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    # Written answers always go (free text can name anyone); so do answers marked
    # personal. Choices not marked personal stay, so the counts still add up.
    assert answer_texts(app, booking) == {"Which breakout?": "Care",
                                          "Which days?": "Mon; Tue"}


def test_erasing_a_person_erases_their_answers(app, client):
    log_in(client, app)
    event = make_event(app)
    questions = questions_for(app, event)
    booking = make_booking(app, event, email="forget.me@example.org")
    answer_all(app, booking, questions)
    kept = make_booking(app, event, email="someone@example.org")
    make_answer(app, kept, questions["story"], text="Keep mine.")

    response = client.post(f"/admin/events/{event.slug}/erase",
                           data={"email": "forget.me@example.org"}, follow_redirects=True)

    assert "Erased the personal data of 1 booking(s)" in response.get_data(as_text=True)
    assert answer_texts(app, booking) == {"Which breakout?": "Care",
                                          "Which days?": "Mon; Tue"}
    assert answer_texts(app, kept) == {"Your story": "Keep mine."}
    export = client.get(f"/admin/events/{event.slug}/attendees.csv").get_data(as_text=True)
    assert "Northfield" not in export and "Leeds" not in export
