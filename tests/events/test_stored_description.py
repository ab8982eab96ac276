"""An event's description is rendered once, when saved, and the stored HTML is exactly what
the sanitiser makes of it, under the sanitiser's rules of the day."""
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Event
from eventsite.web import stored_html, text
from tests.factories import make_event

RISKY = ("Come and **hear** from us. [Slides](https://example.org/s)\n\n"
         "<script>alert(1)</script> [bad](javascript:alert(1)) <img src=x onerror=alert(1)>")


def stored(app, event) -> tuple[str, str]:
    with app.app_context():
        found = db.session.get(Event, event.id)
        return found.description_html, found.description_rules


def test_the_stored_html_is_the_sanitisers_output(app, client):
    event = make_event(app, description=RISKY)
    html, rules = stored(app, event)
    assert html == str(text.render_markdown(RISKY))
    assert rules == stored_html.RULES
    assert "<strong>hear</strong>" in html and "<script" not in html
    assert "javascript:" not in html and "onerror" not in html
    assert html in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_a_changed_description_is_rendered_again_when_saved(app, client):
    event = make_event(app)
    with app.app_context():
        db.session.get(Event, event.id).description = "Now with *emphasis*."
        db.session.commit()
    html, _ = stored(app, event)
    assert html == str(text.render_markdown("Now with *emphasis*."))
    assert "<em>emphasis</em>" in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_html_stored_under_other_rules_is_not_shown_and_the_cli_stores_it_again(app, client,
                                                                                runner):
    event = make_event(app, description="Under *today's* rules.")
    with app.app_context():  # as if stored by an older sanitiser, with another allow-list
        db.session.execute(sa.update(Event).where(Event.id == event.id).values(
            description_html="<p>old <u>rules</u></p>", description_rules="older"))
        db.session.commit()
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "<em>today's</em>" in page and "old <u>rules</u>" not in page

    result = runner.invoke(args=["events", "render-descriptions"])
    assert "1 event description rendered and stored." in result.output
    assert stored(app, event) == (str(text.render_markdown("Under *today's* rules.")),
                                  stored_html.RULES)
    again = runner.invoke(args=["events", "render-descriptions"])
    assert "0 event descriptions rendered and stored." in again.output


def test_the_fingerprint_follows_the_allow_list(monkeypatch):
    today = stored_html.rules_fingerprint()
    monkeypatch.setattr(text, "ALLOWED_TAGS", text.ALLOWED_TAGS | {"u"})
    assert stored_html.rules_fingerprint() != today
