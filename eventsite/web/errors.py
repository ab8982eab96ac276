"""Error pages in the site's style: every failure a person can meet says what to do next."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: ("Something in that request was not right",
          "The form may have expired. Go back, reload the page and try again."),
    403: ("You cannot see this page", "Log in as an organiser, or go back to the events."),
    404: ("Page not found",
          "The page may have moved, or the link may be mistyped. Try the list of events."),
    405: ("That is not something this page does", "Go back and use the page's own buttons."),
    413: ("That was too much to send",
          "Go back and shorten what you typed, or choose a smaller file."),
    429: ("Too many attempts", "Please wait a minute, then try again."),
    500: ("Something went wrong on our side",
          "Nothing you typed has been lost on purpose, but please try again in a moment."),
}


def render_error(error: HTTPException):
    code = error.code or 500
    title, advice = MESSAGES.get(code, (error.name, error.description or ""))
    if request.path.endswith((".ics", ".csv", ".json")) or request.path == "/healthz":
        return f"{code} {title}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("errors/error.html", code=code, title=title, advice=advice), code


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        from ..extensions import db

        db.session.rollback()
        return render_error(error)
