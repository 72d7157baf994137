"""Helpers for tests that need the real services: Postgres, Redis and Celery worker processes.

They skip on the embedded SQLite default; CI sets HALL_REQUIRE_SERVICES=1 so that a missing
service fails instead of skipping.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("HALL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"HALL_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def worker_env(broker: str, **extra: str) -> dict:
    """The environment of a worker process that works on the test database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        **extra,
    }


def start_worker(env: dict, *, output=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hall",
            "worker",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
