"""The organiser's speaker and programme forms."""
from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.fields.choices import SelectChoice

from ..models import Event, Speaker, SpeakerRole
from ..web.forms import Form
from ..web.slugs import slug_field, slugify, unique_slug

# Stored in lower case, shown capitalised.
ROLE_CHOICES = [SelectChoice(role.value, role.value.capitalize()) for role in SpeakerRole]


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
    name = StringField("Name", [validators.DataRequired("Enter the speaker's name."),
                                validators.Length(max=200)])
    slug = slug_field("The end of the profile's link. Leave empty to make one from the name.")
    role = StringField("Role", [validators.Length(max=200)],
                       description="Their job, e.g. Chief Executive.")
    organisation = StringField("Organisation", [validators.Length(max=200)])
    bio = TextAreaField("Bio", [validators.Length(max=20_000)],
                        description="Markdown is allowed.")
    photo = FileField("Photo", description="A JPEG, PNG, WebP or GIF image, up to 5 MB.")
    remove_photo = BooleanField("Remove the current photo")
    email = EmailField(
        "Email", [validators.Optional(), validators.Length(max=320),
                  validators.Email("Enter an email address like name@example.org.",
                                   check_deliverability=False)],
        description="Private: used to send the attendee list, never shown on the site.",
    )
    links = TextAreaField(
        "Links", [validators.Length(max=5000)],
        description="One per line: a label, a space, then the address, e.g. "
                    "Website https://example.org",
    )

    def values(self) -> dict:
        """The speaker's columns as entered (call after validate())."""
        return {
            "name": self.name.data.strip(), "slug": self.slug.data or "",
            "role": (self.role.data or "").strip(),
            "organisation": (self.organisation.data or "").strip(),
            "bio": self.bio.data, "email": (self.email.data or "").strip(),
            "links": parse_links(self.links.data),
        }

    def validate_links(self, field):
        for link in parse_links(field.data):
            if not re.match(r"^https?://[^\s/$.?#][^\s]*$", link["url"]):
                raise validators.ValidationError(
                    f"{link['url'] or 'A line'} is not a web address starting with https://."
                )


class AttachSpeakerForm(Form):
    speaker = SelectField("Speaker", coerce=int,
                          validators=[validators.InputRequired("Choose a speaker.")])
    role = SelectField("Role on this event", choices=ROLE_CHOICES,
        default=SpeakerRole.SPEAKER)
    position = IntegerField("Order", [validators.InputRequired("Enter a number for the order."),
                                      validators.NumberRange(min=0, max=1000)], default=0,
                            description="Lower numbers appear first.")


NEW_SPEAKER_PREFIX = "new"


class NewSpeakerForm(Form):
    """The fields of a profile that matter on the day, with the role on this event."""

    name = StringField("Name", [validators.DataRequired("Enter the speaker's name."),
                                validators.Length(max=200)])
    organisation = StringField("Organisation", [validators.Length(max=200)])
    job = StringField("Job title", [validators.Length(max=200)],
                      description="Shown under their name, e.g. Chief Executive.")
    photo = FileField("Photo", description="Optional: a JPEG, PNG, WebP or GIF image, up to 5 MB.")
    event_role = SelectField("Their role at this event", choices=ROLE_CHOICES,
        default=SpeakerRole.SPEAKER)
    position = IntegerField("Place in the order", [
        validators.InputRequired("Enter a number for the order."),
        validators.NumberRange(min=0, max=1000, message="Enter a number from 0 to 1000.")],
        default=0, description="Lower numbers appear first.")

    def values(self) -> dict:
        name = self.name.data.strip()
        return {"name": name, "slug": unique_slug(Speaker, slugify(name, "speaker")),
                "role": (self.job.data or "").strip(),
                "organisation": (self.organisation.data or "").strip()}


def new_speaker_form(event: Event) -> NewSpeakerForm:
    form = NewSpeakerForm(prefix=NEW_SPEAKER_PREFIX)
    if not form.is_submitted():
        form.position.data = len(event.speaker_links)
    return form
