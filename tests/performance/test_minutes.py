# ruff: noqa: F811 — the meetings tests' fixtures, imported by name
"""The draft minutes' PDF (read back with pdftotext: attendees, topics, decisions); issued
minutes are a 纪要 of the Administrative Center, filed in the archives by the documents' task
on commit, once, whatever runs it again."""

import subprocess

import pytest
from django.urls import reverse

from archives.models import Record
from documents.services import document_file
from hall.models import User
from performance import meetings
from performance.minutes_pdf import minutes_pdf
from performance.models import Minutes
from tests.performance.test_meetings import BODY, kind, meeting  # noqa: F401 — fixtures


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True)
    return "".join(done.stdout.decode().split())


@pytest.fixture
def decided(office, meeting):
    """Minutes drafted and sent for review, a topic accepted and a decision recorded."""
    topic = meetings.topic_submit(meeting_id=meeting.pk, user=office["hank"], title="智慧校园建设")
    meetings.topic_decide(topic_id=topic.pk, user=office["sam"], accept=True)
    declined = meetings.topic_submit(meeting_id=meeting.pk, user=office["alice"], title="食堂改造")
    meetings.topic_decide(topic_id=declined.pk, user=office["sam"], accept=False)
    meetings.minutes_save(meeting_id=meeting.pk, user=office["sam"], body=BODY)
    meetings.decision_add(
        meeting_id=meeting.pk, user=office["sam"], paragraph=2, text="", topic_id=topic.pk
    )
    meetings.minutes_submit(meeting_id=meeting.pk, user=office["sam"])
    return meeting


def test_the_draft_pdf_has_the_attendees_topics_text_and_decisions(office, decided):
    minutes = Minutes.objects.get(meeting=decided)
    text = _text(minutes_pdf(minutes))
    assert "草稿" in text
    assert "出席：李领导" in text and "列席：任塔" in text
    assert "智慧校园建设（计算机学院）" in text and "食堂改造" not in text  # declined
    assert "2.会议决定：年底前上线50项网上办事服务。" in text
    assert "会议决定：年底前上线50项网上办事服务。（纪要第2段）" in text


def test_the_draft_pdf_names_who_is_on_leave_and_who_sends_a_deputy(office, meeting):
    # given: the chair sends a deputy and the observer cannot come, before the minutes
    meetings.attendance_reply(
        meeting_id=meeting.pk, user=office["lee"], reply="deputy", note="王副处长"
    )
    meetings.attendance_reply(meeting_id=meeting.pk, user=office["rita"], reply="no", note="出差")
    meetings.minutes_save(meeting_id=meeting.pk, user=office["sam"], body=BODY)
    # when
    text = _text(minutes_pdf(Minutes.objects.get(meeting=meeting)))
    # then: as the issued 纪要 says it: the deputy for the chair, the observer on leave
    assert "出席：王副处长（代李领导）" in text
    assert "列席：—" in text and "请假：任塔" in text


def test_issuing_files_the_minutes_document_once_on_commit(
    office, decided, django_capture_on_commit_callbacks, celery_eager
):
    # given reviewed minutes: nothing is filed before they are issued
    assert not Record.objects.exists()
    # when the chair issues them
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        minutes = meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    # then one task ran after the commit and filed the 纪要 under its number
    assert len(callbacks) == 1
    document = minutes.document
    record = Record.objects.get(source_ref=f"documents.outgoing:{document.pk}")
    assert record.doc_number == "校长办公会纪要〔2026〕1号"
    assert record.title == "2026年第13次校长办公会"
    assert record.files.filter(name__endswith=".pdf").count() == 1
    # and filing again (a redelivered task) leaves the one record
    assert document_file(document_id=document.pk) == record
    assert Record.objects.count() == 1


def test_a_refused_issue_queues_no_filing(office, meeting, django_capture_on_commit_callbacks):
    meetings.minutes_save(meeting_id=meeting.pk, user=office["sam"], body=BODY)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(meetings.SupervisionError),
    ):
        meetings.minutes_issue(meeting_id=meeting.pk, user=office["lee"])  # not reviewed
    assert callbacks == []


# sam: the office; lee: the chair; rita: observer; hank: his unit's topic; alice: staff of the
# same unit; lina: a student of that unit; charlie: nobody.
ISSUED = {"sam": 200, "lee": 200, "rita": 200, "hank": 200, "alice": 200, "lina": 404,
          "charlie": 404, None: 302}  # fmt: skip
DRAFT = {**ISSUED, "lee": 404, "rita": 404, "hank": 404, "alice": 404}


@pytest.mark.parametrize("who", list(ISSUED), ids=str)
def test_who_reads_the_minutes_pdf(client, office, decided, who):
    url = reverse("performance:minutes-pdf", args=[decided.pk])
    if who:
        client.force_login(User.objects.get(username=who))
    # in review only the office reads the draft (marked 草稿)
    response = client.get(url)
    assert response.status_code == DRAFT[who]
    if DRAFT[who] == 200:
        assert "草稿" in _text(response.content)
    minutes = meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    # issued: the meeting's people are sent to the documents' 纪要 PDF, which they may read
    response = client.get(url, follow=who is not None)
    assert response.status_code == ISSUED[who]
    if who is None:
        assert "/login/" in response["Location"]
    if ISSUED[who] == 200:
        assert response.redirect_chain[-1][0] == reverse(
            "documents:pdf", args=[minutes.document_id]
        )
        assert response["Content-Type"] == "application/pdf"
        assert "校长办公会纪要" in _text(response.content)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_meeting_page_links_the_issued_document_in_both_languages(
    client, office, decided, settings, language
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    minutes = meetings.minutes_issue(meeting_id=decided.pk, user=office["lee"])
    client.force_login(office["hank"])
    page = client.get(decided.get_absolute_url()).content.decode()
    assert reverse("documents:detail", args=[minutes.document_id]) in page
    assert reverse("documents:pdf", args=[minutes.document_id]) in page
    assert "校长办公会纪要〔2026〕1号" in page
    assert ("纪要 PDF" if language == "zh-hans" else "The minutes as PDF") in page
    assert ("印发为公文" if language == "zh-hans" else "Issued as the document") in page
