"""What every page shares: errors, security headers, the page cache, text and links."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from . import errors, pagecache, security, text
from .urls import absolute_url


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens; anything else is a 404 before any query runs."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.jinja_env.globals["absolute_url"] = absolute_url
    text.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    pagecache.init_app(app)
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        # Outermost, above the page cache, so that every layer beneath (the cache, rate
        # limits, the audit log) sees one corrected environ: the client's, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
