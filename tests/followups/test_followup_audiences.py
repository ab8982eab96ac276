"""Follow-ups by attendance: people who came, people who booked but did not come ("sorry
we missed you", the same resources), and everyone confirmed; always only those who asked
for follow-ups and have not unsubscribed."""
from __future__ import annotations

from email.utils import parseaddr

import pytest

from eventsite.database import utcnow
from tests.conftest import log_in, outbox
from tests.factories import make_booking
from tests.followups.test_followups import compose, setup_event

EXPECTED = {
    "checked_in": ["came@example.org"],
    "missed": ["absent@example.org"],
    "confirmed": ["absent@example.org", "came@example.org"],
}


def with_absent_people_who_opted_out(app):
    """setup_event's people, and two more who did not come: one said no, one unsubscribed."""
    event, people, resources = setup_event(app)
    make_booking(app, event, name="Absent NoThanks", email="absent-no@example.org",
                 wants_followup=False)
    make_booking(app, event, name="Absent Unsub", email="absent-unsub@example.org",
                 followup_unsubscribed_at=utcnow())
    return event, people, resources


@pytest.mark.parametrize("audience", list(EXPECTED))
def test_each_audience_gets_exactly_its_people(app, client, audience):
    log_in(client, app)
    event, _people, resources = with_absent_people_who_opted_out(app)
    page_url = compose(client, event, [resources["link"]], audience=audience)
    client.post(page_url + "/send")
    sent = outbox(app, "follow_up")
    assert sorted(parseaddr(m.recipient)[1] for m in sent) == EXPECTED[audience]
    assert all("https://example.org/report" in m.body_text for m in sent)
    assert all(("Sorry we missed you" in m.body_text) == (audience == "missed")
               for m in sent)


def test_the_form_offers_each_audience_with_its_count_and_the_log_names_it(app, client):
    log_in(client, app)
    event, _people, resources = with_absent_people_who_opted_out(app)
    page = client.get(f"/admin/events/{event.slug}/follow-ups").text
    assert "People who came (checked in) (1 person)" in page
    assert "People who booked but did not come (1 person)" in page
    assert "Everyone with a confirmed place (2 people)" in page

    page_url = compose(client, event, [resources["link"]], audience="missed")
    assert "Goes to: people who booked but did not come" in client.get(page_url).text
    client.post(page_url + "/send")
    listing = client.get(f"/admin/events/{event.slug}/follow-ups").text
    assert "<td>People who booked but did not come</td>" in listing
