"""The popular event's first minute: 2,000 people booking 500 places while wrk reads its page.

PostgreSQL: two gunicorn servers on one database; SQLite: one server. Each server runs as
the README runs it, 4 workers of one thread (`--workers`, `--threads`); on two cores that
gave more bookings a second and a half to a third of the p99 of 2 workers of 4 threads
(docs/BENCHMARKS.md): the threads of one process share its GIL, so a booking's thread
holding the event's lock waits for its neighbours' turns. Each person is a browser of
their own: GET the booking form (for its session cookie and CSRF token), then POST it; at
most --concurrency people are booking at once, spread over the servers. Meanwhile wrk
reads the event page on every server, without a cookie, as the crowd that has not yet
decided would: each read on a connection of its own (`Connection: close`), as a crowd of
people makes them. (With wrk's 16 connections kept alive, a threaded worker keeps those
it accepts: in some runs all of them went to one worker of two, which then spent three
times the CPU a request on its threads' hand-offs, and every page figure of the run was a
third.)

The same run against `/bench/limit/<slug>` (bench/rush_app.py, this benchmark's app only)
gives the limit: BEGIN, the event's row locked, one INSERT, COMMIT, through the same
gunicorn and SQLAlchemy. A hello-world on the same servers gives the page's reference.

Where the two cores go: for each crowd, the CPU time the servers (master and workers, read
from /proc), this client and wrk spent, per person; and the event page read alone, with
nothing booking, for what the page costs when it has the machine to itself.

    .venv/bin/python bench/rush.py [--people 2000] [--places 500] [--concurrency 32]
                                   [--postgres postgresql://...] [--no-sqlite]
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from common import ROOT, app_env, cpu_seconds, gunicorn, machine

HERE = Path(__file__).resolve().parent
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SLUG = "rush"
HELLO = '''from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
'''
SETUP = """
from datetime import timedelta
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.models import Event
from rush_app import LIMIT_ROWS, app
with app.app_context():
    LIMIT_ROWS.create(db.engine)
    db.session.add(Event(slug="rush", title="The popular one", capacity={places},
                         published=True, waiting_list=True, venue="Hall 1",
                         summary="Everyone wants to come.",
                         description="**Come early.** A [link](https://example.org).",
                         starts_at=utcnow() + timedelta(days=7),
                         ends_at=utcnow() + timedelta(days=7, hours=1)))
    db.session.commit()
"""


def request(base: str, method: str, path: str, *, body: bytes | None = None,
            cookie: str = "") -> tuple[int, dict, bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def person(base: str, path: str, n: int) -> tuple[bool, float]:
    """One person: the form, then the booking. (went as expected, the POST's seconds)"""
    status, headers, page = request(base, "GET", path)
    if status != 200:
        return False, 0.0
    cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
    found = CSRF_FIELD.search(page.decode())
    fields = {"name": f"Person {n}", "email": f"person{n}@example.org"}
    if found:
        fields["csrf_token"] = found.group(1)
    started = time.perf_counter()
    status, _, _ = request(base, "POST", path, body=urlencode(fields).encode(), cookie=cookie)
    return status == 303, time.perf_counter() - started


def wrk(url: str, connections: int, seconds: int = 600) -> subprocess.Popen:
    """wrk reading `url`, each request on a new connection (a reader of its own)."""
    return subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
                             "-H", "Connection: close", url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_rate(process: subprocess.Popen) -> tuple[float, bool]:
    """Stop wrk and read its requests per second (and whether every answer was a 2xx)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    output = process.communicate(timeout=60)[0]
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return (float(found.group(1)) if found else 0.0), "Non-2xx" not in output


def children_cpu_seconds() -> float:
    """CPU time of this process's children that have ended (here: wrk, once stopped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crowd(bases: list, path: str, args) -> dict:
    """Everyone books, at most --concurrency at once, while wrk reads the event page."""
    readers = [wrk(base + f"/events/{SLUG}", args.connections // len(bases)) for base in bases]
    time.sleep(0.5)  # wrk connected before the crowd arrives
    servers = [base.pid for base in bases]
    cpu = (cpu_seconds(servers), time.process_time(), children_cpu_seconds())
    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        outcomes = list(pool.map(lambda n: person(bases[n % len(bases)], path, n),
                                 range(args.people)))
    wall = time.perf_counter() - started
    server_cpu = cpu_seconds(servers) - cpu[0]
    client_cpu = time.process_time() - cpu[1]
    rates = [wrk_rate(reader) for reader in readers]
    wrk_cpu = children_cpu_seconds() - cpu[2]  # from its start: a little more than the crowd's
    page_rps = sum(rate for rate, _ in rates)
    latencies = sorted(seconds for ok, seconds in outcomes if ok)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "wall": wall,
        "per_second": args.people / wall,
        "p50": cuts[49] * 1000,
        "p99": cuts[98] * 1000,
        "errors": sum(1 for ok, _ in outcomes if not ok),
        "page_rps": page_rps,
        "page_errors": not all(ok for _, ok in rates),
        # CPU a person, in ms: the servers (the pages they served meanwhile included), this
        # client, wrk; and the share of the cores they used between them
        "servers_ms": server_cpu / args.people * 1000,
        "client_ms": client_cpu / args.people * 1000,
        "wrk_ms": wrk_cpu / args.people * 1000,
        "pages": page_rps * wall / args.people,
        "busy": (server_cpu + client_cpu + wrk_cpu) / (wall * (os.cpu_count() or 1)),
    }


def read_round(urls: list[str], connections: int, seconds: int) -> float:
    """wrk on each of the urls at once (the connections split between them) for a few
    seconds: their requests per second, together."""
    readers = [wrk(url, connections // len(urls), seconds=seconds) for url in urls]
    for reader in readers:
        reader.wait(timeout=60)
    return sum(wrk_rate(reader)[0] for reader in readers)


def page_alone(bases: list, args) -> tuple[float, float]:
    """The event page read alone for 3 s: requests per second, and the servers' CPU a
    request in ms."""
    servers = [base.pid for base in bases]
    pages = [base + f"/events/{SLUG}" for base in bases]
    for seconds in (2, 3):  # the first round warms every worker up
        before = cpu_seconds(servers)
        started = time.perf_counter()
        rate = read_round(pages, args.connections, seconds)
        elapsed = time.perf_counter() - started
    return rate, (cpu_seconds(servers) - before) / (rate * elapsed) * 1000


def cpu_line(run: dict) -> str:
    return (f"CPU a person: servers {run['servers_ms']:.1f} ms (with the {run['pages']:.0f} "
            f"pages a person they served meanwhile), this client "
            f"{run['client_ms']:.1f} ms, wrk {run['wrk_ms']:.1f} ms; together "
            f"{run['busy']:.0%} of the cores")


def hello_world(tmp: Path, servers: int, args) -> list[float]:
    """Hello-world's requests per second on the same servers, read as the page is, in
    three rounds; the reference is the best round, what the servers can do."""
    (tmp / "hello.py").write_text(HELLO)
    with ExitStack() as stack:
        bases = [stack.enter_context(gunicorn("hello:app", {}, workers=args.workers,
                                              threads=args.threads, cwd=tmp,
                                              start_seconds=120))
                 for _ in range(servers)]
        return [read_round([base + "/" for base in bases], args.connections, 4)
                for _ in range(3)]


def booking_counts(database_url: str) -> dict:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT status, count(*) FROM bookings GROUP BY status")).all()
            limit_rows = connection.scalar(sa.text("SELECT count(*) FROM bench_limit_rows"))
    finally:
        engine.dispose()
    return {**{status: count for status, count in rows}, "limit rows": limit_rows}


def one_database(label: str, database_url: str, servers: int, tmp: Path, args) -> dict:
    env = {**app_env(database_url, tmp), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT,
                   env={**os.environ, **env, "FLASK_APP": "wsgi"}, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-c", SETUP.format(places=args.places)], cwd=HERE,
                   env={**os.environ, **env}, check=True, capture_output=True)
    hello_rounds = hello_world(tmp, servers, args)
    hello = max(hello_rounds)
    with ExitStack() as stack:
        bases = [stack.enter_context(gunicorn("rush_app:app", env, workers=args.workers,
                                              threads=args.threads, cwd=HERE,
                                              check_path="/healthz", start_seconds=120))
                 for _ in range(servers)]
        alone = page_alone(bases, args)
        limit = crowd(bases, f"/bench/limit/{SLUG}", args)
        real = crowd(bases, f"/events/{SLUG}/book", args)
    counts = booking_counts(database_url)
    confirmed = counts.get("confirmed", 0)
    ratio = real["per_second"] / limit["per_second"]
    page_ratio = real["page_rps"] / hello
    setup = (f"{servers} gunicorn server{'s' if servers > 1 else ''} x {args.workers} "
             f"workers x {args.threads} threads")
    print(f"{label}, {setup}; {args.people} people for {args.places} places, "
          f"{args.concurrency} booking at once; wrk {args.connections} connections on the page")
    print(f"  event page alone (no bookings): {alone[0]:.0f} req/s, ratio to hello-world "
          f"{alone[0] / hello:.2f}, servers' CPU {alone[1]:.2f} ms a request")
    print(f"  limit (bare lock + insert): {limit['per_second']:.0f} bookings/s, p50 "
          f"{limit['p50']:.1f} ms, p99 {limit['p99']:.1f} ms, errors {limit['errors']}, "
          f"rows {counts['limit rows']}; event page {limit['page_rps']:.0f} req/s, ratio to "
          f"hello-world {limit['page_rps'] / hello:.2f}")
    print(f"    {cpu_line(limit)}")
    print(f"  {label} rush: confirmed {confirmed} (goal exactly {args.places}), waiting "
          f"{counts.get('waiting', 0)}, errors {real['errors']} (goal 0), "
          f"{real['per_second']:.0f} bookings/s in {real['wall']:.1f} s, p50 {real['p50']:.1f} ms, "
          f"p99 {real['p99']:.1f} ms")
    print(f"    {cpu_line(real)}")
    print(f"  {label} bookings/s over the limit: {ratio:.2f} (goal >= 0.5)")
    print(f"  {label} event page during the rush: {real['page_rps']:.0f} req/s, hello-world "
          f"{hello:.0f} req/s (rounds: {', '.join(f'{r:.0f}' for r in hello_rounds)}), ratio "
          f"{page_ratio:.2f} (goal >= 0.5)"
          f"{'; NON-2xx ANSWERS' if real['page_errors'] else ''}")
    return {"confirmed": confirmed, "errors": real["errors"], "ratio": ratio,
            "page_ratio": page_ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--places", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if not args.no_sqlite:
            one_database("SQLite", f"sqlite:///{tmp / 'rush.db'}", 1, tmp, args)
        if args.postgres:
            from config import normalise_database_url

            server = sa.engine.make_url(normalise_database_url(args.postgres))
            name = f"eventsite_rush_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                url = server.set(database=name).render_as_string(hide_password=False)
                one_database("PostgreSQL", url, 2, tmp, args)
            finally:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
    print(f"machine: {machine()}")


if __name__ == "__main__":
    main()
