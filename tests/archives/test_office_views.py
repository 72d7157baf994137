"""Pages of the archives' office work: who may open what (URL × persona), bad input through the
forms, and the exact query count of every list at 1 and 50 rows.

rose is the archivist; alice keeps the certificate; hank heads the School of CS (its reporter);
fay is Finance's statistician (a reporter, of another unit); charlie is an outsider."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from archives import services as archive
from archives.models import Certificate, CertificateLoan, ReportForm, TrainingRecord
from hall.models import Department, Role
from tests.archives.conftest import package
from tests.archives.test_office import GOOD, snapshot


def today():
    return timezone.localdate()


@pytest.fixture
def office(people, archivist, fonds, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Role.objects.create(
        department=people["finance"], code="statistician", name_zh="统计员"
    ).holders.add(people["fay"])
    certificate = archive.certificate_register(
        user=archivist,
        kind="permit",
        name="实验动物使用许可证",
        number="SYXK-1",
        issuer="科学技术委员会",
        valid_until=today() + timedelta(days=20),
        custodian=people["alice"],
        scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan"),
    )
    loan = archive.certificate_lend(
        user=archivist,
        certificate_id=certificate.pk,
        borrower=people["hank"],
        purpose="投标",
        due_on=today() + timedelta(days=2),
    )
    task = archive.report_task_create(
        user=archivist,
        year=2025,
        deadline=today() + timedelta(days=10),
        department_ids=[people["school"].pk, people["finance"].pk],
    )
    school_form = task.forms.get(department=people["school"])
    archive.report_form_save(user=people["hank"], form_id=school_form.pk, values=GOOD, submit=True)
    record = archive.record_file(package=package(1))
    archive.chronicle_add(
        user=archivist, date=today(), text="新库房启用", record_codes=[record.code]
    )
    archive.training_add(
        user=archivist, course="档案数字化", date=today(), hours="3", participants=[archivist]
    )
    return {
        "certificate": certificate,
        "loan": loan,
        "task": task,
        "school_form": school_form,
        "finance_form": task.forms.get(department=people["finance"]),
    }


PERSONAS = ["archivist", "custodian", "reporter", "other_reporter", "outsider", "anonymous"]
ALL = set(PERSONAS) - {"anonymous"}
ARCHIVIST = {"archivist"}


def who(people, archivist, persona):
    return {
        "archivist": archivist,
        "custodian": people["alice"],
        "reporter": people["hank"],
        "other_reporter": people["fay"],
        "outsider": people["charlie"],
    }.get(persona)


def pages(office):
    """(url, personas who may open it); everyone else gets 404, anonymous visitors the login."""
    c, t, f = office["certificate"], office["task"], office["school_form"]
    return [
        (reverse("archives:cert-list"), ALL),  # scoped: custodians see theirs only
        (reverse("archives:cert-create"), ARCHIVIST),
        (reverse("archives:cert-detail", args=[c.pk]), {"archivist", "custodian"}),
        (reverse("archives:cert-scan", args=[c.pk]), {"archivist", "custodian"}),
        (reverse("archives:cert-edit", args=[c.pk]), ARCHIVIST),
        (reverse("archives:report-list"), ARCHIVIST),
        (reverse("archives:report-create"), ARCHIVIST),
        (reverse("archives:report-detail", args=[t.pk]), ARCHIVIST),
        (reverse("archives:report-xlsx", args=[t.pk]), ARCHIVIST),
        (reverse("archives:report-forms"), ALL),  # scoped: reporters see their units' only
        (reverse("archives:report-form", args=[f.pk]), {"archivist", "reporter"}),
        (
            reverse("archives:report-form", args=[office["finance_form"].pk]),
            {"archivist", "other_reporter"},
        ),
        (reverse("archives:training-list"), ARCHIVIST),
        (reverse("archives:training-create"), ARCHIVIST),
        (reverse("archives:chronicle-list"), ARCHIVIST),
        (reverse("archives:chronicle-create"), ARCHIVIST),
        (reverse("archives:yearbook"), ARCHIVIST),
        (reverse("archives:yearbook-pdf", args=[today().year]), ARCHIVIST),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_only_those_who_may_see_it(client, office, people, archivist, persona):
    user = who(people, archivist, persona)
    if user is not None:
        client.force_login(user)
    for url, allowed in pages(office):
        response = client.get(url)
        if user is None:
            assert response.status_code == 302 and "/login" in response.url, url
        else:
            assert response.status_code == (200 if persona in allowed else 404), (url, persona)


@pytest.mark.parametrize("persona", ["reporter", "other_reporter", "outsider"])
def test_post_actions_404_for_those_who_may_not_act(client, office, people, archivist, persona):
    # given
    client.force_login(who(people, archivist, persona))
    c, t = office["certificate"], office["task"]
    before = snapshot()
    # when / then
    for url, data in [
        (reverse("archives:cert-detail", args=[c.pk]), {"borrower": "charlie", "purpose": "x"}),
        (reverse("archives:cert-return", args=[c.pk, office["loan"].pk]), {}),
        (reverse("archives:report-reopen", args=[t.pk, office["school_form"].pk]), {}),
        (reverse("archives:report-detail", args=[t.pk]), {"deadline": "2099-01-01"}),
        (reverse("archives:training-create"), {"course": "x"}),
        (reverse("archives:chronicle-create"), {"text": "x"}),
        (reverse("archives:cert-create"), {"name": "x"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert snapshot() == before


def test_scoped_lists_show_only_ones_own(client, office, people):
    client.force_login(people["charlie"])
    assert list(client.get(reverse("archives:cert-list")).context["page"].object_list) == []
    assert list(client.get(reverse("archives:report-forms")).context["page"].object_list) == []
    client.force_login(people["hank"])
    forms = client.get(reverse("archives:report-forms")).context["page"].object_list
    assert list(forms) == [office["school_form"]]


def test_the_scan_is_served_to_the_custodian(client, office, people):
    client.force_login(people["alice"])
    response = client.get(reverse("archives:cert-scan", args=[office["certificate"].pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scan"
    assert 'filename="scan.pdf"' in response["Content-Disposition"]


def test_the_custodian_records_the_return_and_lends_again(client, office, people):
    c = office["certificate"]
    client.force_login(people["alice"])
    client.post(reverse("archives:cert-return", args=[c.pk, office["loan"].pk]))
    response = client.post(
        reverse("archives:cert-detail", args=[c.pk]),
        {"borrower": "T300", "purpose": "审计", "due_on": today().isoformat()},
    )
    assert response.status_code == 302
    assert CertificateLoan.objects.get(returned_at=None).borrower == people["fay"]


def test_lending_a_lent_certificate_through_the_page_says_why(client, office, archivist, settings):
    # given
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = snapshot()
    # when
    response = client.post(
        reverse("archives:cert-detail", args=[office["certificate"].pk]),
        {"borrower": "T300", "purpose": "审计", "due_on": today().isoformat()},
    )
    # then
    assert response.status_code == 200
    assert "lent to 韩科" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"custodian": "nobody"}, "No active user has the number or username nobody."),
        ({"valid_until": "soon"}, "Enter a valid date."),
        ({"number": "SYXK-1"}, "is registered already"),
        ({"name": ""}, "This field is required."),
    ],
    ids=["unknown-custodian", "bad-date", "duplicate", "no-name"],
)
def test_bad_certificate_forms_say_why_and_change_nothing(
    client, office, archivist, settings, data, message
):
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = snapshot()
    form = {
        "kind": "permit",
        "name": "辐射安全许可证",
        "number": "F-2",
        "issuer": "生态环境局",
        "custodian": "alice",
        **data,
    }
    response = client.post(reverse("archives:cert-create"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_an_archivist_registers_and_edits_through_the_pages(client, office, archivist, people):
    client.force_login(archivist)
    response = client.post(
        reverse("archives:cert-create"),
        {
            "kind": "qualification",
            "name": "辐射安全许可证",
            "number": "F-2",
            "issuer": "生态环境局",
            "custodian": "T100",
            "valid_until": "2030-06-30",
        },
    )
    certificate = Certificate.objects.get(number="F-2")
    assert response.url == certificate.get_absolute_url()
    assert certificate.custodian == people["hank"]
    client.post(
        reverse("archives:cert-edit", args=[certificate.pk]),
        {
            "kind": "qualification",
            "name": "辐射安全许可证（换证）",
            "number": "F-2",
            "issuer": "生态环境局",
            "custodian": "hank",
        },
    )
    certificate.refresh_from_db()
    assert certificate.name == "辐射安全许可证（换证）" and certificate.valid_until is None


def test_a_reporter_fills_the_form_through_the_page(client, office, people, settings):
    # given
    form = office["finance_form"]
    client.force_login(people["fay"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when: a broken total is refused, then fixed and submitted
    broken = client.post(
        form.get_absolute_url(), {**GOOD, "students_total": 999, "action": "submit"}
    )
    form.refresh_from_db()
    assert broken.status_code == 200 and form.status == "draft" and form.values == {}
    assert "Rule “Students, total = Undergraduates + Postgraduates + Other students”" in (
        broken.content.decode()
    )
    assert 'value="999"' in broken.content.decode()  # what they typed is kept
    done = client.post(form.get_absolute_url(), {**GOOD, "action": "submit"})
    # then
    form.refresh_from_db()
    assert done.status_code == 302 and form.status == ReportForm.Status.SUBMITTED


def test_progress_shows_who_is_late(client, office, archivist):
    task = office["task"]
    type(task).objects.filter(pk=task.pk).update(deadline=today() - timedelta(days=1))
    client.force_login(archivist)
    response = client.get(task.get_absolute_url())
    late = {f.department.code: f.late for f in response.context["forms"]}
    assert late == {"finance": True, "school-cs": False}
    assert response.context["late_count"] == 1


def test_an_archivist_creates_a_report_task_through_the_page(client, office, archivist, people):
    client.force_login(archivist)
    response = client.post(
        reverse("archives:report-create"),
        {
            "year": 2024,
            "deadline": (today() + timedelta(days=5)).isoformat(),
            "units": [people["school"].pk, people["office"].pk],
        },
    )
    task = type(office["task"]).objects.get(year=2024)
    assert response.url == task.get_absolute_url() and task.forms.count() == 2


def test_a_group_of_checkboxes_is_a_fieldset_with_a_legend_not_a_label_for_nothing(
    client, office, archivist
):
    client.force_login(archivist)
    page = client.get(reverse("archives:report-create")).content.decode()
    assert 'for=""' not in page
    assert "<legend>" in page
    assert '<label for="id_year">' in page


def test_training_and_chronicle_forms_refuse_unknown_people_and_codes(
    client, office, archivist, settings
):
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = snapshot()
    training = client.post(
        reverse("archives:training-create"),
        {"course": "课", "date": today().isoformat(), "hours": "2", "participants": "rose ghost"},
    )
    chronicle = client.post(
        reverse("archives:chronicle-create"),
        {"date": today().isoformat(), "text": "事件", "records": "Z001-WS·1900-Y-0001"},
    )
    assert "No active user has the number or username ghost." in training.content.decode()
    assert "No record has the code Z001-WS·1900-Y-0001." in chronicle.content.decode()
    assert snapshot() == before
    client.post(
        reverse("archives:training-create"),
        {"course": "课", "date": today().isoformat(), "hours": "2", "participants": "rose, T001"},
    )
    assert TrainingRecord.objects.count() == 2


def test_the_yearbook_downloads_as_a_pdf(client, office, archivist):
    client.force_login(archivist)
    response = client.get(reverse("archives:yearbook-pdf", args=[today().year]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    future = client.get(reverse("archives:yearbook-pdf", args=[today().year + 1]))
    assert future.status_code == 302 and future.url == reverse("archives:yearbook")


# --- query counts --------------------------------------------------------------------------------


def _many_certificates(archivist, people, count):
    Certificate.objects.bulk_create(
        [
            Certificate(
                kind="permit",
                name=f"许可证{n}",
                number=f"N-{n}",
                issuer="局",
                valid_until=today() + timedelta(days=n),
                custodian=people["alice"],
            )
            for n in range(count)
        ]
    )
    for certificate in Certificate.objects.all()[: count // 2 or 1]:
        CertificateLoan.objects.create(
            certificate=certificate,
            borrower=people["hank"],
            purpose="x",
            due_on=today(),
            lent_by=archivist,
        )


def _many_tasks(archivist, people, count):
    units = [people["school"], people["finance"]]
    for n in range(count):
        archive.report_task_create(
            user=archivist,
            year=2000 + n,
            deadline=today() + timedelta(days=3),
            department_ids=[u.pk for u in units],
        )


def _many_forms(archivist, people, count):
    departments = Department.objects.bulk_create(
        [Department(code=f"unit-{n}", name_zh=f"学院{n}") for n in range(count - 1)]
    )
    for department in departments:
        department.heads.add(people["hank"])
    archive.report_task_create(
        user=archivist,
        year=2025,
        deadline=today() + timedelta(days=3),
        department_ids=[people["school"].pk, *[d.pk for d in departments]],
    )


def _many_training(archivist, people, count):
    for n in range(count):
        archive.training_add(
            user=archivist,
            course=f"课程{n}",
            date=today(),
            hours="2",
            participants=[archivist, people["alice"]],
        )


def _many_events(archivist, people, count, fonds):
    records = [archive.record_file(package=package(n)) for n in range(2)]
    for n in range(count):
        archive.chronicle_add(
            user=archivist, date=today(), text=f"事件{n}", record_codes=[r.code for r in records]
        )


# user, bell, archivist check, count, page (+ one query per prefetched relation)
LISTS = {
    "cert-list": ("archives:cert-list", "archivist", _many_certificates, 5),
    "cert-list-custodian": ("archives:cert-list", "custodian", _many_certificates, 5),
    "report-list": ("archives:report-list", "archivist", _many_tasks, 5),
    "report-forms": ("archives:report-forms", "reporter", _many_forms, 5),
    "training-list": ("archives:training-list", "archivist", _many_training, 6),
    "chronicle-list": ("archives:chronicle-list", "archivist", _many_events, 6),
}


@pytest.mark.parametrize("count", [1, 50], ids=["1-row", "50-rows"])
@pytest.mark.parametrize("page", list(LISTS))
def test_list_query_counts(
    client, django_assert_num_queries, people, archivist, fonds, settings, tmp_path, page, count
):
    # given
    settings.MEDIA_ROOT = tmp_path
    name, persona, make, queries = LISTS[page]
    if make is _many_events:
        make(archivist, people, count, fonds)
    else:
        make(archivist, people, count)
    client.force_login(who(people, archivist, persona))
    # when
    with django_assert_num_queries(queries):
        response = client.get(reverse(name))
    # then
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, settings.HALL_PAGE_SIZE)


@pytest.mark.parametrize("units", [1, 50], ids=["1-unit", "50-units"])
def test_report_progress_query_count(
    client, django_assert_num_queries, people, archivist, settings, units
):
    departments = Department.objects.bulk_create(
        [Department(code=f"unit-{n}", name_zh=f"学院{n}") for n in range(units)]
    )
    task = archive.report_task_create(
        user=archivist,
        year=2025,
        deadline=today() + timedelta(days=3),
        department_ids=[d.pk for d in departments],
    )
    client.force_login(archivist)
    # user, bell, archivist check, task with counts, forms
    with django_assert_num_queries(5):
        response = client.get(task.get_absolute_url())
    assert len(response.context["forms"]) == units


def test_an_archivist_corrects_and_deletes_training_and_chronicle_entries(
    client, people, archivist, fonds, settings, tmp_path
):
    from archives.models import ChronicleEntry

    settings.MEDIA_ROOT = tmp_path
    record = archive.record_file(package=package(1))
    training = archive.training_add(
        user=archivist, course="档案法培训", date=today(), hours="2", participants=[archivist]
    )
    entry = archive.chronicle_add(
        user=archivist, date=today(), text="档案馆搬迁", record_codes=[record.code]
    )
    training_url = reverse("archives:training-edit", args=[training.pk])
    entry_url = reverse("archives:chronicle-edit", args=[entry.pk])
    # others see nothing and change nothing
    client.force_login(people["alice"])
    for url in (training_url, entry_url):
        assert client.get(url).status_code == 404
        assert client.post(url, {"delete": "1"}).status_code == 404
    assert TrainingRecord.objects.exists() and ChronicleEntry.objects.exists()
    # the archivist corrects both
    client.force_login(archivist)
    assert "档案法培训" in client.get(training_url).content.decode()
    day = today().isoformat()
    client.post(
        training_url,
        {"course": "档案法规培训", "date": day, "hours": "3.5", "participants": "alice"},
    )
    training.refresh_from_db()
    assert (training.course, str(training.hours)) == ("档案法规培训", "3.5")
    assert list(training.participants.all()) == [people["alice"]]
    client.post(entry_url, {"date": day, "text": "档案馆迁入新馆", "records": ""})
    entry.refresh_from_db()
    assert entry.text == "档案馆迁入新馆" and not entry.records.exists()
    # bad input changes nothing
    response = client.post(
        training_url, {"course": "", "date": day, "hours": "0", "participants": "alice"}
    )
    assert response.status_code == 200
    training.refresh_from_db()
    assert training.course == "档案法规培训"
    response = client.post(entry_url, {"date": day, "text": "x", "records": "Z001-WS·1900-Y-0001"})
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.text == "档案馆迁入新馆"
    # and deletes them
    client.post(training_url, {"delete": "1"})
    client.post(entry_url, {"delete": "1"})
    assert not TrainingRecord.objects.exists() and not ChronicleEntry.objects.exists()
