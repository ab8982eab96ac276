"""An event's booking questions: add, change, reorder, retire. Each change is audited.

A question that has been answered is never deleted: removing it retires it, so the answers
people gave stay in the CSV and in each booking's detail, and new bookings are not asked
it. Changing the kind of answer of an answered question retires it too, and asks the
changed question in its place. Each function flushes; the caller commits.
"""
from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..database import utcnow
from ..extensions import db
from ..models import BookingAnswer, BookingQuestion, Event
from .answers import active_questions

QUESTION_FIELDS = ("label", "kind", "choices", "help_text", "required", "shared", "personal")


class QuestionRefused(Exception):
    """The change cannot be made; the message is written for the organiser."""


def _check_label(event: Event, label: str, question: BookingQuestion | None = None) -> None:
    for other in active_questions(event.id):
        if other is not question and other.label.casefold() == label.casefold():
            raise QuestionRefused(
                f"Another question is already called “{label}”. Each needs its own "
                "wording, as each heads its own column in the CSV.")


def has_answers(question: BookingQuestion) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        BookingAnswer.question_id == question.id))) or False


def answer_counts(event: Event) -> dict[int, int]:
    """How many bookings answered each of the event's questions."""
    return dict(db.session.execute(
        sa.select(BookingAnswer.question_id, sa.func.count())
        .join(BookingQuestion, BookingQuestion.id == BookingAnswer.question_id)
        .where(BookingQuestion.event_id == event.id)
        .group_by(BookingAnswer.question_id)
    ).all())


def add_question(event: Event, values: dict) -> BookingQuestion:
    """Ask a new question on the event's booking form, after the others."""
    _check_label(event, values["label"])
    asked = active_questions(event.id)
    question = BookingQuestion(event_id=event.id, position=len(asked),
                               **{name: values[name] for name in QUESTION_FIELDS})
    db.session.add(question)
    db.session.flush()
    audit.record("booking question added", event=event, detail=question.label)
    return question


def change_question(event: Event, question: BookingQuestion, values: dict) -> BookingQuestion:
    """Change a question; returns the question now asked in its place.

    An answered question whose kind of answer changes is retired and a new one asked at
    the same position, so earlier answers keep the meaning they had.
    """
    if question.is_retired:
        raise QuestionRefused("This question is retired; add a new one instead.")
    _check_label(event, values["label"], question)
    if values["kind"] != question.kind and has_answers(question):
        question.retired_at = utcnow()
        replacement = BookingQuestion(event_id=event.id, position=question.position,
                                      **{name: values[name] for name in QUESTION_FIELDS})
        db.session.add(replacement)
        db.session.flush()
        audit.record("booking question replaced", event=event,
                     detail=f"{question.label}: answers kept with the retired question")
        return replacement
    changed = [name for name in QUESTION_FIELDS if getattr(question, name) != values[name]]
    for name in changed:
        setattr(question, name, values[name])
    db.session.flush()
    if changed:
        audit.record("booking question changed", event=event,
                     detail=f"{question.label}: {', '.join(changed)}")
    return question


def move_question(event: Event, question: BookingQuestion, step: int) -> None:
    """Move a question up (-1) or down (+1) among those asked; at either end, nothing."""
    asked = active_questions(event.id)
    if question not in asked:
        raise QuestionRefused("Only questions still asked can be moved.")
    index = asked.index(question)
    target = index + step
    if not 0 <= target < len(asked):
        return
    asked[index], asked[target] = asked[target], asked[index]
    for position, each in enumerate(asked):
        each.position = position
    db.session.flush()
    audit.record("booking questions reordered", event=event,
                 detail=f"{question.label} moved {'up' if step < 0 else 'down'}")


def remove_question(event: Event, question: BookingQuestion) -> str:
    """Stop asking a question: deleted if nobody answered it, else retired.

    Returns "deleted" or "retired".
    """
    if question.is_retired:
        raise QuestionRefused("This question is already retired.")
    if has_answers(question):
        question.retired_at = utcnow()
        outcome = "retired"
    else:
        db.session.delete(question)
        outcome = "deleted"
    db.session.flush()
    for position, each in enumerate(active_questions(event.id)):
        each.position = position
    audit.record(f"booking question {outcome}", event=event, detail=question.label)
    return outcome
