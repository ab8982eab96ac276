"""Forms for the email an organiser sends: the attendee list and follow-ups."""
from __future__ import annotations

import secrets

from ..forms import Form
from wtforms import (
    BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..followups import AUDIENCES
from ..models import Event, FollowUpAudience, Resource, Speaker
from ..outbox.attendee_lists import MAX_EXTRA_ADDRESSES, parse_addresses


def new_submission() -> str:
    """A fresh value for a form's hidden submission field: one per form shown."""
    return secrets.token_hex(16)


class AttendeeListForm(Form):
    speakers = SelectMultipleField("Speakers", coerce=int, validate_choice=False)
    organiser_contact = BooleanField("The organiser contact")
    extra_addresses = TextAreaField(
        "Other addresses", [Length(max=10_000)],
        description="One per line, or separated by commas: the venue, a colleague.")
    note = TextAreaField("Note", [Length(max=5_000)],
                         description="Optional. It appears above the list's summary.")
    submission = HiddenField()

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

    def recipients(self) -> list[tuple[str, str]]:
        """(name, address) of everyone chosen (call after validate())."""
        chosen = set(self.speakers.data or [])
        recipients = [(s.name, s.email) for s in self.speaker_choices if s.id in chosen]
        if self.organiser_contact.data and self.event.organiser_email:
            recipients.append(("", self.event.organiser_email))
        return recipients + [("", address) for address in self.extra]


class FollowUpForm(Form):
    subject = StringField("Subject", [DataRequired("Give the email a subject."),
                                      Length(max=200)])
    message = TextAreaField(
        "Message", [DataRequired("Write the message."), Length(max=20_000)],
        description="Markdown: **bold**, *italic*, - lists, [links](https://…).")
    resources = SelectMultipleField("Resources", coerce=int, validate_choice=False)
    audience = RadioField("Send to",
                          choices=[SelectChoice(value, text) for value, text in AUDIENCES.items()],
                          default=FollowUpAudience.CHECKED_IN.value,
                          validators=[DataRequired("Choose who the follow-up goes to.")])

    def __init__(self, *args, resources: list[Resource], **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_choices = resources
        self.resources.choices = [SelectChoice(r.id, r.title) for r in resources]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        known = {r.id for r in self.resource_choices}
        if any(resource_id not in known for resource_id in self.resources.data or []):
            self.resources.errors.append("Choose from this event's resources.")
            valid = False
        return valid

    def chosen_resources(self) -> list[Resource]:
        chosen = set(self.resources.data or [])
        return [r for r in self.resource_choices if r.id in chosen]


class SubmissionForm(Form):
    """A button that acts once per form shown (e.g. "Send a test to me")."""

    submission = HiddenField()
