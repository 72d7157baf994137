"""Behaviour that depends on the real services: row locks on Postgres, a Celery worker on Redis.

Skipped on the embedded SQLite default; CI sets HALL_REQUIRE_SERVICES=1 so that a missing
Postgres or Redis fails instead of skipping.
"""

import hashlib
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.chains import FINANCE, HEAD
from tests.real_parts import require, start_worker, stop, worker_env
from workflows import services
from workflows.models import ApprovalRecord, ApprovalTask, ServiceRequest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres():
    require(connection.vendor == "postgresql", "needs Postgres (set DATABASE_URL)")


@pytest.fixture
def redis_broker():
    require(bool(settings.CELERY_BROKER_URL), "needs a Redis broker (set REDIS_URL)")


def click_together(task, user, actions: list[str]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def click(action):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(
                task.get_absolute_url(),
                {"op": "decide", "action": action, "comment": "理由"},
                follow=True,
            )
            outcomes.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_people_deciding_one_task_at_once_make_one_decision(
    transactional_db, postgres, make_chain, people
):
    with translation.override("zh-hans"):
        already_handled = gettext("This task has already been handled; nothing was changed.")
    service = make_chain([HEAD, FINANCE])
    for round_ in range(50):
        # given: one task, and the same approver on two devices
        req = services.request_submit(
            service=service,
            applicant=people["alice"],
            form_data={},
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )
        task = ApprovalTask.objects.get(request=req)
        # when: both click at once (one approves, the other rejects)
        outcomes = click_together(task, people["hank"], ["approve", "reject"])
        # then: exactly one decision, and the other person is told, never a 500
        decisions = ApprovalRecord.objects.filter(request=req, action__in=["approve", "reject"])
        assert decisions.count() == 1, round_
        assert sorted(code for code, _ in outcomes) == [200, 200], round_
        told = [html for _, html in outcomes if already_handled in html]
        assert len(told) == 1, round_
        status = ServiceRequest.objects.get(pk=req.pk).status
        assert status in ("in_progress", "rejected")


def test_a_real_celery_worker_renders_the_approved_pdf(
    transactional_db, postgres, redis_broker, make_chain, people, tmp_path, settings
):
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = False
    env = worker_env(settings.CELERY_BROKER_URL, MEDIA_ROOT=str(tmp_path))
    from hall.celery import app

    app.control.purge()  # tasks other tests enqueued with no worker to run them
    worker = start_worker(env, output=subprocess.PIPE)
    try:
        service = make_chain([HEAD], name_zh="领导干部因私出国（境）申请表")
        req = services.request_submit(
            service=service,
            applicant=people["alice"],
            form_data={"name": "张爱丽"},
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )
        task = ApprovalTask.objects.get(request=req)
        services.task_decide(
            task_id=task.pk, user=people["hank"], action="approve", comment="同意出访"
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            req.refresh_from_db()
            if req.pdf:
                break
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.5)
        assert req.pdf, "the worker did not render the PDF in time"
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", req.pdf.path, "-"], capture_output=True, check=True
        ).stdout.decode()
        flat = "".join(text.split())
        assert "领导干部因私出国（境）申请表" in flat
        assert req.number in flat
        assert "同意出访" in flat and "韩科" in flat
        assert req.pdf_sha256 in flat
        # the worker filed it in the archives in the same transaction, with the PDF's checksum
        from archives.models import Record

        record = Record.objects.get(source_ref=f"workflows.request:{req.pk}")
        pdf_file = record.files.get(name=f"{req.number}.pdf")
        assert pdf_file.sha256 == hashlib.sha256(Path(req.pdf.path).read_bytes()).hexdigest()
        # running the task again changes nothing
        assert services.request_render_pdf(request_id=req.pk) == req.pdf_sha256
        assert Record.objects.filter(source_ref=record.source_ref).count() == 1
    finally:
        stop(worker)


def test_two_beat_ticks_at_once_send_each_reminder_once(
    transactional_db, postgres, make_chain, people, submit
):
    from datetime import timedelta

    from django.utils import timezone

    from hall.models import Notification
    from workflows.models import ReminderLog
    from workflows.reminders import reminders_tick

    service = make_chain([{**HEAD, "time_limit_days": 1}])
    for _ in range(40):
        submit(service)
    later = timezone.now() + timedelta(days=10)
    barrier = threading.Barrier(2)
    results = []

    def tick():
        barrier.wait()
        try:
            results.append(reminders_tick(now=later))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["overdue"] for r in results) == 40
    assert ReminderLog.objects.filter(kind="overdue").count() == 40
    assert Notification.objects.filter(kind="overdue", recipient=people["hank"]).count() == 40
    assert sum(reminders_tick(now=later).values()) == 0


def test_submissions_at_once_get_distinct_consecutive_numbers(
    transactional_db, postgres, make_chain, people, submit, monkeypatch
):
    # given: two people submitting at the same moment, twelve times each, and a back office that
    # refuses every third submission (its transaction rolls back after taking a number)
    service = make_chain([HEAD])
    real_submitted = services.handoffs.submitted
    refused = []

    def sometimes_refuse(request):
        if request.form_data.get("amount") == "refuse":
            raise services.handoffs.HandoffError("refused")
        real_submitted(request)

    monkeypatch.setattr(services.handoffs, "submitted", sometimes_refuse)
    barrier = threading.Barrier(2)

    def submit_many():
        barrier.wait()
        try:
            for n in range(12):
                try:
                    submit(service, amount="refuse" if n % 3 == 2 else "100")
                except services.RequestError:
                    refused.append(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit_many) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: 16 requests numbered 1…16 of the day, none skipped, none twice
    numbers = sorted(ServiceRequest.objects.values_list("number", flat=True))
    assert len(refused) == 8
    assert [int(n[-7:]) for n in numbers] == list(range(1, 17))
    assert len({n[:-7] for n in numbers}) == 1
