"""The government gazette: issues compiled by the office from public issued documents.

rhea is the office's registrar and compiles the gazette; alice drafts; charlie is in another
department; bob is a student; anonymous visitors read published issues only.
"""

import subprocess
from datetime import date

import pikepdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import gazette, services
from documents.models import GazetteEntry, GazetteIssue, Outgoing
from documents.services import DocumentError
from tests.documents.conftest import sign_off


@pytest.fixture
def issued(office, draft):
    """Issued documents, public or not, with their security level."""

    def make(*, public=True, security="", title="关于做好2026年寒假工作的通知", **extra):
        document = sign_off(draft(title=title, security=security, **extra), office)
        document = services.document_register(document_id=document.pk, user=office["rhea"])
        if public:
            Outgoing.objects.filter(pk=document.pk).update(is_public=True)
            document.refresh_from_db()
        return document

    return make


def _fast_document(office, n: int, **extra) -> Outgoing:
    """A registered public document written straight to the table (for the list counts)."""
    return Outgoing.objects.create(
        doc_type="notice",
        authority=office["authority"],
        title=f"关于第{n}项工作的通知",
        body="一、总体要求",
        status=Outgoing.Status.REGISTERED,
        year=2026,
        seq=1000 + n,
        number=f"校办发〔2026〕{1000 + n}号",
        registered_at=timezone.now(),
        is_public=True,
        **extra,
    )


def test_publishing_numbers_the_issues_of_a_year_without_gaps(office, issued):
    # given: three issues, each with one public document
    rhea = office["rhea"]
    documents = [issued(title=f"关于第{n}项工作的通知") for n in range(3)]
    issues = [gazette.issue_create(user=rhea) for _ in documents]
    for issue, document in zip(issues, documents, strict=True):
        gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=document.pk)
    # when: two are published in 2026 (the second issue first), one in 2027
    second = gazette.issue_publish(issue_id=issues[1].pk, user=rhea, today=date(2026, 5, 1))
    first = gazette.issue_publish(issue_id=issues[0].pk, user=rhea, today=date(2026, 6, 1))
    next_year = gazette.issue_publish(issue_id=issues[2].pk, user=rhea, today=date(2027, 1, 5))
    # then
    assert (second.year, second.number) == (2026, 1)
    assert (first.year, first.number) == (2026, 2)
    assert (next_year.year, next_year.number) == (2027, 1)
    assert first.label_zh == "2026年第2期"
    assert first.published_on == date(2026, 6, 1) and first.pdf and first.pages >= 3


def test_the_issue_pdf_has_a_cover_contents_with_page_numbers_and_the_documents_in_order(
    office, issued, tmp_path
):
    # given: a long document and a short one, the short one moved up to come first
    rhea = office["rhea"]
    long = issued(
        title="关于印发学校管理办法的通知", body="\n".join(f"{n}. 第{n}条。" for n in range(60))
    )
    short = issued(title="关于调整作息时间的通知")
    issue = gazette.issue_create(user=rhea, title="2026年春季")
    gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=long.pk)
    entry = gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=short.pk)
    gazette.issue_move_up(issue_id=issue.pk, user=rhea, entry_id=entry.pk)
    # when
    issue = gazette.issue_publish(issue_id=issue.pk, user=rhea, today=date(2026, 3, 2))
    path = tmp_path / "gazette.pdf"
    path.write_bytes(issue.pdf.read())
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
        ).stdout.replace(" ", "")
        for n in range(1, issue.pages + 1)
    ]
    # then: the cover, the contents, then each document from the page the contents give
    assert "政府公报" in pages[0] and "2026年第1期" in pages[0] and "2026年3月2日" in pages[0]
    assert "目录" in "".join(pages[1].split())
    entries = list(issue.entries.select_related("document").order_by("position"))
    assert [e.document for e in entries] == [short, long]
    assert [e.page for e in entries] == [3, 4]
    assert issue.pages > 4  # the long document runs over more pages
    for e in entries:
        assert e.document.title in pages[e.page - 1]
        # the contents line ends with the page the document starts on
        line = next(x for x in pages[1].splitlines() if x.startswith(e.document.title))
        assert line.endswith(str(e.page)), line
    with pikepdf.open(path) as pdf, pdf.open_metadata() as meta:
        assert meta.get("pdfaid:part") == "2"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("not-public", "is not marked public"),
        ("confidential", "never enters the gazette"),
        ("internal", "never enters the gazette"),
        ("draft", "Only a registered document"),
        ("void", "Only a registered document"),
        ("twice", "is already in the gazette"),
    ],
)
def test_a_document_that_may_not_be_published_is_refused_and_nothing_changes(
    office, issued, draft, kind, message
):
    # given
    rhea = office["rhea"]
    issue = gazette.issue_create(user=rhea)
    if kind == "not-public":
        document = issued(public=False)
    elif kind in ("confidential", "internal"):
        document = issued(public=False, security=kind, security_period="1年")
        Outgoing.objects.filter(pk=document.pk).update(is_public=True)  # as if forced in admin
    elif kind == "draft":
        document = draft()
        Outgoing.objects.filter(pk=document.pk).update(is_public=True)
    elif kind == "void":
        document = issued()
        services.document_void(document_id=document.pk, user=rhea, reason="编号错误")
    else:
        document = issued()
        other = gazette.issue_create(user=rhea)
        gazette.issue_add(issue_id=other.pk, user=rhea, document_id=document.pk)
    before = GazetteEntry.objects.count()
    # when / then
    with pytest.raises(DocumentError, match=message):
        gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=document.pk)
    assert GazetteEntry.objects.count() == before
    assert not issue.entries.exists()


def test_publishing_checks_again_and_refuses_a_document_classified_since(office, issued):
    # given: a document added, then classified (in admin, say)
    rhea = office["rhea"]
    document = issued()
    issue = gazette.issue_create(user=rhea)
    gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=document.pk)
    Outgoing.objects.filter(pk=document.pk).update(security="confidential")
    # when / then
    with pytest.raises(DocumentError, match="never enters the gazette"):
        gazette.issue_publish(issue_id=issue.pk, user=rhea)
    issue.refresh_from_db()
    assert issue.status == "draft" and issue.number is None and not issue.pdf


@pytest.mark.parametrize("who", ["alice", "charlie", "bob", "hank"])
def test_only_the_office_compiles_and_publishes(office, issued, who):
    rhea = office["rhea"]
    document = issued()
    issue = gazette.issue_create(user=rhea)
    with pytest.raises(DocumentError, match="Only the office compiles"):
        gazette.issue_create(user=office[who])
    with pytest.raises(DocumentError, match="Only the office compiles"):
        gazette.issue_add(issue_id=issue.pk, user=office[who], document_id=document.pk)
    gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=document.pk)
    with pytest.raises(DocumentError, match="Only the office compiles"):
        gazette.issue_publish(issue_id=issue.pk, user=office[who])
    issue.refresh_from_db()
    assert issue.status == "draft" and GazetteIssue.objects.count() == 1


def test_an_empty_issue_and_a_published_one_do_not_publish(office, issued):
    rhea = office["rhea"]
    empty = gazette.issue_create(user=rhea)
    with pytest.raises(DocumentError, match="at least one document"):
        gazette.issue_publish(issue_id=empty.pk, user=rhea)
    issue = gazette.issue_create(user=rhea)
    gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=issued().pk)
    gazette.issue_publish(issue_id=issue.pk, user=rhea)
    with pytest.raises(DocumentError, match="already published"):
        gazette.issue_publish(issue_id=issue.pk, user=rhea)
    with pytest.raises(DocumentError, match="does not change"):
        gazette.issue_add(issue_id=issue.pk, user=rhea, document_id=issued(title="另一份").pk)


# --- the public flag ---------------------------------------------------------------------------


def test_the_office_marks_a_document_public_and_a_classified_one_never(office, issued):
    rhea = office["rhea"]
    plain = issued(public=False)
    assert gazette.document_mark_public(document_id=plain.pk, user=rhea, public=True).is_public
    secret = issued(public=False, security="confidential", security_period="1年")
    with pytest.raises(DocumentError, match="cannot be public"):
        gazette.document_mark_public(document_id=secret.pk, user=rhea, public=True)
    with pytest.raises(DocumentError, match="Only the office"):
        gazette.document_mark_public(document_id=plain.pk, user=office["alice"], public=False)
    secret.refresh_from_db()
    plain.refresh_from_db()
    assert plain.is_public and not secret.is_public


def test_the_drafting_form_refuses_a_public_classified_draft(office):
    from documents.forms import DraftForm

    form = DraftForm(
        data={
            "doc_type": "notice",
            "authority": office["authority"].pk,
            "title": "关于某事的通知",
            "to_departments": [office["finance"].pk],
            "security": "internal",
            "is_public": "on",
        }
    )
    assert not form.is_valid()
    assert "is_public" in form.errors


def test_the_mark_public_button_is_for_the_office(client, office, issued):
    document = issued(public=False)
    url = reverse("documents:mark-public", args=[document.pk])
    client.force_login(office["charlie"])
    response = client.post(url, {"public": "1"}, follow=True)
    assert "Only the office" in response.content.decode()
    document.refresh_from_db()
    assert not document.is_public
    client.force_login(office["rhea"])
    client.post(url, {"public": "1"})
    document.refresh_from_db()
    assert document.is_public


# --- pages and who sees them -------------------------------------------------------------------


@pytest.fixture
def two_issues(office, issued):
    """A published issue (2026 no. 1) and a draft one."""
    rhea = office["rhea"]
    published = gazette.issue_create(user=rhea, title="春季")
    gazette.issue_add(issue_id=published.pk, user=rhea, document_id=issued(title="公开通知").pk)
    published = gazette.issue_publish(issue_id=published.pk, user=rhea, today=date(2026, 3, 2))
    draft_issue = gazette.issue_create(user=rhea, title="编辑中")
    gazette.issue_add(
        issue_id=draft_issue.pk, user=rhea, document_id=issued(title="尚未出版的通知").pk
    )
    return published, draft_issue


def test_the_public_page_lists_only_published_issues_to_anyone(client, two_issues):
    # when: an anonymous visitor
    page = client.get(reverse("documents:gazette")).content.decode()
    # then
    assert "公开通知" in page and "2026, no. 1" in page
    assert "尚未出版的通知" not in page and "编辑中" not in page
    issue_page = client.get(reverse("documents:gazette-issue", args=[2026, 1]))
    assert issue_page.status_code == 200 and "公开通知" in issue_page.content.decode()
    pdf = client.get(reverse("documents:gazette-pdf", args=[2026, 1]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("documents:gazette-issue", args=[2026, 2])).status_code == 404
    assert client.get(reverse("documents:gazette-pdf", args=[2026, 2])).status_code == 404


def test_the_public_page_reads_in_chinese(client, settings, two_issues):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("documents:gazette")).content.decode()
    assert "政府公报" in page and "2026年第1期" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("rhea", 200), ("alice", 404), ("charlie", 404), ("bob", 404), (None, 302)],
)
@pytest.mark.parametrize("page", ["gazette-manage", "gazette-compile", "gazette-preview"])
def test_drafts_of_issues_open_only_to_the_office(client, office, two_issues, who, status, page):
    _published, draft_issue = two_issues
    if who:
        client.force_login(office[who])
    args = [] if page == "gazette-manage" else [draft_issue.pk]
    response = client.get(reverse(f"documents:{page}", args=args))
    assert response.status_code == status
    if status == 302:
        assert "/login" in response["Location"] or "login" in response["Location"]
    if status == 200 and page != "gazette-preview":
        assert "尚未出版的通知" in response.content.decode() or page == "gazette-manage"


@pytest.mark.parametrize("who", ["alice", "charlie", "bob", None])
def test_no_one_but_the_office_changes_an_issue_through_the_pages(client, office, two_issues, who):
    _published, draft_issue = two_issues
    if who:
        client.force_login(office[who])
    entry = draft_issue.entries.get()
    for name, data in (
        ("gazette-remove", {"entry": entry.pk}),
        ("gazette-publish", {}),
        ("gazette-up", {"entry": entry.pk}),
    ):
        response = client.post(reverse(f"documents:{name}", args=[draft_issue.pk]), data)
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert "login" in response["Location"]
    assert client.post(reverse("documents:gazette-create"), {}).status_code in (302, 404)
    draft_issue.refresh_from_db()
    assert draft_issue.status == "draft" and draft_issue.entries.count() == 1
    assert GazetteIssue.objects.count() == 2


def test_the_office_compiles_and_publishes_through_the_pages(client, office, issued):
    # given
    document = issued(title="关于表彰先进集体的决定")
    hidden = issued(public=False, title="内部通知")
    client.force_login(office["rhea"])
    # when: a new issue, the document added by its number, a non-public one refused
    response = client.post(reverse("documents:gazette-create"), {"title": "第一期"})
    issue = GazetteIssue.objects.get()
    assert response["Location"] == reverse("documents:gazette-compile", args=[issue.pk])
    add = reverse("documents:gazette-add", args=[issue.pk])
    client.post(add, {"number": document.number})
    refused = client.post(add, {"document": hidden.pk}, follow=True).content.decode()
    unknown = client.post(add, {"number": "无此文号\x00"}, follow=True).content.decode()
    published = client.post(reverse("documents:gazette-publish", args=[issue.pk]), follow=True)
    # then
    assert "is not marked public" in refused
    assert "No registered document has that reference number" in unknown or "left out" in unknown
    assert list(issue.entries.values_list("document", flat=True)) == [document.pk]
    issue.refresh_from_db()
    assert issue.status == "published" and issue.number == 1
    assert "Published as" in published.content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _issues(office, start, n, *, status="published"):
    for i in range(start, start + n):
        issue = GazetteIssue.objects.create(
            status=status,
            year=2026 if status == "published" else None,
            number=i + 1 if status == "published" else None,
            published_on=date(2026, 1, 1) if status == "published" else None,
            created_by=office["rhea"],
        )
        for k in range(2):
            GazetteEntry.objects.create(
                issue=issue, document=_fast_document(office, i * 2 + k), position=k + 1, page=k + 3
            )


def test_the_public_list_costs_the_same_queries_at_1_and_50_issues(client, office):
    # given
    _issues(office, 0, 1)
    url = reverse("documents:gazette")
    client.get(url)  # caches warm
    one = _count(client, url)
    _issues(office, 1, 49)
    # when
    fifty = _count(client, url)
    # then: the issues, their contents and the list of years; counted by the pager
    assert GazetteIssue.objects.count() == 50
    assert one == fifty == 4


def test_the_office_list_costs_the_same_queries_at_1_and_50_issues(client, office):
    _issues(office, 0, 1, status="draft")
    client.force_login(office["rhea"])
    url = reverse("documents:gazette-manage")
    client.get(url)
    one = _count(client, url)
    _issues(office, 1, 49, status="draft")
    fifty = _count(client, url)
    assert one == fifty
