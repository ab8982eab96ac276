"""The door list and walk-ins, without script: surname order, search, "not arrived yet",
one-tap check-in and its undo, the waiting list, and people added at the door (over
capacity only when the organiser confirms the exact count)."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from eventsite.database import utcnow
from eventsite.events.services import update_event
from eventsite.extensions import db
from eventsite.models import AuditEntry, Booking, Event
from tests.conftest import audit_actions, load, log_in, outbox, stored_bookings
from tests.factories import make_booking, make_event


def names_listed(page: str) -> list[str]:
    """The names on the door list, top to bottom (not the waiting list below it)."""
    door_list = page.split('id="door-list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'class="door-person"><strong>([^<]+)</strong>', door_list)


def door_event(app, **values):
    event = make_event(app, slug="door", capacity=values.pop("capacity", 5), **values)
    make_booking(app, event, name="Ada Lovelace", organisation="Engines Ltd")
    make_booking(app, event, name="Zoë Adams", checked_in_at=utcnow())
    make_booking(app, event, name="Bob Brown")
    make_booking(app, event, name="Carol Cancelled", status="cancelled")
    make_booking(app, event, name="Wendy Waiting", status="waiting", confirmed_at=None)
    return event


def test_the_door_list_shows_confirmed_people_by_surname_with_the_count(client, app):
    door_event(app)
    log_in(client, app)
    page = client.get("/admin/events/door/door").text
    assert names_listed(page) == ["Zoë Adams", "Bob Brown", "Ada Lovelace"]
    assert re.search(r"<span data-count-here>1</span> of <span data-count-of>3</span> here", page)
    assert "Cancel" not in page and "Carol" not in page
    waiting = page.split('id="waiting-heading"', 1)[1]
    assert "Wendy Waiting" in waiting and "Let in" in waiting


def test_search_and_not_arrived_yet_work_without_script(client, app):
    door_event(app)
    log_in(client, app)
    assert names_listed(client.get("/admin/events/door/door?q=LOVE").text) == ["Ada Lovelace"]
    assert names_listed(client.get("/admin/events/door/door?q=engines").text) == [
        "Ada Lovelace"]
    not_arrived = client.get("/admin/events/door/door?show=not-arrived").text
    assert names_listed(not_arrived) == ["Bob Brown", "Ada Lovelace"]
    assert "Nobody matches" in client.get("/admin/events/door/door?q=nobody").text


def test_one_tap_checks_in_and_the_last_check_in_can_be_undone(client, app):
    event = door_event(app)
    ada = stored_bookings(app, event)[0]
    log_in(client, app)
    response = client.post(f"/admin/events/door/door/{ada.id}/check-in",
                           data={"q": "lov", "show": "not-arrived"})
    assert response.status_code == 303
    assert response.location.endswith(f"/admin/events/door/door?q=lov&show=not-arrived"
                                      f"#door-{ada.id}")
    assert load(app, Booking, ada.id).checked_in_at is not None
    page = client.get("/admin/events/door/door").text
    assert "2</span> of <span data-count-of>3</span> here" in page
    assert f"/door/{ada.id}/undo" in page  # the undo bar names the last check-in

    undone = client.post(f"/admin/events/door/door/{ada.id}/undo",
                         headers={"Accept": "application/json"})
    assert undone.json["here"] == 1 and undone.json["of"] == 3
    assert load(app, Booking, ada.id).checked_in_at is None
    assert audit_actions(app)[-2:] == ["checked in", "check-in undone"]

    tapped = client.post(f"/admin/events/door/door/{ada.id}/check-in",
                         headers={"Accept": "application/json"})
    assert tapped.json["name"] == "Ada Lovelace" and tapped.json["here"] == 2
    assert str(ada.id) in client.get("/admin/events/door/door/status").json["checked_in"]


def test_a_waiting_booking_cannot_be_checked_in_from_the_list(client, app):
    event = door_event(app)
    wendy = stored_bookings(app, event)[4]
    log_in(client, app)
    refused = client.post(f"/admin/events/door/door/{wendy.id}/check-in",
                          headers={"Accept": "application/json"})
    assert refused.status_code == 409 and "cannot be checked in" in refused.json["error"]
    assert load(app, Booking, wendy.id).checked_in_at is None


def test_a_walk_in_with_only_a_name_is_added_and_checked_in_without_email(client, app):
    event = door_event(app)
    log_in(client, app)
    for name in ("Walk Inn", "Second Walker"):  # two without an address are two people
        response = client.post("/admin/events/door/door/walk-in", data={"name": name},
                               follow_redirects=True)
        assert f"{name} is added as a walk-in and checked in." in response.text
    walkers = [b for b in stored_bookings(app, event) if b.walk_in]
    assert [(b.name, b.email, b.status) for b in walkers] == [
        ("Walk Inn", "", "confirmed"), ("Second Walker", "", "confirmed")]
    assert all(b.checked_in_at is not None and not b.wants_followup for b in walkers)
    assert outbox(app) == []
    assert audit_actions(app)[-2:] == ["walk-in added", "walk-in added"]

    with app.app_context():  # nor any later email about the event
        update_event(db.session.get(Event, event.id),
                     {"starts_at": event.starts_at + timedelta(hours=1)})
        db.session.commit()
    assert all(m.booking_id not in {b.id for b in walkers} for m in outbox(app))


def test_a_walk_in_with_an_email_gets_the_usual_confirmation(client, app):
    event = door_event(app)
    log_in(client, app)
    client.post("/admin/events/door/door/walk-in",
                data={"name": "Mo Walker", "email": "mo@example.org"})
    [walker] = [b for b in stored_bookings(app, event) if b.walk_in]
    assert walker.checked_in_at is not None and walker.wants_followup
    [message] = outbox(app, "booking_confirmed")
    assert message.booking_id == walker.id and "mo@example.org" in message.recipient


def test_a_walk_in_needs_a_name_and_a_real_address_if_any(client, app):
    door_event(app)
    log_in(client, app)
    response = client.post("/admin/events/door/door/walk-in",
                           data={"name": "", "email": "not an address"})
    assert response.status_code == 422
    assert "Enter the person&#39;s name." in response.text
    assert "Enter an email address in the form name@example.org." in response.text
    assert 'value="not an address"' in response.text  # what was typed is kept


def test_a_full_event_takes_a_walk_in_only_after_confirming_the_count(client, app):
    event = door_event(app, capacity=3)
    log_in(client, app)
    asked = client.post("/admin/events/door/door/walk-in",
                        data={"name": "Late Larry", "organisation": "Council"})
    assert asked.status_code == 409
    assert "Add over capacity: 4 of 3" in asked.text
    assert 'name="over_capacity" value="4"' in asked.text
    assert len(stored_bookings(app, event)) == 5

    make_booking(app, event, name="Someone Else")  # another phone took a place meanwhile
    again = client.post("/admin/events/door/door/walk-in",
                        data={"name": "Late Larry", "over_capacity": "4"})
    assert again.status_code == 409 and "Add over capacity: 5 of 3" in again.text

    added = client.post("/admin/events/door/door/walk-in",
                        data={"name": "Late Larry", "organisation": "Council",
                              "over_capacity": "5"}, follow_redirects=True)
    assert "Late Larry is added over capacity as a walk-in and checked in." in added.text
    [larry] = [b for b in stored_bookings(app, event) if b.walk_in]
    assert larry.organisation == "Council" and larry.checked_in_at is not None
    with app.app_context():
        entry = db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
        assert entry.action == "walk-in added over capacity"
        assert entry.detail == f"{larry.reference}: 5 of 3 places"


def test_someone_on_the_waiting_list_is_let_in_at_the_door(client, app):
    event = door_event(app, capacity=3)
    wendy = stored_bookings(app, event)[4]
    log_in(client, app)
    asked = client.post(f"/admin/events/door/door/{wendy.id}/admit")
    assert asked.status_code == 409 and "Add over capacity: 4 of 3" in asked.text
    client.post(f"/admin/events/door/door/{wendy.id}/admit", data={"over_capacity": "4"})
    admitted = load(app, Booking, wendy.id)
    assert admitted.status == "confirmed" and admitted.checked_in_at is not None
    assert audit_actions(app)[-1] == "let in from the waiting list over capacity"
    assert outbox(app) == []  # they are at the door: no "a place came up" email


def test_walk_ins_appear_in_the_csv_and_on_the_sign_in_sheet(client, app):
    door_event(app)
    log_in(client, app)
    client.post("/admin/events/door/door/walk-in", data={"name": "Walk Inn"})
    rows = list(csv.reader(io.StringIO(
        client.get("/admin/events/door/attendees.csv").data.decode("utf-8-sig"))))
    [walker] = [row for row in rows if row[2] == "Walk Inn"]
    assert walker[1] == "confirmed" and walker[3] == "" and walker[-1] == "yes"
    assert walker[rows[0].index("checked_in_at")] != ""
    sheet = client.get("/admin/events/door/sign-in-sheet").text
    assert "Walk Inn" in sheet and "(walk-in)" in sheet


def test_a_cancelled_event_takes_no_walk_ins(client, app):
    event = door_event(app)
    with app.app_context():
        db.session.get(Event, event.id).cancelled_at = utcnow()
        db.session.commit()
    log_in(client, app)
    response = client.post("/admin/events/door/door/walk-in", data={"name": "Walk Inn"},
                           follow_redirects=True)
    assert "cancelled" in response.text
    assert not any(b.walk_in for b in stored_bookings(app, event))
