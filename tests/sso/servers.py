"""Identity servers in a second process on loopback, for the sign-in tests.

Each is a small Django site run with ``runserver --noreload`` on a free port; the fixture waits
until the port answers (no fixed sleep) and stops the process by its id afterwards.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class DjangoSite:
    def __init__(self, settings_module: str, env: dict[str, str]):
        self.settings_module = settings_module
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            **env,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "PYTHONPATH": str(ROOT),
        }
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, deadline_seconds: float = 60) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Waiting on a condition: the port answering, or the process ending with its error.
        give_up = time.monotonic() + deadline_seconds
        while not _answers(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode())
            if time.monotonic() > give_up:
                self.stop()
                raise RuntimeError(f"{self.settings_module} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
