"""Headers and cookie settings that every response carries."""
from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    https = app.config["SITE_URL"].startswith("https://")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    if https:
        # __Host-: the browser keeps it only if Secure, for Path=/ and with no Domain, so
        # no other host (a subdomain) can set or overwrite it.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if https or request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


# An email's HTML part is our own template output, but it holds text people typed; shown
# to organisers sandboxed (no script, no same-origin access), with the inline styles email
# uses.
SANDBOXED_EMAIL_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                          "img-src data:; frame-ancestors 'none'")


def sandboxed_html(html: str, *, framed_by_site: bool = False) -> Response:
    """The HTML, sandboxed; `framed_by_site` lets this site's own pages show it in a frame
    (a preview beside the organiser's buttons), never another site's."""
    response = Response(html or "<p>This message has no HTML part.</p>", mimetype="text/html")
    policy = SANDBOXED_EMAIL_POLICY
    if framed_by_site:
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = policy
    return response
