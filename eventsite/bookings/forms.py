"""The booking form and the cancel confirmation, with messages written for attendees."""
from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..web.forms import Form
from ..web.text import one_line
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


class BookingForm(Form):
    name = StringField(
        "Name",
        filters=[one_line],
        validators=[DataRequired("Enter your name."), length(MAX_NAME, "Your name"),
                    plain_text],
    )
    email = EmailField(
        "Email",
        filters=[one_line],
        validators=[DataRequired("Enter your email address."),
                    length(MAX_EMAIL, "Your email address"), email_address],
    )
    organisation = StringField(
        "Organisation",
        filters=[one_line],
        validators=[length(MAX_NAME, "Organisation"), plain_text],
    )
    job_title = StringField(
        "Job title",
        filters=[one_line],
        validators=[length(MAX_NAME, "Job title"), plain_text],
    )
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
        )


class OrganiserBookingForm(BookingForm):
    """An organiser adding someone by hand (who phoned, or is at the door): the same fields
    and checks, with messages about the person rather than to them, and no bot trap."""

    name = StringField(
        "Name",
        filters=[one_line],
        validators=[DataRequired("Enter the person's name."), length(MAX_NAME, "The name"),
                    plain_text],
    )
    email = EmailField(
        "Email",
        filters=[one_line],
        validators=[DataRequired("Enter the person's email address."),
                    length(MAX_EMAIL, "The email address"), email_address],
    )
    wants_followup = BooleanField(
        "Send them the slides and resources after the event", default=True
    )
    website = None

    @property
    def looks_automated(self) -> bool:
        return False


class CancelBookingForm(Form):
    """Only the CSRF token: the confirm step itself is the point."""
