"""Every POST under /admin leaves an audit entry: each is made to succeed, as an organiser,
on real data, and must add at least one AuditEntry row."""
from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite import create_app
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import AuditEntry, SuppressionReason
from eventsite.outbox.suppressions import suppress
from tests.conftest import PASSWORD, log_in, test_config
from tests.factories import (
    attach_speaker,
    check_in_code_for,
    mail_route_values,
    make_booking,
    make_event,
    make_organiser,
    make_question,
    make_resource,
    make_speaker,
    outbox_row,
)


def admin_post_endpoints() -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="eventsite-routes-"))
    app = create_app(test_config(f"sqlite:///{folder / 'routes.db'}", folder))
    return sorted(rule.endpoint for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/admin") and "POST" in rule.methods)


ENDPOINTS = admin_post_endpoints()

# POST routes that write no audit entry today (none known): listed here, the test of
# each is a strict expected failure, so writing one makes it pass and must be noted here.
WRITES_NO_AUDIT_ENTRY: set[str] = set()


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def failed_email(app, event) -> int:
    with app.app_context():
        message = outbox_row("booking_confirmed", "audit-test", "gone@example.org", "Your place",
                             event_id=event.id, status="failed", last_error="550 no such user")
        db.session.add(message)
        db.session.commit()
        return message.id


def submission_on(page: str) -> str:
    return re.search(r'name="submission" type="hidden" value="([0-9a-f]+)"', page).group(1)


def follow_up_of(app, client, event, resource) -> str:
    response = client.post(f"/admin/events/{event.slug}/follow-ups", data={
        "subject": "Slides", "message": "Thank you for coming.",
        "resources": [str(resource.id)], "audience": "checked_in"})
    assert response.status_code == 302, response.status_code
    return response.location


def request_for(endpoint: str, app, client) -> tuple[str, dict]:
    """The URL and form of a POST to `endpoint` that succeeds, after building what it needs."""
    event = make_event(app, slug="the-event", capacity=2, starts_in=timedelta(days=-1),
                       published=endpoint != "events_admin.publish_event")
    admin = f"/admin/events/{event.slug}"
    booking = make_booking(app, event, email="ada@example.org", checked_in_at=(
        utcnow() - timedelta(hours=20) if endpoint.startswith(("followups", "bookings_admin.undo"))
        else None))
    speaker = make_speaker(app, email="speaker@example.org")
    attach_speaker(app, event, speaker)
    resource = make_resource(app, event, published=endpoint != "events_admin.publish_resource")
    event_form = {
        "title": "Spinning out mutuals", "host_conference": "NCAS", "summary": "Mutuals.",
        "description": "Staff-owned.", "starts": "2030-10-20T12:30", "ends": "2030-10-20T14:00",
        "timezone": "Europe/London", "venue": "Room 4", "address": "1 Quay Street",
        "capacity": "60", "waiting_list": "y", "booking_opens": "", "booking_closes": "",
        "organiser_email": "events@example.org", "published": "y"}
    speaker_form = {"name": "Amara Okafor", "role": "Chief Executive",
                    "organisation": "Brightwater", "bio": "Runs a mutual.",
                    "email": "amara@example.org", "links": ""}
    match endpoint:
        case "attendees_admin.email_list":
            submission = submission_on(client.get(f"{admin}/attendee-list").text)
            return f"{admin}/attendee-list", {"speakers": [str(speaker.id)],
                                              "organiser_contact": "y", "note": "",
                                              "extra_addresses": "", "submission": submission}
        case "attendees_admin.erase":
            return f"{admin}/erase", {"email": "ada@example.org"}
        case "bookings_admin.add_booking":
            return f"{admin}/bookings/new", {"name": "Phone Booker", "email": "p@example.org",
                                             "organisation": "Council", "wants_followup": "y"}
        case "bookings_admin.cancel_booking_view":
            return f"{admin}/bookings/{booking.id}/cancel", {}
        case "bookings_admin.check_in":
            return f"{admin}/bookings/{booking.id}/check-in", {}
        case "bookings_admin.undo_check_in_view":
            return f"{admin}/bookings/{booking.id}/undo-check-in", {}
        case "bookings_admin.promote":  # before the start: nobody moves up once it began
            future = make_event(app, slug="future-event", capacity=2)
            waiting = make_booking(app, future, status="waiting", confirmed_at=None)
            return f"/admin/events/{future.slug}/bookings/{waiting.id}/promote", {}
        case "door.check_in_by_code":
            return f"/admin/check-in/{check_in_code_for(app, booking)}", {}
        case "door.undo_by_code":
            here = make_booking(app, event, email="here@example.org", checked_in_at=utcnow())
            return f"/admin/check-in/{check_in_code_for(app, here)}/undo", {}
        case "door.door_check_in":
            return f"{admin}/door/{booking.id}/check-in", {}
        case "door.door_undo":
            here = make_booking(app, event, email="here@example.org", checked_in_at=utcnow())
            return f"{admin}/door/{here.id}/undo", {}
        case "door.admit":
            waiting = make_booking(app, event, status="waiting", confirmed_at=None)
            return f"{admin}/door/{waiting.id}/admit", {}
        case "door.walk_in":
            return f"{admin}/door/walk-in", {"name": "Wanda Walk-in"}
        case "bookings_admin.bulk_action":
            return f"{admin}/bookings/bulk", {"booking": [str(booking.id)], "action": "check_in"}
        case "bookings_admin.email_ticked":
            return f"{admin}/bookings/email", {"booking": [str(booking.id)], "action": "email",
                                               "subject": "Room change", "message": "Room 5.",
                                               "submission": "0" * 32}
        case "events_admin.duplicate_event_view":
            return f"{admin}/duplicate", {**event_form, "title": "Spinning out, again"}
        case "events_admin.new_event":
            return "/admin/events/new", event_form
        case "speakers_admin.new_event_speaker":
            return f"{admin}/speakers/new", {"new-name": "Bo Lee", "new-event_role": "chair",
                                             "new-position": "1"}
        case "events_admin.edit_event":
            return f"{admin}/edit", {**event_form, "title": "Renamed"}
        case "events_admin.publish_event":
            return f"{admin}/publish", {}
        case "events_admin.unpublish_event":
            return f"{admin}/unpublish", {}
        case "events_admin.cancel_event_view":
            future = make_event(app, slug="future-event")
            return f"/admin/events/{future.slug}/cancel", {}
        case "events_admin.resources":
            return f"{admin}/resources", {"title": "Report", "url": "https://example.org/r",
                                          "published": "y"}
        case "events_admin.delete_resource_view":
            return f"{admin}/resources/{resource.id}/delete", {}
        case "events_admin.publish_resource":
            return f"{admin}/resources/{resource.id}/publish", {}
        case "events_admin.unpublish_resource":
            return f"{admin}/resources/{resource.id}/unpublish", {}
        case "speakers_admin.new_speaker":
            return "/admin/speakers/new", speaker_form
        case "speakers_admin.edit_speaker":
            return f"/admin/speakers/{speaker.id}/edit", speaker_form
        case "speakers_admin.event_speakers":
            other = make_speaker(app)
            return f"{admin}/speakers", {"speaker": other.id, "role": "chair", "position": "1"}
        case "speakers_admin.remove_event_speaker":
            return f"{admin}/speakers/{speaker.id}/remove", {}
        case "followups_admin.follow_ups":
            return f"{admin}/follow-ups", {"subject": "Slides", "message": "Thank you.",
                                           "resources": [str(resource.id)],
                                           "audience": "checked_in"}
        case "followups_admin.edit":
            page = follow_up_of(app, client, event, resource)
            return f"{page}/edit", {"subject": "Slides again", "message": "Thanks.",
                                    "resources": [str(resource.id)], "audience": "checked_in"}
        case "followups_admin.send":
            return follow_up_of(app, client, event, resource) + "/send", {}
        case "followups_admin.send_test":
            page = follow_up_of(app, client, event, resource)
            return f"{page}/test", {"submission": submission_on(client.get(page).text)}
        case "organiser.retry_mail_message":
            return f"/admin/mail/{failed_email(app, event)}/retry", {}
        case "organiser.retry_failed_mail":
            failed_email(app, event)
            return "/admin/mail/retry-failed", {}
        case "organiser.lift_suppression_view":
            with app.app_context():
                suppress("gone@example.org", SuppressionReason.HARD_BOUNCE, "5.1.1 unknown")
                db.session.commit()
            return "/admin/suppressions/lift", {"address": "gone@example.org"}
        case "organiser.logout":
            return "/admin/logout", {}
        case "questions_admin.questions":
            return f"{admin}/questions", {"label": "Your council", "kind": "short_text"}
        case "questions_admin.edit_question" | "questions_admin.move" | \
                "questions_admin.remove":
            question = mail_route_values(app, event)["question_id"]
            make_question(app, event, "Second question")
            url = {"questions_admin.edit_question": "", "questions_admin.move": "/move",
                   "questions_admin.remove": "/remove"}[endpoint]
            return f"{admin}/questions/{question}{url}", {
                "label": "Which breakout?", "kind": "one_choice", "choices": "A\nB",
                "direction": "down"}
    raise AssertionError(f"no recipe for {endpoint}: a new /admin POST route?")


@pytest.mark.parametrize("endpoint", [
    pytest.param(e, marks=pytest.mark.xfail(strict=True, reason="writes no audit entry"))
    if e in WRITES_NO_AUDIT_ENTRY else e
    for e in ENDPOINTS if e != "organiser.login"])
def test_every_admin_post_route_leaves_an_audit_entry(app, client, endpoint):
    log_in(client, app)
    url, data = request_for(endpoint, app, client)
    before = audit_count(app)

    response = client.post(url, data=data)

    assert response.status_code in (302, 303), (url, response.status_code, response.text[:2000])
    assert audit_count(app) > before, url


def test_logging_in_and_failing_to_each_leave_an_audit_entry(app, client):
    make_organiser(app, email="olive@example.org", password=PASSWORD)
    refused = client.post("/admin/login", data={"email": "olive@example.org",
                                                 "password": "wrong password"})
    assert refused.status_code != 302 and audit_count(app) == 1
    accepted = client.post("/admin/login", data={"email": "olive@example.org",
                                                  "password": PASSWORD})
    assert accepted.status_code == 302 and audit_count(app) == 2


def test_the_recipes_cover_every_admin_post_route():
    assert "organiser.login" in ENDPOINTS and len(ENDPOINTS) > 20
