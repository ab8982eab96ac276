"""The commands that set the site up: demo content and organiser logins."""
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Event, EventSpeaker, Organiser, Resource, Speaker
from tests.factories import make_organiser


def counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (Event, Speaker, EventSpeaker, Resource, Organiser)}


def test_demo_loads_a_bookable_event_with_speakers_and_a_past_event(app, runner, client):
    result = runner.invoke(args=["demo", "--force"])
    assert result.exit_code == 0, result.output
    assert "Demo organiser login: organiser@example.org / " in result.output
    assert counts(app) == {"Event": 2, "Speaker": 4, "EventSpeaker": 5, "Resource": 1,
                           "Organiser": 1}
    home = client.get("/").get_data(as_text=True)
    assert "How local authorities can &#39;spin out&#39; mutuals" in home
    event_page = client.get("/events/spin-out-mutuals").get_data(as_text=True)
    assert "Book a place" in event_page
    for name in ("Amara Okafor", "David Llewellyn", "Priya Shah", "Tom Whitaker"):
        assert name in event_page
    profile = client.get("/speakers/amara-okafor").get_data(as_text=True)
    assert "example profile" in profile
    past = client.get("/events/mutuals-one-year-on").get_data(as_text=True)
    assert "summary report" in past


def test_demo_twice_changes_nothing(app, runner):
    runner.invoke(args=["demo", "--force"])
    first = counts(app)
    result = runner.invoke(args=["demo", "--force"])
    assert result.exit_code == 0, result.output
    assert counts(app) == first


def test_demo_organiser_can_sign_in_with_the_printed_password(app, runner):
    password = demo_password(runner.invoke(args=["demo", "--force"]).output)
    with app.app_context():
        organiser = db.session.scalar(sa.select(Organiser))
        assert organiser.check_password(password)


def demo_password(output: str) -> str:
    return output.rsplit("Demo organiser login: organiser@example.org / ", 1)[1].split()[0]


def test_demo_refuses_outside_debug_mode_without_force(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "debug mode" in result.output and "--force" in result.output
    assert counts(app)["Organiser"] == 0


def test_demo_runs_in_debug_mode_as_make_run_does(app, runner, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo organiser login: organiser@example.org / " in result.output


def test_each_site_gets_its_own_random_demo_password(app, runner):
    first = demo_password(runner.invoke(args=["demo", "--force"]).output)
    with app.app_context():
        db.session.execute(sa.delete(Organiser))
        db.session.commit()
    second = demo_password(runner.invoke(args=["demo", "--force"]).output)
    assert first != second and len(first) >= 16 and len(second) >= 16


def test_demo_again_shows_no_password_and_says_how_to_set_one(app, runner):
    runner.invoke(args=["demo", "--force"])
    result = runner.invoke(args=["demo", "--force"])
    assert result.exit_code == 0, result.output
    assert "Demo organiser login" not in result.output
    assert "shown when it was created" in result.output
    assert "flask organiser password organiser@example.org" in result.output


def test_create_organiser_prompts_twice(app, runner):
    password = "a long enough password"
    result = runner.invoke(args=["organiser", "create", "Olive@Example.org", "--name", "Olive"],
                           input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    assert "Organiser Olive@example.org created" in result.output
    with app.app_context():
        organiser = db.session.scalar(sa.select(Organiser))
        assert organiser.name == "Olive" and organiser.check_password(password)
        assert organiser.password_hash != password


def test_create_organiser_reads_one_line_from_stdin(app, runner):
    result = runner.invoke(args=["organiser", "create", "ops@example.org", "--password-stdin"],
                           input="twelve chars or more\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Organiser)).check_password("twelve chars or more")


def test_create_organiser_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["organiser", "create", "ops@example.org", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert counts(app)["Organiser"] == 0


def test_create_organiser_refuses_a_duplicate_address(app, runner):
    make_organiser(app, email="ops@example.org")
    result = runner.invoke(args=["organiser", "create", "OPS@example.org", "--password-stdin"],
                           input="another long password\n")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert counts(app)["Organiser"] == 1


def test_create_organiser_refuses_a_bad_address(app, runner):
    result = runner.invoke(args=["organiser", "create", "not-an-address", "--password-stdin"],
                           input="another long password\n")
    assert result.exit_code != 0
    assert "is not a valid email address" in result.output
