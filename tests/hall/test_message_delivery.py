"""Messages over real parts: a Celery worker on Redis, an SMTP sink, a webhook receiver.

Each test runs the worker as a separate process against the test database. Skipped on the
embedded SQLite default; CI sets HALL_REQUIRE_SERVICES=1 so a missing service fails instead.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import Client

from hall.models import Delivery
from tests.chains import HEAD
from tests.real_parts import ROOT, require, start_worker, stop
from tests.real_parts import worker_env as base_env
from workflows.models import ApprovalTask


def worker_env(broker: str, sink_port: int, webhook_url: str = "") -> dict:
    return base_env(
        broker,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink_port),
        HALL_WEBHOOK_URL=webhook_url,
        HALL_OUTBOX_GRACE_SECONDS="0",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds: float = 60, what: str = "") -> None:
    """Polls a condition; the limit only bounds a failing test, never a passing one."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def answers(broker: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(broker, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def settle(broker: str, abandoned: int = 0) -> None:
    """Waits until the broker holds no message, queued or taken but unacknowledged.

    A duplicate send would have to come from such a message, so once none is left, what the
    sink holds is final: no fixed sleep that a busy machine could outrun. `abandoned` counts the
    messages a killed worker took with it: they stay unacknowledged until the visibility timeout.
    """
    import redis

    client = redis.Redis.from_url(broker)
    wait_for(
        lambda: client.llen("celery") == 0 and client.hlen("unacked") <= abandoned,
        what="the broker to drain",
    )


class Sink:
    """An SMTP server that keeps what it accepts; it can stall the first transaction."""

    def __init__(self, stall_first: float = 0):
        self.messages: list[bytes] = []
        self.stall_first = stall_first
        self.stalling = threading.Event()  # set once a client is inside the stalled transaction
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.stall_first:
            import asyncio

            stall, self.stall_first = self.stall_first, 0
            self.stalling.set()
            await asyncio.sleep(stall)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content)
        return "250 Message accepted"


class Receiver(BaseHTTPRequestHandler):
    posts: list[tuple[dict, dict]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.posts.append((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def sink():
    sink = Sink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


@pytest.fixture
def webhook():
    Receiver.posts = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/robot/send?key=test", Receiver.posts
    server.shutdown()


@pytest.fixture
def real_parts(transactional_db):
    require(connection.vendor == "postgresql", "needs Postgres (set DATABASE_URL)")
    from django.conf import settings

    require(bool(settings.CELERY_BROKER_URL), "needs a Redis broker (set REDIS_URL)")


def run_in_process(code: str, env: dict) -> subprocess.CompletedProcess:
    """Runs Django code in a fresh process (its own settings, e.g. a broker that is down)."""
    script = "import django, os\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "hall.settings"},
    )


def test_a_task_arrival_sends_one_mail_and_one_webhook_with_a_working_link(
    real_parts, sink, webhook, make_chain, submit, people, settings
):
    from hall.celery import app

    url, posts = webhook
    settings.HALL_WEBHOOK_URL = url
    hank = people["hank"]
    hank.email, hank.notify_by_webhook = "hank@example.edu", True
    hank.save()
    app.control.purge()
    worker = start_worker(worker_env(settings.CELERY_BROKER_URL, sink.port, url))
    try:
        req = submit(make_chain([HEAD], name_zh="出国申请"))
        wait_for(lambda: len(sink.messages) >= 1 and len(posts) >= 1, what="mail and webhook")
        settle(settings.CELERY_BROKER_URL)  # nothing more arrives
    finally:
        stop(worker)
    assert len(sink.messages) == 1 and len(posts) == 1
    headers, card = posts[0]
    assert card["msgtype"] == "textcard" and "出国申请" in card["textcard"]["title"]
    assert headers["X-Hall-Delivery"].endswith(":webhook")
    link = urlsplit(card["textcard"]["url"]).path
    assert link.encode() in sink.messages[0]
    client = Client()
    client.force_login(hank)
    landing = client.get(link, follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0] == ApprovalTask.objects.get(request=req).get_absolute_url()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_redis_down_during_an_approval_delays_the_message_and_loses_nothing(
    real_parts, sink, make_chain, submit, people, settings
):
    port = free_port()
    redis_cmd = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    broker = f"redis://127.0.0.1:{port}/0"
    alice = people["alice"]
    alice.email = "alice@example.edu"
    alice.save()
    req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    env = worker_env(broker, sink.port)
    redis = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
    worker = start_worker(env)
    try:
        wait_for(lambda: answers(broker), what="the private Redis")
        redis.terminate()
        redis.wait(timeout=10)
        # when: the approver approves while Redis is down
        done = run_in_process(
            "from unittest import mock\nimport redis.connection as rc\n"
            "from hall.celery import app\nfrom hall.models import User\n"
            "from workflows import services\n"
            "attempts, connect = [], rc.Connection._connect\n"
            "def counted(self):\n    attempts.append(1)\n    return connect(self)\n"
            f"hank = User.objects.get(pk={people['hank'].pk})\n"
            "with mock.patch.object(rc.Connection, '_connect', counted):\n"
            f"    services.task_decide(task_id={task.pk}, user=hank, action='approve')\n"
            "conf = app.conf\n"
            "print(len(attempts), conf.task_publish_retry, conf.broker_connection_timeout)\n",
            env,
        )
        # then: the approval commits and its message waits in the outbox; each publish (the
        # PDF, the message) tried the broker once and gave up, with no retry, and so did the
        # drop of the recipient's cached unread count after commit (hall.notifications)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["3", "False", "0.5"]
        req.refresh_from_db()
        assert req.status == "approved"
        waiting = Delivery.objects.get(notification__recipient=alice)
        assert waiting.status == "pending" and sink.messages == []
        # when Redis returns, the sweep sends it: exactly once
        redis = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
        wait_for(lambda: answers(broker), what="Redis to come back")
        sweep = run_in_process(
            "from hall.tasks import sweep_deliveries\nsweep_deliveries.delay()\n", env
        )
        assert sweep.returncode == 0, sweep.stderr
        wait_for(lambda: len(sink.messages) == 1, what="the delayed mail")
        settle(broker)
    finally:
        stop(worker)
        stop(redis)
    assert len(sink.messages) == 1
    assert Delivery.objects.get(pk=waiting.pk).status == "sent"


def test_a_worker_killed_while_sending_leaves_exactly_one_message(
    real_parts, make_chain, submit, people, settings
):
    from hall.celery import app

    sink = Sink(stall_first=8)  # the first SMTP transaction hangs: the worker dies inside it
    sink.controller.start()
    hank = people["hank"]
    hank.email = "hank@example.edu"
    hank.save()
    app.control.purge()
    env = worker_env(settings.CELERY_BROKER_URL, sink.port)
    first = start_worker(env)
    second = None
    try:
        submit(make_chain([HEAD]))
        delivery = Delivery.objects.get()
        # the worker has the task and is stuck talking to the mail server
        wait_for(sink.stalling.is_set, what="the worker inside the SMTP transaction")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert Delivery.objects.get(pk=delivery.pk).status == "pending"
        second = start_worker(env)
        sweep = run_in_process(
            "from hall.tasks import sweep_deliveries\nsweep_deliveries.delay()\n", env
        )
        assert sweep.returncode == 0, sweep.stderr
        wait_for(lambda: len(sink.messages) >= 1, what="the retried mail")
        settle(settings.CELERY_BROKER_URL, abandoned=1)
    finally:
        stop(first)
        if second:
            stop(second)
        sink.controller.stop()
    assert len(sink.messages) == 1
    assert Delivery.objects.get(pk=delivery.pk).status == "sent"
