"""The organiser's speaker and programme forms."""
from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..models import SpeakerRole
from ..web.forms import Form
from ..web.slugs import SLUG_MESSAGE, SLUG_PATTERN


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

    def values(self) -> dict:
        """The speaker's columns as entered (call after validate())."""
        return {
            "name": self.name.data.strip(), "slug": self.slug.data or "",
            "role": self.role.data.strip(), "organisation": self.organisation.data.strip(),
            "bio": self.bio.data, "email": (self.email.data or "").strip(),
            "links": parse_links(self.links.data),
        }

    def validate_links(self, field):
        for link in parse_links(field.data):
            if not re.match(r"^https?://[^\s/$.?#][^\s]*$", link["url"]):
                raise ValidationError(
                    f"{link['url'] or 'A line'} is not a web address starting with https://."
                )


class AttachSpeakerForm(Form):
    speaker = SelectField("Speaker", coerce=int,
                          validators=[InputRequired("Choose a speaker.")])
    role = SelectField("Role on this event", choices=list(SpeakerRole),
                       default=SpeakerRole.SPEAKER)
    position = IntegerField("Order", [InputRequired("Enter a number for the order."),
                                      NumberRange(min=0, max=1000)], default=0,
                            description="Lower numbers appear first.")
