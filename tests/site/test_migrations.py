"""The migrations build the schema the models describe, from an empty database."""
import sqlalchemy as sa

from eventsite import create_app
from eventsite.extensions import db
from tests.conftest import test_config


def test_upgrade_on_an_empty_database_leaves_no_drift(database_url, tmp_path):
    app = create_app(test_config(database_url, tmp_path))
    runner = app.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output  # non-zero when models and migrations differ
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"events", "speakers", "event_speakers", "bookings", "resources", "organisers",
            "outbox_messages", "audit_entries", "alembic_version"} <= tables


def test_downgrade_to_base_and_back(database_url, tmp_path):
    app = create_app(test_config(database_url, tmp_path))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    downgrade = runner.invoke(args=["db", "downgrade", "base"])
    assert downgrade.exit_code == 0, downgrade.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()
