"""The supervision pages: who may open which (URL × persona), the actions through the pages,
and constant query counts on the board and the public notice."""

import pytest
import time_machine
from django.urls import reverse

from performance import services
from performance.models import Item, NoticeEntry
from performance.services import Source
from tests.files import real_pdf
from tests.performance.conftest import at

PERSONAS = ["sam", "lee", "hank", "alice", "rita", "charlie", "lina", "gus"]
# Who sees an item led by the School of CS with research as co-unit, lee in charge; the units'
# students (lina, gus) do not: a unit's items are for its staff.
SEES_ITEM = {
    "sam": 200,
    "lee": 200,
    "hank": 200,
    "alice": 200,
    "rita": 200,
    "charlie": 404,
    "lina": 404,
    "gus": 404,
}


@pytest.fixture
def item(assign):
    return assign()


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("page", ["item", "evidence"])
def test_an_items_pages_open_only_for_those_who_may_see_it(client, office, item, who, page):
    # given
    report = None
    if page == "evidence":
        from django.core.files.uploadedfile import SimpleUploadedFile

        services.item_sign(item_id=item.pk, user=office["hank"])
        report = services.item_report(
            item_id=item.pk,
            user=office["hank"],
            text="进展",
            evidence=SimpleUploadedFile("e.pdf", real_pdf(), content_type="application/pdf"),
        )
    client.force_login(office[who])
    url = (
        reverse("performance:item", args=[item.pk])
        if page == "item"
        else reverse("performance:evidence", args=[item.pk, report.pk])
    )
    # when
    response = client.get(url)
    # then
    assert response.status_code == SEES_ITEM[who]


@pytest.mark.parametrize("who", PERSONAS)
def test_the_board_and_notice_list_only_what_the_person_may_see(client, office, item, who):
    NoticeEntry.objects.create(item=item, period="2026-12", deadline=item.deadline)
    client.force_login(office[who])
    board = client.get(reverse("performance:board")).content.decode()
    notice = client.get(reverse("performance:notice"), {"period": "2026-12"}).content.decode()
    shown = SEES_ITEM[who] == 200
    assert (item.title in board) == shown
    assert (item.title in notice) == shown


@pytest.mark.parametrize(("who", "status"), [("sam", 200), ("lee", 404), ("hank", 404)])
def test_only_the_office_opens_the_assignment_form(client, office, who, status):
    client.force_login(office[who])
    assert client.get(reverse("performance:item-create")).status_code == status


@pytest.mark.parametrize(
    "action", ["item-sign", "item-return", "item-report", "item-close", "item-extend"]
)
def test_an_outsider_posting_an_action_gets_404_and_nothing_changes(client, office, item, action):
    client.force_login(office["charlie"])
    response = client.post(reverse(f"performance:{action}", args=[item.pk]), {"reason": "x"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == Item.Status.ASSIGNED
    assert item.steps.count() == 1


def test_the_office_assigns_an_item_through_the_form(client, office):
    client.force_login(office["sam"])
    response = client.post(
        reverse("performance:item-create"),
        {
            "title": "落实校长办公会关于实验室安全的决定",
            "source_kind": "decision",
            "source_ref": "performance.decision:7",
            "source_title": "第12次校长办公会",
            "source_url": "/performance/",
            "criteria": "完成全部实验室检查",
            "leader": office["lee"].pk,
            "lead_unit": office["school"].pk,
            "co_units": [office["research"].pk],
            "days": "10",
            "milestones": "3 检查方案\n8 完成检查",
        },
    )
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert [m.title for m in item.milestones.all()] == ["检查方案", "完成检查"]


def test_a_refusal_through_the_page_shows_its_message(client, office, item):
    services.item_sign(item_id=item.pk, user=office["hank"])
    client.force_login(office["sam"])
    response = client.post(reverse("performance:item-close", args=[item.pk]), follow=True)
    assert "only after the office verified its completion report" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS


def test_the_unit_signs_reports_and_the_office_closes_through_the_pages(client, office, item):
    client.force_login(office["hank"])
    client.post(reverse("performance:item-sign", args=[item.pk]))
    client.post(reverse("performance:item-report", args=[item.pk]), {"text": "进展顺利"})
    client.post(
        reverse("performance:item-report", args=[item.pk]), {"text": "已完成", "complete": "1"}
    )
    client.force_login(office["sam"])
    client.post(reverse("performance:item-close", args=[item.pk]), {"reason": "核验"})
    item.refresh_from_db()
    assert item.status == Item.Status.CLOSED
    page = client.get(reverse("performance:item", args=[item.pk])).content.decode()
    assert "Verified and closed" in page


def _extension(office, item):
    from datetime import date

    services.item_sign(item_id=item.pk, user=office["hank"])
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        return services.extension_request(
            item_id=item.pk, user=office["hank"], new_deadline=date(2026, 12, 18), reason="设备未到"
        )


def test_the_extension_task_shows_the_items_title_linked_and_the_leaders_name(client, office, item):
    from workflows.models import ApprovalTask

    extension = _extension(office, item)
    task = ApprovalTask.objects.get(request=extension.request, status="pending")
    client.force_login(office["lee"])
    page = client.get(reverse("workflows:task-detail", args=[task.pk])).content.decode()
    item_url = reverse("performance:item", args=[item.pk])
    assert f'<a href="{item_url}">{item.title}</a>' in page
    assert f"<dd>{office['lee'].full_name}</dd>" in page
    assert f"<dd>{item.pk}</dd>" not in page
    assert f"<dd>{office['lee'].pk}</dd>" not in page


def test_the_extension_form_is_gone_while_an_extension_waits(client, office, item):
    client.force_login(office["hank"])
    item_url = reverse("performance:item", args=[item.pk])
    extend_url = reverse("performance:item-extend", args=[item.pk])
    assert extend_url in client.get(item_url).content.decode()
    _extension(office, item)
    page = client.get(item_url).content.decode()
    assert extend_url not in page
    assert "An extension is waiting for the leader" in page


def test_an_items_source_shows_its_title_linked_not_its_reference(client, office, assign):
    item = assign(
        source=Source(
            kind="instruction",
            ref="documents.instruction:1",
            title="校长批示：加快一网通办",
            url="/documents/incoming/1/",
        )
    )
    client.force_login(office["sam"])
    page = client.get(reverse("performance:item", args=[item.pk])).content.decode()
    assert '<a href="/documents/incoming/1/">校长批示：加快一网通办</a>' in page
    assert "documents.instruction:1" not in page


def test_the_assign_form_uses_the_halls_form_and_asks_for_no_typed_reference(client, office):
    client.force_login(office["sam"])
    page = client.get(reverse("performance:item-create")).content.decode()
    assert '<form method="post" class="apply-form"' in page
    assert "stacked-form" not in page
    assert "app.model:number" not in page
    for name in ("source_ref", "source_title", "source_url"):
        assert f'<input type="hidden" name="{name}"' in page


def test_the_board_and_notice_cells_carry_their_column_label(client, office, item):
    NoticeEntry.objects.create(item=item, period="2026-12", deadline=item.deadline)
    client.force_login(office["sam"])
    board = client.get(reverse("performance:board")).content.decode()
    notice = client.get(reverse("performance:notice"), {"period": "2026-12"}).content.decode()
    for label in ("Source", "Status", "Lead unit", "Leader in charge"):
        assert f'<td data-label="{label}">' in board
    assert '<td data-label="Deadline" class="sup-deadline">' in board
    assert '<td data-label="Deadline" class="sup-deadline">' in notice


def test_the_notices_month_is_a_month_input_holding_the_month_shown(client, office):
    client.force_login(office["sam"])
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        page = client.get(reverse("performance:notice")).content.decode()
    assert 'type="month" id="id_period" name="period" value="2026-11"' in page
    page = client.get(reverse("performance:notice"), {"period": "2026-09"}).content.decode()
    assert 'name="period" value="2026-09"' in page


def test_the_boards_cached_counts_follow_every_item_write(client, office, assign):
    first = assign()
    client.force_login(office["sam"])
    board = reverse("performance:board")
    page = client.get(board).content.decode()
    assert '?status=assigned">Waiting to be signed for <strong>1</strong>' in page
    # when: a second item is assigned and the first signed for (each write bumps the version)
    assign(title="第二项")
    services.item_sign(item_id=first.pk, user=office["hank"])
    page = client.get(board).content.decode()
    assert '?status=assigned">Waiting to be signed for <strong>1</strong>' in page
    assert '?status=in_progress">In progress <strong>1</strong>' in page, page[
        page.index("sup-counts") : page.index("sup-counts") + 900
    ]


def test_the_boards_unit_and_leader_filters_mark_the_chosen_one(client, office, item):
    client.force_login(office["sam"])
    school, lee = office["school"].pk, office["lee"].pk
    page = client.get(reverse("performance:board"), {"unit": school, "leader": lee})
    html = page.content.decode()
    assert f'<option value="{school}" selected>' in html
    assert f'<option value="{lee}" selected>' in html
    assert item.title in html
    other = client.get(reverse("performance:board"), {"unit": office["finance"].pk})
    assert item.title not in other.content.decode()
    assert f'<option value="{school}" selected>' not in other.content.decode()


# --- constant query counts -------------------------------------------------------------------


def _many(assign, office, n: int) -> None:
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        for k in range(n):
            unit = office["finance"] if k % 2 else office["school"]
            item = services.item_create(
                user=office["sam"],
                title=f"督办事项{k}",
                source=services.Source(kind="assigned"),
                criteria="按期完成",
                leader=office["lee"],
                lead_unit=unit,
                co_units=[office["research"]],
                days=1 + k % 9,
            )
            NoticeEntry.objects.create(item=item, period="2026-12", deadline=item.deadline)


@pytest.mark.parametrize("who", ["sam", "hank", "rita"])
@pytest.mark.parametrize("page", ["board", "notice"])
def test_the_lists_cost_the_same_queries_at_1_and_50_rows(
    client, office, assign, django_assert_num_queries, who, page
):
    client.force_login(office[who])
    url = reverse(f"performance:{page}")
    query = {"period": "2026-12"} if page == "notice" else {}
    counts = []
    for n in (1, 49):
        _many(assign, office, n)
        client.get(url, query)  # warm the session and the caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(url, query)
