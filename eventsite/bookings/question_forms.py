"""The organiser's form for one booking question."""
from __future__ import annotations

from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from ..models import QuestionKind
from ..models.questions import CHOICE_KINDS
from ..web.forms import Form
from ..web.text import one_line
from .forms import length, plain_text, tidy_lines

KINDS = [
    SelectChoice(QuestionKind.SHORT_TEXT, "Short text (one line)"),
    SelectChoice(QuestionKind.LONG_TEXT, "Long text (a paragraph)"),
    SelectChoice(QuestionKind.ONE_CHOICE, "One choice (radio buttons)"),
    SelectChoice(QuestionKind.SEVERAL_CHOICES, "Several choices (tick boxes)"),
    SelectChoice(QuestionKind.YES_NO, "Yes or no"),
]
MAX_LABEL = 200
MAX_HELP = 500
MAX_CHOICE = 200
MAX_CHOICES = 30


def choice_lines(text: str | None) -> list[str]:
    """The choices typed one per line, tidied, blank lines left out."""
    return [one_line(line) for line in (text or "").splitlines() if one_line(line)]


class QuestionForm(Form):
    label = StringField(
        "Question", filters=[one_line],
        description="Short: it labels the answer on the booking form and heads its column "
                    "in the CSV.",
        validators=[DataRequired("Enter the question."), length(MAX_LABEL, "The question"),
                    plain_text])
    kind = RadioField("Kind of answer", choices=KINDS, default=QuestionKind.SHORT_TEXT,
                      validate_choice=False,
                      validators=[DataRequired("Choose the kind of answer.")])
    choices = TextAreaField(
        "Choices, one per line", filters=[tidy_lines],
        description="Only for one choice or several choices. Renaming or removing a choice "
                    "later keeps earlier answers as they were given.")
    help_text = TextAreaField(
        "Help text", filters=[tidy_lines], description="Optional. Shown under the question.",
        validators=[length(MAX_HELP, "The help text"), plain_text])
    required = BooleanField("An answer is required")
    shared = BooleanField(
        "Shared with speakers",
        description="Speakers then see the answers in the attendee list emailed to them. "
                    "Leave unticked to keep them for organisers only.")
    personal = BooleanField(
        "The answers are personal data", default=True,
        description="Erased with the booking's other personal details. Untick only for a "
                    "choice or yes/no whose counts should outlive the purge.")

    def validate_kind(self, field) -> None:
        if field.data not in {kind.value for kind in KINDS}:
            raise ValidationError("Choose one of the kinds of answer listed.")

    def validate_choices(self, field) -> None:
        if self.kind.data not in CHOICE_KINDS:
            return
        lines = choice_lines(field.data)
        if len(lines) < 2:
            raise ValidationError("Give at least two choices, one per line.")
        if len(lines) > MAX_CHOICES:
            raise ValidationError(f"Give at most {MAX_CHOICES} choices.")
        if any(len(line) > MAX_CHOICE for line in lines):
            raise ValidationError(f"Each choice must be {MAX_CHOICE} characters or fewer.")
        if len({line.casefold() for line in lines}) < len(lines):
            raise ValidationError("Each choice must differ from the others.")
        plain_text(self, field)

    @property
    def values(self) -> dict:
        """What the form says about the question, ready for the services."""
        kind = self.kind.data
        return {
            "label": self.label.data,
            "kind": kind,
            "choices": choice_lines(self.choices.data) if kind in CHOICE_KINDS else [],
            "help_text": self.help_text.data or "",
            "required": bool(self.required.data),
            "shared": bool(self.shared.data),
            "personal": bool(self.personal.data),
        }
