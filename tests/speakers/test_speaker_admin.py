"""Speakers with checked photos, the programme, and resources with a publish switch."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from eventsite.extensions import db
from eventsite.models import EventSpeaker, Speaker
from tests.conftest import audit_actions, log_in
from tests.factories import make_event, make_speaker

MB = 1024 * 1024


def image_bytes(fmt: str = "JPEG", size=(2000, 1200), mode="RGB", exif: bool = True) -> bytes:
    image = Image.new(mode, size, (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40))
    buffer = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "Secret Camera Co"  # Make
        tags[0x013B] = "Private Photographer"  # Artist
        options["exif"] = tags.tobytes()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def speaker_form(**overrides) -> dict:
    form = {"name": "Amara Okafor", "role": "Chief Executive",
            "organisation": "Brightwater Mutual", "bio": "Runs a *mutual*.",
            "email": "amara@example.org",
            "links": "Website https://example.org/amara\nhttps://example.org/blog"}
    form.update(overrides)
    return form


def stored_photo(app) -> Path | None:
    with app.app_context():
        name = db.session.scalar(sa.select(Speaker.photo_filename))
    return Path(app.config["UPLOAD_FOLDER"], "speakers", name) if name else None


def test_speaker_photo_is_resized_re_encoded_and_stripped_of_exif(app, client):
    log_in(client, app)
    original = image_bytes()
    assert b"Secret Camera Co" in original
    response = client.post("/admin/speakers/new", data=speaker_form(
        photo=(io.BytesIO(original), "holiday.jpeg")), content_type="multipart/form-data")
    assert response.status_code == 302

    path = stored_photo(app)
    assert path.suffix == ".jpg" and "holiday" not in path.name and len(path.stem) == 32
    data = path.read_bytes()
    assert b"Secret Camera Co" not in data and b"Private Photographer" not in data
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 800 and image.size == (800, 480)
        assert not image.getexif()
    served = client.get(f"/speakers/photos/{path.name}")
    assert served.status_code == 200 and served.data == data
    with app.app_context():
        speaker = db.session.scalar(sa.select(Speaker))
        assert speaker.slug == "amara-okafor"
        assert speaker.links == [{"label": "Website", "url": "https://example.org/amara"},
                                 {"label": "", "url": "https://example.org/blog"}]


def test_a_transparent_png_stays_a_png(app, client):
    log_in(client, app)
    client.post("/admin/speakers/new", data=speaker_form(
        photo=(io.BytesIO(image_bytes("PNG", (300, 300), "RGBA", exif=False)), "logo.png")),
        content_type="multipart/form-data")
    path = stored_photo(app)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and image.size == (300, 300)


@pytest.mark.parametrize(("payload", "filename", "message"), [
    (b"This is a text file pretending to be a photo.\n" * 20, "me.jpg",
     "That file is not a photo we can read."),
    (b"\xff\xd8\xff\xe0" + b"\0" * (5 * MB), "huge.jpg", "The photo is larger than 5 MB."),
    (b"%PDF-1.4\n%fake\n", "cv.pdf", "That file is not a photo we can read."),
    (image_bytes("JPEG")[:400], "broken.jpg", "That file is not a photo we can read."),
])
def test_anything_but_a_real_photo_is_refused_with_a_message(app, client, payload, filename,
                                                             message):
    log_in(client, app)
    response = client.post("/admin/speakers/new", data=speaker_form(
        photo=(io.BytesIO(payload), filename)), content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="photo-error">{message}' in page
    assert 'value="Amara Okafor"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 0
    folder = Path(app.config["UPLOAD_FOLDER"], "speakers")
    assert not folder.exists() or not any(folder.iterdir())


def test_editing_a_speaker_replaces_then_removes_the_photo(app, client):
    log_in(client, app)
    client.post("/admin/speakers/new", data=speaker_form(
        photo=(io.BytesIO(image_bytes()), "a.jpg")), content_type="multipart/form-data")
    first = stored_photo(app)
    with app.app_context():
        speaker_id = db.session.scalar(sa.select(Speaker.id))
    page = client.get(f"/admin/speakers/{speaker_id}/edit").get_data(as_text=True)
    assert "Website https://example.org/amara" in page

    client.post(f"/admin/speakers/{speaker_id}/edit", data=speaker_form(
        slug="amara-okafor", photo=(io.BytesIO(image_bytes("PNG", exif=False)), "b.png")),
        content_type="multipart/form-data")
    second = stored_photo(app)
    assert second != first and second.exists() and not first.exists()

    client.post(f"/admin/speakers/{speaker_id}/edit",
                data=speaker_form(slug="amara-okafor", remove_photo="y"))
    assert stored_photo(app) is None and not second.exists()


def test_speaker_links_must_be_web_addresses(app, client):
    log_in(client, app)
    page = client.post("/admin/speakers/new", data=speaker_form(
        links="Click me javascript:alert(1)")).get_data(as_text=True)
    assert "javascript:alert(1) is not a web address starting with https://." in page


def test_speakers_are_attached_in_order_with_a_role(app, client):
    log_in(client, app)
    event = make_event(app)
    chair = make_speaker(app, name="Chloe Chair")
    panellist = make_speaker(app, name="Pat Panellist")
    url = f"/admin/events/{event.slug}/speakers"
    client.post(url, data={"speaker": panellist.id, "role": "panellist", "position": "2"})
    client.post(url, data={"speaker": chair.id, "role": "chair", "position": "1"})

    public = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert public.index("Chloe Chair") < public.index("Pat Panellist")
    assert "Chair</span>" in public and "Panellist</span>" in public

    client.post(f"{url}/{chair.id}/remove")
    with app.app_context():
        links = db.session.scalars(sa.select(EventSpeaker)).all()
        assert [(link.speaker_id, link.role) for link in links] == [(panellist.id, "panellist")]
    assert audit_actions(app) == ["logged in", "speaker attached", "speaker attached", "speaker removed"]


def test_an_unknown_role_is_refused(app, client):
    log_in(client, app)
    event = make_event(app)
    speaker = make_speaker(app)
    page = client.post(f"/admin/events/{event.slug}/speakers",
                       data={"speaker": speaker.id, "role": "keynote", "position": "0"})
    assert 'id="role-error">Not a valid choice' in page.get_data(as_text=True)


def test_a_speaker_with_only_a_name_is_saved(app, client):
    log_in(client, app)
    response = client.post("/admin/speakers/new", data={"name": "Amara Okafor"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(sa.select(Speaker))
        assert (saved.name, saved.role, saved.organisation) == ("Amara Okafor", "", "")
