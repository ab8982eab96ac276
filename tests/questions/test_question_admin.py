"""Organisers ask each event's own booking questions: add, change, order, retire."""
from __future__ import annotations

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import BookingQuestion
from tests.conftest import audit_actions, book, log_in
from tests.factories import make_answer, make_booking, make_event, make_question


def questions_of(app, event) -> list[tuple[str, str, bool]]:
    """(label, kind, retired) of the event's questions, in the order asked."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(BookingQuestion).where(BookingQuestion.event_id == event.id)
            .order_by(BookingQuestion.retired_at.is_not(None), BookingQuestion.position,
                      BookingQuestion.id)).all()
        return [(row.label, row.kind, row.retired_at is not None) for row in rows]


def add(client, event, **fields):
    data = {"label": "Which breakout?", "kind": "one_choice",
            "choices": "Housing\nSocial care\n", "help_text": "", "personal": "y", **fields}
    return client.post(f"/admin/events/{event.slug}/questions", data=data)


def test_the_questions_tab_adds_each_kind_in_order(app, client):
    log_in(client, app)
    event = make_event(app)
    page = client.get(f"/admin/events/{event.slug}/bookings").get_data(as_text=True)
    assert f'href="/admin/events/{event.slug}/questions"' in page
    for label, kind in [("Your council", "short_text"), ("Anything to ask", "long_text"),
                        ("Which breakout?", "one_choice"), ("Which days?", "several_choices"),
                        ("Share with the sponsor?", "yes_no")]:
        response = add(client, event, label=label, kind=kind, choices="Mon\nTue")
        assert response.status_code == 303, response.get_data(as_text=True)
    assert questions_of(app, event) == [
        ("Your council", "short_text", False), ("Anything to ask", "long_text", False),
        ("Which breakout?", "one_choice", False), ("Which days?", "several_choices", False),
        ("Share with the sponsor?", "yes_no", False)]
    page = client.get(f"/admin/events/{event.slug}/questions").get_data(as_text=True)
    assert "Organisers only" in page
    assert audit_actions(app).count("booking question added") == 5
    with app.app_context():
        text_question = db.session.scalar(sa.select(BookingQuestion).where(
            BookingQuestion.label == "Your council"))
        assert text_question.choices == []  # choices only for the kinds that offer them


def test_a_new_question_is_private_and_personal_unless_said_otherwise(app, client):
    log_in(client, app)
    event = make_event(app)
    add(client, event, personal="")
    add(client, event, label="Dietary choice", shared="y", personal="y", required="y",
        help_text="We order food the day before.")
    with app.app_context():
        first, second = db.session.scalars(
            sa.select(BookingQuestion).order_by(BookingQuestion.id)).all()
        assert (first.shared, first.personal, first.required) == (False, False, False)
        assert (second.shared, second.personal, second.required) == (True, True, True)
        assert second.help_text == "We order food the day before."
    form = client.get(f"/admin/events/{event.slug}/questions").get_data(as_text=True)
    assert 'checked id="personal" name="personal" type="checkbox"' in form


def test_bad_question_forms_say_what_is_wrong_and_keep_what_was_typed(app, client):
    log_in(client, app)
    event = make_event(app)
    response = add(client, event, label="", choices="Only one")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the question." in page
    assert "Give at least two choices, one per line." in page
    assert "Only one" in page
    page = add(client, event, choices="Same\nsame").get_data(as_text=True)
    assert "Each choice must differ from the others." in page
    page = add(client, event, kind="dropdown").get_data(as_text=True)
    assert "Choose one of the kinds of answer listed." in page
    assert add(client, event).status_code == 303
    page = add(client, event, label="which breakout?").get_data(as_text=True)
    assert "Another question is already called “which breakout?”." in page
    assert questions_of(app, event) == [("Which breakout?", "one_choice", False)]


def test_questions_move_up_and_down(app, client):
    log_in(client, app)
    event = make_event(app)
    first = make_question(app, event, "First", position=0)
    make_question(app, event, "Second", position=1)
    third = make_question(app, event, "Third", position=2)
    url = f"/admin/events/{event.slug}/questions"
    assert client.post(f"{url}/{third.id}/move", data={"direction": "up"}).status_code == 303
    client.post(f"{url}/{first.id}/move", data={"direction": "down"})
    assert [label for label, *_ in questions_of(app, event)] == ["Third", "First", "Second"]
    page = client.get(f"/events/{event.slug}/book").get_data(as_text=True)
    assert page.index("Third") < page.index("First") < page.index("Second")
    assert "booking questions reordered" in audit_actions(app)


def test_removing_an_answered_question_retires_it_and_keeps_the_answers(app, client):
    log_in(client, app)
    event = make_event(app)
    answered = make_question(app, event, "Which breakout?", kind="one_choice",
                             choices=["Housing", "Care"])
    unanswered = make_question(app, event, "Never answered")
    booking = make_booking(app, event, reference="FR-ANS1")
    make_answer(app, booking, answered, text="Care")
    url = f"/admin/events/{event.slug}/questions"

    response = client.post(f"{url}/{answered.id}/remove", follow_redirects=True)
    assert "“Which breakout?” is retired" in response.get_data(as_text=True)
    client.post(f"{url}/{unanswered.id}/remove")

    assert questions_of(app, event) == [("Which breakout?", "one_choice", True)]
    assert "Which breakout?" not in client.get(f"/events/{event.slug}/book").get_data(
        as_text=True)
    export = client.get(f"/admin/events/{event.slug}/attendees.csv").get_data(as_text=True)
    assert export.splitlines()[0].endswith(",Which breakout?")
    assert export.splitlines()[1].endswith(",Care")
    detail = client.get(f"/admin/events/{event.slug}/bookings/{booking.id}").get_data(
        as_text=True)
    assert "Which breakout?" in detail and "(retired question)" in detail
    assert "Care" in detail
    actions = audit_actions(app)
    assert "booking question retired" in actions and "booking question deleted" in actions


def test_changing_an_answered_question_keeps_earlier_answers_as_given(app, client):
    log_in(client, app)
    event = make_event(app)
    question = make_question(app, event, "Which breakout?", kind="one_choice",
                             choices=["Housing", "Care"])
    booking = make_booking(app, event)
    make_answer(app, booking, question, text="Care")
    url = f"/admin/events/{event.slug}/questions/{question.id}"
    page = client.get(url).get_data(as_text=True)
    assert "1 booking has answered this question" in page
    assert "Housing\nCare" in page

    # Renaming a choice: the answer keeps the words chosen, counted as no longer offered.
    client.post(url, data={"label": "Which breakout?", "kind": "one_choice",
                           "choices": "Housing\nAdult social care", "personal": "y"})
    counts = client.get(f"/admin/events/{event.slug}/bookings").get_data(as_text=True)
    assert "Adult social care" in counts and "(no longer offered)" in counts

    # Another kind of answer: the answered question is retired, the new one asked.
    client.post(url, data={"label": "Which breakout?", "kind": "short_text",
                           "personal": "y"})
    assert questions_of(app, event) == [("Which breakout?", "short_text", False),
                                        ("Which breakout?", "one_choice", True)]
    export = client.get(f"/admin/events/{event.slug}/attendees.csv").get_data(as_text=True)
    assert export.splitlines()[0].endswith(",Which breakout?,Which breakout?")
    assert export.splitlines()[1].endswith(",,Care")
    assert "booking question replaced" in audit_actions(app)


def test_another_events_question_is_not_found(app, client):
    log_in(client, app)
    event = make_event(app)
    other = make_event(app)
    question = make_question(app, other, "Theirs")
    assert client.get(f"/admin/events/{event.slug}/questions/{question.id}").status_code == 404
    assert client.post(
        f"/admin/events/{event.slug}/questions/{question.id}/remove").status_code == 404


def test_questions_need_an_organiser(app, client):
    event = make_event(app)
    response = client.get(f"/admin/events/{event.slug}/questions")
    assert response.status_code == 302 and "/admin/login" in response.location
    assert book(client, event).status_code == 303  # the public form is untouched
