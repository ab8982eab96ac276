"""The bookings page's forms: the ticked bookings with a bulk action, and cancelling one."""
from __future__ import annotations

from flask import request
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from ..web.forms import Form, SubmissionForm
from ..web.text import one_line

MAX_SUBJECT = 200
MAX_MESSAGE = 10_000
MAX_TICKED = 5_000


class BulkForm(SubmissionForm):
    """Ticked bookings (`booking` checkboxes, read by `ticked_ids`) and, to email them, a
    subject and message. Which button was pressed is the `action` value."""

    subject = StringField("Subject", filters=[one_line],
                          validators=[Length(max=MAX_SUBJECT, message=(
                              f"The subject must be {MAX_SUBJECT} characters or fewer."))])
    message = TextAreaField("Message", validators=[Length(max=MAX_MESSAGE, message=(
        f"The message must be {MAX_MESSAGE:,} characters or fewer."))])

    def validate_subject(self, field):
        if self.emailing and not field.data:
            raise ValidationError("Write a subject for the email.")

    def validate_message(self, field):
        if self.emailing and not (field.data or "").strip():
            raise ValidationError("Write the message to send.")

    @property
    def emailing(self) -> bool:
        return request.form.get("action") == "email"


def ticked_ids(values: list[str]) -> list[int]:
    """The booking ids ticked, ignoring anything that is not one."""
    ids = []
    for value in values[:MAX_TICKED]:
        if value.isdigit() and len(value) < 12:
            ids.append(int(value))
    return list(dict.fromkeys(ids))


class CancelForm(Form):
    """Only the CSRF token: the confirmation page itself is the point."""
