"""The organiser area's forms. Each bad input gets a message beside its own field."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from ..forms import Form
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateTimeLocalField, EmailField, IntegerField, PasswordField, SelectField,
    StringField, TextAreaField, URLField,
)
from wtforms.validators import (
    URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp,
    ValidationError,
)

from ..models import DEFAULT_TIMEZONE, SpeakerRole

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MESSAGE = "Use lower-case letters, digits and single hyphens, like spin-out-mutuals."
TIMEZONES = [
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Brussels",
    "Europe/Amsterdam", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Stockholm",
    "Europe/Warsaw", "Europe/Athens", "UTC", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles", "America/Toronto", "Asia/Kolkata",
    "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
NOT_A_TIME = "Enter a date and time, like 2026-10-20 12:30."


def local_to_utc(value: datetime | None, zone_name: str) -> datetime | None:
    """A wall-clock time in the event's timezone, as an aware UTC datetime.

    Raises ValueError for a time the clocks skip when they go forward.
    """
    if value is None:
        return None
    zone = ZoneInfo(zone_name)
    aware = value.replace(tzinfo=zone)
    utc = aware.astimezone(timezone.utc)
    if utc.astimezone(zone).replace(tzinfo=None) != value:
        raise ValueError("That time does not exist there: the clocks go forward then.")
    return utc


def utc_to_local(value: datetime | None, zone_name: str) -> datetime | None:
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None) if value else None


def when_field(label: str, required: bool = True) -> DateTimeLocalField:
    check = InputRequired(message=f"Enter when the event {label.lower()}.") if required else Optional()
    return DateTimeLocalField(label, [check], format=DATETIME_FORMATS,
                              invalid_value_message=NOT_A_TIME)


class LoginForm(Form):
    email = StringField("Email", [DataRequired("Enter your email address."), Length(max=320)])
    password = PasswordField("Password", [DataRequired("Enter your password."),
                                          Length(max=1000)])


class EventForm(Form):
    title = StringField("Title", [DataRequired("Give the event a title."), Length(max=200)])
    slug = StringField(
        "Web address", [Optional(), Length(max=120), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE)],
        description="The end of the event's link. Leave empty to make one from the title.",
    )
    host_conference = StringField("Host conference", [Length(max=200)])
    summary = TextAreaField("Summary", [Length(max=500)],
                            description="One or two sentences for lists and link previews.")
    description = TextAreaField("Description", [Length(max=50_000)],
                                description="Markdown: **bold**, *italic*, ## headings, - lists, [links](https://…).")
    starts = when_field("Starts")
    ends = when_field("Ends")
    timezone = SelectField("Timezone", choices=TIMEZONES, default=DEFAULT_TIMEZONE)
    venue = StringField("Venue", [Length(max=200)])
    address = TextAreaField("Address", [Length(max=500)])
    capacity = IntegerField(
        "Capacity",
        [InputRequired("Enter the number of places (0 or more)."),
         NumberRange(min=0, max=100_000, message="Enter a number of places from 0 to 100000.")],
        default=40,
    )
    waiting_list = BooleanField("Waiting list", default=True,
                                description="When full, let people join a waiting list.")
    booking_opens = when_field("Booking opens", required=False)
    booking_closes = when_field("Booking closes", required=False)
    organiser_email = EmailField(
        "Organiser contact email",
        [Optional(), Length(max=320),
         Email("Enter an email address like name@example.org.", check_deliverability=False)],
    )
    published = BooleanField("Published", description="Show the event on the public site.")

    def __init__(self, *args, stored_timezone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # An event saved with a zone outside the usual list keeps it as a choice.
        if stored_timezone and stored_timezone not in TIMEZONES:
            self.timezone.choices = [stored_timezone, *TIMEZONES]

    def utc(self, field) -> datetime | None:
        """The field's time as aware UTC (call after validate())."""
        return local_to_utc(field.data, self.timezone.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.timezone.errors:
            return False
        times = {}
        for field in (self.starts, self.ends, self.booking_opens, self.booking_closes):
            if field.errors or field.data is None:
                continue
            try:
                times[field.name] = self.utc(field)
            except ValueError as error:
                field.errors.append(str(error))
                valid = False
        starts, ends = times.get("starts"), times.get("ends")
        opens, closes = times.get("booking_opens"), times.get("booking_closes")
        checks = [
            (self.ends, starts and ends and ends <= starts, "The event must end after it starts."),
            (self.booking_closes, closes and starts and closes > starts,
             "Booking must close before the event starts (or when it starts)."),
            (self.booking_opens, opens and (closes or starts) and opens >= (closes or starts),
             "Booking must open before it closes."),
        ]
        for field, broken, message in checks:
            if broken:
                field.errors.append(message)
                valid = False
        return valid


def parse_links(text: str) -> list[dict]:
    """'Label https://…' per line (the label may be left out) into [{label, url}]."""
    links = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        label, _, url = line.rpartition(" ")
        links.append({"label": label.strip(), "url": url.strip()})
    return links


def format_links(links: list[dict] | None) -> str:
    return "\n".join(f"{link.get('label', '')} {link.get('url', '')}".strip()
                     for link in links or [])


class SpeakerForm(Form):
    name = StringField("Name", [DataRequired("Enter the speaker's name."), Length(max=200)])
    slug = StringField(
        "Web address", [Optional(), Length(max=120), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE)],
        description="The end of the profile's link. Leave empty to make one from the name.",
    )
    role = StringField("Role", [Length(max=200)], description="Their job, e.g. Chief Executive.")
    organisation = StringField("Organisation", [Length(max=200)])
    bio = TextAreaField("Bio", [Length(max=20_000)], description="Markdown is allowed.")
    photo = FileField("Photo", description="A JPEG, PNG, WebP or GIF image, up to 5 MB.")
    remove_photo = BooleanField("Remove the current photo")
    email = EmailField(
        "Email", [Optional(), Length(max=320),
                  Email("Enter an email address like name@example.org.",
                        check_deliverability=False)],
        description="Private: used to send the attendee list, never shown on the site.",
    )
    links = TextAreaField(
        "Links", [Length(max=5000)],
        description="One per line: a label, a space, then the address, e.g. "
                    "Website https://example.org",
    )

    def validate_links(self, field):
        for link in parse_links(field.data):
            if not re.match(r"^https?://[^\s/$.?#][^\s]*$", link["url"]):
                raise ValidationError(
                    f"{link['url'] or 'A line'} is not a web address starting with https://."
                )


class AttachSpeakerForm(Form):
    speaker = SelectField("Speaker", coerce=int,
                          validators=[InputRequired("Choose a speaker.")])
    role = SelectField("Role on this event", choices=[r.value for r in SpeakerRole],
                       default=SpeakerRole.SPEAKER.value)
    position = IntegerField("Order", [InputRequired("Enter a number for the order."),
                                      NumberRange(min=0, max=1000)], default=0,
                            description="Lower numbers appear first.")


class BookingForm(Form):
    """An organiser adding a booking by hand, e.g. someone who phoned."""

    name = StringField("Name", [DataRequired("Enter the person's name."), Length(max=200)])
    email = EmailField("Email", [DataRequired("Enter the person's email address."),
                                 Length(max=320),
                                 Email("Enter an email address like name@example.org.",
                                       check_deliverability=False)])
    organisation = StringField("Organisation", [Length(max=200)])
    job_title = StringField("Job title", [Length(max=200)])
    access_needs = TextAreaField("Access or dietary needs", [Length(max=2000)])
    wants_followup = BooleanField("Send them the slides and resources after the event",
                                  default=True)


class EraseForm(Form):
    email = EmailField("Email address of the person", [
        DataRequired("Enter the email address the person booked with."),
        Length(max=320),
    ])


class ResourceForm(Form):
    title = StringField("Title", [DataRequired("Give the resource a title."), Length(max=200)])
    url = URLField("Link", [Optional(), Length(max=2000),
                            URL(message="Enter a web address starting with https://.")],
                   description="A web address, or leave empty and choose a file.")
    file = FileField("File", description="PDF, PowerPoint, Word or Excel, up to 20 MB.")
    published = BooleanField("Published", description="Show it on the event page after the event starts.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        url = (self.url.data or "").strip()
        if url and not url.lower().startswith(("https://", "http://")):
            self.url.errors.append("Enter a web address starting with https://.")
            return False
        if url and has_file:
            self.url.errors.append("Give a link or choose a file, not both.")
            return False
        if not url and not has_file:
            self.url.errors.append("Give a link, or choose a file below.")
            return False
        return valid
