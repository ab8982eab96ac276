"""The site as gunicorn serves it, plus one bare endpoint for the rush benchmark's limit.

`/bench/limit` does only what a booking cannot do without: BEGIN, lock the event's row
(SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE), one INSERT, COMMIT. It
exists in this benchmark's app alone, never in the site's routes.

    gunicorn --chdir bench rush_app:app
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import request

from eventsite import create_app
from eventsite.database import begin_write_transaction
from eventsite.extensions import csrf, db
from eventsite.models import Event

LIMIT_ROWS = sa.Table(
    "bench_limit_rows", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
)


def create_bench_app():
    app = create_app()

    @app.route("/bench/limit/<slug>", methods=["GET", "POST"])
    @csrf.exempt
    def limit(slug: str):
        if request.method == "GET":
            return "ready"
        begin_write_transaction()
        event_id = db.session.scalar(
            sa.select(Event.id).where(Event.slug == slug).with_for_update()
        )
        db.session.execute(LIMIT_ROWS.insert().values(
            event_id=event_id, name=request.form["name"], email=request.form["email"]))
        db.session.commit()
        return "", 303, {"Location": f"/events/{slug}"}

    return app


app = create_bench_app()
