"""A done (办结) incoming document is filed in the archives by a task after commit: its file or
scan, the handling trail as text (instructions, circulation reads, the answer), retention by
the rule; keyed ``documents.incoming:<pk>``, so running the task twice leaves one record."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from archives.models import Record
from documents import incoming as flow
from documents import incoming_filing, tasks
from documents.models import RetentionRule
from tests.documents.test_incoming import _through_to_instructed, arrived, clerks  # noqa: F401


def _done(office, incoming, *, read=True):
    incoming = _through_to_instructed(office, incoming)
    flow.circulation_send(
        incoming_id=incoming.pk, user=office["rhea"], readers=[office["lee"], office["otto"]]
    )
    if read:
        flow.circulation_read(incoming_id=incoming.pk, user=office["lee"])
    flow.incoming_assign(
        incoming_id=incoming.pk, user=office["rhea"], lead_unit=office["finance"], days=3
    )
    return flow.incoming_finish(incoming_id=incoming.pk, user=office["rhea"], answer="已完成自查")


def _files(record):
    return {f.name: f.file.read().decode() for f in record.files.all() if f.name.endswith("txt")}


def test_closing_files_it_once_with_its_trail(
    clerks,  # noqa: F811
    arrived,  # noqa: F811
    django_capture_on_commit_callbacks,
    celery_eager,
    settings,
    tmp_path,
):
    office = clerks
    settings.MEDIA_ROOT = tmp_path
    # given: an incoming document with a scan, instructed, sent round and assigned
    incoming = arrived()
    incoming.file.save("scan.pdf", ContentFile(b"%PDF-1.4\n%scan\n"))
    # when: it is closed, and the task after commit runs; then it runs again
    with django_capture_on_commit_callbacks(execute=True):
        done = _done(office, incoming)
    filed = Record.objects.filter(source_ref=f"documents.incoming:{done.pk}").exists()
    code = tasks.file_incoming(done.pk)
    # then: one record, keyed by the incoming document, with the scan and the trail
    record = Record.objects.get(source_ref=f"documents.incoming:{done.pk}")
    assert Record.objects.filter(source_ref__startswith="documents.incoming:").count() == 1
    assert filed, "the task after commit filed it"
    assert code == record.code
    names = set(record.files.values_list("name", flat=True))
    assert f"{done.number}-scan.pdf" in names
    trail = _files(record)[f"{done.number}-办理记录.txt"]
    assert "批示" in trail and "请教务处牵头落实。" in trail
    assert "传阅" in trail and "（未阅）" in trail  # otto has not read it
    assert trail.count("传阅") == 2
    assert "办结" in trail and "已完成自查" in trail
    assert record.metadata["incoming_number"] == done.number
    assert record.retention == "D30"


def test_an_open_document_is_not_filed(clerks, arrived):  # noqa: F811
    # given: an incoming document still being handled
    incoming = _through_to_instructed(clerks, arrived())
    # when
    made = tasks.file_incoming(incoming.pk)
    # then
    assert made == ""
    assert not Record.objects.filter(source_ref=f"documents.incoming:{incoming.pk}").exists()


def test_retention_follows_the_rule(clerks, arrived):  # noqa: F811
    # given: a 请示 arrives; the admin keeps 请示 permanently
    RetentionRule.objects.create(doc_type="request", retention="Y")
    request = arrived(title="关于增设专业的请示", is_request=True)
    plain = arrived(title="关于会议安排的通知")
    # then
    assert incoming_filing.retention_of(request) == "Y"
    assert incoming_filing.retention_of(plain) == "D30"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_shows_the_archival_code_once_filed(
    client,
    clerks,  # noqa: F811
    arrived,  # noqa: F811
    django_capture_on_commit_callbacks,
    celery_eager,
    settings,
    language,
):
    office = clerks
    # given: a closed, filed incoming document
    with django_capture_on_commit_callbacks(execute=True):
        done = _done(office, arrived())
    record = Record.objects.get(source_ref=f"documents.incoming:{done.pk}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(office["rhea"])
    # when
    page = client.get(reverse("documents:incoming-detail", args=[done.pk]))
    # then
    assert page.status_code == 200
    assert record.code in page.content.decode()
    label = "Archival code (档号)" if language == "en" else "档号"
    assert label in page.content.decode()
