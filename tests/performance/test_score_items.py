# ruff: noqa: F811 — the tests take the plans tests' ``setup`` fixture, imported by name
"""Bonus and penalty items from a catalogue (admin-edited): the office picks them for a unit
with a note and, where asked, evidence; the unit's bonus and penalty are their sums; the veto
stays."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hall.models import User
from performance import evaluation as ev
from performance.models import EntryItem, EvaluationEntry, Grade, ScoreItem
from tests.files import real_pdf
from tests.performance.test_evaluation import evaluation  # noqa: F401 — the fixture
from tests.performance.test_plans import setup  # noqa: F401 — the fixture


@pytest.fixture
def catalogue(db):
    return {
        "award": ScoreItem.objects.create(
            name="获省级教学成果奖", name_en="Provincial award", kind="bonus", points=Decimal(3)
        ),
        "task": ScoreItem.objects.create(
            name="圆满完成临时重大任务", kind="bonus", points=Decimal(8), evidence_required=True
        ),
        "late": ScoreItem.objects.create(name="进展填报逾期", kind="penalty", points=Decimal(1)),
        "old": ScoreItem.objects.create(
            name="已停用", kind="bonus", points=Decimal(1), active=False
        ),
    }


def _kw(evaluation):
    entry = evaluation.entries.get()
    return {"evaluation_id": evaluation.pk, "entry_id": entry.pk}


def test_picked_items_make_the_bonus_and_penalty_and_the_score(setup, evaluation, catalogue):
    # given a self-score of 42 from the indicators
    kw = _kw(evaluation)
    # when the office picks an award (+3) and a late check-in (−1)
    ev.entry_item_add(user=setup["sam"], item_id=catalogue["award"].pk, note="一等奖", **kw)
    ev.entry_item_add(user=setup["sam"], item_id=catalogue["late"].pk, note="Q2", **kw)
    entry = EvaluationEntry.objects.get()
    # then the totals are computed, never typed, and the score follows: 42 + 3 − 1
    assert (entry.bonus, entry.penalty, entry.self_score) == (3, 1, Decimal("44.00"))
    # a later edit of the catalogue leaves the points given
    ScoreItem.objects.filter(pk=catalogue["award"].pk).update(points=Decimal(5))
    ev.evaluation_recompute(user=setup["sam"], evaluation_id=evaluation.pk)
    assert EvaluationEntry.objects.get().self_score == Decimal("44.00")
    # removing an item takes its points away
    picked = EntryItem.objects.get(item=catalogue["late"])
    entry = ev.entry_item_remove(user=setup["sam"], picked_id=picked.pk, **kw)
    assert (entry.bonus, entry.penalty, entry.self_score) == (3, 0, Decimal("45.00"))
    # the veto still caps the grade
    entry = ev.entry_veto_set(user=setup["sam"], veto=True, veto_reason="安全事故", **kw)
    assert entry.grade == Grade.FAIL


@pytest.mark.parametrize(
    ("item", "who", "note", "evidence", "message"),
    [
        ("task", "sam", "完成", False, "This item needs an evidence file."),
        ("award", "sam", "  ", False, "Say what the item is given for."),
        ("old", "sam", "x", False, "Choose an item of the catalogue."),
        (None, "sam", "x", False, "Choose an item of the catalogue."),
        ("award", "hank", "x", False, "Only the office"),
    ],
    ids=["no-evidence", "no-note", "inactive", "none", "not-office"],
)
def test_refusals_save_nothing(setup, evaluation, catalogue, item, who, note, evidence, message):
    kw = _kw(evaluation)
    item_id = catalogue[item].pk if item else 0
    with pytest.raises(ev.EvaluationError, match=message):
        ev.entry_item_add(user=setup[who], item_id=item_id, note=note, **kw)
    assert not EntryItem.objects.exists()
    assert EvaluationEntry.objects.get().self_score == Decimal("42.00")


def test_bonuses_stop_at_their_cap(setup, evaluation, catalogue):
    kw = _kw(evaluation)
    ev.entry_item_add(user=setup["sam"], item_id=catalogue["award"].pk, note="a", **kw)
    pdf = SimpleUploadedFile("e.pdf", real_pdf(), content_type="application/pdf")
    with pytest.raises(ev.EvaluationError, match="Bonuses total at most 10"):  # 3 + 8 > 10
        ev.entry_item_add(
            user=setup["sam"], item_id=catalogue["task"].pk, note="b", evidence=pdf, **kw
        )
    assert EntryItem.objects.count() == 1
    assert EvaluationEntry.objects.get().bonus == 3


def test_the_page_picks_an_item_with_evidence_and_refuses_with_the_message(
    client, setup, evaluation, catalogue
):
    entry = evaluation.entries.get()
    url = reverse("performance:evaluation-entry", args=[evaluation.pk, entry.pk])
    client.force_login(setup["sam"])
    html = client.get(url).content.decode()
    assert "Provincial award" in html and "已停用" not in html and 'id="item-add"' in html
    page = client.post(
        url, {"action": "item-add", "item": catalogue["task"].pk, "note": "x"}, follow=True
    )
    assert "This item needs an evidence file." in page.content.decode()
    bad = SimpleUploadedFile("e.exe", b"MZ...", content_type="application/octet-stream")
    page = client.post(
        url,
        {"action": "item-add", "item": catalogue["task"].pk, "note": "x", "evidence": bad},
        follow=True,
    )
    assert "only" in page.content.decode() and not EntryItem.objects.exists()
    for value in ("abc", "-5", "99999999999999999999999"):
        assert (
            client.post(url, {"action": "item-add", "item": value, "note": "x"}).status_code == 302
        )
    assert not EntryItem.objects.exists()
    pdf = SimpleUploadedFile("e.pdf", real_pdf(), content_type="application/pdf")
    client.post(
        url, {"action": "item-add", "item": catalogue["task"].pk, "note": "完成", "evidence": pdf}
    )
    picked = EntryItem.objects.get()
    assert EvaluationEntry.objects.get().bonus == 8
    evidence = reverse(
        "performance:evaluation-item-evidence", args=[evaluation.pk, entry.pk, picked.pk]
    )
    html = client.get(url).content.decode()
    assert evidence in html and "+8.00" in html
    assert client.get(evidence).status_code == 200
    client.post(url, {"action": "item-remove", "picked": picked.pk})
    assert not EntryItem.objects.exists()


@pytest.mark.parametrize(
    ("who", "sees", "picks"),
    [
        ("sam", True, True),  # the office
        ("lee", True, False),  # a member of the committee: sees, does not pick
        ("hank", False, False),  # the unit's head
        ("charlie", False, False),
    ],
)
def test_items_and_their_evidence_by_persona(
    client, setup, evaluation, catalogue, who, sees, picks
):
    entry = evaluation.entries.get()
    pdf = SimpleUploadedFile("e.pdf", real_pdf(), content_type="application/pdf")
    picked = ev.entry_item_add(
        user=setup["sam"],
        item_id=catalogue["task"].pk,
        note="完成",
        evidence=pdf,
        **_kw(evaluation),
    )
    client.force_login(User.objects.get(username=who))
    evidence = reverse(
        "performance:evaluation-item-evidence", args=[evaluation.pk, entry.pk, picked.pk]
    )
    assert client.get(evidence).status_code == (200 if sees else 404)
    url = reverse("performance:evaluation-entry", args=[evaluation.pk, entry.pk])
    post = client.post(url, {"action": "item-add", "item": catalogue["late"].pk, "note": "x"})
    assert post.status_code == (302 if picks else 404)
    assert EntryItem.objects.count() == (2 if picks else 1)


def test_the_entry_page_costs_the_same_at_1_and_50_items(
    client, setup, evaluation, catalogue, django_assert_num_queries
):
    entry = evaluation.entries.get()
    url = reverse("performance:evaluation-entry", args=[evaluation.pk, entry.pk])
    client.force_login(setup["sam"])

    def pick():
        EntryItem.objects.create(
            entry=entry, item=catalogue["late"], kind="penalty", points=0, note="n",
            added_by=setup["sam"],
        )  # fmt: skip

    pick()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for _ in range(49):
        pick()
    for n in range(49):
        ScoreItem.objects.create(name=f"项{n}", kind="bonus", points=1)
    with django_assert_num_queries(len(ctx.captured_queries)):
        page = client.get(url)
    assert len(page.context["picked"]) == 50


def test_the_catalogue_is_edited_in_admin():
    assert admin.site.is_registered(ScoreItem)


def test_the_excel_export_lists_each_units_picked_items_on_a_second_sheet(
    client, setup, evaluation, catalogue
):
    import io

    from openpyxl import load_workbook

    # given an award (+3), a late check-in (−1) and a report adopted (+2, with its evidence)
    adopted = ScoreItem.objects.create(
        name="咨询报告获采纳", kind="bonus", points=Decimal(2), evidence_required=True
    )
    kw = _kw(evaluation)
    ev.entry_item_add(user=setup["sam"], item_id=catalogue["award"].pk, note="一等奖", **kw)
    ev.entry_item_add(user=setup["sam"], item_id=catalogue["late"].pk, note="Q2 逾期", **kw)
    pdf = SimpleUploadedFile("proof.pdf", real_pdf(), content_type="application/pdf")
    ev.entry_item_add(user=setup["sam"], item_id=adopted.pk, note="省政府采纳", evidence=pdf, **kw)
    client.force_login(setup["sam"])
    # when the office downloads the workbook
    response = client.get(reverse("performance:evaluation-export", args=[evaluation.pk]))
    book = load_workbook(io.BytesIO(response.content))
    # then the results sheet keeps the totals, and the second sheet the items they come from
    results, items = book.worksheets
    assert list(results.iter_rows(values_only=True))[1][3:5] == (5.0, 1.0)
    assert items.title == "加分减分项"
    rows = list(items.iter_rows(values_only=True))
    assert rows[0] == ("名次", "单位", "类别", "项目", "分值", "说明", "佐证材料")
    body = [row[:6] for row in rows[1:]]
    assert body == [
        (1, "计算机学院", "加分", "获省级教学成果奖", 3.0, "一等奖"),
        (1, "计算机学院", "加分", "咨询报告获采纳", 2.0, "省政府采纳"),
        (1, "计算机学院", "减分", "进展填报逾期", -1.0, "Q2 逾期"),
    ]
    assert rows[2][6].endswith(".pdf") and rows[1][6] is None
