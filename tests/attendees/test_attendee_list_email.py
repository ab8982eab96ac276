"""'Email attendee list': the chosen speakers, the organiser contact and other addresses
each get one email with the attendee list attached (confirmed people, no addresses)."""
from __future__ import annotations

import re
from email.utils import parseaddr

from tests.conftest import audit_actions, deliver, log_in, outbox
from tests.factories import attach_speaker, make_booking, make_event, make_speaker


def submission_of(page: str) -> str:
    return re.search(r'name="submission" type="hidden" value="([0-9a-f]+)"', page).group(1)


def setup_event(app):
    event = make_event(app, title="Spinning out mutuals", organiser_email="host@example.org")
    ann = make_speaker(app, name="Ann Chair", email="ann@example.org")
    ben = make_speaker(app, name="Ben Panel", email="ben@example.org")
    attach_speaker(app, event, ann, position=1)
    attach_speaker(app, event, ben, position=2)
    attach_speaker(app, event, make_speaker(app, name="No Address", email=""), position=3)
    make_booking(app, event, name="Zoë Attendee", email="zoe@example.org",
                 organisation="=HYPERLINK(1)")
    make_booking(app, event, name="Wait Person", status="waiting")
    return event, ann, ben


def test_form_shows_each_speaker_with_an_address_and_the_organiser_contact(app, client):
    log_in(client, app)
    event, ann, ben = setup_event(app)
    page = client.get(f"/admin/events/{event.slug}/attendee-list").text
    assert "Ann Chair" in page and "ann@example.org" in page
    assert "Ben Panel" in page and "ben@example.org" in page
    assert "No Address" not in page
    assert "host@example.org" in page
    assert f'href="/admin/events/{event.slug}/attendee-list"' in \
        client.get(f"/admin/events/{event.slug}/bookings").text


def test_list_reaches_exactly_the_chosen_people_each_with_the_list_attached(
        smtp_app, client, smtp_server):
    log_in(client, smtp_app)
    event, ann, ben = setup_event(smtp_app)
    form = client.get(f"/admin/events/{event.slug}/attendee-list").text
    listed = "\ufeffname,organisation,job_title\r\nZoë Attendee,'=HYPERLINK(1),Commissioner\r\n"

    response = client.post(f"/admin/events/{event.slug}/attendee-list", data={
        "speakers": [str(ann.id)], "organiser_contact": "y",
        "extra_addresses": "venue@example.org, Colleague@Example.org\n\nthird@example.org",
        "note": "Doors open at 18:00.", "submission": submission_of(form),
    })
    assert response.status_code == 302
    deliver(smtp_app)

    received = smtp_server.messages
    assert sorted(parseaddr(m["To"])[1].lower() for m in received) == [
        "ann@example.org", "colleague@example.org", "host@example.org",
        "third@example.org", "venue@example.org"]
    for message in received:
        assert message["Subject"] == "Attendee list: Spinning out mutuals"
        assert "Doors open at 18:00." in message.get_body(("plain",)).get_content()
        csv_files = [part for part in message.iter_attachments()
                     if part.get_content_type() == "text/csv"]
        assert len(csv_files) == 1
        assert csv_files[0].get_payload(decode=True) == listed.encode("utf-8")

    status_page = client.get(response.location).text
    assert re.search(r"<dt>Sent</dt><dd>5</dd>", status_page)
    assert re.search(r"<dt>Failed</dt><dd>0</dd>", status_page)
    assert "attendee list emailed" in audit_actions(smtp_app)


def test_a_bad_extra_address_is_refused_beside_the_field_and_nothing_is_queued(app, client):
    log_in(client, app)
    event, ann, _ben = setup_event(app)
    typed = "good@example.org, not-an-address\nbob@"
    form = client.get(f"/admin/events/{event.slug}/attendee-list").text
    response = client.post(f"/admin/events/{event.slug}/attendee-list", data={
        "speakers": [str(ann.id)], "extra_addresses": typed, "note": "Kept note",
        "submission": submission_of(form)})

    assert response.status_code == 200
    error = re.search(r'<p class="error-message" id="extra_addresses-error">([^<]+)</p>',
                      response.text)
    assert error and "not-an-address" in error.group(1) and "bob@" in error.group(1)
    assert "good@example.org" not in error.group(1)
    assert f">\r\n{typed}</textarea>" in response.text  # browsers drop the first newline
    assert "Kept note" in response.text
    assert len(outbox(app)) == 0


def test_choosing_nobody_is_refused(app, client):
    log_in(client, app)
    event, _ann, _ben = setup_event(app)
    form = client.get(f"/admin/events/{event.slug}/attendee-list").text
    response = client.post(f"/admin/events/{event.slug}/attendee-list",
                           data={"submission": submission_of(form)})
    assert response.status_code == 200
    assert "Choose at least one person to send the list to." in response.text
    assert len(outbox(app)) == 0


def test_a_replayed_submission_sends_the_list_once(smtp_app, client, smtp_server):
    log_in(client, smtp_app)
    event, ann, ben = setup_event(smtp_app)
    form = client.get(f"/admin/events/{event.slug}/attendee-list").text
    data = {"speakers": [str(ann.id), str(ben.id)], "submission": submission_of(form)}

    first = client.post(f"/admin/events/{event.slug}/attendee-list", data=data)
    again = client.post(f"/admin/events/{event.slug}/attendee-list", data=data,
                        follow_redirects=True)
    assert first.status_code == 302
    assert "already sent; nobody gets the list twice" in again.text
    deliver(smtp_app)

    assert sorted(parseaddr(m["To"])[1] for m in smtp_server.messages) == [
        "ann@example.org", "ben@example.org"]
    assert audit_actions(smtp_app).count("attendee list emailed") == 1

    fresh = {**data, "submission": submission_of(
        client.get(f"/admin/events/{event.slug}/attendee-list").text)}
    client.post(f"/admin/events/{event.slug}/attendee-list", data=fresh)
    assert len(outbox(smtp_app)) == 4  # a new form shown is a new sending


def test_a_post_without_its_submission_value_sends_nothing(app, client):
    log_in(client, app)
    event, ann, _ben = setup_event(app)
    response = client.post(f"/admin/events/{event.slug}/attendee-list",
                           data={"speakers": [str(ann.id)], "submission": "x' or 1=1"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "The form was incomplete" in response.text
    assert len(outbox(app)) == 0
