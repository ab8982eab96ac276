"""60 people racing for 20 places through gunicorn: wall time, outcome and errors.

Each booker loads the form (for its CSRF token), waits at a barrier with the others, then
posts at the same instant. Run against SQLite, and PostgreSQL when TEST_DATABASE_URL (or
--postgres URL) names a server.

    .venv/bin/python bench/booking_race.py [--bookers 60] [--places 20]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

from common import ROOT, app_env, gunicorn, machine

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

SETUP = """
from datetime import timedelta
import sqlalchemy as sa
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Event
from wsgi import app
with app.app_context():
    db.session.add(Event(slug="race", title="Race", capacity={places}, published=True,
                         starts_at=utcnow() + timedelta(days=7),
                         ends_at=utcnow() + timedelta(days=7, hours=1)))
    db.session.commit()
"""

COUNT = """
import sqlalchemy as sa
from eventsite.extensions import db
from eventsite.models import Booking
from wsgi import app
with app.app_context():
    rows = db.session.execute(sa.select(Booking.status, sa.func.count()).group_by(Booking.status))
    print(dict(rows.all()))
"""


def run_python(code: str, env: dict) -> str:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                          check=True, capture_output=True, text=True).stdout


def race(base: str, bookers: int) -> tuple[float, list[int]]:
    url = base + "/events/race/book"
    barrier = threading.Barrier(bookers)
    started = []

    def booker(n: int) -> int:
        opener = build_opener(HTTPCookieProcessor(CookieJar()))
        with opener.open(url, timeout=30) as page:
            token = CSRF_FIELD.search(page.read().decode()).group(1)
        body = urlencode({"csrf_token": token, "name": f"Booker {n}",
                          "email": f"booker{n}@example.org"}).encode()
        if barrier.wait(timeout=60) == 0:
            started.append(time.perf_counter())
        try:
            with opener.open(Request(url, data=body), timeout=120) as response:
                response.read()
                return response.status
        except HTTPError as error:
            return error.code

    with ThreadPoolExecutor(bookers) as pool:
        statuses = list(pool.map(booker, range(bookers)))
    return time.perf_counter() - started[0], statuses


def one_database(label: str, database_url: str, tmp: Path, args) -> dict:
    env = app_env(database_url, tmp)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT,
                   env={**os.environ, **env, "FLASK_APP": "wsgi"}, check=True,
                   capture_output=True)
    run_python(SETUP.format(places=args.places), env)
    with gunicorn("wsgi:app", env, workers=4, threads=4, check_path="/healthz") as base:
        wall, statuses = race(base, args.bookers)
    counts = run_python(COUNT, env).strip()
    errors = sum(1 for status in statuses if status >= 500)
    print(f"{label}: {args.bookers} bookers for {args.places} places in {wall:.2f} s, "
          f"bookings {counts}, 5xx answers {errors}, other non-200 "
          f"{sum(1 for s in statuses if s != 200 and s < 500)}")
    return {"database": label, "wall_seconds": wall, "counts": counts, "errors": errors}


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookers", type=int, default=60)
    parser.add_argument("--places", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        results.append(one_database("SQLite", f"sqlite:///{tmp / 'race.db'}", tmp, args))
        if args.postgres:
            import sqlalchemy as sa

            from config import normalise_database_url

            server = sa.engine.make_url(normalise_database_url(args.postgres))
            name = f"eventsite_bench_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                url = server.set(database=name).render_as_string(hide_password=False)
                results.append(one_database("PostgreSQL", url, tmp, args))
            finally:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
    print(f"machine: {machine()}")
    return results


if __name__ == "__main__":
    main()
