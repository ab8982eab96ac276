"""The organiser's login form."""
from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form


class LoginForm(Form):
    email = StringField("Email", [DataRequired("Enter your email address."), Length(max=320)])
    password = PasswordField("Password", [DataRequired("Enter your password."),
                                          Length(max=1000)])
