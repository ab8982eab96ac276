"""Seeing an event before the world does, and duplicating one: drafts shown to organisers
only (never cached for anyone else), Preview of unsaved changes, Duplicate."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Event, Resource
from tests.conftest import audit_actions, load, log_in, outbox
from tests.events.test_event_admin import event_form
from tests.factories import attach_speaker, make_booking, make_event, make_resource, make_speaker

BANNER = "Draft: only organisers can see this."


def test_an_organiser_sees_a_draft_with_a_banner_and_nobody_else_does(app, client):
    event = make_event(app, title="Secret plans", published=False)
    stranger = app.test_client()
    assert stranger.get(f"/events/{event.slug}").status_code == 404

    log_in(client, app)
    response = client.get(f"/events/{event.slug}")
    assert response.status_code == 200
    assert BANNER in response.text and "Secret plans" in response.text
    assert response.headers["Cache-Control"] == "no-store"

    # Whatever the organiser was shown, the page cache gives strangers nothing.
    for _ in range(2):
        again = stranger.get(f"/events/{event.slug}")
        assert again.status_code == 404 and "Secret plans" not in again.text


def test_a_draft_shows_the_booking_button_inert_and_no_link_that_would_404(app, client):
    event = make_event(app, title="Secret plans", published=False)
    log_in(client, app)
    page = client.get(f"/events/{event.slug}").text
    assert "Booking opens when the event is published." in page
    assert 'aria-disabled="true">Book a place</span>' in page
    assert f'href="/events/{event.slug}/book"' not in page  # it answers 404 until published
    assert f"/events/{event.slug}.ics" not in page


def test_a_published_event_shows_no_draft_banner_to_organisers(app, client):
    event = make_event(app)
    log_in(client, app)
    assert BANNER not in client.get(f"/events/{event.slug}").text


def test_a_logged_out_organiser_gets_the_404_again(app, client):
    event = make_event(app, published=False)
    log_in(client, app)
    client.post("/admin/logout")
    assert client.get(f"/events/{event.slug}").status_code == 404


def test_preview_shows_the_public_page_with_what_is_typed_and_saves_nothing(app, client):
    log_in(client, app)
    event = make_event(app, title="Old title", published=False)
    make_booking(app, event)
    form = event_form(title="A much better title", slug=event.slug, published=None,
                      description="Now with **bold** plans.", preview_page="1")

    response = client.post(f"/admin/events/{event.slug}/edit", data=form)

    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "<h1>A much better title</h1>" in page
    assert "<strong>bold</strong> plans" in page
    assert "Preview: nothing is saved yet." in page
    assert response.headers["Cache-Control"] == "no-store"
    assert load(app, Event, event.id).title == "Old title"
    assert outbox(app) == [] and "event edited" not in audit_actions(app)


def test_preview_of_a_new_event_saves_nothing(app, client):
    log_in(client, app)
    response = client.post("/admin/events/new", data=event_form(title="Brand new",
                                                                preview_page="1"))
    assert response.status_code == 200 and "<h1>Brand new</h1>" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_preview_with_a_mistake_shows_the_form_with_the_message(app, client):
    log_in(client, app)
    response = client.post("/admin/events/new", data=event_form(starts="", preview_page="1"))
    assert "Enter when the event starts." in response.text


def test_the_event_form_has_preview_next_to_save(app, client):
    log_in(client, app)
    event = make_event(app)
    page = client.get(f"/admin/events/{event.slug}/edit").text
    assert ('<button type="submit">Save changes</button>\n  <button type="submit" '
            'name="preview_page" value="1" formtarget="_blank"') in page


def test_duplicate_fills_in_the_form_but_the_dates_and_saves_nothing_yet(app, client):
    log_in(client, app)
    source = make_event(app, title="Spinning out mutuals", venue="Room 9", capacity=33,
                        description="The **whole** story.")
    page = html.unescape(client.get(f"/admin/events/{source.slug}/duplicate").text)
    assert 'value="Spinning out mutuals"' in page and 'value="Room 9"' in page
    assert 'value="33"' in page and "The **whole** story." in page
    for name in ("starts", "ends", "booking_opens", "booking_closes"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'value="2' not in field, field
    assert "A copy of “Spinning out mutuals”." in page
    assert 'name="published"' not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1


def test_duplicate_makes_a_draft_with_speakers_and_unpublished_resources(app, client):
    log_in(client, app)
    source = make_event(app, title="Spinning out mutuals")
    chair, talker = make_speaker(app, name="Cho Chair"), make_speaker(app, name="Tal Talker")
    attach_speaker(app, source, talker, role="speaker", position=2)
    attach_speaker(app, source, chair, role="chair", position=1)
    slides = make_resource(app, source, title="Slides", published=True, position=0)
    make_booking(app, source)

    missing = client.post(f"/admin/events/{source.slug}/duplicate",
                          data=event_form(title="Spinning out, again", starts="", ends=""))
    assert "Enter when the event starts." in missing.text
    response = client.post(f"/admin/events/{source.slug}/duplicate",
                           data=event_form(title="Spinning out, again", published="y",
                                           starts="2031-03-03T10:00", ends="2031-03-03T11:00"))

    with app.app_context():
        copy = db.session.scalar(sa.select(Event).where(Event.title == "Spinning out, again"))
        assert response.location.endswith(f"/admin/events/{copy.slug}/edit")
        assert copy.published is False and copy.id != source.id
        assert [(link.speaker.name, link.role, link.position)
                for link in copy.speaker_links] == [("Cho Chair", "chair", 1),
                                                    ("Tal Talker", "speaker", 2)]
        resources = db.session.scalars(sa.select(Resource).where(Resource.event_id == copy.id))
        assert [(r.title, r.published) for r in resources] == [("Slides", False)]
        assert db.session.get(Resource, slides.id).published is True  # the original's
        assert len(db.session.get(Event, source.id).speaker_links) == 2
    assert "event duplicated" in audit_actions(app)
    assert outbox(app) == []


def test_a_duplicated_file_is_a_file_of_its_own(app, client, tmp_path):
    from io import BytesIO

    log_in(client, app)
    source = make_event(app, starts_in=timedelta(days=-1))
    pdf = b"%PDF-1.4\n% a small report\n"
    client.post(f"/admin/events/{source.slug}/resources",
                data={"title": "Report", "file": (BytesIO(pdf), "report.pdf"), "published": "y"},
                content_type="multipart/form-data")
    client.post(f"/admin/events/{source.slug}/duplicate",
                data=event_form(title="Again", starts="2031-03-03T10:00",
                                ends="2031-03-03T11:00"))
    with app.app_context():
        original, copy = db.session.scalars(sa.select(Resource).order_by(Resource.id)).all()
        assert copy.stored_name != original.stored_name
        copy_slug, copy_id = copy.event.slug, copy.id
    client.post(f"/admin/events/{source.slug}/resources/{original.id}/delete")
    download = client.get(f"/admin/events/{copy_slug}/resources/{copy_id}/file")
    assert download.status_code == 200 and download.data == pdf
