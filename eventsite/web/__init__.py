"""What every page shares: errors, security headers, the page cache, text and links."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter

from . import brand, errors, pagecache, security, stored_html, text
from .urls import absolute_url


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens; anything else is a 404 before any query runs."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


# The largest id an INTEGER column holds on PostgreSQL (and far below SQLite's limit).
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` no larger than any stored id: a 20-digit number is a 404, not a query
    the database refuses as out of range."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = LARGEST_ID, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.globals["absolute_url"] = absolute_url
    text.init_app(app)
    stored_html.init_app(app)
    brand.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    pagecache.init_app(app)
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        # Outermost, above the page cache, so that every layer beneath (the cache, rate
        # limits, the audit log) sees one corrected environ: the client's, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
