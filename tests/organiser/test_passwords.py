"""Organiser passwords: judged by zxcvbn as well as length, set and changed from the
command line."""
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Organiser
from tests.factories import make_organiser

STRONG = "marmalade orbit quietly sixteen"


def stored_organiser(app) -> Organiser:
    with app.app_context():
        organiser = db.session.scalar(sa.select(Organiser))
        db.session.expunge_all()
        return organiser


def test_create_refuses_a_guessable_password_and_says_why(app, runner):
    result = runner.invoke(args=["organiser", "create", "ops@example.org", "--password-stdin"],
                           input="aaaaaaaaaaaaaaaa\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    assert 'Repeats like "aaa" are easy to guess.' in result.output
    assert "Add another word or two." in result.output
    assert stored_organiser(app) is None


def test_create_refuses_a_password_made_of_the_address(app, runner):
    result = runner.invoke(args=["organiser", "create", "olive.organiser@example.org",
                                 "--password-stdin"], input="olive.organiser1\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output


def test_password_changes_an_organisers_password_after_asking_twice(app, runner):
    make_organiser(app, email="ops@example.org", password="the old password here")
    result = runner.invoke(args=["organiser", "password", "OPS@example.org"],
                           input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "Password changed for ops@example.org" in result.output
    organiser = stored_organiser(app)
    assert organiser.check_password(STRONG)
    assert not organiser.check_password("the old password here")


def test_password_reads_one_line_from_stdin(app, runner):
    make_organiser(app, email="ops@example.org")
    result = runner.invoke(args=["organiser", "password", "ops@example.org",
                                 "--password-stdin"], input=f"{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert stored_organiser(app).check_password(STRONG)


def test_password_refuses_a_weak_one_and_keeps_the_old(app, runner):
    make_organiser(app, email="ops@example.org", password="the old password here")
    result = runner.invoke(args=["organiser", "password", "ops@example.org",
                                 "--password-stdin"], input="password1234\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    assert stored_organiser(app).check_password("the old password here")


def test_password_for_an_unknown_address_says_so(app, runner):
    result = runner.invoke(args=["organiser", "password", "nobody@example.org",
                                 "--password-stdin"], input=f"{STRONG}\n")
    assert result.exit_code != 0
    assert "No organiser has the address nobody@example.org" in result.output
