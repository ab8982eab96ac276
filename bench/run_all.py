"""`make bench`: every benchmark in one run, written into docs/BENCHMARKS.md.

Each benchmark is its own script and prints its own figures; this runs them one after
another on this machine and puts the figures beside their goals between the markers in
docs/BENCHMARKS.md, leaving the notes around them as they are. PostgreSQL figures need
TEST_DATABASE_URL (a server URL; each benchmark makes and drops its own database).
"""
from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

from common import ROOT, machine

HERE = Path(__file__).resolve().parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def run(script: str, *args: str) -> str:
    print(f"$ bench/{script} {' '.join(args)}", flush=True)
    output = subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE,
                            check=True, capture_output=True, text=True).stdout
    print(output, flush=True)
    return output


def figure(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else "not measured"


def outbox_rows(outputs: dict[str, str]) -> list[tuple[str, str, str]]:
    """The outbox's figure on each database it ran on, with the connections it used."""
    rows = []
    for label in ("outbox, SQLite", "outbox, PostgreSQL"):
        if label in outputs:
            connections = figure(r"outbox over (\d+) SMTP connections", outputs[label])
            rows.append((f"Outbox over {connections} SMTP connections against raw smtplib over "
                         f"one, {label.split(', ')[1]}: median ratio",
                         figure(r"ready-made bytes: ([\d.]+)", outputs[label]), "at least 0.6"))
    return rows


def rush_rows(output: str) -> list[tuple[str, str, str]]:
    """The rush on each database it ran on: its outcome, bookings and pages against goals."""
    rows = []
    for label, servers in (("SQLite", "one server"), ("PostgreSQL", "two servers")):
        if f"{label} rush:" not in output:
            continue
        outcome = figure(rf"{label} rush: (confirmed \d+) .*?(?=, waiting)", output)
        errors = figure(rf"{label} rush: .*?(errors \d+)", output)
        rate = figure(rf"{label} rush: .*?([\d.]+ bookings/s)", output)
        section = rf"{label}, .*\n(?:  .*\n)*?"  # the lines under this database's heading
        limit = figure(section + r"  limit \(bare lock \+ insert\): ([\d.]+ bookings/s)", output)
        rows += [
            (f"Rush, {label} ({servers}): 2,000 people for 500 places through the form",
             f"{outcome}, {errors}", "exactly 500 confirmed, no errors"),
            (f"Rush, {label}: bookings/s over a bare lock-and-insert endpoint "
             f"({rate} against {limit})",
             figure(rf"{label} bookings/s over the limit: ([\d.]+)", output), "at least 0.5"),
            (f"Rush, {label}: event page requests/s during the rush over hello-world",
             figure(rf"{label} event page during the rush: .*?ratio ([\d.]+)", output),
             "at least 0.5"),
            (f"Rush, {label}: the servers' CPU a person, the rush's against the limit's "
             "(pages served meanwhile included)",
             figure(rf"{label} rush: .*\n    CPU a person: servers ([\d.]+ ms)", output)
             + " against " + figure(section + r"  limit .*\n    CPU a person: servers "
                                    r"([\d.]+ ms)", output),
             "none; for context"),
            (f"Rush, {label}: event page requests/s over hello-world alone, and during the "
             "limit's crowd",
             figure(section + r"  event page alone .*?ratio to hello-world ([\d.]+)", output)
             + ", " + figure(section + r"  limit .*ratio to hello-world ([\d.]+)", output),
             "none; for context"),
        ]
    return rows


def main() -> None:
    postgres = os.environ.get("TEST_DATABASE_URL")
    outputs = {
        "event page": run("event_page.py"),
        "booking race": run("booking_race.py"),
        "rush": run("rush.py"),
        "booking cost": run("booking_cost.py"),
        "csv export": run("csv_export.py"),
        "outbox, SQLite": run("outbox_vs_smtplib.py"),
    }
    if postgres:
        outputs["outbox, PostgreSQL"] = run("outbox_vs_smtplib.py", "--server", postgres)
    page, race, export = outputs["event page"], outputs["booking race"], outputs["csv export"]
    rows = [
        ("Event page requests/s over a bare Flask hello-world (median of A/B rounds)",
         figure(r"ratio ([\d.]+) \(goal", page), "at least 0.6"),
        ("Event page rendered every time (a reader with a session cookie): ratio",
         figure(r"no page cache\): .*ratio ([\d.]+)", page), "at least 0.3"),
        ("60 bookers racing for 20 places, SQLite: wall time, 5xx answers",
         figure(r"SQLite: .*? in ([\d.]+ s, bookings .*?, 5xx answers \d+)", race),
         "exactly 20 confirmed, no errors"),
        ("60 bookers racing for 20 places, PostgreSQL: wall time, 5xx answers",
         figure(r"PostgreSQL: .*? in ([\d.]+ s, bookings .*?, 5xx answers \d+)", race),
         "exactly 20 confirmed, no errors"),
        ("CSV export of 100,000 bookings: time, and against `sqlite3 -csv`",
         figure(r"export of 100,000 rows: ([\d.]+ s)", export) + ", "
         + figure(r"export takes ([\d.]+x as long)", export), "none; for context"),
        ("CSV export peak memory, 10,000 -> 100,000 rows (tracemalloc)",
         figure(r"traced ([\d.]+ -> [\d.]+ MB)", export), "flat, under 30 MB"),
    ]
    rows += rush_rows(outputs["rush"])
    cost = outputs["booking cost"]
    rows.append((
        "One person's form and booking in one process, SQLite: with a place, on the waiting "
        "list, and the limit's (`bench/booking_cost.py`)",
        ", ".join(figure(pattern, cost) for pattern in (
            r"with a place: ([\d.]+ ms)", r"waiting list: ([\d.]+ ms)", r"limit .*?: ([\d.]+ ms)")),
        "none; for context"))
    rows += outbox_rows(outputs)
    table = "\n".join(f"| {what} | {value} | {goal} |" for what, value, goal in rows)
    printed = "\n\n".join(f"`{name}`:\n\n```\n{text.strip()}\n```" for name, text in
                          outputs.items())
    results = f"""{START}
Measured by `make bench` on {datetime.date.today():%d %B %Y}, all in one run, on:
{machine()}.

| benchmark | figure | goal |
| --- | --- | --- |
{table}

What each benchmark printed:

{printed}
{END}"""
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n" + START + END + "\n"
    if START not in text:
        text = text.replace("# Benchmarks\n", f"# Benchmarks\n\n{START}{END}\n", 1)
    DOC.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: results, text,
                          flags=re.S))
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
