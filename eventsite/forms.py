"""The base of every form in the app."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
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
