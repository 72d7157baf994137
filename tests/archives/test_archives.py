"""The archives: archival codes, filing exactly once, fixity, the append-only log, who sees what."""

import re
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archives import services as archive
from archives.models import ArchiveEvent, Fonds, Record
from tests.archives.conftest import package
from tests.chains import HEAD
from workflows import services as engine
from workflows.models import ApprovalTask

CODE = re.compile(r"^Z001-WS·(\d{4})-(Y|D30|D10)(?:-([A-Z]{2,10}))?-(\d{4})$")


classes = st.tuples(
    st.sampled_from([2025, 2026]), st.sampled_from(["Y", "D30", "D10"]), st.sampled_from([0, 1, 2])
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=st.lists(classes, min_size=1, max_size=25))
def test_codes_match_the_pattern_are_unique_and_gap_free(fonds, school, research_dept, plan):
    Record.objects.all().delete() if connection.vendor != "postgresql" else None
    departments = [None, school.pk, research_dept.pk]
    with transaction.atomic():
        made = [
            archive.record_file(package=package(i, year=y, retention=r, department=departments[d]))
            for i, (y, r, d) in enumerate(plan)
        ]
        codes = [m.code for m in made]
        assert len(set(codes)) == len(codes)
        by_class = {}
        for record in made:
            match = CODE.match(record.code)
            assert match, record.code
            year, retention, org, item = match.groups()
            assert (int(year), retention, org or "") == (
                record.year,
                record.retention,
                record.org_code,
            )
            by_class.setdefault((year, retention, org), []).append(int(item))
        for numbers in by_class.values():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))
        transaction.set_rollback(True)


def test_a_code_never_changes_after_edits(fonds):
    record = archive.record_file(package=package(1))
    code = record.code
    record.title, record.year, record.retention = "改名", 1999, "Y"
    record.save()
    record.refresh_from_db()
    assert record.code == code


def test_a_package_is_filed_once(fonds):
    first = archive.record_file(package=package(1, source="x:1"))
    second = archive.record_file(package=package(1, source="x:1"))
    assert first.pk == second.pk and Record.objects.count() == 1


def test_an_approved_request_files_itself_exactly_once(
    client,
    make_chain,
    submit,
    people,
    fonds,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    settings.MEDIA_ROOT = tmp_path
    req = submit(make_chain([HEAD], name_zh="出国申请"))
    with django_capture_on_commit_callbacks(execute=True):
        engine.task_decide(
            task_id=ApprovalTask.objects.get(request=req).pk, user=people["hank"], action="approve"
        )
    record = Record.objects.get(source_ref=f"workflows.request:{req.pk}")
    assert "出国申请" in record.title and record.doc_number == req.number
    assert record.files.get().name == f"{req.number}.pdf" and record.pages >= 1
    req.refresh_from_db()
    engine.request_render_pdf(request_id=req.pk)  # the task again
    engine.request_file_in_archives(request=req)
    assert Record.objects.count() == 1
    assert ArchiveEvent.objects.filter(kind="capture").count() == 1
    # the applicant's request page says where it went
    client.force_login(people["alice"])
    assert record.code in client.get(req.get_absolute_url()).content.decode()


def test_fixity_catches_a_changed_byte_and_a_missing_file(fonds, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    changed = archive.record_file(package=package(1))
    missing = archive.record_file(package=package(2))
    intact = archive.record_file(package=package(3))
    path = Path(changed.files.get().file.path)
    data = bytearray(path.read_bytes())
    data[0] ^= 1
    path.write_bytes(bytes(data))
    Path(missing.files.get().file.path).unlink()
    report = archive.fixity_check()
    assert report == {"changed": [changed.code], "missing": [missing.code]}
    assert intact.files.get().intact
    assert not changed.files.get().intact
    assert ArchiveEvent.objects.filter(kind="fixity").count() == 2


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger and row locks are Postgres features")


def test_the_event_log_refuses_update_and_delete(fonds, postgres):
    record = archive.record_file(package=package(1))
    event = ArchiveEvent.objects.get(record=record)
    from django.db import DatabaseError

    for statement in (
        lambda: ArchiveEvent.objects.filter(pk=event.pk).update(kind="view"),
        lambda: ArchiveEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement()
    assert ArchiveEvent.objects.get(pk=event.pk).kind == "capture"


def test_two_filings_at_once_get_consecutive_numbers(transactional_db, postgres):
    Fonds.objects.create(code="Z001", name="本校全宗")
    barrier = threading.Barrier(2)
    codes = []

    def file_many(offset):
        barrier.wait()
        try:
            for n in range(15):
                codes.append(archive.record_file(package=package(offset + n)).code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_many, args=(i * 100,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(int(code[-4:]) for code in codes)
    assert numbers == list(range(1, 31))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("archivist", 200), ("faculty", 404), ("outsider", 404), ("anonymous", 302)],
)
def test_records_and_files_answer_only_archivists(
    client, fonds, archivist, people, persona, expected, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    record = archive.record_file(package=package(1))
    who = {"archivist": archivist, "faculty": people["alice"], "outsider": people["charlie"]}
    if persona in who:
        client.force_login(who[persona])
    for url in (
        reverse("archives:record-list"),
        record.get_absolute_url(),
        record.files.get().get_absolute_url(),
    ):
        assert client.get(url).status_code == expected, url


def test_views_and_downloads_are_logged(client, fonds, archivist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record = archive.record_file(package=package(1))
    client.force_login(archivist)
    client.get(record.get_absolute_url())
    b"".join(client.get(record.files.get().get_absolute_url()).streaming_content)
    assert list(record.events.values_list("kind", flat=True)) == ["capture", "view", "download"]


@pytest.mark.parametrize("count", [1, 50], ids=["1-record", "50-records"])
@pytest.mark.parametrize("query", ["", "?q=文件&year=2026&retention=D30"], ids=["list", "search"])
def test_record_list_and_search_query_counts(
    client, django_assert_num_queries, fonds, archivist, count, query
):
    for n in range(count):
        archive.record_file(package=package(n))
    client.force_login(archivist)
    # user, bell, archivist check, departments, count, page
    with django_assert_num_queries(6):
        response = client.get(reverse("archives:record-list") + query)
    assert len(response.context["page"].object_list) == min(count, 20)


def test_the_filed_pdf_is_structurally_pdf_a(
    make_chain,
    submit,
    people,
    fonds,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    import pikepdf

    settings.MEDIA_ROOT = tmp_path
    req = submit(make_chain([HEAD], name_zh="出国申请"))
    with django_capture_on_commit_callbacks(execute=True):
        engine.task_decide(
            task_id=ApprovalTask.objects.get(request=req).pk, user=people["hank"], action="approve"
        )
    stored = Record.objects.get().files.get()
    with pikepdf.open(stored.file.path) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert "/OutputIntents" in pdf.Root
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descendant = font.get("/DescendantFonts")
                descriptor = (descendant[0] if descendant else font).FontDescriptor
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
