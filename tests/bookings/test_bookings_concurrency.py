"""Never overbooked: many people pressing "Book a place" at the same instant, for real."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Booking, OutboxMessage
from tests.factories import make_event

PEOPLE = 50
PLACES = 20
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_fifty_people_booking_twenty_places_at_once(app, live_server):
    """Gunicorn with 4 workers x 4 threads; every request is held until all 50 are ready."""
    event = make_event(app, capacity=PLACES)
    url = f"{live_server}/events/{event.slug}/book"
    start = threading.Barrier(PEOPLE)

    def person(n: int) -> tuple[int, str]:
        browser = build_opener(HTTPCookieProcessor(CookieJar()))
        with browser.open(url, timeout=30) as form_page:
            csrf_token = CSRF_FIELD.search(form_page.read().decode()).group(1)
        body = urlencode({
            "csrf_token": csrf_token, "name": f"Person {n}",
            "email": f"person{n}@example.org", "wants_followup": "y",
        }).encode()
        start.wait(timeout=60)
        try:
            with browser.open(Request(url, data=body), timeout=90) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    with ThreadPoolExecutor(PEOPLE) as pool:
        answers = list(pool.map(person, range(PEOPLE)))

    statuses = [status for status, _ in answers]
    assert statuses == [200] * PEOPLE, sorted(set(statuses))
    # Each person is told their own outcome: a place, or a distinct place in the line.
    headings = [re.search(r"<h1[^>]*>([^<]+)</h1>", page).group(1) for _, page in answers]
    assert headings.count("You have a place") == PLACES
    positions = sorted(int(m.group(1)) for h in headings
                       if (m := re.fullmatch(r"You are number (\d+) on the waiting list", h)))
    assert positions == list(range(1, PEOPLE - PLACES + 1))
    with app.app_context():
        counts = dict(db.session.execute(
            sa.select(Booking.status, sa.func.count())
            .where(Booking.event_id == event.id).group_by(Booking.status)
        ).all())
        emails = dict(db.session.execute(
            sa.select(OutboxMessage.kind, sa.func.count()).group_by(OutboxMessage.kind)
        ).all())
        references = db.session.scalars(sa.select(Booking.reference)).all()
    assert counts == {"confirmed": PLACES, "waiting": PEOPLE - PLACES}
    assert emails == {"booking_confirmed": PLACES, "booking_waiting_list": PEOPLE - PLACES}
    assert len(set(references)) == PEOPLE
