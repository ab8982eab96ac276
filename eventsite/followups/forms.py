"""The organiser's follow-up form."""
from __future__ import annotations

from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..models import FollowUpAudience, Resource
from ..web.forms import Form
from .services import AUDIENCES


def people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


class FollowUpForm(Form):
    subject = StringField("Subject", [DataRequired("Give the email a subject."),
                                      Length(max=200)])
    message = TextAreaField(
        "Message", [DataRequired("Write the message."), Length(max=20_000)],
        description="Markdown: **bold**, *italic*, - lists, [links](https://…).")
    resources = SelectMultipleField("Resources", coerce=int, validate_choice=False)
    audience = RadioField("Send to",
                          choices=[SelectChoice(value, text) for value, text in AUDIENCES.items()],
                          default=FollowUpAudience.CHECKED_IN,
                          validators=[DataRequired("Choose who the follow-up goes to.")])

    def __init__(self, *args, resources: list[Resource],
                 audience_sizes: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_choices = resources
        self.resources.choices = [SelectChoice(r.id, r.title) for r in resources]
        if audience_sizes is not None:
            self.audience.choices = [
                SelectChoice(value, f"{text} ({people(audience_sizes.get(value, 0))})")
                for value, text in AUDIENCES.items()]

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
