"""Speakers with checked photos, the programme, and resources with a publish switch."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from eventsite.extensions import db
from eventsite.models import EventSpeaker, Resource, Speaker
from tests.factories import make_event, make_resource, make_speaker
from tests.test_organiser import audit_actions, load, log_in

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
    assert audit_actions(app) == ["speaker attached", "speaker attached", "speaker removed"]


def test_an_unknown_role_is_refused(app, client):
    log_in(client, app)
    event = make_event(app)
    speaker = make_speaker(app)
    page = client.post(f"/admin/events/{event.slug}/speakers",
                       data={"speaker": speaker.id, "role": "keynote", "position": "0"})
    assert 'id="role-error">Not a valid choice' in page.get_data(as_text=True)


# --- resources -------------------------------------------------------------------------

def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(f"{folder}/document.xml", "<doc/>")
    return buffer.getvalue()


def add_file(client, event, payload: bytes, filename: str, published="y"):
    data = {"title": "Slides", "file": (io.BytesIO(payload), filename)}
    if published:
        data["published"] = published
    return client.post(f"/admin/events/{event.slug}/resources", data=data,
                       content_type="multipart/form-data")


@pytest.mark.parametrize(("payload", "filename"), [
    (b"%PDF-1.7\n1 0 obj\n", "slides.pdf"),
    (office_file("ppt"), "deck.pptx"),
    (office_file("word"), "report.docx"),
    (office_file("xl"), "figures.xlsx"),
])
def test_resource_files_are_accepted_when_they_are_what_they_say(app, client, payload,
                                                                 filename):
    log_in(client, app)
    event = make_event(app)
    assert add_file(client, event, payload, filename).status_code == 302
    with app.app_context():
        resource = db.session.scalar(sa.select(Resource))
        assert resource.filename == filename and resource.size == len(payload)
        stored = Path(app.config["UPLOAD_FOLDER"], "resources", resource.stored_name)
    assert stored.read_bytes() == payload


@pytest.mark.parametrize(("payload", "filename", "message"), [
    (b"just text", "slides.pdf", "That file is not a real PDF file."),
    (office_file("word"), "deck.pptx", "That file is not a real PPTX file."),
    (b"%PDF-1.7\n", "deck.pptx", "That file is not a real PPTX file."),
    (b"MZ\x90\x00", "setup.exe", "Upload a PDF, PowerPoint (.pptx), Word (.docx) or Excel"),
    (b"%PDF-1.7\n" + b"0" * (20 * MB), "big.pdf", "The file is larger than 20 MB."),
])
def test_bad_resource_files_are_refused_with_a_message(app, client, payload, filename,
                                                       message):
    log_in(client, app)
    event = make_event(app)
    response = add_file(client, event, payload, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 0


def test_resource_needs_a_link_or_a_file(app, client):
    log_in(client, app)
    event = make_event(app)
    page = client.post(f"/admin/events/{event.slug}/resources",
                       data={"title": "Nothing"}).get_data(as_text=True)
    assert "Give a link, or choose a file below." in page


def test_published_files_download_only_once_the_event_has_started(app, client):
    log_in(client, app)
    future = make_event(app)
    started = make_event(app, starts_in=timedelta(hours=-1))
    add_file(client, future, b"%PDF-1.7 future", "future.pdf")
    add_file(client, started, b"%PDF-1.7 started", "started.pdf")
    add_file(client, started, b"%PDF-1.7 hidden", "hidden.pdf", published=None)
    with app.app_context():
        ids = {r.filename: r.id for r in db.session.scalars(sa.select(Resource))}

    client.post("/admin/logout")
    assert client.get(f"/events/{future.slug}/resources/{ids['future.pdf']}").status_code == 404
    assert client.get(f"/events/{started.slug}/resources/{ids['hidden.pdf']}").status_code == 404
    assert client.get(f"/events/{future.slug}/resources/{ids['started.pdf']}").status_code == 404
    response = client.get(f"/events/{started.slug}/resources/{ids['started.pdf']}")
    assert response.status_code == 200 and response.data == b"%PDF-1.7 started"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.mimetype == "application/pdf"
    page = client.get(f"/events/{started.slug}").get_data(as_text=True)
    assert f"/events/{started.slug}/resources/{ids['started.pdf']}" in page
    assert "hidden.pdf" not in page


def test_publish_switch_and_link_resources(app, client):
    log_in(client, app)
    event = make_event(app, starts_in=timedelta(hours=-1))
    client.post(f"/admin/events/{event.slug}/resources",
                data={"title": "Report", "url": "https://example.org/report"})
    with app.app_context():
        resource_id = db.session.scalar(sa.select(Resource.id))
    assert "https://example.org/report" not in client.get(f"/events/{event.slug}").get_data(as_text=True)
    client.post(f"/admin/events/{event.slug}/resources/{resource_id}/publish")
    assert "https://example.org/report" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    client.post(f"/admin/events/{event.slug}/resources/{resource_id}/delete")
    assert load(app, Resource, resource_id) is None
    assert audit_actions(app) == ["resource added", "resource published", "resource deleted"]


def test_resources_of_another_event_are_not_reachable(app, client):
    log_in(client, app)
    event, other = make_event(app), make_event(app)
    resource = make_resource(app, other)
    assert client.post(f"/admin/events/{event.slug}/resources/{resource.id}/delete").status_code == 404
