"""Absolute links to this site, for emails, calendar files and structured data."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """The full address of an endpoint at SITE_URL, with or without a request under way.

    Emails are built in requests and in the outbox worker alike, so links are built
    against SITE_URL rather than the current request's host.
    """
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/",
                                       url_scheme=site.scheme)
    return adapter.build(endpoint, values, force_external=True)


def site_host() -> str:
    """SITE_URL's host name: the right-hand side of Message-IDs, calendar UIDs, List-Ids."""
    return urlsplit(current_app.config["SITE_URL"]).hostname or "eventsite"
