"""`flask outbox run | status | retry`, in process and as real worker processes."""
from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from eventsite.extensions import db
from eventsite.models import OutboxMessage
from tests.conftest import ROOT, by_id, outbox, wait_until
from tests.factories import queue_messages
from tests.outbox_fixtures import start_worker, worker_env


def statuses(app) -> Counter:
    with app.app_context():
        return Counter(dict(db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()))


def stop_worker(worker: subprocess.Popen, timeout: float = 20) -> tuple[str, str]:
    """SIGTERM, then the worker's (stdout, stderr); fails, showing both, unless it exits 0."""
    worker.send_signal(signal.SIGTERM)
    try:
        out, err = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        out, err = worker.communicate()
        pytest.fail(f"The worker had not stopped {timeout} s after SIGTERM.\n"
                    f"stderr:\n{err}\nstdout:\n{out}")
    assert worker.returncode == 0, (f"The worker exited with {worker.returncode} after "
                                    f"SIGTERM.\nstderr:\n{err}\nstdout:\n{out}")
    return out, err


def test_run_once_sends_what_is_due_and_says_so(smtp_app, smtp_server, runner):
    queue_messages(smtp_app, 3)
    smtp_server.reject_recipient("attendee2@example.org")
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Sent 2, to retry later 0, failed 1."
    assert len(smtp_server.messages) == 2
    again = runner.invoke(args=["outbox", "run", "--once"])
    assert again.output.strip() == "Sent 0, to retry later 0, failed 0."


def test_run_once_over_several_connections_says_what_they_all_did(smtp_app, smtp_server,
                                                                  runner):
    queue_messages(smtp_app, 12)
    smtp_server.reject_recipient("attendee5@example.org")
    result = runner.invoke(args=["outbox", "run", "--once", "--connections", "3",
                                 "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Sent 11, to retry later 0, failed 1."
    assert len(smtp_server.messages) == 11
    assert statuses(smtp_app) == Counter(sent=11, failed=1)


def test_status_lists_counts_and_each_failure_then_retry_requeues(smtp_app, smtp_server,
                                                                  runner):
    ids = queue_messages(smtp_app, 3)
    smtp_server.reject_recipient("attendee0@example.org")
    smtp_server.fail_next(1, permanent=True)
    runner.invoke(args=["outbox", "run", "--once"])

    status = runner.invoke(args=["outbox", "status"]).output
    assert re.search(r"^Sent +1$", status, re.M) and re.search(r"^Failed +2$", status, re.M)
    assert re.search(r"^Pending +0$", status, re.M)
    assert f"#{ids[0]} booking_confirmed to attendee0@example.org" in status
    assert "attendee0@example.org refused: 550 5.1.1" in status
    assert "554 5.6.0 Message content rejected" in status

    refused = runner.invoke(args=["outbox", "retry", "--id", str(ids[2])])
    assert refused.exit_code == 1
    assert f"Message #{ids[2]} has not failed (it is sent)" in refused.output
    assert runner.invoke(args=["outbox", "retry", "--id", "999999"]).exit_code == 1

    one = runner.invoke(args=["outbox", "retry", "--id", str(ids[1])])
    assert one.exit_code == 0 and f"Requeued message #{ids[1]}" in one.output
    assert statuses(smtp_app) == Counter(sent=1, failed=1, pending=1)
    assert runner.invoke(args=["outbox", "retry"]).output.strip() == (
        "Requeued 1 failed message(s).")
    smtp_server.rejected_recipients.clear()
    runner.invoke(args=["outbox", "run", "--once"])
    assert statuses(smtp_app) == Counter(sent=3)
    rows = by_id(outbox(smtp_app))
    assert sorted(smtp_server.message_ids()) == sorted(r.message_id for r in rows.values())


def test_retry_never_requeues_mail_held_back_for_an_erased_person(smtp_app, runner):
    from eventsite.outbox.services import ERASED_MESSAGE_NOTE

    held, failed = queue_messages(smtp_app, 2)
    with smtp_app.app_context():
        for message_id, error in ((held, ERASED_MESSAGE_NOTE), (failed, "554 rejected")):
            message = db.session.get(OutboxMessage, message_id)
            message.status, message.last_error = "failed", error
        db.session.commit()
    assert runner.invoke(args=["outbox", "retry"]).output.strip() == (
        "Requeued 1 failed message(s).")
    refused = runner.invoke(args=["outbox", "retry", "--id", str(held)])
    assert refused.exit_code == 1
    assert f"Message #{held} is held back: {ERASED_MESSAGE_NOTE}" in refused.output
    assert by_id(outbox(smtp_app))[held].status == "failed"
    assert by_id(outbox(smtp_app))[failed].status == "pending"


@pytest.mark.parametrize("connections", [1, 3])
def test_worker_killed_mid_batch_loses_nothing_when_restarted(app, smtp_server, connections):
    ids = queue_messages(app, 20)
    smtp_server.delay = 0.15
    env = worker_env(app, smtp_server, OUTBOX_LEASE_SECONDS=2)
    options = ("--batch-size", "5", "--poll-interval", "0.1", "--connections", str(connections))
    worker = start_worker(env, *options)
    smtp_server.wait_for(4)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    killed_at = statuses(app)
    assert killed_at["sending"] > 0 and killed_at["sent"] < 20  # it died holding a batch

    smtp_server.delay = 0
    restarted = start_worker(env, *options)
    wait_until(lambda: statuses(app)["sent"] == 20, "20 emails sent", timeout=30)
    stop_worker(restarted, timeout=10)

    expected = {row.message_id for row in by_id(outbox(app)).values()}
    received = Counter(smtp_server.message_ids())
    assert set(received) == expected and len(expected) == len(ids)
    # Only the message in flight on each connection can have arrived twice.
    assert sum(received.values()) - len(received) <= connections


@pytest.mark.parametrize("connections", [1, 3])
def test_sigterm_finishes_the_message_in_hand_and_exits_cleanly(app, smtp_server,
                                                                connections):
    queue_messages(app, 30)
    smtp_server.delay = 0.1
    worker = start_worker(worker_env(app, smtp_server), "--batch-size", "5",
                          "--connections", str(connections))
    smtp_server.wait_for(2)
    out, err = stop_worker(worker, timeout=10)
    assert err.count("Stopping after the message in hand (SIGTERM).") == 1
    assert "Outbox worker stopped." in out
    counts = statuses(app)
    assert counts["sending"] == 0  # the rest of every batch was handed back
    assert counts["sent"] == len(smtp_server.messages) and counts["pending"] > 0


def test_two_workers_drain_a_thousand_messages_each_sent_exactly_once(app, smtp_server):
    env = worker_env(app, smtp_server)
    workers = [start_worker(env, "--batch-size", "20", "--poll-interval", "0.1")
               for _ in range(2)]
    for worker in workers:  # both up and polling before any mail is queued
        assert worker.stdout.readline().startswith("Outbox worker started")
    queue_messages(app, 1000)
    wait_until(lambda: statuses(app)["sent"] == 1000, "1000 emails sent", timeout=90,
               interval=0.25)
    outputs = []
    for worker in workers:
        out, _err = stop_worker(worker)
        outputs.append(sum(int(n) for n in re.findall(r"^Sent (\d+)", out, re.M)))

    received = Counter(smtp_server.message_ids())
    assert len(received) == 1000 and set(received.values()) == {1}
    assert sum(outputs) == 1000 and min(outputs) > 0  # both workers took a share


def test_idle_worker_stops_at_once_on_sigterm_however_long_its_poll(app, smtp_server):
    worker = start_worker(worker_env(app, smtp_server), "--poll-interval", "60")
    assert worker.stdout.readline().startswith("Outbox worker started")
    # Not a wait for a result: a moment for the worker to reach its 60 s sleep between
    # polls, the case under test. Were SIGTERM to arrive sooner, it must still stop at once.
    time.sleep(0.5)
    started = time.monotonic()
    out, _err = stop_worker(worker, timeout=10)
    assert time.monotonic() - started < 5
    assert "Outbox worker stopped." in out


def test_progress_bar_on_a_terminal(app, smtp_server):
    queue_messages(app, 5)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run", "--once"],
        cwd=ROOT, env=worker_env(app, smtp_server), stdout=secondary, stderr=secondary,
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed: the process has finished
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=20) == 0
    text = output.decode()
    assert "Sending" in text and "5/5" in text
    assert "Sent 5, to retry later 0, failed 0." in text
