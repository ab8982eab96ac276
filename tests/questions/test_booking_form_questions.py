"""The event's own questions on the booking form: each kind asked, checked and kept with
the booking, on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import BookingAnswer
from tests.conftest import book, log_in, stored_bookings
from tests.factories import make_event, make_question


def answers_of(app, booking_id: int) -> dict[str, str | list[str]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(BookingAnswer).where(BookingAnswer.booking_id == booking_id)).all()
        return {row.question.label: (list(row.chosen) if row.chosen else row.text)
                for row in rows}


def every_kind(app, event, *, required: bool) -> dict[str, str]:
    """One question of each kind; returns each label's field name."""
    questions = [
        make_question(app, event, "Your council", kind="short_text", required=required,
                      help_text="As it appears on your badge."),
        make_question(app, event, "What would you like to ask", kind="long_text",
                      required=required),
        make_question(app, event, "Which breakout?", kind="one_choice", required=required,
                      choices=["Housing", "Social care"]),
        make_question(app, event, "Which sessions?", kind="several_choices",
                      required=required, choices=["Morning", "Lunch", "Afternoon"]),
        make_question(app, event, "Can we share your details with the sponsor?",
                      kind="yes_no", required=required),
    ]
    return {question.label: f"question_{question.id}" for question in questions}


def test_booking_form_asks_each_kind_of_question_after_the_standard_fields(app, client):
    event = make_event(app)
    fields = every_kind(app, event, required=False)
    page = client.get(f"/events/{event.slug}/book").get_data(as_text=True)
    assert page.index("Send me the slides") < page.index("Your council")
    for label, name in fields.items():
        assert label in page
        assert f'name="{name}"' in page
    assert "As it appears on your badge." in page
    assert page.count('type="radio"') == 2 + 2  # the breakouts, then yes and no
    assert page.count('type="checkbox"') == 1 + 3  # slides, then the sessions


def test_answers_of_every_kind_are_kept_with_the_booking(app, client):
    event = make_event(app)
    fields = every_kind(app, event, required=True)
    response = book(client, event, **{
        fields["Your council"]: "  Northfield   County  ",
        fields["What would you like to ask"]: "How do we start?\r\nAnd when?",
        fields["Which breakout?"]: "Social care",
        fields["Which sessions?"]: ["Afternoon", "Morning"],
        fields["Can we share your details with the sponsor?"]: "no",
    })
    assert response.status_code == 303
    (booking,) = stored_bookings(app, event)
    assert answers_of(app, booking.id) == {
        "Your council": "Northfield County",
        "What would you like to ask": "How do we start?\nAnd when?",
        "Which breakout?": "Social care",
        "Which sessions?": ["Morning", "Afternoon"],
        "Can we share your details with the sponsor?": "no",
    }


def test_required_questions_left_empty_are_named_next_to_the_field(app, client):
    event = make_event(app)
    every_kind(app, event, required=True)
    response = book(client, event, name="Ada Typed This")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an answer to “Your council”." in page
    assert "Enter an answer to “What would you like to ask”." in page
    assert "Choose an answer to “Which breakout?”." in page
    assert "Choose at least one answer to “Which sessions?”." in page
    assert "Choose an answer to “Can we share your details with the sponsor?”." in page
    assert 'value="Ada Typed This"' in page
    assert stored_bookings(app, event) == []


def test_optional_questions_may_be_left_empty(app, client):
    event = make_event(app)
    every_kind(app, event, required=False)
    assert book(client, event).status_code == 303
    (booking,) = stored_bookings(app, event)
    assert answers_of(app, booking.id) == {}


def test_a_choice_not_offered_is_refused_and_what_was_typed_is_kept(app, client):
    event = make_event(app)
    fields = every_kind(app, event, required=False)
    response = book(client, event, **{
        fields["Your council"]: "Northfield",
        fields["Which breakout?"]: "Transport",
        fields["Which sessions?"]: ["Morning", "Midnight"],
        fields["Can we share your details with the sponsor?"]: "maybe",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose from the answers offered for “Which breakout?”." in page
    assert "Choose from the answers offered for “Which sessions?”." in page
    assert "Choose from the answers offered for “Can we share your details" in page
    assert 'value="Northfield"' in page
    assert stored_bookings(app, event) == []


def test_a_too_long_answer_gets_a_message(app, client):
    event = make_event(app)
    fields = every_kind(app, event, required=False)
    response = book(client, event, **{fields["Your council"]: "x" * 501})
    assert response.status_code == 422
    assert "The answer to “Your council” must be 500 characters or fewer." in (
        response.get_data(as_text=True))


def test_retired_questions_are_not_asked_of_new_bookings(app, client):
    from datetime import UTC, datetime

    event = make_event(app)
    make_question(app, event, "Old question", retired_at=datetime.now(UTC))
    make_question(app, event, "New question")
    page = client.get(f"/events/{event.slug}/book").get_data(as_text=True)
    assert "New question" in page
    assert "Old question" not in page


def test_an_organiser_adding_someone_may_skip_required_questions(app, client):
    event = make_event(app)
    every_kind(app, event, required=True)
    log_in(client, app)
    response = client.post(f"/admin/events/{event.slug}/bookings/new", data={
        "name": "Walk In", "email": "walk@example.org"})
    assert response.status_code == 302
    assert [booking.name for booking in stored_bookings(app, event)] == ["Walk In"]
