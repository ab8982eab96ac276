"""Shared pieces of the benchmarks: a gunicorn server on a fresh database, machine facts."""
from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python "
            f"{platform.python_version()}, {platform.system()} {platform.release()}")


class Server(str):
    """A gunicorn server's base URL, which also knows the server's process id."""

    pid: int


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user and system) used so far by these processes and their children."""
    ticks = os.sysconf("SC_CLK_TCK")
    wanted, total = set(pids), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid in wanted or parent in wanted:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server for {url} did not start")
            time.sleep(0.2)


@contextmanager
def gunicorn(app_spec: str, env: dict, *, workers: int = 2, threads: int = 1, cwd=ROOT,
             check_path: str = "/", start_seconds: float = 30):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app_spec, "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=cwd, env={**os.environ, **env},
    )
    base = Server(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        wait_for(base + check_path, process, start_seconds)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def app_env(database_url: str, tmp: Path) -> dict:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-secret-key-not-for-production",
        "RATELIMIT_ENABLED": "false",
        "MAIL_BACKEND": "file",
        "MAIL_FOLDER": str(tmp / "mail"),
        "UPLOAD_FOLDER": str(tmp / "uploads"),
        "FLASK_DEBUG": "0",
    }


def prepare_database(database_url: str, tmp: Path) -> None:
    """Schema by the migrations, then the demo content."""
    env = {**os.environ, **app_env(database_url, tmp), "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([*flask, "demo", "--force"], cwd=ROOT, env=env, check=True, capture_output=True)
