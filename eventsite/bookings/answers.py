"""Booking questions on the booking forms, and the answers kept with each booking.

An answer stores what the person chose in words (the choice's label), so an organiser
renaming or removing a choice later never changes what an earlier answer said; the
counts list such answers as no longer offered.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import db
from ..models import Booking, BookingAnswer, BookingQuestion, BookingStatus, QuestionKind
from ..web.text import one_line

MAX_SHORT_ANSWER = 500
MAX_LONG_ANSWER = 2000
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
Answer = str | list[str]


def active_questions(event_id: int) -> list[BookingQuestion]:
    """The questions new bookings are asked, in order."""
    return list(db.session.scalars(
        sa.select(BookingQuestion)
        .where(BookingQuestion.event_id == event_id, BookingQuestion.retired_at.is_(None))
        .order_by(BookingQuestion.position, BookingQuestion.id)
    ))


def every_question(event_id: int) -> list[BookingQuestion]:
    """Every question the event has asked: those asked now in order, then retired ones."""
    return list(db.session.scalars(
        sa.select(BookingQuestion)
        .where(BookingQuestion.event_id == event_id)
        .order_by(BookingQuestion.retired_at.is_not(None), BookingQuestion.position,
                  BookingQuestion.id)
    ))


def answers_by_question(booking_id: int) -> dict[int, BookingAnswer]:
    return {answer.question_id: answer for answer in db.session.scalars(
        sa.select(BookingAnswer).where(BookingAnswer.booking_id == booking_id))}


def answered_questions(booking: Booking) -> list[tuple[BookingQuestion, BookingAnswer]]:
    """The booking's answers beside their questions (retired ones too), in order."""
    answers = answers_by_question(booking.id)
    return [(question, answers[question.id]) for question in every_question(booking.event_id)
            if question.id in answers]


# --- the fields on a booking form -----------------------------------------------------

def _text_validators(question: BookingQuestion, maximum: int, required: bool) -> list:
    needed = [DataRequired(f"Enter an answer to “{question.label}”.")] if required else []
    return [*needed, Length(max=maximum, message=(
        f"The answer to “{question.label}” must be {maximum:,} characters or fewer."))]


def _chosen_from(question: BookingQuestion, offered: list[str], required: bool):
    """The choices made must be ones offered; and at least one, if the answer is required."""
    def check(form, field) -> None:
        data = field.data
        chosen = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if not chosen:
            if required:
                if question.kind == QuestionKind.SEVERAL_CHOICES:
                    raise StopValidation(f"Choose at least one answer to “{question.label}”.")
                raise StopValidation(f"Choose an answer to “{question.label}”.")
            return
        if any(choice not in offered for choice in chosen):
            raise ValidationError(f"Choose from the answers offered for “{question.label}”.")
    return check


def _tidy_lines(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def question_field(question: BookingQuestion, *, enforce_required: bool = True):
    """The form field that asks this question, with its checks and messages."""
    required = question.required and enforce_required
    help_text = question.help_text or ""
    if question.kind == QuestionKind.SHORT_TEXT:
        return StringField(question.label, description=help_text, filters=[one_line],
                           validators=_text_validators(question, MAX_SHORT_ANSWER, required))
    if question.kind == QuestionKind.LONG_TEXT:
        return TextAreaField(question.label, description=help_text, filters=[_tidy_lines],
                             validators=_text_validators(question, MAX_LONG_ANSWER, required))
    if question.kind == QuestionKind.SEVERAL_CHOICES:
        choices = [SelectChoice(label, label) for label in question.choices]
        return SelectMultipleField(
            question.label, description=help_text, choices=choices, validate_choice=False,
            widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
            validators=[_chosen_from(question, question.choices, required)])
    choices = YES_NO if question.kind == QuestionKind.YES_NO else [
        SelectChoice(label, label) for label in question.choices]
    return RadioField(question.label, description=help_text, choices=choices,
                      validate_choice=False,
                      validators=[_chosen_from(question, [choice.value for choice in choices],
                                               required)])


def form_with_questions(base: type, questions: list[BookingQuestion], *,
                        enforce_required: bool = True) -> type:
    """The form class `base` with a field per question after its own fields."""
    fields = {question.field_name: question_field(question, enforce_required=enforce_required)
              for question in questions}
    return type(base.__name__, (base,), {"questions": questions, **fields})


def answers_from(form) -> dict[int, Answer]:
    """The answers a validated form holds: text, the one choice, or the choices made."""
    answers: dict[int, Answer] = {}
    for question in getattr(form, "questions", ()):
        data = form[question.field_name].data
        if question.kind == QuestionKind.SEVERAL_CHOICES:
            answers[question.id] = [label for label in question.choices if label in (data or [])]
        else:
            answers[question.id] = (data or "").strip() if isinstance(data, str) else ""
    return answers


def form_values(booking: Booking, questions: Iterable[BookingQuestion]) -> dict[str, Answer]:
    """A booking's answers as the values of its form's fields."""
    answers = answers_by_question(booking.id)
    values: dict[str, Answer] = {}
    for question in questions:
        answer = answers.get(question.id)
        if question.kind == QuestionKind.SEVERAL_CHOICES:
            values[question.field_name] = list(answer.chosen) if answer else []
        else:
            values[question.field_name] = answer.text if answer else None
    return values


# --- storing and forgetting answers -----------------------------------------------------

def save_answers(booking: Booking, answers: Mapping[int, Answer]) -> list[str]:
    """Store the booking's answers (an empty one removes the answer); returns the labels
    of the questions whose answer changed. Flushes; the caller commits."""
    if not answers:
        return []
    stored = answers_by_question(booking.id)
    questions = {question.id: question for question in db.session.scalars(
        sa.select(BookingQuestion).where(BookingQuestion.id.in_(list(answers))))}
    changed = []
    for question_id, value in answers.items():
        question = questions.get(question_id)
        if question is None or question.event_id != booking.event_id:
            continue
        chosen = list(value) if isinstance(value, list) else []
        text = "" if isinstance(value, list) else value
        answer = stored.get(question_id)
        if answer is None:
            if not (chosen or text):
                continue
            db.session.add(BookingAnswer(booking_id=booking.id, question_id=question_id,
                                         text=text, chosen=chosen))
        elif answer.text == text and list(answer.chosen) == chosen:
            continue
        elif not (chosen or text):
            db.session.delete(answer)
        else:
            answer.text, answer.chosen = text, chosen
        changed.append(question.label)
    db.session.flush()
    return changed


def forget_answers(booking: Booking) -> None:
    """Erase the answers that are personal data, as the booking's own fields are.

    Every written answer goes (free text can name anyone), and so does every answer to
    a question marked personal; a choice or yes/no to a question not marked personal is
    kept, so the counts still add up after the purge.
    """
    personal = sa.select(BookingQuestion.id).where(sa.or_(
        BookingQuestion.personal.is_(True),
        BookingQuestion.kind.in_([QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT]),
    ))
    db.session.execute(sa.delete(BookingAnswer).where(
        BookingAnswer.booking_id == booking.id, BookingAnswer.question_id.in_(personal)))


# --- counts -----------------------------------------------------------------------------

def choice_counts(event_id: int) -> list[tuple[BookingQuestion, list[tuple[str, int, bool]]]]:
    """For each choice or yes/no question asked now: how many confirmed bookings chose each
    answer, in the order offered, then any answer no longer offered, as
    (answer, count, still offered)."""
    questions = [question for question in active_questions(event_id)
                 if question.has_choices or question.kind == QuestionKind.YES_NO]
    if not questions:
        return []
    rows = db.session.execute(
        sa.select(BookingAnswer.question_id, BookingAnswer.text, BookingAnswer.chosen)
        .join(Booking, Booking.id == BookingAnswer.booking_id)
        .where(BookingAnswer.question_id.in_([question.id for question in questions]),
               Booking.status == BookingStatus.CONFIRMED)
    )
    tallies: dict[int, dict[str, int]] = {question.id: {} for question in questions}
    for question_id, text, chosen in rows:
        for label in (chosen or ([text] if text else [])):
            tallies[question_id][label] = tallies[question_id].get(label, 0) + 1
    counts = []
    for question in questions:
        offered = ["yes", "no"] if question.kind == QuestionKind.YES_NO else question.choices
        tally = tallies[question.id]
        shown = [(label, tally.pop(label, 0), True) for label in offered]
        shown += [(label, count, False) for label, count in sorted(tally.items())]
        counts.append((question, shown))
    return counts
