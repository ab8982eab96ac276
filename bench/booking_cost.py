"""What one person's booking costs the server, in one process, against the rush's limit.

The rush (bench/rush.py) measures bookings per second over HTTP with many people at once;
its ratio to the bare lock-and-insert endpoint comes down to how much work a booking
is. This measures that work alone: each person GETs the form and POSTs it through Flask's
test client (no HTTP, no other process, one at a time), on SQLite, against the same two
requests to `/bench/limit/<slug>`. A booking with a place and one on the waiting list are
timed apart: only a place carries a calendar invitation and a check-in QR code.

    .venv/bin/python bench/booking_cost.py [--people 300]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from common import ROOT, app_env, machine
from rush import CSRF_FIELD, SETUP, SLUG

HERE = Path(__file__).resolve().parent
WARM_UP = 20


def person(client, path: str, n: int) -> tuple[float, float]:
    """One person: the form, then the booking, as in the rush. (GET's, POST's seconds)"""
    started = time.perf_counter()
    page = client.get(path).text
    got = time.perf_counter()
    fields = {"name": f"Person {n}", "email": f"person{n}@example.org"}
    found = CSRF_FIELD.search(page)
    if found:
        fields["csrf_token"] = found.group(1)
    response = client.post(path, data=urlencode(fields),
                           content_type="application/x-www-form-urlencoded")
    if response.status_code != 303:
        raise RuntimeError(f"{path} answered {response.status_code} to person {n}")
    return got - started, time.perf_counter() - got


def ms_per_person(app, path: str, people: range) -> tuple[float, float, float]:
    """Milliseconds a person: in all, the form's GET, the booking's POST."""
    times = [person(app.test_client(), path, n) for n in people]
    form, booking = (sum(parts) / len(people) * 1000 for parts in zip(*times))
    return form + booking, form, booking


def line(what: str, measured: tuple[float, float, float], limit: float) -> str:
    total, form, booking = measured
    return (f"  {what}: {total:.2f} ms a person (the form {form:.2f} ms, the booking "
            f"{booking:.2f} ms), {total / limit:.1f}x the limit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = {**app_env(f"sqlite:///{tmp / 'cost.db'}", tmp), "PYTHONPATH": str(ROOT)}
        os.environ.update(env)
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT,
                       env={**os.environ, "FLASK_APP": "wsgi"}, check=True, capture_output=True)
        places = WARM_UP + args.people  # the warm-up and the first crowd get places
        subprocess.run([sys.executable, "-c", SETUP.format(places=places)], cwd=HERE,
                       env=os.environ, check=True, capture_output=True)
        from rush_app import app

        limit_path, book_path = f"/bench/limit/{SLUG}", f"/events/{SLUG}/book"
        ms_per_person(app, limit_path, range(-WARM_UP, 0))
        ms_per_person(app, book_path, range(-WARM_UP, 0))
        limit = ms_per_person(app, limit_path, range(10**6, 10**6 + args.people))[0]
        placed = ms_per_person(app, book_path, range(args.people))
        waiting = ms_per_person(app, book_path, range(args.people, 2 * args.people))
    print(f"one process, SQLite, {args.people} people each: the form and the booking")
    print(f"  limit (bare lock + insert): {limit:.2f} ms a person")
    print(line("booking with a place", placed, limit))
    print(line("booking on the waiting list", waiting, limit))
    print(f"machine: {machine()}")


if __name__ == "__main__":
    main()
