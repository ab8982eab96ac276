"""The base of every form in the app, and the once-per-form submission token."""
from __future__ import annotations

import re
import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

NUL_MESSAGE = "Remove the unusual characters (such as control codes) from this answer."


def no_nul_characters(form, field) -> None:
    """No one types a NUL character and PostgreSQL cannot store one: say so by the field."""
    if isinstance(field.data, str) and "\x00" in field.data and not field.errors:
        raise ValidationError(NUL_MESSAGE)


class Form(FlaskForm):
    """FlaskForm (CSRF included) whose text fields refuse NUL characters with a message."""

    def validate(self, extra_validators=None) -> bool:
        extra = dict(extra_validators or {})
        for name, field in self._fields.items():
            if isinstance(field, StringField):
                extra[name] = [*extra.get(name, ()), no_nul_characters]
        return super().validate(extra)


SUBMISSION_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def new_submission() -> str:
    """A fresh value for a form's hidden submission field: one per form shown."""
    return secrets.token_hex(16)


class SubmissionForm(Form):
    """A button that acts once per form shown (e.g. "Send a test to me")."""

    submission = HiddenField()

    @property
    def submission_ok(self) -> bool:
        return bool(SUBMISSION_PATTERN.match(self.submission.data or ""))
