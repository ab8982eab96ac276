"""Pages of the site as a whole: health check, error pages, headers, the stylesheet."""

import pytest

from tests.factories import make_event


def test_health_check(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.mark.parametrize(
    "path",
    [
        "/events/no-such-event",
        "/events/no-such-event.ics",
        "/speakers/no-such-speaker",
        "/events/UPPER-case",
        "/events/%00",
        "/events/%ff%fe",
        "/events/a%0d%0aSet-Cookie:x=1",
        "/events/..%2f..%2fetc%2fpasswd",
        "/events/" + "a" * 5000,
        "/speakers/photos/../../config.py",
        "/nowhere",
        "/events/-",
    ],
)
def test_unknown_and_malformed_paths_get_the_styled_404(app, client, path):
    response = client.get(path)
    assert response.status_code == 404
    if not path.endswith(".ics"):
        assert "Page not found" in response.get_data(as_text=True)


def test_unpublished_event_is_not_found(app, client):
    event = make_event(app, published=False)
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert client.get(f"/events/{event.slug}.ics").status_code == 404


@pytest.mark.parametrize("query", ["?x=%ff%00", "?page=-1&page=abc", "?" + "q=" + "x" * 8000,
                                   "?%00=%00", "?a[b]=c&&&=="])
def test_odd_query_strings_change_nothing(app, client, query):
    event = make_event(app)
    assert client.get("/" + query).status_code == 200
    assert client.get(f"/events/{event.slug}{query}").status_code == 200


def test_pages_carry_security_headers(app, client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_stylesheet_is_served_by_the_app(app, client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/static/site.css"' in page
    assert "http://" not in page.split("<body", 1)[0].replace("http://127.0.0.1", "")
    assert client.get("/static/site.css").status_code == 200


def test_an_unexpected_failure_shows_the_styled_500_page(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as in tests

    @app.get("/broken-on-purpose")
    def broken():
        raise RuntimeError("a fault in the code")

    response = app.test_client().get("/broken-on-purpose")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert 'href="/static/site.css"' in page
    assert "a fault in the code" not in page
