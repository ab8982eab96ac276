"""The organiser's pages for an event's booking questions.

/admin/events/<slug>/questions                  the questions, and a form to add one
/admin/events/<slug>/questions/<id>             change one
/admin/events/<slug>/questions/<id>/move        up or down (POST)
/admin/events/<slug>/questions/<id>/remove      deleted, or retired once answered (POST)
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..models import BookingQuestion, Event
from ..web.admin import admin_blueprint, commit_unless_refused
from ..web.loaders import event_item_or_404, event_or_404
from .answers import every_question
from .question_forms import QuestionForm
from .questions import (
    QUESTION_FIELDS,
    QuestionRefused,
    add_question,
    answer_counts,
    change_question,
    move_question,
    remove_question,
)

admin = admin_blueprint("questions_admin", __name__)


def load(slug: str, question_id: int) -> tuple[Event, BookingQuestion]:
    event = event_or_404(slug)
    return event, event_item_or_404(BookingQuestion, question_id, event)


def back_to_questions(event: Event):
    return redirect(url_for(".questions", slug=event.slug), code=303)


@admin.route("/events/<slug:slug>/questions", methods=["GET", "POST"])
def questions(slug: str):
    event = event_or_404(slug)
    form = QuestionForm()
    if form.validate_on_submit():
        label = form.label.data
        if commit_unless_refused(QuestionRefused, add_question, event, form.values):
            flash(f"“{label}” is now asked on the booking form.", "success")
            return back_to_questions(event)
    status = 422 if form.errors else 200
    return render_template(
        "bookings/admin/questions.html", event=event, form=form,
        questions=every_question(event.id), answered=answer_counts(event),
    ), status


@admin.route("/events/<slug:slug>/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(slug: str, question_id: int):
    event, question = load(slug, question_id)
    if question.is_retired:
        flash("This question is retired, so it cannot be changed; add a new one instead.",
              "warning")
        return back_to_questions(event)
    form = QuestionForm(data={**{name: getattr(question, name) for name in QUESTION_FIELDS},
                              "choices": "\n".join(question.choices)})
    if form.validate_on_submit():
        asked = commit_unless_refused(QuestionRefused, change_question, event, question,
                                      form.values)
        if asked is not None:
            flash(f"“{asked.label}” is saved.", "success")
            return back_to_questions(event)
    return render_template(
        "bookings/admin/question_form.html", event=event, form=form, question=question,
        answered=answer_counts(event).get(question.id, 0),
    ), 422 if form.errors else 200


@admin.post("/events/<slug:slug>/questions/<int:question_id>/move")
def move(slug: str, question_id: int):
    event, question = load(slug, question_id)
    step = -1 if request.form.get("direction") == "up" else 1
    commit_unless_refused(QuestionRefused, move_question, event, question, step)
    return back_to_questions(event)


@admin.post("/events/<slug:slug>/questions/<int:question_id>/remove")
def remove(slug: str, question_id: int):
    event, question = load(slug, question_id)
    label = question.label
    outcome = commit_unless_refused(QuestionRefused, remove_question, event, question)
    if outcome == "retired":
        flash(f"“{label}” is retired: new bookings are not asked it, and the answers "
              "already given stay in the CSV and each booking's details.", "success")
    elif outcome == "deleted":
        flash(f"“{label}” is deleted; nobody had answered it.", "success")
    return back_to_questions(event)
