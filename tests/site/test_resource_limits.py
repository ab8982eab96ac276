"""Resource limits: public forms read at most 64 KB, only the upload pages take large
bodies, huge images are refused before decoding, and stored files are private."""
from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from eventsite import create_app
from eventsite.extensions import db
from eventsite.models import Resource, Speaker
from tests.conftest import PASSWORD, VALID, deliver, log_in, stored_bookings, test_config
from tests.factories import make_event, make_organiser, make_speaker

KB = 1024
SPEAKER = {"name": "Amara Okafor", "role": "Chief Executive", "organisation": "Brightwater",
           "bio": "", "email": "", "links": ""}


@pytest.fixture
def usual_umask():
    """Files made with the umask most servers run under (022), whatever the test runner's."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def png(size: tuple[int, int], image_mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(image_mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_booking_form_over_64_kb_answers_with_the_form_and_the_reason(app, client):
    event = make_event(app)
    response = client.post(f"/events/{event.slug}/book",
                           data={**VALID, "access_needs": "x" * (65 * KB)})
    assert response.status_code == 413
    assert "far too long" in response.text and "<form" in response.text
    assert stored_bookings(app) == []


def test_other_forms_over_64_kb_are_refused_unread(app, client):
    response = client.post("/admin/login", data={"email": "x" * (65 * KB)})
    assert response.status_code == 413
    assert "That was too much to send" in response.text


@pytest.mark.csrf
def test_with_csrf_checks_on_an_upload_page_still_takes_a_large_file(app, client):
    log_in_with_token = client.get("/admin/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      log_in_with_token).group(1)
    make_organiser(app, password=PASSWORD)
    client.post("/admin/login", data={"email": "organiser@example.org",
                                      "password": PASSWORD, "csrf_token": token})
    event = make_event(app)
    # The form token is new after login: take it from the page the organiser uploads on.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get(f"/admin/events/{event.slug}/resources").text).group(1)
    big_pdf = b"%PDF-1.7\n" + b"0" * (500 * KB)
    response = client.post(f"/admin/events/{event.slug}/resources",
                           data={"title": "Slides", "file": (io.BytesIO(big_pdf), "s.pdf"),
                                 "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    too_long = client.post(f"/events/{event.slug}/book",
                           data={**VALID, "access_needs": "x" * (65 * KB), "csrf_token": token})
    assert too_long.status_code == 413 and "far too long" in too_long.text


def test_upload_pages_still_take_files_larger_than_64_kb(app, client):
    log_in(client, app)
    event = make_event(app)
    speaker = make_speaker(app)
    big_pdf = b"%PDF-1.7\n" + b"0" * (500 * KB)
    response = client.post(f"/admin/events/{event.slug}/resources",
                           data={"title": "Slides", "file": (io.BytesIO(big_pdf), "s.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    noise = Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert buffer.tell() > 64 * KB
    for url in ("/admin/speakers/new", f"/admin/speakers/{speaker.id}/edit"):
        photo = io.BytesIO(buffer.getvalue())
        response = client.post(url, data={**SPEAKER, "photo": (photo, "a.png")},
                               content_type="multipart/form-data")
        assert response.status_code == 302, response.text


def test_a_photo_over_25_megapixels_is_refused(app, client):
    log_in(client, app)
    response = client.post("/admin/speakers/new",
                           data={**SPEAKER,
                                 "photo": (io.BytesIO(png((5001, 5000), "1")), "big.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "That image has too many pixels" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Speaker.id))) == 0


def test_uploaded_photos_and_resource_files_are_readable_by_their_owner_only(
        usual_umask, app, client):
    log_in(client, app)
    event = make_event(app)
    client.post("/admin/speakers/new",
                data={**SPEAKER, "photo": (io.BytesIO(png((60, 40))), "a.png")},
                content_type="multipart/form-data")
    client.post(f"/admin/events/{event.slug}/resources",
                data={"title": "Slides", "file": (io.BytesIO(b"%PDF-1.7\n"), "s.pdf")},
                content_type="multipart/form-data")
    with app.app_context():
        photo = db.session.scalar(sa.select(Speaker.photo_filename))
        stored = db.session.scalar(sa.select(Resource.stored_name))
    uploads = Path(app.config["UPLOAD_FOLDER"])
    assert mode(uploads / "speakers" / photo) == 0o600
    assert mode(uploads / "resources" / stored) == 0o600


# A PostgreSQL server keeps its own files: SQLite only.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_sqlite_database_and_its_journal_are_readable_by_their_owner_only(
        usual_umask, database_url, tmp_path):
    app = create_app(test_config(database_url, tmp_path))
    with app.app_context():
        db.create_all()
        make_event(app)
        files = [tmp_path / name for name in
                 ("eventsite.db", "eventsite.db-wal", "eventsite.db-shm")]
        assert all(path.exists() for path in files)
        assert [mode(path) for path in files] == [0o600] * 3
        db.session.remove()
        db.engine.dispose()


def test_emails_written_as_files_are_readable_by_their_owner_only(usual_umask, app, client):
    event = make_event(app)
    client.post(f"/events/{event.slug}/book", data={"name": "Ada Lovelace",
                                                    "email": "ada@example.org"})
    deliver(app)
    [written] = Path(app.config["MAIL_FOLDER"]).glob("*.eml")
    assert mode(written) == 0o600
