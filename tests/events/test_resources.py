"""An event's resources: links and files, published once the event has started."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Resource
from tests.conftest import audit_actions, load, log_in
from tests.factories import make_event, make_resource

MB = 1024 * 1024

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
    assert audit_actions(app) == [
        "logged in", "resource added", "resource published", "resource deleted"]


def test_resources_of_another_event_are_not_reachable(app, client):
    log_in(client, app)
    event, other = make_event(app), make_event(app)
    resource = make_resource(app, other)
    assert client.post(f"/admin/events/{event.slug}/resources/{resource.id}/delete").status_code == 404
