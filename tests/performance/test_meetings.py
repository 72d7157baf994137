"""Meetings without views and through their pages: topics, attendees, minutes with their
number, decisions pointing to their paragraph, a decision supervised in one action, the
iCalendar feed (parsed with vobject), who may see a meeting, and the calendar's queries."""

import pytest
import vobject
from django.urls import reverse

from performance import meetings
from performance.models import Attendance, Decision, Item, Meeting, MeetingType, Minutes, Topic
from performance.services import SupervisionError
from tests.performance.conftest import at

BODY = (
    "会议听取了智慧校园建设进展汇报。\n"
    "会议决定：年底前上线50项网上办事服务。\n"
    "会议要求各单位加强协同。"
)


@pytest.fixture
def kind(db):
    return MeetingType.objects.create(
        code="president-office",
        name_zh="校长办公会",
        name_en="President's office meeting",
        prefix="校长办公会纪要",
    )


@pytest.fixture
def meeting(office, kind):
    meeting = meetings.meeting_create(
        user=office["sam"],
        kind=kind,
        title="2026年第13次校长办公会",
        starts_at=at("2026-12-10 09:00"),
        ends_at=at("2026-12-10 11:00"),
        place="行政楼第一会议室",
        chair=office["lee"],
    )
    meetings.attendees_add(
        meeting_id=meeting.pk, user=office["sam"], people=[office["lee"]], role="attendee"
    )
    meetings.attendees_add(
        meeting_id=meeting.pk, user=office["sam"], people=[office["rita"]], role="observer"
    )
    return meeting


def issued(meeting, office):
    meetings.minutes_save(meeting_id=meeting.pk, user=office["sam"], body=BODY)
    meetings.minutes_submit(meeting_id=meeting.pk, user=office["sam"])
    return meetings.minutes_issue(meeting_id=meeting.pk, user=office["lee"])


def test_a_meeting_from_topics_to_a_supervised_decision(office, meeting):
    # a unit submits a topic, the office accepts it
    topic = meetings.topic_submit(meeting_id=meeting.pk, user=office["hank"], title="智慧校园建设")
    meetings.topic_decide(topic_id=topic.pk, user=office["sam"], accept=True)
    assert Topic.objects.get().status == Topic.Status.ACCEPTED
    # the observer replies
    meetings.attendance_reply(meeting_id=meeting.pk, user=office["rita"], reply="no", note="出差")
    assert Attendance.objects.get(user=office["rita"]).reply == "no"
    # minutes drafted, reviewed, issued by the chair with the type's first number of the year
    minutes = issued(meeting, office)
    assert minutes.number == "校长办公会纪要〔2026〕1号"
    # a decision points to its paragraph and becomes a supervision item in one action
    decision = meetings.decision_add(
        meeting_id=meeting.pk, user=office["sam"], paragraph=2, text="", topic_id=topic.pk
    )
    assert decision.text == "会议决定：年底前上线50项网上办事服务。"
    item = meetings.decision_supervise(
        decision_id=decision.pk,
        user=office["sam"],
        leader=office["lee"],
        lead_unit=office["school"],
        days=10,
        criteria="上线50项",
    )
    assert item.source_ref == f"performance.decision:{decision.pk}"
    assert item.source_url == f"/performance/meetings/{meeting.pk}/#decision-{decision.pk}"
    assert Decision.objects.get().item == item
    with pytest.raises(SupervisionError, match="already supervised"):
        meetings.decision_supervise(
            decision_id=decision.pk,
            user=office["sam"],
            leader=office["lee"],
            lead_unit=office["school"],
            days=10,
            criteria="x",
        )
    assert Item.objects.count() == 1


def test_numbers_follow_each_other_per_type_and_year(office, kind, meeting):
    first = issued(meeting, office)
    second_meeting = meetings.meeting_create(
        user=office["sam"],
        kind=kind,
        title="第14次",
        starts_at=at("2026-12-17 09:00"),
        ends_at=at("2026-12-17 10:00"),
        chair=office["lee"],
    )
    second = issued(second_meeting, office)
    assert (first.number, second.number) == (
        "校长办公会纪要〔2026〕1号",
        "校长办公会纪要〔2026〕2号",
    )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("issue-draft", "Only reviewed minutes are issued."),
        (
            "decision-paragraph",
            "The minutes have paragraphs 1 to 3; a decision points to one of them.",
        ),
        ("change-issued", "Issued minutes are not changed."),
        ("unit-accepts", "Only the office accepts topics."),
    ],
)
def test_refusals_of_the_meeting_steps_change_nothing(office, meeting, step, message):
    topic = meetings.topic_submit(meeting_id=meeting.pk, user=office["hank"], title="议题")
    meetings.minutes_save(meeting_id=meeting.pk, user=office["sam"], body=BODY)
    if step == "change-issued":
        meetings.minutes_submit(meeting_id=meeting.pk, user=office["sam"])
        meetings.minutes_issue(meeting_id=meeting.pk, user=office["lee"])
    before = (
        Minutes.objects.values_list("status", "number", "body").get(),
        Decision.objects.count(),
        Topic.objects.get().status,
    )
    calls = {
        "issue-draft": lambda: meetings.minutes_issue(meeting_id=meeting.pk, user=office["lee"]),
        "decision-paragraph": lambda: meetings.decision_add(
            meeting_id=meeting.pk, user=office["sam"], paragraph=4, text="x"
        ),
        "change-issued": lambda: meetings.minutes_save(
            meeting_id=meeting.pk, user=office["sam"], body="改"
        ),
        "unit-accepts": lambda: meetings.topic_decide(
            topic_id=topic.pk, user=office["hank"], accept=True
        ),
    }
    with pytest.raises(SupervisionError) as caught:
        calls[step]()
    assert caught.value.message == message
    after = (
        Minutes.objects.values_list("status", "number", "body").get(),
        Decision.objects.count(),
        Topic.objects.get().status,
    )
    assert after == before


# --- pages ------------------------------------------------------------------------------------

# sam: the office; lee: the chair (attendee); rita: observer; hank: his unit submitted a topic;
# alice: same unit as hank; charlie: nobody.
SEES = {"sam": 200, "lee": 200, "rita": 200, "hank": 200, "alice": 200, "charlie": 404}


@pytest.mark.parametrize("who", sorted(SEES))
def test_a_meeting_opens_only_for_those_who_may_see_it(client, office, meeting, who):
    meetings.topic_submit(meeting_id=meeting.pk, user=office["hank"], title="议题")
    client.force_login(office[who])
    assert client.get(meeting.get_absolute_url()).status_code == SEES[who]
    listed = client.get(reverse("performance:meetings")).content.decode()
    assert (meeting.title in listed) == (SEES[who] == 200)
    feed = vobject.readOne(client.get(reverse("performance:meetings-ical")).content.decode())
    titles = [e.summary.value for e in getattr(feed, "vevent_list", [])]
    assert (meeting.title in titles) == (SEES[who] == 200)


def test_the_feed_is_valid_icalendar_with_the_meetings_times(client, office, meeting):
    client.force_login(office["lee"])
    response = client.get(reverse("performance:meetings-ical"))
    assert response["Content-Type"].startswith("text/calendar")
    event = vobject.readOne(response.content.decode()).vevent
    assert event.summary.value == meeting.title
    assert event.dtstart.value == at("2026-12-10 09:00")
    assert event.location.value == "行政楼第一会议室"
    assert event.uid.value.startswith(f"meeting-{meeting.pk}@")


def test_the_office_supervises_a_decision_from_the_meeting_page(client, office, meeting):
    issued(meeting, office)
    decision = meetings.decision_add(
        meeting_id=meeting.pk, user=office["sam"], paragraph=2, text=""
    )
    client.force_login(office["sam"])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'id="decision-{decision.pk}"' in page
    response = client.post(
        reverse("performance:meeting-action", args=[meeting.pk, "supervise"]),
        {
            "target": decision.pk,
            "leader": office["lee"].username,
            "lead_unit": office["school"].pk,
            "days": "10",
            "criteria": "上线50项",
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.item is not None
    assert decision.item.lead_unit == office["school"]


def test_people_are_named_with_the_picker_and_unknown_ones_refused(client, office, meeting):
    # given
    issued(meeting, office)
    decision = meetings.decision_add(
        meeting_id=meeting.pk, user=office["sam"], paragraph=2, text=""
    )
    client.force_login(office["sam"])
    page = client.get(meeting.get_absolute_url()).content.decode()
    # then: the invitation and the leader in charge are the people picker
    assert page.count('data-people="/people/search/"') == 2
    assert f'id="sv-leader-{decision.pk}"' in page and 'id="invite-people"' in page
    # when: invited by user name (as without JavaScript), then an unknown person
    invite = reverse("performance:meeting-action", args=[meeting.pk, "invite"])
    client.post(invite, {"text": "", "people": office["hank"].username, "role": "observer"})
    refused = client.post(invite, {"text": "", "people": "nobody", "role": "attendee"}, follow=True)
    # then
    assert meeting.attendances.filter(user=office["hank"], role="observer").exists()
    assert "No such people: nobody" in refused.content.decode()
    # when: a person who is no leader is put in charge
    supervise = reverse("performance:meeting-action", args=[meeting.pk, "supervise"])
    data = {
        "target": decision.pk,
        "leader": office["hank"].username,
        "lead_unit": office["school"].pk,
        "days": "10",
        "criteria": "上线50项",
    }
    refused = client.post(supervise, data, follow=True).content.decode()
    # then
    assert "Only a leader can be in charge" in refused
    decision.refresh_from_db()
    assert decision.item is None


def test_an_outsider_cannot_post_to_a_meeting(client, office, meeting):
    client.force_login(office["charlie"])
    response = client.post(
        reverse("performance:meeting-action", args=[meeting.pk, "minutes"]), {"text": BODY}
    )
    assert response.status_code == 404
    assert not Minutes.objects.exists()


@pytest.mark.parametrize("who", ["sam", "lee"])
def test_the_calendar_costs_the_same_queries_at_1_and_50_meetings(
    client, office, kind, who, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office[who])
    counts = []
    for n in (1, 49):
        for k in range(n):
            m = Meeting.objects.create(
                kind=kind,
                title=f"会议{k}",
                starts_at=at("2026-12-01 09:00"),
                ends_at=at("2026-12-01 10:00"),
                chair=office["lee"],
            )
        client.get(reverse("performance:meetings"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("performance:meetings")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert m.pk


def test_the_demo_meetings_start_at_nine_in_the_morning_in_beijing(office):
    """The demo's now is UTC: its meetings are at 09:00 Asia/Shanghai, so the iCalendar feed's
    events import at 01:00Z, not at 17:00 local."""
    from datetime import UTC, datetime

    from django.utils import timezone

    from performance.demo import _seed_meetings
    from performance.models import Meeting

    now = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
    _seed_meetings(office["sam"], office["lee"], now)
    starts = [timezone.localtime(m.starts_at) for m in Meeting.objects.all()]
    assert starts and {(s.hour, s.minute, s.second, s.microsecond) for s in starts} == {
        (9, 0, 0, 0)
    }


@pytest.mark.parametrize(
    ("reply", "message"),
    [("no", "Say why you cannot attend."), ("deputy", "Name the deputy you send.")],
)
def test_a_reply_away_needs_its_reason_or_its_deputy_and_changes_nothing_without(
    office, meeting, reply, message
):
    with pytest.raises(SupervisionError, match=message):
        meetings.attendance_reply(meeting_id=meeting.pk, user=office["rita"], reply=reply, note=" ")
    assert Attendance.objects.get(user=office["rita"]).reply == "pending"


def test_an_attendee_sends_a_deputy_who_sits_in_the_minutes_for_them(office, meeting):
    meetings.attendance_reply(
        meeting_id=meeting.pk, user=office["lee"], reply="deputy", note="王副处长"
    )
    assert Attendance.objects.get(user=office["lee"]).get_reply_display() == "Sends a deputy"
    minutes = issued(meeting, office)
    assert minutes.document.present == "王副处长（代李领导）"
    assert minutes.document.absent == ""


def test_the_office_sees_each_reply_on_the_meeting_page(client, office, meeting):
    client.force_login(office["rita"])
    url = reverse("performance:meeting-action", args=[meeting.pk, "deputy"])
    assert client.post(url, {"text": ""}, follow=True).status_code == 200
    assert Attendance.objects.get(user=office["rita"]).reply == "pending"
    client.post(url, {"text": "任副主任"})
    client.force_login(office["sam"])
    page = client.get(reverse("performance:meeting", args=[meeting.pk])).content.decode()
    assert "Sends a deputy · 任副主任" in page


def test_once_the_minutes_are_issued_replies_are_closed_and_the_page_offers_none(
    client, office, meeting
):
    # given: the minutes issued, which name who was present and who on leave
    issued(meeting, office)
    # when: an invitee still tries to reply
    with pytest.raises(SupervisionError, match="The minutes are issued: replies are closed."):
        meetings.attendance_reply(meeting_id=meeting.pk, user=office["rita"], reply="yes")
    # then: nothing changed, and their page has no reply buttons
    assert Attendance.objects.get(user=office["rita"]).reply == "pending"
    client.force_login(office["rita"])
    page = client.get(reverse("performance:meeting", args=[meeting.pk])).content.decode()
    assert reverse("performance:meeting-action", args=[meeting.pk, "yes"]) not in page
