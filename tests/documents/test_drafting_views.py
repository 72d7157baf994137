"""The pages of drafting tasks and of government affairs information: who may open which URL
(writer, office, chain, unit, other staff, student, anonymous), both languages, exact query
counts at 1 and 50 rows on every list and on the score table."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import drafting, info
from documents.models import DraftingTask, InfoIssue, InfoItem, Material
from hall.models import Role

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF"
)


@pytest.fixture
def task(office):
    task = drafting.task_create(
        user=office["rhea"],
        office=office["office"],
        kind="speech",
        title="校长在开学典礼上的讲话",
        deadline=timezone.localdate() + timedelta(days=20),
        writers=[office["alice"]],
    )
    drafting.text_save(task_id=task.pk, user=office["alice"], title=task.title, body="同学们：")
    drafting.text_save(
        task_id=task.pk, user=office["alice"], title=task.title, body="亲爱的同学们："
    )
    return task


@pytest.fixture
def material(office, task):
    return drafting.material_ask(
        task_id=task.pk,
        user=office["alice"],
        department=office["finance"],
        due_date=timezone.localdate() + timedelta(days=3),
    )


@pytest.fixture
def editor(office):
    Role.objects.create(
        department=office["office"], code=info.EDITOR_ROLE, name_zh="信息编辑"
    ).holders.add(office["otto"])
    return office["otto"]


def _status(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


DRAFTING_MATRIX = {
    # persona: (task page, its comparison, edit page, the unit's material page)
    "alice": (200, 200, 200, 200),  # the writer
    "rhea": (200, 200, 302, 200),  # the office: sees, does not write
    "fay": (404, 404, 404, 200),  # finance, asked for material: its own page only
    "sam": (404, 404, 404, 404),  # the writer's colleague
    "bob": (404, 404, 404, 404),  # a student
}


@pytest.mark.parametrize("persona", list(DRAFTING_MATRIX))
def test_drafting_urls_by_persona(client, office, task, material, persona):
    # given
    urls = [
        reverse("documents:drafting-detail", args=[task.pk]),
        reverse("documents:drafting-compare", args=[task.pk]),
        reverse("documents:drafting-edit", args=[task.pk]),
        reverse("documents:material", args=[material.pk]),
    ]
    # when
    got = tuple(_status(client, office[persona], url) for url in urls)
    # then
    assert got == DRAFTING_MATRIX[persona]


def test_the_chain_sees_the_task_once_it_is_in_review(client, office, task):
    url = reverse("documents:drafting-detail", args=[task.pk])
    assert _status(client, office["hank"], url) == 404
    drafting.task_submit(task_id=task.pk, user=office["alice"])
    assert _status(client, office["hank"], url) == 200


def test_anonymous_people_are_sent_to_log_in_everywhere(client, task, material):
    for url in (
        reverse("documents:drafting"),
        reverse("documents:drafting-create"),
        reverse("documents:drafting-detail", args=[task.pk]),
        reverse("documents:drafting-compare", args=[task.pk]),
        reverse("documents:material", args=[material.pk]),
        reverse("documents:material-file", args=[material.pk]),
        reverse("documents:info"),
        reverse("documents:info-create"),
        reverse("documents:info-issues"),
        reverse("documents:info-scores"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_a_unit_hands_in_a_checked_file_and_the_writer_downloads_it(client, office, material):
    # given
    client.force_login(office["fay"])
    url = reverse("documents:material", args=[material.pk])
    # when: a renamed text file is refused, nothing changes
    bad = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"not a pdf"), "note": "x"})
    material.refresh_from_db()
    assert bad.status_code == 200 and material.submitted_at is None
    # when: a real PDF
    client.post(url, {"file": SimpleUploadedFile("财政.pdf", PDF), "note": "一季度数据"})
    # then
    material.refresh_from_db()
    assert material.submitted_by == office["fay"] and material.note == "一季度数据"
    client.force_login(office["alice"])
    download = client.get(reverse("documents:material-file", args=[material.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(office["sam"])
    assert client.get(reverse("documents:material-file", args=[material.pk])).status_code == 404


def test_the_writer_sees_who_is_missing_and_chases_in_both_languages(client, office, material):
    # given
    client.force_login(office["alice"])
    url = reverse("documents:drafting-detail", args=[material.task_id])
    # when
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(url).content.decode()
    chased = client.post(reverse("documents:material-chase", args=[material.pk]), follow=True)
    # then
    assert "1 unit has not handed in yet." in english and "Chase" in english
    assert "1 个单位尚未报送。" in chinese and "催报" in chinese
    assert "已提醒该单位。" in chased.content.decode()


def test_the_comparison_page_marks_the_change(client, office, task):
    client.force_login(office["alice"])
    page = client.get(reverse("documents:drafting-compare", args=[task.pk]) + "?a=1&b=0")
    assert "<ins>亲爱的</ins>" in page.content.decode()
    bad = client.get(reverse("documents:drafting-compare", args=[task.pk]) + "?a=99&b=x")
    assert bad.status_code == 200


def _queries(client, url) -> int:
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _tasks(office, n):
    tasks = DraftingTask.objects.bulk_create(
        [
            DraftingTask(
                kind="research",
                title=f"调研报告{i}",
                office=office["office"],
                deadline=date(2026, 12, 31),
            )
            for i in range(n)
        ]
    )
    DraftingTask.writers.through.objects.bulk_create(
        [DraftingTask.writers.through(draftingtask=t, user=office["alice"]) for t in tasks]
    )
    Material.objects.bulk_create(
        [Material(task=t, department=office["school"], due_date=date(2026, 12, 1)) for t in tasks]
    )


def test_the_drafting_list_costs_the_same_queries_at_1_and_50_rows(client, office):
    # given
    client.force_login(office["alice"])
    url = reverse("documents:drafting")
    _tasks(office, 1)
    one = _queries(client, url)
    _tasks(office, 49)
    # when
    fifty = _queries(client, url)
    # then
    assert DraftingTask.objects.count() == 50
    assert one == fifty


def _items(office, n):
    InfoItem.objects.bulk_create(
        [
            InfoItem(
                title=f"信息{i}",
                body="正文",
                department=office["finance" if i % 2 else "research"],
                submitter=office["fay"],
                submitted_on=timezone.localdate(),
                status="adopted" if i % 3 else "submitted",
            )
            for i in range(n)
        ]
    )


def _issues(n):
    last = InfoIssue.objects.count()
    InfoIssue.objects.bulk_create(
        [InfoIssue(kind="brief", year=2026, number=last + i + 1, title="简报") for i in range(n)]
    )


@pytest.mark.parametrize(
    "page", ["documents:info", "documents:info-issues", "documents:info-scores"]
)
def test_the_information_lists_cost_the_same_queries_at_1_and_50_rows(client, office, editor, page):
    # given: 1 then 50 items (in units enough for 50 score rows too) and issues
    from hall.models import Department

    client.force_login(editor)
    url = reverse(page)
    _items(office, 1)
    _issues(1)
    one = _queries(client, url)
    units = Department.objects.bulk_create(
        [Department(code=f"unit-{i}", name_zh=f"单位{i}") for i in range(49)]
    )
    InfoItem.objects.bulk_create(
        [
            InfoItem(title="信息", body="正文", department=u, submitted_on=timezone.localdate())
            for u in units
        ]
    )
    _issues(49)
    # when
    fifty = _queries(client, url)
    # then
    assert one == fifty


INFO_MATRIX = {
    # persona: (the item page, the issue page, the score table)
    "otto": (200, 200, 200),  # the editor
    "fay": (200, 200, 403),  # the submitter
    "charlie": (200, 200, 403),  # her unit's colleague
    "rita": (404, 404, 403),  # another unit
    "bob": (404, 404, 403),  # a student
}


@pytest.mark.parametrize("persona", list(INFO_MATRIX))
def test_information_urls_by_persona(client, office, editor, persona):
    # given
    item = info.item_submit(user=office["fay"], title="财政信息", body="正文")
    info.item_adopt(item_id=item.pk, user=editor)
    issue = info.issue_compile(user=editor, kind="special", title="专报", item_ids=[item.pk])
    urls = [
        reverse("documents:info-item", args=[item.pk]),
        reverse("documents:info-issue", args=[issue.pk]),
        reverse("documents:info-scores"),
    ]
    # when
    got = tuple(_status(client, office[persona], url) for url in urls)
    # then
    assert got == INFO_MATRIX[persona]


def test_editor_actions_through_the_pages(client, office, editor):
    # given
    item = info.item_submit(user=office["fay"], title="财政信息", body="正文")
    client.force_login(office["fay"])
    refused = client.post(reverse("documents:info-act", args=[item.pk, "adopt"]))
    assert refused.status_code == 403
    client.force_login(editor)
    # when
    client.post(reverse("documents:info-act", args=[item.pk, "adopt"]))
    client.post(
        reverse("documents:info-issue-create"),
        {"kind": "brief", "title": "第1期", "items": [item.pk]},
    )
    issue = InfoIssue.objects.get()
    client.post(reverse("documents:info-issue-send", args=[issue.pk]), {"sent_to": "市政府"})
    client.post(
        reverse("documents:info-act", args=[item.pk, "upper"]), {"on": "2026-03-09", "by": "市政府"}
    )
    nothing = client.post(reverse("documents:info-act", args=[item.pk, "nonsense"]))
    # then
    item.refresh_from_db()
    issue.refresh_from_db()
    assert (item.status, item.issue_id, item.upper_adopted_by) == ("adopted", issue.pk, "市政府")
    assert issue.sent_to == "市政府" and nothing.status_code == 404


def test_the_score_table_page_and_its_excel_in_both_languages(client, office, editor):
    # given
    item = info.item_submit(user=office["fay"], title="财政信息", body="正文")
    info.item_adopt(item_id=item.pk, user=editor)
    client.force_login(editor)
    today = timezone.localdate()
    url = reverse("documents:info-scores") + f"?period=year&year={today.year}"
    # when
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(url).content.decode()
    xlsx = client.get(url + "&format=xlsx")
    bad = client.get(reverse("documents:info-scores") + "?year=99999&period=%00")
    # then
    assert "Score table" in english and "Finance" in english
    assert "得分表" in chinese and "财务处" in chinese
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    assert bad.status_code == 200 and "已忽略" in bad.content.decode()


def test_posts_by_people_outside_change_nothing(client, office, editor, task, material):
    # given
    item = info.item_submit(user=office["fay"], title="财政信息", body="正文")
    info.item_adopt(item_id=item.pk, user=editor)
    issue = info.issue_compile(user=editor, kind="brief", title="简报", item_ids=[item.pk])
    posts = [
        ("sam", reverse("documents:drafting-ask", args=[task.pk]), {}, 404),
        ("sam", reverse("documents:drafting-submit", args=[task.pk]), {}, 404),
        ("sam", reverse("documents:material-chase", args=[material.pk]), {}, 404),
        ("sam", reverse("documents:material", args=[material.pk]), {"note": "x"}, 404),
        ("alice", reverse("documents:material", args=[material.pk]), {"note": "x"}, 403),
        ("alice", reverse("documents:drafting-create"), {}, 403),
        ("rita", reverse("documents:info-act", args=[item.pk, "reject"]), {"reason": "x"}, 404),
        ("fay", reverse("documents:info-act", args=[item.pk, "reject"]), {"reason": "x"}, 403),
        ("rita", reverse("documents:info-issue-send", args=[issue.pk]), {"sent_to": "x"}, 404),
        ("fay", reverse("documents:info-issue-send", args=[issue.pk]), {"sent_to": "x"}, 403),
        ("fay", reverse("documents:info-issue-create"), {}, 403),
        ("bob", reverse("documents:info-create"), {"title": "x", "body": "y"}, 403),
    ]
    # when
    got = [(who, url, _post(client, office[who], url, data)) for who, url, data, _s in posts]
    # then
    assert [s for *_w, s in got] == [s for *_w, s in posts]
    material.refresh_from_db()
    item.refresh_from_db()
    issue.refresh_from_db()
    assert (material.submitted_at, material.note, Material.objects.count()) == (None, "", 1)
    assert (item.status, issue.sent_at, InfoItem.objects.count()) == ("adopted", None, 1)
    assert DraftingTask.objects.get().status == "drafting"


def _post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data).status_code


def test_the_office_names_the_writers_by_number_or_user_name_and_unknown_ones_are_refused(
    client, office
):
    client.force_login(office["rhea"])
    url = reverse("documents:drafting-create")
    page = client.get(url).content.decode()
    assert 'name="writers"' in page and "data-people-multiple" in page
    data = {
        "office": office["office"].pk,
        "kind": "speech",
        "title": "讲话稿",
        "deadline": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }
    refused = client.post(url, {**data, "writers": "alice, nobody"})
    assert refused.status_code == 200 and "No such people: nobody." in refused.content.decode()
    assert not DraftingTask.objects.exists()
    client.post(url, {**data, "writers": "alice，T100"})  # hank's staff number
    task = DraftingTask.objects.get()
    assert set(task.writers.all()) == {office["alice"], office["hank"]}
