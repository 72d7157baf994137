# ruff: noqa: F811 — the meetings tests' fixtures, imported by name
"""Minutes issued as a 纪要 of the Administrative Center: one registered document with the
documents' gap-free number of the meeting type's 代字, its 纪要 PDF, seen by the meeting's
people only; issuing twice is refused; each decision points to its paragraph (#p-N)."""

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from documents import pdf as red_header
from documents.models import NumberCounter, Outgoing
from hall.models import User
from performance import meetings
from performance.models import Minutes
from performance.services import SupervisionError
from tests.performance.conftest import at
from tests.performance.test_meetings import BODY, kind, meeting  # noqa: F401 — fixtures
from tests.performance.test_minutes import decided  # noqa: F401 — fixture


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True)
    return "".join(done.stdout.decode().split())


def test_issuing_registers_one_minutes_document_with_the_meetings_people(office, decided):
    # given reviewed minutes, an accepted topic of the school and the observer away
    meetings.attendance_reply(meeting_id=decided.pk, user=office["rita"], reply="no", note="出差")
    # when the chair issues them
    minutes = meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    # then one registered 纪要 carries the number, the text by paragraph and the people
    document = Outgoing.objects.get()
    assert minutes.document == document
    assert (document.doc_type, document.status) == ("minutes", Outgoing.Status.REGISTERED)
    assert document.number == minutes.number == "校长办公会纪要〔2026〕1号"
    assert (document.authority.prefix, document.year, document.seq) == ("校长办公会纪要", 2026, 1)
    assert document.minutes_issue == 1
    assert document.body.splitlines() == minutes.paragraphs
    assert (document.present, document.attending, document.absent) == ("李领导", "", "任塔")
    assert list(document.to_departments.all()) == [office["school"]]
    assert document.readers_only and document.registered_by == office["lee"]
    assert document.drafter == office["sam"]


def test_numbers_come_from_the_documents_counter_without_gaps(office, kind, meeting):
    first = _issue(meeting, office)
    second_meeting = meetings.meeting_create(
        user=office["sam"],
        kind=kind,
        title="2026年第14次校长办公会",
        starts_at=at("2026-12-17 09:00"),
        ends_at=at("2026-12-17 10:00"),
        chair=office["lee"],
    )
    second = _issue(second_meeting, office)
    assert [first.document.seq, second.document.seq] == [1, 2]
    assert NumberCounter.objects.get(prefix="校长办公会纪要", year=2026).last == 2


def test_the_meeting_type_keeps_no_number_of_its_own(kind):
    # the documents' counter numbers the minutes: the type's old counter is gone, table too
    from django.core.exceptions import FieldDoesNotExist
    from django.db import connection

    from performance.models import MeetingType

    with pytest.raises(FieldDoesNotExist):
        MeetingType._meta.get_field("last_number")
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, MeetingType._meta.db_table)
    assert "last_number" not in {c.name for c in columns}
    assert "prefix" in {c.name for c in columns}


def _issue(meeting, office):
    meetings.minutes_save(meeting_id=meeting.pk, user=office["sam"], body=BODY)
    meetings.minutes_submit(meeting_id=meeting.pk, user=office["sam"])
    return meetings.minutes_issue(meeting_id=meeting.pk, user=office["lee"])


def test_issuing_twice_is_refused_and_changes_nothing(office, decided):
    meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    before = (
        list(Outgoing.objects.values_list("pk", "number")),
        NumberCounter.objects.get().last,
        Minutes.objects.values_list("status", "number", "document_id", "issued_at").get(),
    )
    with pytest.raises(SupervisionError) as caught:
        meetings.minutes_issue(meeting_id=decided.pk, user=office["sam"])
    assert caught.value.message == "These minutes were already issued as 校长办公会纪要〔2026〕1号."
    after = (
        list(Outgoing.objects.values_list("pk", "number")),
        NumberCounter.objects.get().last,
        Minutes.objects.values_list("status", "number", "document_id", "issued_at").get(),
    )
    assert after == before


def test_the_second_issue_from_the_page_says_why(client, office, decided):
    client.force_login(office["lee"])
    url = reverse("performance:meeting-action", args=[decided.pk, "issue"])
    client.post(url)
    response = client.post(url)
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        "These minutes were already issued as 校长办公会纪要〔2026〕1号."
    )
    assert Outgoing.objects.count() == 1


def test_the_issued_pdf_is_the_documents_minutes_format(office, decided):
    minutes = meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    content, _font = red_header.render(minutes.document)
    text = _text(content)
    # internal (内部), the red mark of the meeting type, the issue (第N期), its authority, the
    # title, the text and the people
    assert text.startswith("内部校长办公会纪要第1期校长办公会")
    assert "2026年第13次校长办公会会议听取了" in text
    assert "会议决定：年底前上线50项网上办事服务。" in text
    assert "出席：李领导" in text and "列席：任塔" in text
    assert "草稿" not in text


def test_each_decision_points_to_its_highlighted_paragraph(client, office, decided):
    meetings.decision_add(meeting_id=decided.pk, user=office["sam"], paragraph=3, text="协同")
    meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    client.force_login(office["alice"])
    page = client.get(decided.get_absolute_url()).content.decode()
    links = re.findall(r'href="#(p-\d+)"', page)
    assert links == ["p-2", "p-3"]
    for anchor in links:
        assert f'<li id="{anchor}" class="decided">' in page
    assert '<li id="p-1">' in page  # no decision: not marked
    css = Path("static/performance/performance.css").read_text()
    assert ".sup-minutes li:target" in css


def test_the_documents_own_page_of_the_minutes_carries_the_same_paragraph_anchors(
    client, office, decided
):
    # given minutes issued with a decision on paragraph 3 (and the one ``decided`` has)
    meetings.decision_add(meeting_id=decided.pk, user=office["sam"], paragraph=3, text="协同")
    minutes = meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    client.force_login(office["alice"])
    document_url = reverse("documents:detail", args=[minutes.document_id])
    # when a reader follows a decision's link from the meeting into the document
    meeting_page = client.get(decided.get_absolute_url()).content.decode()
    into_document = re.findall(rf'href="{re.escape(document_url)}#(p-\d+)"', meeting_page)
    assert into_document == ["p-2", "p-3"]
    page = client.get(document_url).content.decode()
    # then every paragraph of the document's body is an anchor, numbered as the meeting's
    anchors = re.findall(r'<li id="(p-\d+)">([^<]*)</li>', page)
    assert [a for a, _ in anchors] == [f"p-{n}" for n in range(1, len(minutes.paragraphs) + 1)]
    assert [t for _, t in anchors] == minutes.paragraphs
    assert {"p-2", "p-3"} <= {a for a, _ in anchors}
    css = Path("static/documents/documents.css").read_text()
    assert ".doc-paragraphs li:target" in css


def test_other_documents_keep_their_running_text(office):
    from documents import selectors as document_selectors

    assert document_selectors.paragraphs(Outgoing(doc_type="letter", body="一\n二")) == []
    assert document_selectors.paragraphs(Outgoing(doc_type="minutes", body="一\n\n 二 ")) == [
        (1, "一"),
        (2, "二"),
    ]


# sam: the office (drafted them); lee: the chair; rita: observer; hank: submitted the accepted
# topic; alice: staff of the addressee unit; lina: a student there; charlie: nobody.
READS = {"sam": 200, "lee": 200, "rita": 200, "hank": 200, "alice": 200, "lina": 404,
         "charlie": 404, None: 302}  # fmt: skip


@pytest.mark.parametrize("page", ["documents:detail", "documents:pdf"])
@pytest.mark.parametrize("who", list(READS), ids=str)
def test_the_issued_minutes_document_opens_for_the_meetings_people_only(
    client, office, decided, who, page
):
    minutes = meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    if who:
        client.force_login(User.objects.get(username=who))
    response = client.get(reverse(page, args=[minutes.document_id]))
    assert response.status_code == READS[who]
    if who is None:
        assert "/login/" in response["Location"]
    register = client.get(reverse("documents:register")).content.decode() if who else ""
    assert (minutes.number in register) == (READS[who] == 200)
