"""Government affairs information without views: units submit, editors adopt, edit and reject,
compile issues numbered per kind and year, record the upper level's adoption; the score table
counts per unit and period with the points set in admin, and exports to Excel.

otto is the information editor (role info-editor); fay (finance), rita (research) and alice
(school) submit for their units; bob is a student; charlie is fay's colleague.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from documents import info
from documents.models import InfoIssue, InfoItem, InfoPoints
from documents.services import DocumentError
from hall.models import Role


@pytest.fixture
def editor(office):
    Role.objects.create(
        department=office["office"], code=info.EDITOR_ROLE, name_zh="信息编辑"
    ).holders.add(office["otto"])
    return office["otto"]


def _submit(office, who, title, on=date(2026, 3, 5)):
    return info.item_submit(
        user=office[who], title=title, body=f"{title}的详细情况。", submitted_on=on
    )


def test_an_item_is_adopted_edited_compiled_sent_and_adopted_above(office, editor):
    # given
    item = _submit(office, "fay", "财政收入同比增长")
    # when
    info.item_adopt(item_id=item.pk, user=editor)
    info.item_edit(item_id=item.pk, user=editor, title="一季度财政收入同比增长8%", body="正文")
    issue = info.issue_compile(user=editor, kind="special", title="第一期", item_ids=[item.pk])
    info.issue_send(issue_id=issue.pk, user=editor, sent_to="省政府办公厅")
    info.item_upper_adopted(item_id=item.pk, user=editor, on=date(2026, 3, 20), by="省政府办公厅")
    # then
    item.refresh_from_db()
    assert (item.status, item.title, item.edited_by) == (
        "adopted",
        "一季度财政收入同比增长8%",
        editor,
    )
    assert item.issue == issue
    assert (issue.year, issue.number) == (timezone.localdate().year, 1)
    assert item.upper_adopted_by == "省政府办公厅"
    with pytest.raises(DocumentError, match="already sent"):
        info.issue_send(issue_id=issue.pk, user=editor, sent_to="x")
    with pytest.raises(DocumentError, match="compiled into an issue"):
        info.item_reject(item_id=item.pk, user=editor, reason="重复")


def test_issues_are_numbered_per_kind_and_year_from_one(office, editor):
    # given
    items = [_submit(office, "fay", f"信息{n}") for n in range(5)]
    for item in items:
        info.item_adopt(item_id=item.pk, user=editor)
    # when
    numbers = [
        (
            kind,
            year,
            info.issue_compile(
                user=editor, kind=kind, title="期", item_ids=[i.pk], year=year
            ).number,
        )
        for (kind, year), i in zip(
            [
                ("special", 2026),
                ("special", 2026),
                ("brief", 2026),
                ("special", 2027),
                ("special", 2026),
            ],
            items,
            strict=True,
        )
    ]
    # then
    assert [n for *_k, n in numbers] == [1, 2, 1, 1, 3]
    # an item already in an issue, or not adopted, cannot be compiled again; nothing is made
    fresh = _submit(office, "fay", "未采用")
    count = InfoIssue.objects.count()
    for ids in ([items[0].pk], [fresh.pk]):
        with pytest.raises(DocumentError, match="Pick adopted items"):
            info.issue_compile(user=editor, kind="brief", title="期", item_ids=ids)
    assert InfoIssue.objects.count() == count


def test_only_editors_decide_and_refusals_change_nothing(office, editor):
    # given
    item = _submit(office, "fay", "信息")
    # when / then
    for act, extra in (
        (info.item_adopt, {}),
        (info.item_reject, {"reason": "不采用"}),
        (info.item_edit, {"title": "x", "body": "y"}),
    ):
        with pytest.raises(DocumentError, match="editors"):
            act(item_id=item.pk, user=office["fay"], **extra)
    with pytest.raises(DocumentError, match="reason"):
        info.item_reject(item_id=item.pk, user=editor, reason=" ")
    with pytest.raises(DocumentError, match="staff"):
        _submit(office, "bob", "学生投稿")
    item.refresh_from_db()
    assert (item.status, item.title) == ("submitted", "信息")
    assert InfoItem.objects.count() == 1


def test_visibility_editors_all_units_their_own(office, editor):
    # given
    mine = _submit(office, "fay", "财政")
    other = _submit(office, "rita", "科研")
    # then
    assert info.item_for(editor, other.pk) is not None
    assert info.item_for(office["charlie"], mine.pk) is not None  # fay's unit
    assert info.item_for(office["charlie"], other.pk) is None
    assert info.item_for(office["bob"], mine.pk) is None


def test_the_score_table_counts_per_unit_and_period_with_admin_points(office, editor):
    # given: in March finance 3 items (2 adopted, 1 above) and research 1; finance 1 in April
    items = [_submit(office, "fay", f"财政{n}") for n in range(3)]
    _submit(office, "rita", "科研")
    _submit(office, "fay", "四月", on=date(2026, 4, 2))
    for item in items[:2]:
        info.item_adopt(item_id=item.pk, user=editor)
    issue = info.issue_compile(user=editor, kind="brief", title="简报", item_ids=[items[0].pk])
    info.item_upper_adopted(item_id=items[0].pk, user=editor, on=date(2026, 3, 9), by="省办")
    InfoPoints.objects.create(event="upper", points=Decimal("20"))
    # when
    march = info.score_table(info.period_of("month", 2026, 3))
    quarter = info.score_table(info.period_of("quarter", 2026, 1))
    year = info.score_table(info.period_of("year", 2026, None))
    # then: 3×1 + 2×3 + 1×20 for finance, 1 for research
    assert [(s.unit, s.submitted, s.adopted, s.upper, s.score) for s in march] == [
        ("财务处", 3, 2, 1, Decimal("29")),
        ("科学研究院", 1, 0, 0, Decimal("1")),
    ]
    assert quarter == march
    assert [(s.unit, s.submitted) for s in year] == [("财务处", 4), ("科学研究院", 1)]
    assert issue.items.count() == 1


def test_the_score_table_exports_to_excel(office, editor):
    # given
    item = _submit(office, "fay", "财政")
    info.item_adopt(item_id=item.pk, user=editor)
    period = info.period_of("month", 2026, 3)
    # when
    content = info.score_workbook(period, info.score_table(period))
    # then
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:6] == (
        "Rank",
        "Unit",
        "Submitted",
        "Adopted",
        "Adopted by the upper level",
        "Score",
    )
    assert rows[3] == (1, "财务处", 1, 1, 0, 4.0)


@pytest.mark.parametrize(
    ("kind", "n", "start", "end"),
    [
        ("month", 12, date(2026, 12, 1), date(2027, 1, 1)),
        ("month", 2, date(2026, 2, 1), date(2026, 3, 1)),
        ("quarter", 4, date(2026, 10, 1), date(2027, 1, 1)),
        ("quarter", 1, date(2026, 1, 1), date(2026, 4, 1)),
        ("year", None, date(2026, 1, 1), date(2027, 1, 1)),
        ("quarter", 9, date(2026, 1, 1), date(2026, 4, 1)),  # out of range: the first
    ],
    ids=["december", "february", "q4", "q1", "year", "bad-quarter"],
)
def test_periods(kind, n, start, end):
    period = info.period_of(kind, 2026, n)
    assert (period.start, period.end) == (start, end)


def test_an_issue_is_offered_as_a_pdf_to_whom_may_see_it(client, office, editor):
    import subprocess

    import pikepdf

    # given: an issue with fay's item
    item = _submit(office, "fay", "财政收入同比增长")
    info.item_adopt(item_id=item.pk, user=editor)
    issue = info.issue_compile(user=editor, kind="special", title="第一期", item_ids=[item.pk])
    url = f"/documents/info/issues/{issue.pk}/pdf/"
    # when: the editor downloads it
    client.force_login(editor)
    response = client.get(url)
    # then: a PDF/A-2 that reads back as the issue
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = text.replace(" ", "").replace("\n", "")
    assert "信息专报" in flat and "第一期" in flat and "财政收入同比增长的详细情况。" in flat
    with pikepdf.open(io.BytesIO(response.content)) as pdf, pdf.open_metadata() as meta:
        assert meta.get("pdfaid:part") == "2"
    # a unit whose item is not in it gets a 404
    client.force_login(office["rita"])
    assert client.get(url).status_code == 404


def test_a_sent_issue_is_filed_once_with_its_pdf_and_its_kinds_retention(
    office, editor, celery_eager, django_capture_on_commit_callbacks
):
    # given: a compiled 简报, and the admin's retention rule for 简报
    from archives.models import Record
    from documents.models import RetentionRule

    RetentionRule.objects.create(doc_type="info-brief", retention="Y")
    item = _submit(office, "fay", "财政收入同比增长")
    info.item_adopt(item_id=item.pk, user=editor)
    issue = info.issue_compile(user=editor, kind="brief", title="一季度", item_ids=[item.pk])
    ref = info.issue_source_ref(issue.pk)
    # when: compiled only, nothing is filed; sent, it is
    assert info.issue_file(issue_id=issue.pk) is None
    with django_capture_on_commit_callbacks(execute=True):
        info.issue_send(issue_id=issue.pk, user=editor, sent_to="省政府办公厅")
    # then
    record = Record.objects.get(source_ref=ref)
    issue.refresh_from_db()
    assert issue.archive_code == record.code and record.retention == "Y"
    names = list(record.files.values_list("name", flat=True))
    assert f"简报{issue.year}年第1期.pdf" in names
    pdf = record.files.get(name=f"简报{issue.year}年第1期.pdf").file.read()
    assert pdf.startswith(b"%PDF")
    assert record.metadata["items"] == 1 and record.metadata["sent_to"] == "省政府办公厅"
    # filing again (the Celery task run twice) leaves the one record
    assert info.issue_file(issue_id=issue.pk).pk == record.pk
    assert Record.objects.filter(source_ref=ref).count() == 1


def test_a_special_reports_retention_defaults_to_thirty_years(
    office, editor, celery_eager, django_capture_on_commit_callbacks
):
    # given: no rule in admin
    from archives.models import Record

    item = _submit(office, "fay", "专报信息")
    info.item_adopt(item_id=item.pk, user=editor)
    issue = info.issue_compile(user=editor, kind="special", title="专报", item_ids=[item.pk])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        info.issue_send(issue_id=issue.pk, user=editor, sent_to="省政府办公厅")
    # then
    assert Record.objects.get(source_ref=info.issue_source_ref(issue.pk)).retention == "D30"


def test_an_issue_links_only_the_items_its_reader_may_open(client, office, editor):
    # given: an issue with an item of finance (fay) and one of research (rita)
    mine, theirs = _submit(office, "fay", "财政信息"), _submit(office, "rita", "科研信息")
    for item in (mine, theirs):
        info.item_adopt(item_id=item.pk, user=editor)
    issue = info.issue_compile(
        user=editor, kind="brief", title="简报", item_ids=[mine.pk, theirs.pk]
    )
    url = f"/documents/info/issues/{issue.pk}/"
    # when: fay reads it
    client.force_login(office["fay"])
    body = client.get(url).content.decode()
    # then: both titles, a link to her unit's item only (the other answers her 404)
    assert "科研信息" in body and f'href="/documents/info/{theirs.pk}/"' not in body
    assert f'href="/documents/info/{mine.pk}/"' in body
    assert client.get(f"/documents/info/{theirs.pk}/").status_code == 404
    # the editor gets both links
    client.force_login(editor)
    assert f'href="/documents/info/{theirs.pk}/"' in client.get(url).content.decode()
