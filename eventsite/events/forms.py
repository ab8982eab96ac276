"""The organiser's event and resource forms. Each bad input gets a message by its field."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
    validators,
)

from ..models import DEFAULT_TIMEZONE, Event
from ..web.forms import Form
from ..web.slugs import slug_field, slug_taken
from .online_form import OnlineEventFields

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
    if required:
        check = validators.InputRequired(message=f"Enter when the event {label.lower()}.")
    else:
        check = validators.Optional()
    return DateTimeLocalField(label, [check], format=DATETIME_FORMATS,
                              invalid_value_message=NOT_A_TIME)


class EventForm(OnlineEventFields, Form):
    title = StringField("Title", [validators.DataRequired("Give the event a title."),
                                  validators.Length(max=200)])
    slug = slug_field("The end of the event's link. Leave empty to make one from the title.")
    host_conference = StringField("Host conference", [validators.Length(max=200)])
    summary = TextAreaField("Summary", [validators.Length(max=500)],
                            description="One or two sentences for lists and link previews.")
    description = TextAreaField("Description", [validators.Length(max=50_000)],
                                description="Markdown: **bold**, *italic*, ## headings, - lists, [links](https://…).")
    starts = when_field("Starts")
    ends = when_field("Ends")
    timezone = SelectField("Timezone", choices=TIMEZONES, default=DEFAULT_TIMEZONE)
    venue = StringField("Venue", [validators.Length(max=200)])
    address = TextAreaField("Address", [validators.Length(max=500)])
    capacity = IntegerField(
        "Capacity",
        [validators.InputRequired("Enter the number of places (0 or more)."),
         validators.NumberRange(min=0, max=100_000,
                                message="Enter a number of places from 0 to 100000.")],
        default=40,
    )
    waiting_list = BooleanField("Waiting list", default=True,
                                description="When full, let people join a waiting list.")
    share_access_needs_with_venue = BooleanField(
        "Share access and dietary needs with the venue",
        description="The booking form then says the venue sees them, and the emailed "
                    "attendee list may include them.")
    booking_opens = when_field("Booking opens", required=False)
    booking_closes = when_field("Booking closes", required=False)
    organiser_email = EmailField(
        "Organiser contact email",
        [validators.Optional(), validators.Length(max=320),
         validators.Email("Enter an email address like name@example.org.",
                          check_deliverability=False)],
    )
    published = BooleanField("Published", description="Show the event on the public site.")
    # Only on the edit page; not a column: it says how this one edit is told.
    typo_fix = BooleanField(
        "Don't tell attendees (a typo fix)",
        description="For correcting the words of the venue or address: no email, and "
                    "calendars keep what they have. A new time or a different place is "
                    "always told.")

    def __init__(self, *args, stored_timezone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # An event saved with a zone outside the usual list keeps it as a choice.
        if stored_timezone and stored_timezone not in TIMEZONES:
            self.timezone.choices = [stored_timezone, *TIMEZONES]

    def utc(self, field) -> datetime | None:
        """The field's time as aware UTC (call after validate())."""
        return local_to_utc(field.data, self.timezone.data)

    @staticmethod
    def data_of(event: Event) -> dict:
        """The form's fields filled in from a saved event, in its own timezone."""
        zone = event.timezone
        return {
            "title": event.title, "slug": event.slug,
            "host_conference": event.host_conference, "summary": event.summary,
            "description": event.description, "timezone": zone, "venue": event.venue,
            "starts": utc_to_local(event.starts_at, zone),
            "ends": utc_to_local(event.ends_at, zone),
            "address": event.address, "capacity": event.capacity,
            "waiting_list": event.waiting_list,
            "share_access_needs_with_venue": event.share_access_needs_with_venue,
            "booking_opens": utc_to_local(event.booking_opens_at, zone),
            "booking_closes": utc_to_local(event.booking_closes_at, zone),
            "organiser_email": event.organiser_email, "published": event.published,
            **OnlineEventFields.online_data(event),
        }

    def values(self) -> dict:
        """The event's columns as entered (call after validate())."""
        return {
            "title": self.title.data.strip(), "slug": self.slug.data or "",
            "host_conference": self.host_conference.data.strip(),
            "summary": self.summary.data.strip(), "description": self.description.data,
            "starts_at": self.utc(self.starts), "ends_at": self.utc(self.ends),
            "timezone": self.timezone.data, "venue": self.venue.data.strip(),
            "address": self.address.data.strip(), "capacity": self.capacity.data,
            "waiting_list": self.waiting_list.data,
            "share_access_needs_with_venue": self.share_access_needs_with_venue.data,
            "booking_opens_at": self.utc(self.booking_opens),
            "booking_closes_at": self.utc(self.booking_closes),
            "organiser_email": (self.organiser_email.data or "").strip(),
            "published": self.published.data,
            **self.online_values(),
        }

    def check_against_database(self, event: Event | None) -> bool:
        """The check the form cannot make alone: a free web address."""
        valid = True
        if self.slug.data and slug_taken(Event, self.slug.data, event.id if event else None):
            self.slug.errors.append("Another event already uses this web address.")
            valid = False
        # Capacity against confirmed places is checked by update_event, under the lock.
        return valid

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        valid = self.validate_online() and valid
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


class ResourceForm(Form):
    title = StringField("Title", [validators.DataRequired("Give the resource a title."),
                                  validators.Length(max=200)])
    url = URLField("Link", [validators.Optional(), validators.Length(max=2000),
                            validators.URL(message="Enter a web address starting with https://.")],
                   description="A web address, or leave empty and choose a file.")
    file = FileField("File", description="PDF, PowerPoint, Word or Excel, up to 20 MB.")
    published = BooleanField(
        "Published", description="Show it on the event page after the event starts.")

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
