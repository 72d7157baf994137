"""Copy numbers (份号): print runs of a registered document and the PDF of one copy."""

import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse

from documents import copies, services
from documents.models import PrintRun
from documents.services import DocumentError
from tests.documents.conftest import sign_off


@pytest.fixture
def issued(office, draft):
    document = sign_off(draft(security="confidential", security_period="1年"), office)
    document = services.document_register(document_id=document.pk, user=office["rhea"])
    services.reader_grant(document_id=document.pk, user=office["rhea"], readers=[office["sam"]])
    return document


def test_print_runs_take_the_next_numbers_of_their_document(office, issued, draft):
    # given
    rhea = office["rhea"]
    # when: two runs of one document
    first = copies.print_run_record(document_id=issued.pk, user=rhea, count=5)
    second = copies.print_run_record(document_id=issued.pk, user=rhea, count=3)
    # then: 1..5, then 6..8, recorded with who and when
    assert (first.first, first.last, second.first, second.last) == (1, 5, 6, 8)
    assert first.printed_by == rhea and first.printed_at is not None
    assert copies.copies_printed(issued) == 8
    assert copies.has_copy(issued, 8) and not copies.has_copy(issued, 9)


@pytest.mark.parametrize(
    ("who", "count", "message"),
    [
        ("alice", 3, "Only the office"),
        ("rhea", 0, "between 1 and"),
        ("rhea", 10_001, "between 1 and"),
    ],
)
def test_a_print_run_is_refused_with_its_reason_and_nothing_changes(
    office, issued, who, count, message
):
    with pytest.raises(DocumentError, match=message):
        copies.print_run_record(document_id=issued.pk, user=office[who], count=count)
    assert not PrintRun.objects.exists()


def test_an_unregistered_or_void_document_is_not_printed(office, draft, issued):
    rhea = office["rhea"]
    with pytest.raises(DocumentError, match="Only a registered document"):
        copies.print_run_record(document_id=draft().pk, user=rhea, count=1)
    services.document_void(document_id=issued.pk, user=rhea, reason="编号错误")
    with pytest.raises(DocumentError, match="Only a registered document"):
        copies.print_run_record(document_id=issued.pk, user=rhea, count=1)
    assert not PrintRun.objects.exists()


def test_copy_numbers_stop_at_six_digits(office, issued):
    PrintRun.objects.create(
        document=issued,
        first=1,
        last=999_998,
        printed_by=office["rhea"],
        printed_at=issued.registered_at,
    )
    with pytest.raises(DocumentError, match="six digits"):
        copies.print_run_record(document_id=issued.pk, user=office["rhea"], count=2)
    assert (
        copies.print_run_record(document_id=issued.pk, user=office["rhea"], count=1).last == 999_999
    )


@pytest.mark.django_db(transaction=True)
def test_two_print_runs_at_once_never_share_a_number(office, draft):
    from tests.real_parts import require

    require(connection.vendor == "postgresql", "row locks under concurrency need Postgres")
    document = sign_off(draft(), office)
    document = services.document_register(document_id=document.pk, user=office["rhea"])

    def run(_):
        try:
            return copies.print_run_record(document_id=document.pk, user=office["rhea"], count=10)
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(run, range(4)))
    ranges = sorted((r.first, r.last) for r in runs)
    assert ranges == [(1, 10), (11, 20), (21, 30), (31, 40)]


def _text(content, tmp_path):
    path = tmp_path / "copy.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True
    ).stdout


def test_a_copy_downloads_with_its_number_above_the_security_level(
    client, office, issued, tmp_path
):
    # given: copies 1..3 printed
    copies.print_run_record(document_id=issued.pk, user=office["rhea"], count=3)
    client.force_login(office["sam"])  # a named reader
    # when
    response = client.get(reverse("documents:copy-pdf", args=[issued.pk, 2]))
    # then: 000002 on the first line, 秘密★1年 below it, the reader's stamp too
    assert response.status_code == 200
    lines = [x for x in _text(response.content, tmp_path).splitlines() if x.strip()]
    at = lines.index("000002")
    assert lines[at + 1].replace(" ", "") == "秘密★1年"
    assert "孙默" in "".join(lines)
    # and a copy never printed does not exist
    assert client.get(reverse("documents:copy-pdf", args=[issued.pk, 4])).status_code == 404


def test_the_copies_page_opens_a_copy_by_its_number(client, office, issued):
    copies.print_run_record(document_id=issued.pk, user=office["rhea"], count=3)
    client.force_login(office["rhea"])
    url = reverse("documents:copies", args=[issued.pk])
    response = client.get(url + "?copy=3")
    assert response["Location"] == reverse("documents:copy-pdf", args=[issued.pk, 3])
    page = client.get(url + "?copy=9", follow=True).content.decode()
    assert "No copy 000009 was printed" in page
    assert "000001–000003" in client.get(url).content.decode()
    assert "left out" in client.get(url + "?copy=abc").content.decode()


def test_the_office_records_a_print_run_on_the_page(client, office, issued):
    client.force_login(office["rhea"])
    response = client.post(
        reverse("documents:print-run", args=[issued.pk]), {"count": "4"}, follow=True
    )
    assert "000001 to 000004" in response.content.decode()
    client.force_login(office["sam"])
    response = client.post(
        reverse("documents:print-run", args=[issued.pk]), {"count": "4"}, follow=True
    )
    assert "Only the office" in response.content.decode()
    assert PrintRun.objects.get().count == 4


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rhea", 200),  # the office
        ("alice", 200),  # the drafter
        ("sam", 200),  # a named reader
        ("charlie", 404),  # staff of another department, not a reader
        ("bob", 404),  # a student
        (None, 302),  # anonymous: to the login page
    ],
)
@pytest.mark.parametrize("page", ["copies", "copy-pdf"])
def test_who_opens_the_copies_of_a_classified_document(client, office, issued, who, status, page):
    copies.print_run_record(document_id=issued.pk, user=office["rhea"], count=2)
    if who:
        client.force_login(office[who])
    args = [issued.pk] if page == "copies" else [issued.pk, 1]
    response = client.get(reverse(f"documents:{page}", args=args))
    assert response.status_code == status
    if status == 302:
        assert "login" in response["Location"]
