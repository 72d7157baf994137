"""Drafting tasks without views: the office sets a task, units hand in material by their own
deadlines (reminded before and on the day, exactly once), writers keep versions compared with
the documents' comparison, the review chain runs through the handoff and the approved text is
filed in the archives once.

rhea is the president's office's registrar (the office in charge); alice writes; finance (fay,
charlie) and the research division (rita) are asked for material; hank heads alice's school and
checks the text; bob is a student of the school, sam a colleague of alice who is not a writer.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile

from archives.models import Record
from documents import drafting
from documents.models import DraftingTask, Material
from documents.services import DocumentError
from hall.models import Notification, ServiceStep
from tests.documents.conftest import decide
from workflows.models import SentOnce

DAY = date(2026, 3, 2)  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def task(office, frozen):
    return drafting.task_create(
        user=office["rhea"],
        office=office["office"],
        kind=DraftingTask.Kind.WORK_REPORT,
        title="2026年政府工作报告",
        deadline=DAY + timedelta(days=30),
        writers=[office["alice"]],
    )


def _ask(task, office, unit, days):
    return drafting.material_ask(
        task_id=task.pk,
        user=office["alice"],
        department=office[unit],
        due_date=DAY + timedelta(days),
    )


def test_the_office_sets_a_task_and_only_the_office_may(office, task):
    # then
    assert list(task.writers.all()) == [office["alice"]]
    assert Notification.objects.filter(recipient=office["alice"], kind="assigned").count() == 1
    # when / then: someone outside the office is refused and nothing is made
    with pytest.raises(DocumentError, match="Only the office"):
        drafting.task_create(
            user=office["alice"],
            office=office["office"],
            kind="speech",
            title="讲话稿",
            deadline=DAY,
            writers=[office["alice"]],
        )
    assert DraftingTask.objects.count() == 1


def test_units_hand_in_material_and_the_writer_sees_who_is_missing(office, task):
    # given
    finance = _ask(task, office, "finance", 5)
    research = _ask(task, office, "research", 7)
    # when
    drafting.material_submit(
        material_id=finance.pk,
        user=office["fay"],
        file=ContentFile(b"%PDF-1.4", name="finance.pdf"),
        note="一季度财政收支情况",
    )
    # then
    materials = drafting.materials_of(task)
    assert [m.department.code for m in materials if m.submitted_at is None] == ["research"]
    with pytest.raises(DocumentError, match="already asked"):
        _ask(task, office, "finance", 6)
    with pytest.raises(DocumentError, match="unit's staff"):
        drafting.material_submit(material_id=research.pk, user=office["fay"], file=None, note="")
    research.refresh_from_db()
    assert research.submitted_at is None


def test_a_writer_chases_a_missing_unit_once_a_day(office, task):
    # given
    research = _ask(task, office, "research", 7)
    # when
    sent = drafting.material_chase(material_id=research.pk, user=office["alice"])
    # then
    # the research division has no clerk and no head: its people are told
    assert sent == 3
    told = Notification.objects.filter(kind="nudge").values_list("recipient__username", flat=True)
    assert set(told) == {"rita", "ravi", "rose"}
    with pytest.raises(DocumentError, match="already chased today"):
        drafting.material_chase(material_id=research.pk, user=office["alice"])
    with pytest.raises(DocumentError, match="writers"):
        drafting.material_chase(material_id=research.pk, user=office["sam"])


def test_reminders_go_before_and_on_the_due_date_exactly_once(office, task):
    # given: finance due in 5 days, research in 1 day (inside the lead), school far away
    finance = _ask(task, office, "finance", 5)
    research = _ask(task, office, "research", 1)
    _ask(task, office, "school", 20)
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    # when: ticks on the first day, twice
    first = drafting.reminders_tick(now=start)
    again = drafting.reminders_tick(now=start + timedelta(minutes=1))
    # then: research gets its early reminder once; the others nothing yet
    assert first == {"material-before": 1, "material-due": 0}
    assert again == {"material-before": 0, "material-due": 0}
    # when: research's due day, then finance's, each ticked twice
    on_day = drafting.reminders_tick(now=start + timedelta(days=1))
    drafting.reminders_tick(now=start + timedelta(days=1, minutes=1))
    finance_early = drafting.reminders_tick(now=start + timedelta(days=4))
    # then
    assert on_day == {"material-before": 0, "material-due": 1}
    assert finance_early == {"material-before": 1, "material-due": 0}
    assert SentOnce.objects.filter(kind__startswith="documents.material").count() == 3
    finance.refresh_from_db()
    research.refresh_from_db()
    assert (finance.reminded, research.reminded) == (1, 2)
    # a unit that handed in is not reminded on its day
    drafting.material_submit(
        material_id=finance.pk, user=office["fay"], file=ContentFile(b"x", name="a.pdf"), note=""
    )
    assert drafting.reminders_tick(now=start + timedelta(days=5))["material-due"] == 0


def test_versions_are_kept_and_compared_with_the_documents_comparison(office, task):
    # given
    drafting.text_save(
        task_id=task.pk, user=office["alice"], title=task.title, body="一、过去一年工作回顾"
    )
    # when
    drafting.text_save(
        task_id=task.pk, user=office["alice"], title=task.title, body="一、2025年工作回顾"
    )
    # then
    task.refresh_from_db()
    texts = drafting.texts(task)
    assert [t.n for t in texts] == [1, 0]
    _title_rows, body_rows = drafting.compare(texts[0], texts[1])
    assert "<del>过去一</del>" in body_rows and "<ins>2025</ins>" in body_rows
    with pytest.raises(DocumentError, match="writers"):
        drafting.text_save(task_id=task.pk, user=office["sam"], title="x", body="y")
    task.refresh_from_db()
    assert task.body == "一、2025年工作回顾"


def test_the_chain_reviews_the_text_and_the_approved_text_is_filed_once(
    office, task, celery_eager, django_capture_on_commit_callbacks
):
    # given
    drafting.text_save(task_id=task.pk, user=office["alice"], title=task.title, body="正文")
    with pytest.raises(DocumentError, match="writers"):
        drafting.task_submit(task_id=task.pk, user=office["sam"])
    # when
    submitted = drafting.task_submit(task_id=task.pk, user=office["alice"])
    # then
    assert submitted.status == DraftingTask.Status.IN_REVIEW
    assert submitted.request.service.code == "documents-drafting"
    step = ServiceStep.objects.get(service__code="documents-drafting")
    assert step.rule == ServiceStep.Rule.APPLICANT_HEAD
    with pytest.raises(DocumentError, match="in review"):
        drafting.text_save(task_id=task.pk, user=office["alice"], title=task.title, body="改")
    # when: returned, revised and sent again
    decide(submitted, office["hank"], action="return")
    drafting.text_save(task_id=task.pk, user=office["alice"], title=task.title, body="正文（修改）")
    drafting.task_submit(task_id=task.pk, user=office["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted, office["hank"])
    # then
    task.refresh_from_db()
    assert task.status == DraftingTask.Status.APPROVED
    record = Record.objects.get(source_ref=f"documents.drafting:{task.pk}")
    assert task.archive_code == record.code
    assert record.metadata["versions"] == task.versions.count() >= 2
    # the text is filed as a PDF (no .txt), which reads back as the approved text
    names = list(record.files.values_list("name", flat=True))
    assert f"{task.title}.pdf" in names and f"{task.title}.txt" not in names
    filed = record.files.get(name=f"{task.title}.pdf")
    text = _pdf_text(filed.file.read())
    assert task.title in text and "正文（修改）" in text
    # filing again (the Celery task run twice) leaves the one record
    assert drafting.task_file(task_id=task.pk).pk == record.pk
    assert Record.objects.filter(source_ref=f"documents.drafting:{task.pk}").count() == 1


def test_a_rejected_task_is_closed_and_a_withdrawn_one_is_a_draft_again(office, task):
    # given
    drafting.text_save(task_id=task.pk, user=office["alice"], title=task.title, body="正文")
    drafting.task_submit(task_id=task.pk, user=office["alice"])
    task.refresh_from_db()
    # when
    decide(task, office["hank"], action="reject")
    # then
    task.refresh_from_db()
    assert task.status == DraftingTask.Status.REJECTED
    assert not Record.objects.filter(source_ref=f"documents.drafting:{task.pk}").exists()
    with pytest.raises(DocumentError):
        _ask(task, office, "finance", 3)
    assert not Material.objects.filter(task=task).exists()


def test_visibility_writers_office_chain_and_each_unit_its_own(office, task):
    # given
    finance = _ask(task, office, "finance", 5)
    drafting.text_save(task_id=task.pk, user=office["alice"], title=task.title, body="正文")
    drafting.task_submit(task_id=task.pk, user=office["alice"])
    # then
    for who in ("alice", "rhea", "hank"):
        assert drafting.task_for(office[who], task.pk) is not None, who
    for who in ("fay", "sam", "bob", "charlie"):
        assert drafting.task_for(office[who], task.pk) is None, who
    assert drafting.material_for(office["fay"], finance.pk) is not None
    assert drafting.material_for(office["alice"], finance.pk) is not None
    for who in ("rita", "sam", "bob"):
        assert drafting.material_for(office[who], finance.pk) is None, who


def test_the_hall_tick_runs_the_material_reminders(office, task):
    # given
    from workflows.reminders import reminders_tick

    _ask(task, office, "research", 0)
    # when
    sent = reminders_tick(now=datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    again = reminders_tick(now=datetime(2026, 3, 2, 2, 1, tzinfo=UTC))
    # then
    assert sent["documents-drafting.material-due"] == 1
    assert again["documents-drafting.material-due"] == 0


def _pdf_text(content: bytes) -> str:
    import subprocess

    out = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout
    return out.decode().replace(" ", "").replace("\n", "")


def test_the_task_page_offers_its_text_as_a_pdf_a(client, office, task):
    import io

    import pikepdf

    drafting.text_save(
        task_id=task.pk, user=office["alice"], title=task.title, body="一、总体情况\n正文"
    )
    client.force_login(office["alice"])
    response = client.get(f"/documents/drafting/{task.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "一、总体情况" in _pdf_text(response.content)
    with pikepdf.open(io.BytesIO(response.content)) as pdf, pdf.open_metadata() as meta:
        assert meta.get("pdfaid:part") == "2"
    client.force_login(office["charlie"])
    assert client.get(f"/documents/drafting/{task.pk}/pdf/").status_code == 404
