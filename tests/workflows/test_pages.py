"""The applicant's and approver's pages: who may open what, what they cost, what they refuse."""

import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from guardian.shortcuts import assign_perm

from hall.models import ServiceField
from tests.chains import FINANCE, HEAD
from tests.files import real_pdf
from workflows import services
from workflows.models import ApprovalTask, Attachment, ServiceRequest

PDF = real_pdf()


@pytest.fixture
def approved(
    make_chain, submit, people, settings, tmp_path, django_capture_on_commit_callbacks, celery_eager
):
    settings.MEDIA_ROOT = tmp_path
    service = make_chain([HEAD, FINANCE])
    ServiceField.objects.create(
        service=service, order=3, key="scan", label_zh="附件", field_type="file", required=False
    )
    req = services.request_submit(
        service=service,
        applicant=people["alice"],
        form_data={"name": "张爱丽", "amount": "5"},
        files={"scan": [SimpleUploadedFile("scan.pdf", PDF, "application/pdf")]},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for username in ("hank", "fay"):
            task = ApprovalTask.objects.get(request=req, status="pending")
            services.task_decide(task_id=task.pk, user=people[username], action="approve")
    req.refresh_from_db()
    assert req.status == "approved" and req.pdf
    assign_perm("workflows.view_servicerequest", people["rose"], req)
    return req


def object_urls(req) -> dict[str, str]:
    attachment = Attachment.objects.get(request=req)
    task = ApprovalTask.objects.filter(request=req, assignee__username="hank").first()
    return {
        "request": reverse("workflows:request-detail", args=[req.pk]),
        "progress": reverse("workflows:request-progress", args=[req.pk]),
        "attachment": attachment.get_absolute_url(),
        "pdf": reverse("workflows:request-pdf", args=[req.pk]),
        "task": task.get_absolute_url(),
    }


# persona → expected status per URL (302 = sent to log in)
MATRIX = {
    "owner": {"request": 200, "progress": 200, "attachment": 200, "pdf": 200, "task": 404},
    "approver": {"request": 200, "progress": 200, "attachment": 200, "pdf": 200, "task": 200},
    "cc": {"request": 200, "progress": 200, "attachment": 200, "pdf": 200, "task": 404},
    "other-department": {
        "request": 404,
        "progress": 404,
        "attachment": 404,
        "pdf": 404,
        "task": 404,
    },
    "anonymous": {"request": 302, "progress": 302, "attachment": 302, "pdf": 302, "task": 302},
}
PERSONAS = {"owner": "alice", "approver": "hank", "cc": "rose", "other-department": "charlie"}


@pytest.mark.parametrize("persona", MATRIX)
def test_every_object_url_answers_only_those_who_may_see_it(client, approved, people, persona):
    if persona != "anonymous":
        client.force_login(people[PERSONAS[persona]])
    for name, url in object_urls(approved).items():
        response = client.get(url)
        assert response.status_code == MATRIX[persona][name], (persona, name)
        if response.status_code == 302:
            assert response.url.startswith(reverse("login"))


def test_a_form_with_a_file_field_shows_its_file_from_one_query_more(
    client, django_assert_num_queries, approved, people
):
    # given an approved request whose form has a file field (with its PDF written)
    client.force_login(people["alice"])
    url = reverse("workflows:request-detail", args=[approved.pk])
    forget_live_parts(client.get(url))  # fills the caches but the live parts'
    # when its applicant opens it: user, request, tasks, trail, attachments, rating, archived
    # code, the research fees' transference facts
    with django_assert_num_queries(8):
        html = client.get(url).content.decode()
    # then the file is linked from the form
    attachment = Attachment.objects.get(request=approved)
    assert f'href="{attachment.get_absolute_url()}">scan.pdf' in html


def test_the_pdf_and_attachment_are_real_files(client, approved, people):
    client.force_login(people["alice"])
    urls = object_urls(approved)
    pdf = b"".join(client.get(urls["pdf"]).streaming_content)
    assert pdf.startswith(b"%PDF")
    assert b"".join(client.get(urls["attachment"]).streaming_content) == PDF


def test_a_cc_reads_but_cannot_act(client, make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    services.request_cc(request_id=req.pk, user=people["alice"], to_users=[people["rose"]])
    client.force_login(people["rose"])
    assert client.get(req.get_absolute_url()).status_code == 200
    cc_tab = client.get(reverse("workflows:inbox") + "?tab=cc")
    assert [r["pk"] for r in cc_tab.context["page"].object_list] == [req.pk]  # CC_ROW dicts
    response = client.post(reverse("workflows:request-withdraw", args=[req.pk]))
    assert ServiceRequest.objects.get(pk=req.pk).status == "in_progress"
    task = ApprovalTask.objects.get(request=req)
    assert (
        client.post(task.get_absolute_url(), {"op": "decide", "action": "approve"}).status_code
        == 404
    )
    assert ApprovalTask.objects.get(pk=task.pk).status == "pending"
    assert response.status_code == 302


def test_an_outsider_cannot_copy_a_request(make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    with pytest.raises(services.RequestError):
        services.request_cc(request_id=req.pk, user=people["charlie"], to_users=[people["charlie"]])


# --- query counts -----------------------------------------------------------------------------


def forget_live_parts(response) -> None:
    """Drops the request page's progress and history kept under its live stamp (they are read
    again on the first visit after the request moved; tests/workflows/test_request_live.py)."""
    from workflows.views import live_keys

    context = response.context or {}
    stamp, req = context.get("live_stamp"), context.get("req")
    if stamp and req is not None:
        cache.delete_many(live_keys(req, stamp))


def many_requests(make_chain, people, count: int):
    service = make_chain([HEAD, FINANCE])
    reqs = []
    for n in range(count):
        reqs.append(
            services.request_submit(
                service=service,
                applicant=people["alice"],
                form_data={"name": "x", "amount": n},
                files={},
                urgent=n % 3 == 0,
                urgent_reason="急" if n % 3 == 0 else "",
                submit_token=uuid.uuid4(),
            )
        )
    return reqs


@pytest.mark.parametrize("count", [1, 50], ids=["1-row", "50-rows"])
@pytest.mark.parametrize(
    ("page", "who", "queries"),
    [
        # user, then count + page; the session and the bell's unread count come from the cache
        # (issue #10: 5 -> 3)
        # the to-do and done tabs' counts are kept per person until a task of theirs moves
        # (3 -> 2)
        pytest.param("inbox", "hank", 2, id="inbox-todo"),
        pytest.param("inbox-done", "hank", 2, id="inbox-done"),
        pytest.param("inbox-queue", "rita", 3, id="inbox-queue"),
        pytest.param("my-requests", "alice", 3, id="my-requests"),
        pytest.param("inbox-cc", "rose", 3, id="inbox-cc"),
        # user, request, tasks, records (8 -> 6 -> 5: the service's step history of the likely
        # finish comes from the cache, once per 10 minutes; 5 -> 4: the attachments are read
        # only when the form has a file field, and this one has none)
        pytest.param("request", "alice", 4, id="request-page"),
        # ... and the queue's candidates while a step waits in a group queue (9 -> 7 -> 6 -> 5)
        pytest.param("request-queued", "alice", 5, id="request-page-queued-step"),
        # the same for the task page (8 -> 6 -> 5 -> 4)
        pytest.param("task", "hank", 4, id="task-page"),
    ],
)
def test_list_and_object_pages_have_constant_query_counts(
    client, django_assert_num_queries, make_chain, people, page, who, queries, count
):
    reqs = many_requests(make_chain, people, count)
    if page == "inbox-done":
        for req in reqs:
            task = ApprovalTask.objects.get(request=req, status="pending")
            services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    if page == "inbox-cc":
        for req in reqs:
            services.request_cc(request_id=req.pk, user=people["alice"], to_users=[people["rose"]])
    if page in ("inbox-queue", "request-queued"):
        from hall.models import Role

        Role.objects.filter(code="reviewer", department__code="finance").get().holders.add(
            people["rita"]
        )
        for req in reqs:
            task = ApprovalTask.objects.get(request=req, status="pending")
            services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    urls = {
        "inbox": reverse("workflows:inbox"),
        "inbox-done": reverse("workflows:inbox") + "?tab=done",
        "inbox-queue": reverse("workflows:inbox") + "?tab=queue",
        "inbox-cc": reverse("workflows:inbox") + "?tab=cc",
        "request-queued": reqs[-1].get_absolute_url(),
        "my-requests": reverse("workflows:my-requests"),
        "request": reqs[-1].get_absolute_url(),
        "task": ApprovalTask.objects.filter(request=reqs[-1]).first().get_absolute_url(),
    }
    client.force_login(people[who])
    warm = client.get(urls[page])  # fills the caches (the bell's count)
    forget_live_parts(warm)  # the request page's: counted as the first visit after a move
    with django_assert_num_queries(queries):
        response = client.get(urls[page])
    assert response.status_code == 200
    if page.startswith("inbox") or page == "my-requests":
        assert len(response.context["page"].object_list) == min(count, 20)


def test_done_count_is_kept_until_the_person_decides_again(client, make_chain, people):
    """The done tab counts a person's decided tasks once; their next decision or transfer makes
    the next visit count again, a filtered tab always counts, and someone else's decision does
    not touch it."""
    reqs = many_requests(make_chain, people, 5)
    pending = [ApprovalTask.objects.get(request=r, status="pending") for r in reqs]
    done = reverse("workflows:inbox") + "?tab=done"
    client.force_login(people["hank"])

    def count(url=done) -> int:
        return client.get(url).context["page"].paginator.count

    services.task_decide(task_id=pending[0].pk, user=people["hank"], action="approve")
    assert count() == 1
    # kept: a row counted behind its back (not through the services) is not seen yet
    ApprovalTask.objects.filter(pk=pending[1].pk).update(
        decided_by=people["hank"], decided_at=timezone.now(), status="approved"
    )
    assert count() == 1
    assert count(done + "&q=" + reqs[1].number) == 1  # filtered: counted on the table
    services.task_decide(task_id=pending[2].pk, user=people["hank"], action="approve")
    assert count() == 3
    services.task_transfer(task_id=pending[3].pk, user=people["hank"], to_user=people["rita"])
    assert count() == 4
    # rita's decision is not hank's: his kept count stands
    ApprovalTask.objects.filter(pk=pending[4].pk).update(
        decided_by=people["hank"], decided_at=timezone.now(), status="approved"
    )
    task = ApprovalTask.objects.get(request=reqs[3], status="pending")
    services.task_decide(task_id=task.pk, user=people["rita"], action="approve")
    assert count() == 4


def test_todo_count_is_kept_until_a_task_of_theirs_moves(client, make_chain, people):
    """A task arriving, or one cancelled by a withdrawal, makes the next visit count again."""
    reqs = many_requests(make_chain, people, 5)
    client.force_login(people["hank"])

    def count() -> int:
        return client.get(reverse("workflows:inbox")).context["page"].paginator.count

    assert count() == 5
    # kept: tasks moved behind the services' back are not seen yet
    ApprovalTask.objects.filter(request__in=reqs[:2]).update(status="cancelled")
    assert count() == 5
    assert client.get(reverse("workflows:inbox") + "?urgent=on").context[
        "page"
    ].paginator.count == len([r for r in reqs[2:] if r.urgent])  # filtered: counted
    new = many_requests(make_chain, people, 1)[0]  # a task arrives for hank
    assert count() == 4
    services.request_withdraw(request_id=new.pk, user=people["alice"])
    assert count() == 3


def test_urgent_count_is_kept_until_a_task_of_theirs_moves(
    client, django_assert_num_queries, make_chain, people
):
    """The to-do tab's urgent tasks are counted once, like the tab: a task is urgent from its
    creation, so only a task arriving or leaving the tab changes the count."""
    reqs = many_requests(make_chain, people, 6)  # requests 0 and 3 are urgent
    urgent = reverse("workflows:inbox") + "?urgent=on"
    client.force_login(people["hank"])

    def count(url=urgent) -> int:
        return client.get(url).context["page"].paginator.count

    assert count() == 2
    with django_assert_num_queries(2):  # the user, the page; no COUNT
        client.get(urgent)
    # kept: tasks moved behind the services' back are not seen yet, a filtered tab counts
    ApprovalTask.objects.filter(request__in=[reqs[0], reqs[3]]).update(status="cancelled")
    assert count() == 2
    assert count(urgent + "&q=" + reqs[3].number) == 0
    arrived = many_requests(make_chain, people, 1)[0]  # urgent (n = 0), for hank
    assert count() == 1
    task = ApprovalTask.objects.get(request=arrived, status="pending")
    services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    assert count() == 0


# --- the apply form ---------------------------------------------------------------------------


@pytest.fixture
def form_service(make_chain):
    service = make_chain([HEAD])
    extra = [
        ("count", "数量", "number", {"min": 1, "max": 10}, []),
        ("day", "日期", "date", {}, []),
        ("span", "期间", "date_range", {}, []),
        ("kind", "类型", "choice", {}, [["a", "甲", "A"], ["b", "乙", "B"]]),
        (
            "langs",
            "语言",
            "multi_choice",
            {},
            [["zh", "中文", "Chinese"], ["en", "英文", "English"]],
        ),
        ("deputy", "代理人", "person", {}, []),
        ("to_dept", "部门", "department", {}, []),
        ("letter", "邀请函", "file", {}, []),
        ("note", "说明", "long_text", {"max_length": 50}, []),
    ]
    for order, (key, label, kind, validation, options) in enumerate(extra, start=10):
        ServiceField.objects.create(
            service=service,
            order=order,
            key=key,
            label_zh=label,
            field_type=kind,
            validation=validation,
            options=options,
            required=key not in ("deputy", "note"),
        )
    return service


def good_post(people, school, **overrides):
    data = {
        "submit_token": str(uuid.uuid4()),
        "amount": "12.50",
        "count": "3",
        "day": "2026-12-01",
        "span_0": "2026-12-01",
        "span_1": "2026-12-03",
        "kind": "a",
        "langs": ["zh", "en"],
        "deputy": people["hank"].number,
        "to_dept": str(school.pk),
        "letter": SimpleUploadedFile("letter.pdf", PDF, "application/pdf"),
        "note": "请审批",
        "submit": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_shows_profile_fields_filled_and_locked(client, form_service, people):
    client.force_login(people["alice"])
    response = client.get(reverse("workflows:apply", args=[form_service.code]))
    form = response.context["form"]
    assert form.fields["name"].initial == "张爱丽" and form.fields["name"].disabled
    assert "prefilled" in response.content.decode()


def test_a_good_form_is_submitted_with_every_field_type(
    client, form_service, people, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["alice"])
    response = client.post(
        reverse("workflows:apply", args=[form_service.code]),
        good_post(people, school, name="冒名顶替"),
    )
    req = ServiceRequest.objects.get()
    assert response.url == req.get_absolute_url()
    data = req.form_data
    assert data["name"] == "张爱丽"  # a locked profile field ignores what was posted
    assert data["amount"] == "12.50" and data["count"] == 3 and data["day"] == "2026-12-01"
    assert data["span"] == ["2026-12-01", "2026-12-03"] and data["langs"] == ["zh", "en"]
    assert data["deputy"]["id"] == people["hank"].pk
    assert data["to_dept"]["id"] == school.pk
    attachment = Attachment.objects.get(request=req)
    assert data["letter"] == [attachment.pk] and attachment.sha256
    assert "static" not in attachment.file.path


def test_a_double_submit_creates_one_request(
    client, form_service, people, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["alice"])
    token = str(uuid.uuid4())
    url = reverse("workflows:apply", args=[form_service.code])
    first = client.post(url, good_post(people, school, submit_token=token))
    second = client.post(url, good_post(people, school, submit_token=token))
    assert ServiceRequest.objects.count() == 1
    assert first.url == second.url


def test_a_draft_is_saved_incomplete_and_resumed(client, form_service, people, school):
    client.force_login(people["alice"])
    url = reverse("workflows:apply", args=[form_service.code])
    response = client.post(
        url, {"submit_token": str(uuid.uuid4()), "count": "2", "save_draft": "1"}
    )
    draft = ServiceRequest.objects.get()
    assert draft.status == "draft" and draft.form_data["count"] == 2
    assert response.url == f"{url}?draft={draft.pk}"
    resumed = client.get(response.url)
    assert resumed.context["form"].fields["count"].initial == 2
    client.force_login(people["charlie"])
    assert client.get(response.url).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "english"),
    [
        pytest.param("count", "eleven", "Enter a whole number", id="number-not-a-number"),
        pytest.param("count", "11", "less than or equal to 10", id="number-over-max"),
        pytest.param("amount", "-5", "greater than or equal to 0", id="money-negative"),
        pytest.param("amount", "1e400", "no more than 14 digits", id="money-huge"),
        pytest.param("day", "2026-02-30", "Enter a valid date", id="date-impossible"),
        pytest.param("span_1", "2026-11-01", "end date is before", id="range-backwards"),
        pytest.param("kind", "<script>", "Select a valid choice", id="choice-hostile"),
        pytest.param("langs", ["xx"], "Select a valid choice", id="multi-choice-unknown"),
        pytest.param("deputy", "nobody-1", "Nobody has", id="person-unknown"),
        pytest.param("to_dept", "999999", "Select a valid choice", id="department-unknown"),
        pytest.param("note", "字" * 51, "at most 50", id="long-text-too-long"),
        pytest.param("kind", None, "required", id="required-missing"),
        pytest.param(
            "letter",
            SimpleUploadedFile("evil.pdf", b"MZ\x90\x00", "application/pdf"),
            "not really a .pdf",
            id="file-disguised-executable",
        ),
        pytest.param(
            "letter",
            SimpleUploadedFile("letter.pdf", b"%PDF-1.7\n<html><body>hi</body></html>"),
            "is damaged: it cannot be opened",
            id="file-pdf-header-then-html",
        ),
        pytest.param(
            "letter",
            SimpleUploadedFile("run.exe", PDF, "application/octet-stream"),
            "only",
            id="file-wrong-type",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, form_service, people, school, field, value, english
):
    client.post(reverse("set_language"), {"language": "en"})
    client.force_login(people["alice"])
    response = client.post(
        reverse("workflows:apply", args=[form_service.code]),
        good_post(people, school, **{field: value}),
    )
    assert response.status_code == 200
    assert english in response.content.decode()
    assert ServiceRequest.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(client, form_service, people, school, monkeypatch):
    from workflows import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 100)
    client.force_login(people["alice"])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 200, "application/pdf")
    response = client.post(
        reverse("workflows:apply", args=[form_service.code]), good_post(people, school, letter=big)
    )
    with translation.override("zh-hans"):
        expected = gettext("“%(name)s” is larger than %(mb)d MB.") % {"name": "big.pdf", "mb": 0}
    assert expected in response.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_a_fake_pdf_is_refused_in_chinese_and_nothing_is_stored(
    client, form_service, people, school, settings, tmp_path
):
    # given
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["alice"])
    fake = SimpleUploadedFile("邀请函.pdf", b"%PDF-1.4\n<html><script>x()</script></html>")
    # when
    response = client.post(
        reverse("workflows:apply", args=[form_service.code]), good_post(people, school, letter=fake)
    )
    # then
    assert "“邀请函.pdf”已损坏，无法打开。" in response.content.decode()
    assert ServiceRequest.objects.count() == 0 and Attachment.objects.count() == 0
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_errors_speak_chinese_by_default(client, form_service, people, school):
    client.force_login(people["alice"])
    response = client.post(
        reverse("workflows:apply", args=[form_service.code]), good_post(people, school, count="x")
    )
    assert "输入整数" in response.content.decode()


def test_an_offline_service_has_no_form(client, make_service, people):
    service = make_service(is_online=False)
    client.force_login(people["alice"])
    response = client.get(reverse("workflows:apply", args=[service.code]))
    assert response.status_code == 302 and response.url == service.get_absolute_url()


def test_applying_needs_login(client, form_service):
    response = client.get(reverse("workflows:apply", args=[form_service.code]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- approver pages ---------------------------------------------------------------------------


def test_the_approver_decides_on_the_task_page(client, make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    client.force_login(people["hank"])
    refused = client.post(task.get_absolute_url(), {"op": "decide", "action": "reject"})
    assert refused.status_code == 200 and ApprovalTask.objects.get(pk=task.pk).status == "pending"
    client.post(task.get_absolute_url(), {"op": "decide", "action": "approve", "comment": "同意"})
    assert ServiceRequest.objects.get(pk=req.pk).status == "approved"
    again = client.post(task.get_absolute_url(), {"op": "decide", "action": "approve"}, follow=True)
    with translation.override("zh-hans"):
        expected = gettext("This task has already been handled; nothing was changed.")
    assert expected in again.content.decode()


def test_bulk_approve_records_each_decision(client, make_chain, people):
    reqs = many_requests(make_chain, people, 3)
    ids = [ApprovalTask.objects.get(request=r).pk for r in reqs]
    client.force_login(people["hank"])
    client.post(reverse("workflows:bulk-approve"), {"task": ids})
    for req in reqs:
        assert [t.status for t in req.tasks.order_by("step_index")] == ["approved", "pending"]
        assert req.records.filter(action="approve", actor=people["hank"]).count() == 1


def test_bulk_approve_skips_tasks_that_are_not_yours(client, make_chain, people):
    reqs = many_requests(make_chain, people, 1)
    task = ApprovalTask.objects.get(request=reqs[0])
    client.force_login(people["charlie"])
    client.post(reverse("workflows:bulk-approve"), {"task": [task.pk]})
    assert ApprovalTask.objects.get(pk=task.pk).status == "pending"


def test_inbox_filters_and_order(client, make_chain, people):
    reqs = many_requests(make_chain, people, 5)
    client.force_login(people["hank"])
    # the page's rows are selectors.TASK_ROW dicts
    todo = list(client.get(reverse("workflows:inbox")).context["page"].object_list)
    assert [t["urgent"] for t in todo] == sorted([t["urgent"] for t in todo], reverse=True)
    urgent = client.get(reverse("workflows:inbox") + "?urgent=on").context["page"].object_list
    assert {t["request__number"] for t in urgent} == {reqs[0].number, reqs[3].number}
    by_number = client.get(reverse("workflows:inbox") + f"?q={reqs[1].number}")
    assert [t["request__number"] for t in by_number.context["page"].object_list] == [reqs[1].number]
    bad = client.get(reverse("workflows:inbox") + "?date_from=yesterday&page=x")
    assert bad.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?urgent=on",
        "?overdue=on",
        "?urgent=on&overdue=on",
        "?tab=done",
        "?tab=queue",
        "?service={code}",
        "?date_from={today}&date_to={today}",
        "?q={number}",
        "?applicant=alice",
    ],
)
def test_every_inbox_page_shows_what_the_orm_reads(client, make_chain, people, query):
    """The inbox's pages are read through hall.compiled (a query compiled once per tab and
    set of filters): each page, first and second, the same rows as the ORM, for two people."""
    from datetime import timedelta

    from hall import compiled
    from workflows.forms import InboxFilterForm
    from workflows.selectors import TASK_ROW, _inbox_tasks

    compiled.forget()
    reqs = many_requests(make_chain, people, 27)
    late = ApprovalTask.objects.filter(request__in=reqs[:5], status="pending")
    late.update(due_at=timezone.now() - timedelta(hours=2))
    for req in reqs[22:]:
        task = ApprovalTask.objects.get(request=req, status="pending")
        services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    query = query.format(
        code=reqs[0].service.code, today=timezone.localdate().isoformat(), number=reqs[3].number
    )
    for who in ("hank", "fay"):
        client.force_login(people[who])
        for page in (1, 2):
            url = reverse("workflows:inbox") + (query or "?") + f"&page={page}"
            shown_page = client.get(url).context["page"]  # page 2 of one page shows the last
            shown, number = list(shown_page.object_list), shown_page.number
            flt = InboxFilterForm(dict(pair.split("=") for pair in query[1:].split("&") if pair))
            flt = flt.to_filter()
            values = {"user_id": people[who].pk, "now": timezone.now()}
            for name in ("service", "applicant", "date_from", "date_to", "q"):
                values[name] = getattr(flt, name) or None
            filters = tuple(sorted(name for name in values if values[name] and name != "user_id"
                                   and name != "now"))  # fmt: skip
            expected = list(
                _inbox_tasks(flt.tab, (flt.urgent, flt.overdue), filters, **values).values(
                    *TASK_ROW
                )[(number - 1) * 20 : number * 20]
            )
            assert shown == expected, (who, url)
            if who == "hank" and page == 1 and not query.startswith("?tab=queue"):
                assert shown


@pytest.mark.parametrize("status", ["", "in_progress", "withdrawn"])
def test_my_requests_pages_show_what_the_orm_reads(client, make_chain, people, status):
    """My requests' pages are read through hall.compiled: the same rows as the ORM, for two
    people (one without requests), on the first and second page."""
    from hall import compiled
    from workflows.selectors import REQUEST_ROW, _my_requests

    compiled.forget()
    reqs = many_requests(make_chain, people, 23)
    for req in reqs[:4]:
        services.request_withdraw(request_id=req.pk, user=people["alice"], comment="")
    for who in ("alice", "rose"):
        client.force_login(people[who])
        for page in (1, 2):
            url = reverse("workflows:my-requests") + f"?status={status}&page={page}"
            shown_page = client.get(url).context["page"]
            expected = list(
                _my_requests(bool(status), user_id=people[who].pk, status=status).values(
                    *REQUEST_ROW
                )[(shown_page.number - 1) * 20 : shown_page.number * 20]
            )
            assert list(shown_page.object_list) == expected, (who, url)
            assert bool(expected) == (who == "alice")


def test_a_comment_goes_into_the_history_without_a_decision(client, make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    client.force_login(people["hank"])
    client.post(task.get_absolute_url(), {"op": "comment", "remark": "请补充出访行程"})
    assert req.records.filter(action="comment", comment="请补充出访行程").exists()
    assert ApprovalTask.objects.get(pk=task.pk).status == "pending"
    client.force_login(people["charlie"])
    assert client.post(task.get_absolute_url(), {"op": "comment", "remark": "x"}).status_code == 404


def test_a_department_admin_sees_the_departments_requests(
    client, make_chain, submit, people, school
):
    from hall.models import Role

    req = submit(make_chain([FINANCE]))
    admin = people["rose"]
    client.force_login(admin)
    assert client.get(req.get_absolute_url()).status_code == 404
    Role.objects.create(department=school, code="admin", name_zh="管理员").holders.add(admin)
    assert client.get(req.get_absolute_url()).status_code == 200


def test_transfer_and_add_signer_from_the_task_page(client, make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    client.force_login(people["hank"])
    unknown = client.post(task.get_absolute_url(), {"op": "transfer", "p-person": "nobody"})
    assert unknown.status_code == 200 and ApprovalTask.objects.get(pk=task.pk).status == "pending"
    client.post(
        task.get_absolute_url(),
        {"op": "add_signer", "p-person": people["fay"].number, "p-position": "after"},
    )
    assert [s["name_en"] for s in ServiceRequest.objects.get(pk=req.pk).chain][1].startswith(
        "Added signer"
    )
    client.post(task.get_absolute_url(), {"op": "transfer", "p-person": people["lee"].number})
    assert ApprovalTask.objects.get(pk=task.pk).status == "transferred"
    assert ApprovalTask.objects.get(request=req, status="pending").assignee == people["lee"]


# The history's rows as workflows/_trail.html printed them with a template loop, before
# views.trail_rows wrote them out once each.
OLD_TRAIL_LOOP = (
    '{% load i18n %}{% for r in records %}<li><time>{{ r.created_at|date:"Y-m-d H:i" }}</time> '
    '<strong>{{ r.actor|default:_("System") }}</strong>{% if r.on_behalf_of %} '
    "({% blocktranslate with who=r.on_behalf_of %}on behalf of {{ who }}{% endblocktranslate %})"
    "{% endif %} · {{ r.get_action_display }}{% if r.step_name %} · {{ r.step_name }}{% endif %}"
    "{% if r.comment %} — {{ r.comment }}{% endif %}</li>{% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_history_rows_print_what_the_template_loop_printed(language):
    from datetime import UTC, datetime

    from django.template import engines
    from django.utils import translation

    from hall.models import User
    from workflows.models import ApprovalRecord
    from workflows.views import trail_rows

    at = datetime(2026, 11, 10, 1, 2, tzinfo=UTC)
    lee, hank = User(username="lee", full_name="李<b>"), User(username="hank", full_name="")
    records = [
        ApprovalRecord(created_at=at, actor=None, action="submit"),
        ApprovalRecord(
            created_at=at,
            actor=lee,
            on_behalf_of=hank,
            action="approve",
            step_name="处长 & 审核",
            comment='"好" <ok>',
        ),  # fmt: skip
        ApprovalRecord(created_at=at, actor=hank, action="comment", comment="请补充"),
        ApprovalRecord(created_at=at, actor=lee, action="unknown-action"),
    ]
    with translation.override(language):
        old = engines["django"].from_string(OLD_TRAIL_LOOP).render({"records": records})
        assert "".join(trail_rows(records)) == old


# The progress bar's steps as workflows/_progress.html printed them with a template loop,
# before views.progress_rows wrote them out once each.
OLD_PROGRESS_LOOP = """{% load i18n %}  {% for step in steps %}
    <li class="progress-step {{ step.state }}"{% if step.state == "active" %} aria-current="step"{% endif %}>
      <span class="step-name">{{ forloop.counter }}. {{ step.name }}</span>
      <span class="step-state">{% if step.state == "active" %}{% translate "In progress" %}{% elif step.state == "approved" %}{% translate "Approved" %}{% elif step.state == "rejected" %}{% translate "Rejected" %}{% elif step.state == "returned" %}{% translate "Returned" %}{% elif step.state == "skipped" %}{% translate "Skipped" %}{% else %}{% translate "Waiting" %}{% endif %}</span>
      {% for who in step.handlers %}<span class="step-who">{{ who }}{% if who.phone %} · ☎ <a href="tel:{{ who.phone }}">{{ who.phone }}</a>{% endif %}{% if who.office %} · {{ who.office }}{% endif %}</span>{% endfor %}
      {% for t in step.decisions %}<span class="step-when">{{ t.decided_by }} · {{ t.get_status_display }} · {{ t.decided_at|date:"Y-m-d H:i" }}{% if t.comment %} · “{{ t.comment }}”{% endif %}</span>{% endfor %}
      {% if step.due_at %}<span class="step-due">{% include "workflows/_due.html" with due=step.due_at %}</span>{% endif %}
    </li>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_progress_rows_print_what_the_template_loop_printed(language):
    from datetime import UTC, datetime, timedelta

    from django.template import engines
    from django.utils import translation

    from hall.models import User
    from workflows.selectors import StepView
    from workflows.views import progress_rows

    now = datetime(2026, 11, 10, 1, 2, tzinfo=UTC)
    lee = User(username="lee", full_name="李<b>", phone="010-1234", office="A & 101")
    hank = User(username="hank", full_name="", phone="", office="")
    fay = User(username="fay", full_name="Fay", phone="", office="B2")
    steps = [
        StepView(index=0, name="初审 <1>", state="approved", decisions=[
            ApprovalTask(decided_by=lee, status="approved", decided_at=now, comment='"好"'),
            ApprovalTask(decided_by=hank, status="rejected", decided_at=now, comment=""),
        ]),
        StepView(index=1, name="复核", state="active", handlers=[lee, hank, fay],
                 due_at=now + timedelta(hours=5, minutes=3)),
        StepView(index=2, name="会签", state="active", handlers=[fay],
                 due_at=now - timedelta(days=2, hours=1)),
        StepView(index=3, name="x", state="returned"),
        StepView(index=4, name="y", state="rejected"),
        StepView(index=5, name="z", state="skipped"),
        StepView(index=6, name="w", state="pending"),
        StepView(index=7, name="v", state="active", due_at=now),
    ]  # fmt: skip
    with translation.override(language):
        context = {"steps": steps, "now": now}
        old = engines["django"].from_string(OLD_PROGRESS_LOOP).render(context)
        assert "  " + "".join(progress_rows(steps, now)) == old
