"""With the broker away an approval commits at once: the publish makes one connection attempt
and gives up, and the tick and the outbox sweep send what was not queued."""

import socket
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import redis.connection
import time_machine

from hall.models import Delivery
from tests.chains import HEAD
from workflows import services, tasks
from workflows.models import ApprovalTask
from workflows.reminders import reminders_tick

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=SH)


def reset_pools(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The hall's Celery app publishes to a port that was bound and closed: nobody listens."""
    from hall.celery import app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.task_always_eager = False
    reset_pools(app)
    yield app
    app.conf.broker_url, app.conf.task_always_eager = before
    reset_pools(app)


@pytest.fixture
def connect_attempts():
    attempts = []
    original = redis.connection.Connection._connect

    def counting(self):
        attempts.append(self.port)
        return original(self)

    with mock.patch.object(redis.connection.Connection, "_connect", counting):
        yield attempts


def test_the_settings_bound_every_publish():
    from hall.celery import app

    options = app.conf.broker_transport_options
    assert app.conf.task_publish_retry is False
    assert app.conf.broker_connection_timeout <= 0.5
    assert options["socket_connect_timeout"] <= 0.5 and options["max_retries"] == 0
    assert options["visibility_timeout"] == 300


def test_a_publish_to_a_closed_port_fails_after_one_connection_attempt(
    broker_down, connect_attempts
):
    # when
    with pytest.raises(Exception) as failed:  # noqa: B017 - kombu's OperationalError
        tasks.render_request_pdf.delay(1)
    # then: refused once, not retried (kombu's default is 3 more attempts with pauses)
    assert "refused" in str(failed.value).lower()
    assert len(connect_attempts) == 1


def test_an_approval_with_the_broker_down_commits_and_the_sweeps_send_it_later(
    broker_down,
    connect_attempts,
    make_chain,
    submit,
    people,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
    caplog,
):
    # given
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(T0, tick=False):
        req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    Delivery.objects.update(status=Delivery.Status.SENT)
    # when: the head approves while nobody listens on the broker's port
    with (
        time_machine.travel(T0 + timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    # then: the approval stands; each publish tried once and was left to the sweeps
    req.refresh_from_db()
    assert req.status == "approved" and not req.pdf
    assert "broker unavailable; the PDF of request" in caplog.text
    waiting = Delivery.objects.filter(status=Delivery.Status.PENDING)
    assert waiting.exists()
    assert len(connect_attempts) == 1 + waiting.count()
    # when: the broker is back (tasks run in process here) and the sweeps run
    broker_down.conf.task_always_eager = True
    with time_machine.travel(T0 + timedelta(minutes=3, seconds=30), tick=False):
        reminders_tick()
        from hall.notifications import deliveries_sweep

        deliveries_sweep()
    # then: the PDF is rendered and the message sent
    req.refresh_from_db()
    assert req.pdf and req.pdf_sha256
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
