"""The event form's fields for online and hybrid events and for waiting-list offers."""
from __future__ import annotations

from urllib.parse import urlsplit

from wtforms import IntegerField, SelectField, URLField, validators
from wtforms.fields.choices import SelectChoice

from ..models import ATTENDANCE_MODES, AttendanceMode, Event

LINK_MESSAGE = "Enter the joining link as a web address starting with https://."
MAX_OFFER_HOURS = 168


def is_https_link(value: str) -> bool:
    """An https address with a host and nothing that breaks a line or a calendar file."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (parts.scheme == "https" and bool(parts.hostname)
            and not any(c.isspace() or ord(c) < 32 for c in value))


class OnlineEventFields:
    """Mixed into EventForm: how people attend, the joining link, offers of places."""

    attendance_mode = SelectField(
        "How people attend",
        choices=[SelectChoice(value, text) for value, text in ATTENDANCE_MODES.items()],
        default=AttendanceMode.IN_PERSON)
    online_link = URLField(
        "Joining link", [validators.Optional(), validators.Length(max=2000)],
        description="The video call's address, starting with https://. Only confirmed "
                    "attendees see it, shortly before the start; never on the public site. "
                    "You can add it later.")
    offer_hours = IntegerField(
        "Offer freed places for (hours)",
        [validators.Optional(),
         validators.NumberRange(min=1, max=MAX_OFFER_HOURS,
                                message=f"Enter a number of hours from 1 to {MAX_OFFER_HOURS}, "
                                        "or leave it empty.")],
        description="Leave empty to give a freed place to the first on the waiting list "
                    "straight away. With a number, they are offered it and must confirm "
                    "within that many hours, or it passes to the next person.")

    @staticmethod
    def online_data(event: Event) -> dict:
        return {"attendance_mode": event.attendance_mode, "online_link": event.online_link,
                "offer_hours": event.offer_hours}

    def online_values(self) -> dict:
        return {"attendance_mode": self.attendance_mode.data,
                "online_link": (self.online_link.data or "").strip(),
                "offer_hours": self.offer_hours.data}

    def validate_online(self) -> bool:
        """A joining link is an https address, and only for events attended online."""
        link = (self.online_link.data or "").strip()
        if not link or self.online_link.errors:
            return not self.online_link.errors
        if not is_https_link(link):
            self.online_link.errors.append(LINK_MESSAGE)
            return False
        if self.attendance_mode.data == AttendanceMode.IN_PERSON:
            self.online_link.errors.append(
                "An event attended in person has no joining link: choose “Online” or "
                "“Online and in person” above, or leave the link empty.")
            return False
        return True
