"""The approval PDF on disk: written whole or not at all, one file per request, orphans swept;
a PDF whose task was lost is queued again after two minutes, once."""

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from archives.models import Record
from tests.chains import HEAD
from workflows import services
from workflows.models import ApprovalTask, ServiceRequest
from workflows.reminders import pdf_orphans_sweep, reminders_tick

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=SH)


@pytest.fixture
def approved_without_pdf(make_chain, submit, people, settings, tmp_path):
    """Approved at T0; its PDF task never ran (on-commit callbacks do not run in this test)."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(T0, tick=False):
        req = submit(make_chain([HEAD]))
        task = ApprovalTask.objects.get(request=req)
        services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    req.refresh_from_db()
    assert req.status == "approved" and not req.pdf
    return req


def files_under(root) -> list[str]:
    """The approval PDFs' folder only (the archives keep their own copy elsewhere)."""
    return sorted(str(p.relative_to(root)) for p in (root / "approved").rglob("*") if p.is_file())


def test_a_crash_while_writing_the_pdf_leaves_no_file_and_the_row_unchanged(
    approved_without_pdf, tmp_path, monkeypatch
):
    # given: the disk fails halfway through the file
    def half_then_crash(handle, data):
        handle.write(data[: len(data) // 2])
        raise OSError("the disk went away")

    monkeypatch.setattr(services, "_write_pdf_bytes", half_then_crash)
    # when
    with pytest.raises(OSError):
        services.request_render_pdf(request_id=approved_without_pdf.pk)
    # then: nothing on disk, the row as it was, nothing filed
    assert files_under(tmp_path) == []
    row = ServiceRequest.objects.get(pk=approved_without_pdf.pk)
    assert row.pdf.name == "" and row.pdf_sha256 == ""
    assert Record.objects.count() == 0
    # when: the next run writes normally, and a duplicate run follows it
    monkeypatch.undo()
    digest = services.request_render_pdf(request_id=approved_without_pdf.pk)
    assert services.request_render_pdf(request_id=approved_without_pdf.pk) == digest
    # then: exactly one file, the one the row points to, filed once
    row.refresh_from_db()
    assert files_under(tmp_path) == [row.pdf.name]
    assert row.pdf.name.endswith(f"{row.number}.pdf")
    assert (tmp_path / row.pdf.name).read_bytes().startswith(b"%PDF-")
    assert Record.objects.filter(source_ref=f"workflows.request:{row.pk}").count() == 1


def test_a_pdf_whose_row_does_not_commit_is_removed(approved_without_pdf, tmp_path, monkeypatch):
    # given: the file is in place, then the filing fails and the row rolls back
    def filing_fails(**kwargs):
        raise RuntimeError("the archives refused")

    monkeypatch.setattr(services, "request_file_in_archives", filing_fails)
    # when
    with pytest.raises(RuntimeError):
        services.request_render_pdf(request_id=approved_without_pdf.pk)
    # then
    assert files_under(tmp_path) == []
    assert ServiceRequest.objects.get(pk=approved_without_pdf.pk).pdf.name == ""


def test_the_sweep_removes_old_files_no_request_points_to(approved_without_pdf, tmp_path):
    # given: the request's real PDF, an orphan from a crash, a half-written part, a fresh part
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        services.request_render_pdf(request_id=approved_without_pdf.pk)
    kept = ServiceRequest.objects.get(pk=approved_without_pdf.pk).pdf.name
    folder = (tmp_path / kept).parent
    orphan = folder / "R-crashed.pdf"
    part = folder / ".R-other.pdf.x1.part"
    fresh = folder / ".R-busy.pdf.x2.part"
    for path in (orphan, part, fresh):
        path.write_bytes(b"")
    two_hours_ago = (T0 - timedelta(hours=2)).timestamp()
    for path in (tmp_path / kept, orphan, part):
        os.utime(path, (two_hours_ago, two_hours_ago))
    os.utime(fresh, (T0.timestamp(), T0.timestamp()))
    # when
    removed = pdf_orphans_sweep(now=T0 + timedelta(minutes=10))
    # then
    relative = str(folder.relative_to(tmp_path))
    assert sorted(removed) == [f"{relative}/{part.name}", f"{relative}/{orphan.name}"]
    assert files_under(tmp_path) == sorted([kept, f"{relative}/{fresh.name}"])


def test_a_missing_pdf_is_queued_again_after_two_minutes_once_even_with_two_ticks(
    approved_without_pdf, monkeypatch
):
    # given
    queued = []
    monkeypatch.setattr(services, "enqueue_pdf", queued.append)
    pk = approved_without_pdf.pk
    # when / then: a minute after the approval the first task may still be running
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        reminders_tick()
    assert queued == []
    # when / then: at 2.5 minutes it is queued again, once, however many ticks run
    with time_machine.travel(T0 + timedelta(minutes=2, seconds=30), tick=False):
        reminders_tick()
        reminders_tick()
    assert queued == [pk]
    # and again only two minutes after that
    with time_machine.travel(T0 + timedelta(minutes=4), tick=False):
        reminders_tick()
    assert queued == [pk]
    with time_machine.travel(T0 + timedelta(minutes=4, seconds=40), tick=False):
        reminders_tick()
    assert queued == [pk, pk]
