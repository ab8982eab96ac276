"""The public speaker pages."""
from tests.factories import attach_speaker, make_event, make_speaker


def test_speakers_list_and_profile_never_show_email(app, client):
    speaker = make_speaker(app, name="David Llewellyn", email="david@example.org",
                           links=[{"label": "Website", "url": "https://valleys.example.org"},
                                  {"label": "Bad", "url": "javascript:alert(1)"}])
    event = make_event(app, title="Care co-ops")
    attach_speaker(app, event, speaker)
    listing = client.get("/speakers/").get_data(as_text=True)
    profile = client.get(f"/speakers/{speaker.slug}").get_data(as_text=True)
    assert "David Llewellyn" in listing and "David Llewellyn" in profile
    assert "Care co-ops" in profile
    assert 'href="https://valleys.example.org"' in profile
    assert "javascript:" not in profile
    assert "david@example.org" not in listing + profile


def test_speaker_only_on_unpublished_events_is_not_public(app, client):
    speaker = make_speaker(app, name="Unannounced Person")
    attach_speaker(app, make_event(app, published=False), speaker)
    assert "Unannounced Person" not in client.get("/speakers/").get_data(as_text=True)
    assert client.get(f"/speakers/{speaker.slug}").status_code == 404
