"""The event's speakers tab makes a new speaker and puts them on the programme at once."""
from __future__ import annotations

import io

import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import EventSpeaker, Speaker
from tests.conftest import audit_actions, log_in
from tests.factories import attach_speaker, make_event, make_speaker
from tests.speakers.test_speaker_admin import image_bytes


def test_a_new_speaker_with_a_photo_joins_the_programme_in_one_form(app, client):
    log_in(client, app)
    event = make_event(app)
    response = client.post(f"/admin/events/{event.slug}/speakers/new", data={
        "new-name": "Bea Brightwater", "new-organisation": "Brightwater Mutual",
        "new-job": "Founder", "new-event_role": "panellist", "new-position": "3",
        "new-photo": (io.BytesIO(image_bytes("PNG", (400, 400), exif=False)), "bea.png"),
    }, content_type="multipart/form-data", follow_redirects=True)

    assert "Bea Brightwater is added and on the programme as Panellist." in response.text
    with app.app_context():
        speaker = db.session.scalar(sa.select(Speaker).where(Speaker.name == "Bea Brightwater"))
        assert (speaker.organisation, speaker.role) == ("Brightwater Mutual", "Founder")
        assert speaker.photo_filename and speaker.slug == "bea-brightwater"
        link = db.session.get(EventSpeaker, (event.id, speaker.id))
        assert (link.role, link.position) == ("panellist", 3)
    assert audit_actions(app)[-2:] == ["speaker saved", "speaker attached"]
    assert "<td>Panellist</td>" in response.text


def test_a_new_speaker_needs_a_name_and_nothing_is_saved_without_one(app, client):
    log_in(client, app)
    event = make_event(app)
    response = client.post(f"/admin/events/{event.slug}/speakers/new", data={
        "new-name": "", "new-organisation": "Kept Org", "new-event_role": "chair",
        "new-position": "0"})
    assert response.status_code == 422
    assert 'id="new-name-error">Enter the speaker&#39;s name.' in response.text
    assert 'value="Kept Org"' in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 0


def test_a_bad_photo_keeps_everything_else_and_saves_nothing(app, client):
    log_in(client, app)
    event = make_event(app)
    response = client.post(f"/admin/events/{event.slug}/speakers/new", data={
        "new-name": "Pat Photo", "new-event_role": "speaker", "new-position": "0",
        "new-photo": (io.BytesIO(b"not an image"), "pat.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422 and 'value="Pat Photo"' in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 0


def test_the_speakers_tab_offers_both_forms_and_shows_roles_capitalised(app, client):
    log_in(client, app)
    event = make_event(app)
    attach_speaker(app, event, make_speaker(app, name="Cho Chair"), role="chair")
    page = client.get(f"/admin/events/{event.slug}/speakers").text
    assert '<option value="chair">Chair</option>' in page
    assert '<option value="panellist">Panellist</option>' in page
    assert "<td>Chair</td>" in page
    assert "Save to the programme" in page and "Add the speaker to this event" in page
    public = client.get(f"/events/{event.slug}").text
    assert '<span class="role-tag">Chair</span>' in public
