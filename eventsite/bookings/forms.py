"""The booking form and the cancel confirmation, with messages written for attendees."""
from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..web.forms import Form
from ..web.text import one_line
from .answers import active_questions, answers_from, form_with_questions
from .services import BookingDetails

MAX_NAME = 200
MAX_EMAIL = 254
MAX_ACCESS_NEEDS = 2000
ALLOWED_IN_MULTILINE = {"\n", "\t"}


def tidy_lines(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def has_control_characters(value: str, allowed: set[str] = frozenset()) -> bool:
    return any(
        unicodedata.category(char) == "Cc" and char not in allowed for char in value
    )


def plain_text(form, field) -> None:
    allowed = ALLOWED_IN_MULTILINE if isinstance(field, TextAreaField) else set()
    if field.data and has_control_characters(field.data, allowed):
        raise ValidationError(
            "Remove the unusual characters (such as control codes) from this answer."
        )


def email_address(form, field) -> None:
    """A deliverable-looking address, stored in the ASCII form mail servers accept."""
    if not field.data:
        return
    try:
        checked = validate_email(field.data, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValidationError(
            "Enter an email address in the form name@example.org."
        ) from None
    field.data = checked.ascii_email


def length(maximum: int, what: str) -> Length:
    return Length(max=maximum, message=f"{what} must be {maximum:,} characters or fewer.")


def text_line(label: str, maximum: int, what: str, required: str | None = None) -> StringField:
    """A one-line answer of plain text: required (with that message) or not."""
    needed = [DataRequired(required)] if required else []
    return StringField(label, filters=[one_line],
                       validators=[*needed, length(maximum, what), plain_text])


def email_line(required: str, what: str) -> EmailField:
    """A required email address, stored in the ASCII form mail servers accept."""
    return EmailField("Email", filters=[one_line], validators=[
        DataRequired(required), length(MAX_EMAIL, what), email_address])


class BookingForm(Form):
    name = text_line("Name", MAX_NAME, "Your name", required="Enter your name.")
    email = email_line("Enter your email address.", "Your email address")
    organisation = text_line("Organisation", MAX_NAME, "Organisation")
    job_title = text_line("Job title", MAX_NAME, "Job title")
    access_needs = TextAreaField(
        "Access or dietary needs",
        filters=[tidy_lines],
        validators=[length(MAX_ACCESS_NEEDS, "This answer"), plain_text],
    )
    wants_followup = BooleanField(
        "Send me the slides and resources after the event", default=True
    )
    # Hidden from people (and from screen readers); bots fill in every box they find.
    website = StringField("Leave this box empty")

    @property
    def looks_automated(self) -> bool:
        return bool((self.website.data or "").strip())

    def details(self) -> BookingDetails:
        return BookingDetails(
            name=self.name.data,
            email=self.email.data,
            organisation=self.organisation.data or "",
            job_title=self.job_title.data or "",
            access_needs=self.access_needs.data or "",
            wants_followup=bool(self.wants_followup.data),
            answers=answers_from(self),
        )


class OrganiserBookingForm(BookingForm):
    """An organiser adding someone by hand (who phoned, or is at the door): the same fields
    and checks, with messages about the person rather than to them, and no bot trap."""

    name = text_line("Name", MAX_NAME, "The name", required="Enter the person's name.")
    email = email_line("Enter the person's email address.", "The email address")
    wants_followup = BooleanField(
        "Send them the slides and resources after the event", default=True
    )
    website = None

    @property
    def looks_automated(self) -> bool:
        return False


class CancelBookingForm(Form):
    """Only the CSRF token: the confirm step itself is the point."""


def booking_form(event, base: type[BookingForm] = BookingForm, **values) -> BookingForm:
    """The booking form for this event: the standard fields, then its questions.

    Organisers adding someone by hand may leave any question unanswered.
    """
    questions = active_questions(event.id)
    form_class = form_with_questions(base, questions,
                                     enforce_required=base is not OrganiserBookingForm)
    return form_class(**values)


class BookingChangeForm(BookingForm):
    """An attendee changing their own booking: the booking form without the email address
    (the manage links go to it) and without the bot trap (only the link's holder is here)."""

    email = None
    website = None

    @property
    def looks_automated(self) -> bool:
        return False

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "organisation": self.organisation.data or "",
            "job_title": self.job_title.data or "",
            "access_needs": self.access_needs.data or "",
            "wants_followup": bool(self.wants_followup.data),
        }
