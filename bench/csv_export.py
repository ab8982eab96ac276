"""Attendee CSV export of 100,000 bookings against `sqlite3 -csv` on the same rows.

Prints the time of each, and the export's peak memory growth (Python allocations traced
by tracemalloc, and the process's peak resident size) at 10,000 and at 100,000 rows, to
show that memory stays flat as rows grow. Goal: flat, under 30 MB.

    .venv/bin/python bench/csv_export.py [--rows 100000]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from common import machine

COLUMNS = ("reference, status, name, email, organisation, job_title, access_needs, "
           "wants_followup, created_at, checked_in_at")


def make_app(database_path: Path, tmp: Path):
    from eventsite import create_app
    from eventsite.extensions import db

    app = create_app({
        "TESTING": True, "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI":
        f"sqlite:///{database_path}", "UPLOAD_FOLDER": str(tmp), "MAIL_FOLDER": str(tmp)})
    with app.app_context():
        db.create_all()
    return app


def fill(app, event_slug: str, rows: int) -> None:
    import sqlalchemy as sa

    from eventsite.database import utcnow
    from eventsite.extensions import db
    from eventsite.models import Booking, Event

    with app.app_context():
        start = utcnow() + timedelta(days=30)
        event = Event(slug=event_slug, title=event_slug, capacity=rows, published=True,
                      starts_at=start, ends_at=start + timedelta(hours=2))
        db.session.add(event)
        db.session.flush()
        now = utcnow()
        batch = []
        for n in range(rows):
            batch.append({
                "event_id": event.id, "reference": f"{event_slug[:2].upper()}-{n:07d}",
                "token_hash": f"{event_slug}-{n}", "status": "confirmed",
                "name": f"Zoë Attendee {n}", "email": f"attendee{n}@example.org",
                "email_normalised": f"attendee{n}@example.org",
                "organisation": "=HYPERLINK(\"x\")" if n % 1000 == 0 else "Northfield Council",
                "job_title": "Commissioner", "access_needs": "Step-free access" if n % 7 else "",
                "wants_followup": True, "created_at": now, "confirmed_at": now,
            })
            if len(batch) == 5000:
                db.session.execute(sa.insert(Booking), batch)
                batch = []
        if batch:
            db.session.execute(sa.insert(Booking), batch)
        db.session.commit()


def export_in_fresh_process(database: Path, tmp: Path, slug: str, out: Path) -> dict:
    """Run one export in a new process, so its memory figures are its own."""
    result = subprocess.run(
        [sys.executable, __file__, "--export", str(database), slug, str(out)],
        check=True, capture_output=True, text=True, cwd=Path(__file__).parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def export(database: Path, slug: str, out: Path) -> None:
    """Time one export (untraced), then measure its memory in a second, traced pass."""
    import sqlalchemy as sa

    from eventsite.attendees.export import attendee_csv
    from eventsite.extensions import db
    from eventsite.models import Event

    app = make_app(database, out.parent)
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        with out.open("wb") as file:
            for chunk in attendee_csv(event):
                file.write(chunk)
        seconds = time.perf_counter() - started
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
        tracemalloc.start()
        with open(os.devnull, "wb") as file:
            for chunk in attendee_csv(event):
                file.write(chunk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(json.dumps({"seconds": seconds, "traced_mb": peak / 2**20, "rss_growth_mb": rss_growth}))


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if not shutil.which("sqlite3"):
        raise SystemExit("sqlite3 is not installed (apt-get install sqlite3)")
    small = max(args.rows // 10, 1)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        database = tmp / "export.db"
        app = make_app(database, tmp)
        fill(app, "small", small)
        fill(app, "large", args.rows)
        results = {}
        with app.app_context():
            from eventsite.extensions import db

            db.engine.dispose()
        for slug, rows in (("small", small), ("large", args.rows)):
            figures = export_in_fresh_process(database, tmp, slug, tmp / f"{slug}.csv")
            results[slug] = {"rows": rows, **figures}
            print(f"export of {rows:,} rows: {figures['seconds']:.2f} s, peak traced memory "
                  f"{figures['traced_mb']:.1f} MB, peak resident growth "
                  f"{figures['rss_growth_mb']:.1f} MB")
        query = (f"SELECT {COLUMNS} FROM bookings WHERE event_id = "
                 f"(SELECT id FROM events WHERE slug = 'large') ORDER BY created_at, id")
        started = time.perf_counter()
        with (tmp / "sqlite3.csv").open("wb") as out:
            subprocess.run(["sqlite3", "-csv", str(database), query], stdout=out, check=True)
        sqlite_seconds = time.perf_counter() - started
        lines = sum(1 for _ in (tmp / "large.csv").open(encoding="utf-8-sig")) - 1
        print(f"sqlite3 -csv of the same {args.rows:,} rows: {sqlite_seconds:.2f} s; export "
              f"takes {results['large']['seconds'] / sqlite_seconds:.1f}x as long "
              f"({lines:,} rows written)")
    results["sqlite3_seconds"] = sqlite_seconds
    print(f"memory growth from {small:,} to {args.rows:,} rows: traced "
          f"{results['small']['traced_mb']:.1f} -> {results['large']['traced_mb']:.1f} MB "
          f"(goal: flat, under 30 MB)")
    print(f"machine: {machine()}")
    return results


if __name__ == "__main__":
    os.environ.setdefault("RATELIMIT_ENABLED", "false")
    if len(sys.argv) == 5 and sys.argv[1] == "--export":
        export(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
    else:
        main()
