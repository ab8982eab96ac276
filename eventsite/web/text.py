"""Rich text and dates as attendees read them: sanitised Markdown, local times."""
from __future__ import annotations

import html
from datetime import datetime
from functools import lru_cache

import markdown
import nh3
from flask import Flask
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol",
    "p", "pre", "strong", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


@lru_cache(maxsize=512)
def _clean_html(source: str) -> str:
    html = markdown.markdown(source, extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )


def render_markdown(source: str | None) -> Markup:
    """Markdown to HTML with nothing that can run: no script, handlers or javascript: links.

    Rendering is a pure function of the text and costs milliseconds, so recent results are
    kept.
    """
    # nosec B704: the HTML comes out of nh3 with the allow-list above; nothing else passes.
    return Markup(_clean_html(source or ""))  # nosec B704


def format_date(value: datetime) -> str:
    """Tuesday 20 October 2026"""
    return f"{value:%A} {value.day} {value:%B %Y}"


def format_time(value: datetime) -> str:
    """18:30"""
    return f"{value:%H:%M}"


def format_when(starts: datetime, ends: datetime) -> str:
    """Tuesday 20 October 2026, 18:30–20:00 BST (both given in the event's timezone)."""
    if starts.date() == ends.date():
        return f"{format_date(starts)}, {format_time(starts)}–{format_time(ends)} {ends:%Z}"
    return (f"{format_date(starts)} {format_time(starts)} to "
            f"{format_date(ends)} {format_time(ends)} {ends:%Z}")


def plain_text(source: str | None, limit: int = 160) -> str:
    """Markdown as one line of plain text, cut at a word to at most `limit` characters:
    for meta descriptions and structured data, where markup means nothing."""
    text = one_line(html.unescape(nh3.clean(_clean_html(source or ""), tags=set())))
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,.;:–-") + "…"


KB = 1024
MB = 1024 * KB


def file_size(size: int | None) -> str:
    """'812 bytes', '340 KB', '2.4 MB', '5 MB', '12 MB': never '0.0 MB'."""
    size = max(int(size or 0), 0)
    if size < KB:
        return "1 byte" if size == 1 else f"{size} bytes"
    if round(size / KB) < KB:
        return f"{max(round(size / KB), 1)} KB"
    megabytes = size / MB
    if round(megabytes, 1) < 10:
        return f"{megabytes:.1f}".removesuffix(".0") + " MB"
    return f"{round(megabytes):,} MB"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["one_line"] = one_line
    app.jinja_env.filters["plain_text"] = plain_text
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.globals["format_when"] = format_when


def one_line(value: str | None) -> str:
    """Fold any run of whitespace, line breaks included, into one space."""
    return " ".join((value or "").split())


def people(count: int) -> str:
    """'1 person', '3 people'."""
    return f"{count} {'person' if count == 1 else 'people'}"
