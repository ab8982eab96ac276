"""Beyond one machine: two app servers and two outbox workers on one PostgreSQL database.

Nothing that another process needs may live inside a process: places, email and rate
limits must hold across servers.
"""
from __future__ import annotations

import re
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import Booking, OutboxMessage
from tests.conftest import gunicorn_server, require
from tests.factories import make_event
from tests.outbox_fixtures import start_worker, worker_env

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REDIS_URL = "redis://127.0.0.1:6379/15"
on_postgresql_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def post_form(opener, url: str, fields: dict, *, at_once: threading.Barrier | None = None):
    with opener.open(url, timeout=30) as page:
        token = CSRF_FIELD.search(page.read().decode()).group(1)
    body = urlencode({"csrf_token": token, **fields}).encode()
    if at_once is not None:
        at_once.wait(timeout=60)
    try:
        with opener.open(Request(url, data=body), timeout=90) as response:
            return response.status
    except HTTPError as error:
        return error.code


@on_postgresql_only
def test_a_booking_storm_over_two_servers_fills_exactly_the_places_and_mails_each_once(
        app, smtp_server):
    people, places = 50, 20
    event = make_event(app, capacity=places)
    with ExitStack() as stack:
        servers = [stack.enter_context(gunicorn_server(app, workers=2, threads=4))
                   for _ in range(2)]
        at_once = threading.Barrier(people)

        def person(n: int) -> int:
            opener = build_opener(HTTPCookieProcessor(CookieJar()))
            url = f"{servers[n % 2]}/events/{event.slug}/book"
            return post_form(opener, url, {"name": f"Person {n}",
                                           "email": f"person{n}@example.org"}, at_once=at_once)

        with ThreadPoolExecutor(people) as pool:
            statuses = list(pool.map(person, range(people)))
    assert statuses == [200] * people

    with app.app_context():
        counts = dict(db.session.execute(
            sa.select(Booking.status, sa.func.count()).group_by(Booking.status)).all())
    assert counts == {"confirmed": places, "waiting": people - places}

    env = worker_env(app, smtp_server, OUTBOX_LEASE_SECONDS=60)
    workers = [start_worker(env) for _ in range(2)]
    try:
        received = smtp_server.wait_for(people, timeout=90)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        exits = [worker.wait(timeout=30) for worker in workers]
    assert exits == [0, 0]
    message_ids = [message["Message-ID"] for message in received]
    assert len(message_ids) == people == len(set(message_ids))
    recipients = sorted(message["To"] for message in received)
    assert recipients == sorted(f"Person {n} <person{n}@example.org>" for n in range(people))
    with app.app_context():
        statuses = dict(db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count())
            .group_by(OutboxMessage.status)).all())
    assert statuses == {"sent": people}


@on_postgresql_only
def test_rate_limits_hold_across_servers_through_redis(app):
    import redis

    try:
        store = redis.Redis.from_url(REDIS_URL)
        store.flushdb()
    except redis.exceptions.ConnectionError:
        store = None
    require(store is not None, "Redis is not running on 127.0.0.1:6379")
    settings = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": REDIS_URL}
    with gunicorn_server(app, workers=2, threads=2, **settings) as first, \
            gunicorn_server(app, workers=2, threads=2, **settings) as second:
        opener = build_opener(HTTPCookieProcessor(CookieJar()))
        statuses = [
            post_form(opener, f"{server}/admin/login",
                      {"email": "nobody@example.org", "password": "wrong password"})
            for server in [first, second] * 4
        ]
    store.flushdb()
    # Five attempts a minute from one address, counted together by both servers.
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 3
