"""Event page requests per second against a bare Flask hello-world, same gunicorn settings.

wrk from Debian drives both, alternating A/B rounds; the figure is the median of the
per-round ratios (event page / hello-world). Goal: at least 0.6.

    .venv/bin/python bench/event_page.py [--rounds 5] [--seconds 5]
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from common import app_env, gunicorn, machine, prepare_database

HELLO = '''from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
'''


def wrk(url: str, seconds: int, connections: int, *headers: str) -> float:
    extra = [arg for header in headers for arg in ("-H", header)]
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *extra, url],
        check=True, capture_output=True, text=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"errors while measuring {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "hello.py").write_text(HELLO)
        database_url = f"sqlite:///{tmp / 'bench.db'}"
        prepare_database(database_url, tmp)
        with gunicorn("hello:app", {}, workers=args.workers, cwd=tmp) as hello, \
                gunicorn("wsgi:app", app_env(database_url, tmp), workers=args.workers,
                         check_path="/healthz") as site:
            page = site + "/events/spin-out-mutuals"
            wrk(hello + "/", 1, args.connections)  # warm up both
            wrk(page, 1, args.connections)
            rounds = []
            for n in range(args.rounds):
                order = [("hello", hello + "/"), ("event", page)]
                if n % 2:
                    order.reverse()
                rates = {name: wrk(url, args.seconds, args.connections) for name, url in order}
                # A reader with a session cookie is never served from the page cache: this
                # is the cost of rendering the page from the database every time.
                rates["uncached"] = wrk(page, args.seconds, args.connections, "Cookie: a=b")
                rounds.append(rates)
                print(f"round {n + 1}: hello-world {rates['hello']:.0f} req/s, event page "
                      f"{rates['event']:.0f} req/s, ratio {rates['event'] / rates['hello']:.2f}; "
                      f"rendered every time {rates['uncached']:.0f} req/s")
    ratio = statistics.median(r["event"] / r["hello"] for r in rounds)
    result = {
        "hello_rps": statistics.median(r["hello"] for r in rounds),
        "event_rps": statistics.median(r["event"] for r in rounds),
        "ratio": ratio,
        "uncached_rps": statistics.median(r["uncached"] for r in rounds),
        "uncached_ratio": statistics.median(r["uncached"] / r["hello"] for r in rounds),
        "settings": f"gunicorn {args.workers} sync workers; wrk 2 threads, "
                    f"{args.connections} connections, {args.seconds} s x {args.rounds} rounds",
    }
    print(f"median: event page {result['event_rps']:.0f} req/s, hello-world "
          f"{result['hello_rps']:.0f} req/s, ratio {ratio:.2f} (goal >= 0.6)")
    print(f"rendered every time (no page cache): {result['uncached_rps']:.0f} req/s, ratio "
          f"{result['uncached_ratio']:.2f}")
    print(f"machine: {machine()}")
    return result


if __name__ == "__main__":
    main()
