"""The organiser's forms for attendee data: emailing the list, erasing one person."""
from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..models import Event, Speaker
from ..web.forms import SUBMISSION_PATTERN, Form
from .lists import MAX_EXTRA_ADDRESSES, parse_addresses


class AttendeeListForm(Form):
    speakers = SelectMultipleField("Speakers", coerce=int, validate_choice=False)
    organiser_contact = BooleanField("The organiser contact")
    extra_addresses = TextAreaField(
        "Other addresses", [Length(max=10_000)],
        description="One per line, or separated by commas: the venue, a colleague.")
    note = TextAreaField("Note", [Length(max=5_000)],
                         description="Optional. It appears above the list's summary.")
    # Offered (and honoured) only when the event's booking form tells people so.
    include_access_needs = BooleanField("include access and dietary needs (for the venue)")
    submission = HiddenField()

    @property
    def submission_ok(self) -> bool:
        return bool(SUBMISSION_PATTERN.match(self.submission.data or ""))

    def __init__(self, *args, event: Event, speakers: list[Speaker], **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.speaker_choices = speakers
        self.speakers.choices = [SelectChoice(s.id, f"{s.name} <{s.email}>") for s in speakers]
        self.extra = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        known = {s.id for s in self.speaker_choices}
        if any(speaker_id not in known for speaker_id in self.speakers.data or []):
            self.speakers.errors.append("Choose from this event's speakers.")
            valid = False
        good, bad = parse_addresses(self.extra_addresses.data)
        if bad:
            self.extra_addresses.errors.append(
                "Not an email address: " + ", ".join(bad) + ". Correct or remove "
                + ("it" if len(bad) == 1 else "them") + "; nothing was sent.")
            valid = False
        elif len(good) > MAX_EXTRA_ADDRESSES:
            self.extra_addresses.errors.append(
                f"Give at most {MAX_EXTRA_ADDRESSES} other addresses.")
            valid = False
        self.extra = good
        if valid and not self.recipients():
            self.speakers.errors.append(
                "Choose at least one person to send the list to.")
            valid = False
        return valid

    @property
    def with_access_needs(self) -> bool:
        return bool(self.include_access_needs.data) and self.event.share_access_needs_with_venue

    def recipients(self) -> list[tuple[str, str]]:
        """(name, address) of everyone chosen (call after validate())."""
        chosen = set(self.speakers.data or [])
        recipients = [(s.name, s.email) for s in self.speaker_choices if s.id in chosen]
        if self.organiser_contact.data and self.event.organiser_email:
            recipients.append(("", self.event.organiser_email))
        return recipients + [("", address) for address in self.extra]


class EraseForm(Form):
    email = EmailField("Email address of the person", [
        DataRequired("Enter the email address the person booked with."),
        Length(max=320),
    ])
