"""The archives' office work without pages: certificates and their reminders and lending, the
Basic Statistics Report of Higher Education, training records, the chronicle and the yearbook."""

from datetime import date, timedelta
from io import BytesIO

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from archives import selectors, tasks
from archives import services as archive
from archives.models import (
    REPORT_KEYS,
    Certificate,
    CertificateLoan,
    CertificateReminder,
    ChronicleEntry,
    ReportForm,
    ReportReminder,
    ReportTask,
    TrainingRecord,
)
from hall.models import Notification, Role
from tests.archives.conftest import package

GOOD = {
    "staff_total": 100,
    "teachers": 70,
    "admin_staff": 15,
    "support_staff": 10,
    "other_staff": 5,
    "professors": 10,
    "associate_professors": 20,
    "lecturers": 30,
    "assistants": 10,
    "students_total": 1000,
    "undergraduates": 800,
    "postgraduates": 180,
    "masters": 150,
    "doctoral": 30,
    "other_students": 20,
    "new_enrolment": 300,
    "graduated": 280,
    "floor_area": 12000,
    "library_books": 50000,
    "computers": 200,
}


def today() -> date:
    return timezone.localdate()


def register(archivist, custodian, *, number="SYXK-1", valid_until=None, **extra):
    values = {
        "kind": "permit",
        "name": "实验动物使用许可证",
        "number": number,
        "issuer": "科学技术委员会",
        "valid_until": valid_until,
        "custodian": custodian,
    }
    values.update(extra)
    return archive.certificate_register(user=archivist, **values)


def snapshot() -> dict:
    """Every row the office features write, to show that a refusal changed nothing."""
    return {
        "certificates": list(Certificate.objects.values().order_by("pk")),
        "loans": list(CertificateLoan.objects.values().order_by("pk")),
        "tasks": list(ReportTask.objects.values().order_by("pk")),
        "forms": list(ReportForm.objects.values().order_by("pk")),
        "training": TrainingRecord.objects.count(),
        "chronicle": ChronicleEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture
def reporting(people, archivist):
    """The School of CS (head: hank) and Finance (statistician: fay) report for 2025."""
    Role.objects.create(
        department=people["finance"], code="statistician", name_zh="统计员"
    ).holders.add(people["fay"])
    task = archive.report_task_create(
        user=archivist,
        year=2025,
        deadline=today() + timedelta(days=10),
        department_ids=[people["school"].pk, people["finance"].pk],
    )
    forms = {f.department.code: f for f in task.forms.select_related("department")}
    return task, forms["school-cs"], forms["finance"]


# --- certificates ----------------------------------------------------------------------------


def test_an_archivist_registers_a_certificate_with_its_scan(archivist, people, settings, tmp_path):
    # given
    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("许可证.pdf", b"%PDF-1.4 scan")
    # when
    certificate = register(archivist, people["alice"], scan=scan, valid_until=date(2030, 1, 1))
    # then
    assert certificate.scan_name == "许可证.pdf"
    assert (tmp_path / certificate.scan.name).read_bytes() == b"%PDF-1.4 scan"
    assert certificate.scan.name.startswith("archives/certificates/")


@pytest.mark.parametrize(
    ("who", "changes", "message"),
    [
        ("alice", {}, "Only archivists register certificates."),
        ("rose", {"number": "SYXK-1"}, "is registered already"),
        ("rose", {"name": "  "}, "needs its name, number and issuer"),
        ("rose", {"kind": "nonsense"}, "Choose the type"),
        ("rose", {"scan": SimpleUploadedFile("a.exe", b"MZ")}, "PDF, JPEG or PNG"),
    ],
    ids=["not-archivist", "duplicate-number", "blank-name", "bad-type", "bad-scan"],
)
def test_bad_certificates_are_refused_and_nothing_changes(
    archivist, people, settings, tmp_path, who, changes, message
):
    # given
    settings.MEDIA_ROOT = tmp_path
    register(archivist, people["alice"])
    before = snapshot()
    # when
    with translation.override("en"), pytest.raises(archive.ArchiveError, match=message):
        register(people[who], people["alice"], **{"number": "SYXK-2", **changes})
    # then
    assert snapshot() == before


def test_a_certificate_cannot_be_lent_twice_at_once(archivist, people):
    # given
    certificate = register(archivist, people["alice"])
    due = today() + timedelta(days=3)
    first = archive.certificate_lend(
        user=archivist,
        certificate_id=certificate.pk,
        borrower=people["hank"],
        purpose="投标",
        due_on=due,
    )
    before = snapshot()
    # when
    with translation.override("en"), pytest.raises(archive.ArchiveError, match="lent to 韩科"):
        archive.certificate_lend(
            user=archivist,
            certificate_id=certificate.pk,
            borrower=people["fay"],
            purpose="审计",
            due_on=due,
        )
    # then
    assert snapshot() == before
    archive.certificate_return(
        user=people["alice"], loan_id=first.pk
    )  # the custodian takes it back
    again = archive.certificate_lend(
        user=people["alice"],
        certificate_id=certificate.pk,
        borrower=people["fay"],
        purpose="审计",
        due_on=due,
    )
    assert list(certificate.loans.filter(returned_at=None)) == [again]


def test_lending_refuses_outsiders_and_a_past_due_date(archivist, people):
    certificate = register(archivist, people["alice"])
    before = snapshot()
    with translation.override("en"):
        with pytest.raises(archive.ArchiveError, match="No such certificate"):
            archive.certificate_lend(
                user=people["charlie"],
                certificate_id=certificate.pk,
                borrower=people["charlie"],
                purpose="x",
                due_on=today(),
            )
        with pytest.raises(archive.ArchiveError, match="cannot be in the past"):
            archive.certificate_lend(
                user=archivist,
                certificate_id=certificate.pk,
                borrower=people["hank"],
                purpose="投标",
                due_on=today() - timedelta(days=1),
            )
    assert snapshot() == before


def test_a_returned_certificate_cannot_be_returned_again(archivist, people):
    certificate = register(archivist, people["alice"])
    loan = archive.certificate_lend(
        user=archivist,
        certificate_id=certificate.pk,
        borrower=people["hank"],
        purpose="投标",
        due_on=today(),
    )
    archive.certificate_return(user=archivist, loan_id=loan.pk)
    with translation.override("en"), pytest.raises(archive.ArchiveError, match="returned already"):
        archive.certificate_return(user=archivist, loan_id=loan.pk)


def test_expiry_reminders_go_at_60_30_and_7_days_once_each(archivist, people):
    # given: a certificate expiring in 60 days
    start = today()
    certificate = register(archivist, people["alice"], valid_until=start + timedelta(days=60))
    recipients = {people["alice"].pk, archivist.pk}
    # when: the daily run, on every day until it expires (twice a day)
    sent = 0
    for day in range(0, 62):
        sent += archive.certificates_remind(today=start + timedelta(days=day))
        sent += archive.certificates_remind(today=start + timedelta(days=day))
    # then
    assert sent == 3
    assert sorted(CertificateReminder.objects.values_list("days", flat=True)) == [7, 30, 60]
    notes = Notification.objects.filter(kind="reminder")
    assert notes.count() == 3 * len(recipients)
    assert set(notes.values_list("recipient_id", flat=True)) == recipients
    assert set(notes.values_list("url", flat=True)) == {certificate.get_absolute_url()}


def test_a_certificate_first_seen_late_gets_one_reminder_and_a_renewal_starts_again(
    archivist, people
):
    certificate = register(archivist, people["alice"], valid_until=today() + timedelta(days=5))
    assert archive.certificates_remind() == 1
    assert archive.certificates_remind() == 0
    assert list(CertificateReminder.objects.values_list("days", flat=True)) == [7]
    # renewed: a new expiry date is reminded again
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today() + timedelta(days=55))
    assert archive.certificates_remind() == 1


def test_the_daily_task_and_the_tick_command_send_each_reminder_once(archivist, people, settings):
    # given
    register(archivist, people["alice"], valid_until=today() + timedelta(days=30))
    # when
    first = tasks.office_remind()
    call_command("tick")
    second = tasks.office_remind()
    # then
    assert first == {"certificates": 1, "reports": 0}
    assert second == {"certificates": 0, "reports": 0}
    assert CertificateReminder.objects.count() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["archives-office-remind"]
    assert schedule["task"] == "archives.tasks.office_remind"


def test_certificate_filters(archivist, people):
    soon = register(
        archivist, people["alice"], number="A", valid_until=today() + timedelta(days=20)
    )
    later = register(
        archivist, people["alice"], number="B", valid_until=today() + timedelta(days=90)
    )
    gone = register(archivist, people["alice"], number="C", valid_until=today() - timedelta(days=1))
    never = register(archivist, people["alice"], number="D", kind="credit_code")
    search = selectors.certificate_search
    assert list(search(archivist, expiring_within=30)) == [soon]
    assert list(search(archivist, expiring_within=100)) == [soon, later]
    assert list(search(archivist, expired=True)) == [gone]
    assert list(search(archivist, kind="credit_code")) == [never]
    assert list(search(archivist)) == [gone, soon, later, never]
    assert list(search(people["charlie"])) == []
    assert len(search(people["alice"])) == 4


# --- the statistics report ---------------------------------------------------------------------


def test_a_report_task_gives_each_unit_a_form_and_tells_its_reporters(reporting, people):
    task, school_form, finance_form = reporting
    assert task.forms.count() == 2
    assert Notification.objects.get(recipient=people["hank"]).url == school_form.get_absolute_url()
    assert Notification.objects.get(recipient=people["fay"]).url == finance_form.get_absolute_url()
    assert not Notification.objects.filter(recipient=people["charlie"]).exists()


@pytest.mark.parametrize(
    ("who", "values", "message"),
    [
        ("alice", {"year": 2026}, "Only archivists"),
        ("rose", {"year": 2025}, "The report of 2025 exists already."),
        ("rose", {"year": 2026, "deadline": date(2020, 1, 1)}, "cannot be in the past"),
        ("rose", {"year": 2026, "department_ids": []}, "Choose the units"),
        ("rose", {"year": 1800}, "Give the report's year"),
    ],
    ids=["not-archivist", "same-year", "past-deadline", "no-units", "bad-year"],
)
def test_bad_report_tasks_are_refused_and_nothing_changes(reporting, people, who, values, message):
    before = snapshot()
    arguments = {
        "deadline": today() + timedelta(days=5),
        "department_ids": [people["school"].pk],
        **values,
    }
    with translation.override("en"), pytest.raises(archive.ArchiveError, match=message):
        archive.report_task_create(user=people[who], **arguments)
    assert snapshot() == before


def test_a_reporter_saves_then_submits_a_form_that_passes_the_checks(reporting, people):
    # given
    _task, form, _other = reporting
    # when: the head saves half of it, then the unit admin submits all of it
    archive.report_form_save(user=people["hank"], form_id=form.pk, values={"teachers": "70"})
    form.refresh_from_db()
    assert form.values == {"teachers": 70} and form.status == "draft"
    Role.objects.create(department=people["school"], code="admin", name_zh="管理员").holders.add(
        people["alice"]
    )
    archive.report_form_save(
        user=people["alice"],
        form_id=form.pk,
        values={k: str(v) for k, v in GOOD.items()},
        submit=True,
    )
    # then
    form.refresh_from_db()
    assert form.status == "submitted" and form.submitted_by == people["alice"]
    assert form.values == GOOD


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"staff_total": 101},
            "Rule “Staff, total = Full-time teachers \\+ Administrative staff \\+ Teaching "
            "support staff \\+ Other staff” is broken: 101 ≠ 100.",
        ),
        ({"masters": 151}, "Rule “Postgraduates = .*” is broken: 180 ≠ 181."),
        ({"computers": -1}, "No negative numbers: “Computers” is -1."),
        ({"lecturers": "thirty"}, "“Teachers: lecturers” must be a whole number."),
        (
            {"graduated": ""},
            "Fill in every figure before submitting; missing: Graduated this year.",
        ),
    ],
    ids=["staff-total", "postgraduates", "negative", "not-a-number", "missing"],
)
def test_a_form_that_breaks_a_rule_is_refused_naming_it(reporting, people, changes, message):
    # given
    _task, form, _other = reporting
    before = snapshot()
    # when
    with translation.override("en"), pytest.raises(archive.ArchiveError, match=message):
        archive.report_form_save(
            user=people["hank"], form_id=form.pk, values={**GOOD, **changes}, submit=True
        )
    # then
    assert snapshot() == before


def test_only_the_units_reporters_fill_its_form_and_only_before_the_deadline(reporting, people):
    task, school_form, _other = reporting
    before = snapshot()
    with translation.override("en"):
        for who in ("fay", "charlie", "rose"):
            with pytest.raises(archive.ArchiveError, match="Only the unit's reporters"):
                archive.report_form_save(user=people[who], form_id=school_form.pk, values=GOOD)
        ReportTask.objects.filter(pk=task.pk).update(deadline=today() - timedelta(days=1))
        before["tasks"] = list(ReportTask.objects.values().order_by("pk"))
        with pytest.raises(archive.ArchiveError, match="has passed; ask the archives to extend"):
            archive.report_form_save(
                user=people["hank"], form_id=school_form.pk, values=GOOD, submit=True
            )
    assert snapshot() == before


def test_a_submitted_form_is_closed_until_an_archivist_reopens_it(reporting, people, archivist):
    _task, form, _other = reporting
    archive.report_form_save(user=people["hank"], form_id=form.pk, values=GOOD, submit=True)
    with (
        translation.override("en"),
        pytest.raises(archive.ArchiveError, match="has been submitted"),
    ):
        archive.report_form_save(user=people["hank"], form_id=form.pk, values=GOOD)
    with translation.override("en"), pytest.raises(archive.ArchiveError, match="Only archivists"):
        archive.report_form_reopen(user=people["hank"], form_id=form.pk)
    archive.report_form_reopen(user=archivist, form_id=form.pk)
    form.refresh_from_db()
    assert form.status == "draft" and form.values == GOOD


def test_units_that_have_not_submitted_hear_three_days_before_the_deadline_once(reporting, people):
    # given
    task, school_form, _finance_form = reporting
    archive.report_form_save(user=people["hank"], form_id=school_form.pk, values=GOOD, submit=True)
    Notification.objects.all().delete()
    # when
    early = archive.reports_remind(today=task.deadline - timedelta(days=4))
    due = archive.reports_remind(today=task.deadline - timedelta(days=3))
    again = archive.reports_remind(today=task.deadline - timedelta(days=2))
    # then
    assert (early, due, again) == (0, 1, 0)
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("fay", "reminder")
    ]
    assert ReportReminder.objects.count() == 1


def test_the_consolidated_workbook_has_a_row_per_unit_and_a_total(
    reporting, people, archivist, client, settings
):
    from openpyxl import load_workbook

    # given
    task, school_form, _finance_form = reporting
    archive.report_form_save(user=people["hank"], form_id=school_form.pk, values=GOOD, submit=True)
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = client.get(reverse("archives:report-xlsx", args=[task.pk]))
    # then
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, units, total = rows[1], rows[2:-1], rows[-1]
    assert len(header) == 2 + len(REPORT_KEYS)
    assert [u[:2] for u in units] == [
        ("Finance", "Not submitted"),
        ("School of Computer Science", "Submitted"),
    ]
    assert units[0][2:] == (None,) * len(REPORT_KEYS)
    assert units[1][2:] == tuple(GOOD.values())
    assert total[:2] == ("Total", "1 of 2 submitted")
    assert total[2:] == tuple(GOOD.values())


# --- training, chronicle, yearbook -------------------------------------------------------------


def test_training_records_and_their_refusals(archivist, people):
    record = archive.training_add(
        user=archivist,
        course="电子档案管理",
        date=today(),
        hours="2.5",
        participants=[archivist, people["alice"]],
    )
    assert set(record.participants.all()) == {archivist, people["alice"]}
    before = snapshot()
    with translation.override("en"):
        for values, message in [
            ({"user": people["alice"]}, "Only archivists"),
            ({"course": " "}, "Name the course"),
            ({"hours": "0"}, "between 0.1 and 999.9"),
            ({"hours": "many"}, "Hours must be a number"),
            ({"participants": []}, "at least one participant"),
            ({"date": today() + timedelta(days=1)}, "up to today"),
        ]:
            arguments = {
                "user": archivist,
                "course": "课",
                "date": today(),
                "hours": "1",
                "participants": [archivist],
                **values,
            }
            with pytest.raises(archive.ArchiveError, match=message):
                archive.training_add(**arguments)
    assert snapshot() == before


def test_a_chronicle_entry_links_records_by_code_and_refuses_unknown_codes(
    fonds, archivist, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    record = archive.record_file(package=package(1))
    entry = archive.chronicle_add(
        user=archivist, date=today(), text="档案馆新库房启用", record_codes=[record.code]
    )
    assert list(entry.records.all()) == [record]
    before = snapshot()
    with (
        translation.override("en"),
        pytest.raises(archive.ArchiveError, match="No record has the code Z001-WS·1999-Y-0001."),
    ):
        archive.chronicle_add(
            user=archivist,
            date=today(),
            text="x",
            record_codes=[record.code, "Z001-WS·1999-Y-0001"],
        )
    assert snapshot() == before


def test_the_yearbook_is_a_pdf_in_chinese_fonts_with_the_chronicle_codes(
    fonds, archivist, people, settings, tmp_path
):
    # given
    settings.MEDIA_ROOT = tmp_path
    year = today().year
    record = archive.record_file(package=package(1, year=year))
    archive.chronicle_add(
        user=archivist, date=today(), text="新库房启用", record_codes=[record.code]
    )
    archive.training_add(
        user=archivist, course="档案数字化", date=today(), hours="3", participants=[archivist]
    )
    # when
    html = render_to_string("archives/yearbook_pdf.html", selectors.yearbook(year))
    pdf = archive.yearbook_render(user=archivist, year=year)
    # then
    assert record.code in html and "新库房启用" in html and "档案数字化" in html
    document = pikepdf.open(BytesIO(pdf))
    fonts = {
        str(font.get("/BaseFont"))
        for page in document.pages
        for font in page.Resources.get("/Font", {}).values()
    }
    assert any("CJK" in name for name in fonts), fonts
    with translation.override("en"), pytest.raises(archive.ArchiveError, match="Only archivists"):
        archive.yearbook_render(user=people["alice"], year=year)
    with translation.override("en"), pytest.raises(archive.ArchiveError, match="Choose a year"):
        archive.yearbook_render(user=archivist, year=year + 1)


def test_the_demo_office_loads_once(db, people, archivist, fonds):
    from archives.demo_office import seed_office

    first = seed_office(now=timezone.now())
    counts = snapshot()
    second = seed_office(now=timezone.now())
    assert first != "0 demo office rows" and second == "0 demo office rows"
    assert snapshot() == counts
    assert selectors.certificate_search(archivist, expiring_within=30).count() == 1
    assert ReportTask.objects.get().forms.count() == 3
    assert TrainingRecord.objects.count() == 2 and ChronicleEntry.objects.count() == 3
