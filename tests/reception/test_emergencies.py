"""Emergencies: the watch reports, tier 1 of the level is told at once, an unacknowledged incident
escalates to the next tier after its minutes, each tier exactly once (two ticks at once too), an
acknowledgement stops it; follow-up, instruction and final report on one timeline; who sees it.

wendy is on duty now; dora holds the duty office's role; lee (tier 1) and max (tier 2) are the
leaders of level II; sam is other staff. Some tests add a leader on duty (lou) and leaders for one
kind only (fay for fires and accidents, hal for public health)."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hall.models import Delivery, Department, Notification, Role, User
from hall.notifications import delivery_send
from reception import emergencies as em
from reception.models import DutyShift, Incident, IncidentEntry, IncidentTier
from workflows.reminders import app_ticks

NOW = timezone.make_aware(timezone.datetime(2026, 12, 5, 22, 0))


@pytest.fixture
def people(db):
    dept = Department.objects.create(code="office", name_zh="办公室", name_en="Office")
    make = lambda name: User.objects.create_user(  # noqa: E731
        name, password="pw", full_name=name.title(), department=dept
    )
    p = {n: make(n) for n in ("wendy", "dora", "lee", "max", "sam", "lou", "fay", "hal")}
    Role.objects.create(department=dept, code="schedule-office", name_zh="值班室").holders.add(
        p["dora"]
    )
    DutyShift.objects.create(
        day=NOW.date(),
        post="staff",
        person=p["wendy"],
        starts_at=NOW - timedelta(hours=4),
        ends_at=NOW + timedelta(hours=10),
    )
    first = IncidentTier.objects.create(level=2, tier=1, minutes=30)
    first.leaders.add(p["lee"])
    second = IncidentTier.objects.create(level=2, tier=2, minutes=30)
    second.leaders.add(p["max"])
    return p


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def report(user, **kw):
    values = dict(
        kind="accident",
        level=2,
        title="实验楼火情",
        place="化学实验楼三楼",
        occurred_at=NOW - timedelta(minutes=10),
        description="三楼实验室冒烟，已疏散。",
    )
    values.update(kw)
    return em.incident_report(user=user, **values)


def told(incident) -> set[str]:
    return set(incident.notices.values_list("user__username", flat=True))


def test_the_watch_reports_and_tier_1_is_told_at_once(people, frozen):
    incident = report(people["wendy"])
    assert told(incident) == {"lee"}
    assert Notification.objects.filter(recipient=people["lee"]).count() == 1
    assert list(incident.entries.values_list("kind", flat=True)) == ["report", "notified"]


@pytest.mark.parametrize(
    ("who", "kw"),
    [
        pytest.param("sam", {}, id="not-on-duty"),
        pytest.param("wendy", {"level": 4}, id="no-tier-for-level"),
        pytest.param("wendy", {"place": " "}, id="no-place"),
        pytest.param("wendy", {"occurred_at": NOW + timedelta(hours=1)}, id="in-the-future"),
    ],
)
def test_refused_reports_make_nothing(people, frozen, who, kw):
    with pytest.raises(em.IncidentError):
        report(people[who], **kw)
    assert not Incident.objects.exists() and not Notification.objects.exists()


def test_unacknowledged_it_escalates_once_per_tier(people, frozen):
    # given an incident reported at NOW
    incident = report(people["wendy"])
    # when 29 minutes pass, nothing yet
    frozen.shift(timedelta(minutes=29))
    assert em.escalation_tick()["escalated"] == 0
    # when the 30 minutes are up, tier 2 is told — once, however many ticks run
    frozen.shift(timedelta(minutes=1))
    assert app_ticks()["reception.incidents.escalated"] == 1
    assert em.escalation_tick()["escalated"] == 0
    frozen.shift(timedelta(hours=2))
    assert em.escalation_tick()["escalated"] == 0  # no tier 3
    assert told(incident) == {"lee", "max"}
    assert Notification.objects.filter(recipient=people["max"]).count() == 1
    assert incident.entries.filter(kind="escalated").count() == 1


def test_an_acknowledgement_stops_the_escalation(people, frozen):
    incident = report(people["wendy"])
    frozen.shift(timedelta(minutes=10))
    em.incident_acknowledge(user=people["lee"], incident_id=incident.pk)
    frozen.shift(timedelta(hours=1))
    assert em.escalation_tick()["escalated"] == 0
    assert told(incident) == {"lee"}
    with pytest.raises(em.IncidentError):
        em.incident_acknowledge(user=people["lee"], incident_id=incident.pk)
    with pytest.raises(em.IncidentError):
        em.incident_acknowledge(user=people["sam"], incident_id=incident.pk)


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_tell_tier_2_exactly_once(people):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED and concurrent savepoints need Postgres")
    with time_machine.travel(NOW, tick=False):
        incident = report(people["wendy"])
    later = NOW + timedelta(minutes=31)
    results, barrier = [], threading.Barrier(2)

    def tick():
        barrier.wait()
        try:
            results.append(em.escalation_tick(now=later)["escalated"])
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(recipient=people["max"]).count() == 1
    assert incident.entries.filter(kind="escalated").count() == 1


def test_follow_up_instruction_and_final_report(people, frozen):
    incident = report(people["wendy"])
    em.incident_add(
        user=people["wendy"], incident_id=incident.pk, kind="follow-up", text="明火扑灭"
    )
    em.incident_add(
        user=people["lee"], incident_id=incident.pk, kind="instruction", text="查明原因"
    )
    with pytest.raises(em.IncidentError):  # other staff may not
        em.incident_add(user=people["sam"], incident_id=incident.pk, kind="follow-up", text="x")
    with pytest.raises(em.IncidentError):  # the watch gives no instructions
        em.incident_add(user=people["dora"], incident_id=incident.pk, kind="instruction", text="x")
    em.incident_add(user=people["dora"], incident_id=incident.pk, kind="final", text="无人员伤亡")
    incident.refresh_from_db()
    assert incident.status == "closed"
    with pytest.raises(em.IncidentError):
        em.incident_add(user=people["wendy"], incident_id=incident.pk, kind="follow-up", text="y")
    kinds = list(incident.entries.values_list("kind", flat=True))
    assert kinds == ["report", "notified", "follow-up", "instruction", "final"]
    # a closed incident no longer escalates
    frozen.shift(timedelta(hours=1))
    assert em.escalation_tick()["escalated"] == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("wendy", 200), ("dora", 200), ("lee", 200), ("max", 404), ("sam", 404), (None, 302)],
)
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_url_persona_matrix(client, settings, people, frozen, who, status, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    incident = report(people["wendy"])
    if who:
        client.force_login(people[who])
    for url in (reverse("reception:incident", args=[incident.pk]), reverse("reception:incidents")):
        assert client.get(url).status_code == status
    new = client.get(reverse("reception:incident-new")).status_code
    assert new == {"wendy": 200, "dora": 200, None: 302}.get(who, 404)
    post = client.post(reverse("reception:incident-ack", args=[incident.pk]))
    assert post.status_code == (404 if status == 404 else 302)
    incident.refresh_from_db()
    assert (incident.acknowledged_by_id is not None) == (who == "lee")


def test_the_pages_report_acknowledge_and_add(client, people, frozen):
    client.force_login(people["wendy"])
    response = client.post(
        reverse("reception:incident-new"),
        {
            "kind": "accident",
            "level": "2",
            "title": "实验楼火情",
            "place": "化学实验楼",
            "occurred_at": "2026-12-05T21:50",
            "description": "冒烟",
        },
    )
    incident = Incident.objects.get()
    assert response.url == reverse("reception:incident", args=[incident.pk])
    client.force_login(people["lee"])
    page = client.get(response.url).content.decode()
    assert "Acknowledge" in page or "确认" in page
    client.post(reverse("reception:incident-ack", args=[incident.pk]))
    client.post(
        reverse("reception:incident-add", args=[incident.pk]),
        {"kind": "instruction", "text": "全力处置"},
    )
    assert incident.entries.filter(kind=IncidentEntry.Kind.INSTRUCTION, text="全力处置").exists()
    assert "全力处置" in client.get(response.url).content.decode()


def test_the_register_costs_the_same_queries_for_1_and_50(
    client, people, frozen, django_assert_num_queries
):
    client.force_login(people["dora"])
    report(people["wendy"])
    url = reverse("reception:incidents")
    client.get(url)
    with django_assert_num_queries(_count(client, url)):
        client.get(url)
    for _ in range(49):
        report(people["wendy"])
    with django_assert_num_queries(_count(client, url)):
        assert client.get(url).content.decode().count('data-label="') == 200


def _count(client, url) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


# --- the leader on duty, kinds, channels, the level's limit --------------------------------------


def _lead_the_watch(people):
    DutyShift.objects.create(
        day=NOW.date(),
        post="leader",
        person=people["lou"],
        starts_at=NOW - timedelta(hours=4),
        ends_at=NOW + timedelta(hours=10),
    )


def _kind_rows(people):
    IncidentTier.objects.create(level=2, kind="accident", tier=1).leaders.add(people["fay"])
    IncidentTier.objects.create(level=2, kind="health", tier=1).leaders.add(people["hal"])


def test_the_leader_on_duty_and_the_kinds_leaders_are_told_at_once(people, frozen):
    # given lou leads the watch now, fay is set up for accidents and hal for public health
    _lead_the_watch(people)
    _kind_rows(people)
    # when an accident of level II is reported
    incident = report(people["wendy"])
    # then lou, the level's tier 1 (lee) and the accidents' tier 1 (fay) are told, not hal
    assert told(incident) == {"lou", "lee", "fay"}
    assert incident.notices.get(user=people["lou"]).on_duty
    assert not incident.notices.get(user=people["lee"]).on_duty
    # and a public-health incident tells hal instead of fay
    health = report(people["wendy"], kind="health")
    assert told(health) == {"lou", "lee", "hal"}
    # and lou, told as the leader on duty, may acknowledge
    em.incident_acknowledge(user=people["lou"], incident_id=incident.pk)


def test_the_leader_on_duty_alone_is_enough_to_report(people, frozen):
    # given no tier for level IV, but lou leads the watch
    _lead_the_watch(people)
    incident = report(people["wendy"], level=4)
    assert told(incident) == {"lou"}
    # and with nobody after him, the tick has no one to escalate to
    frozen.shift(timedelta(hours=3))
    assert em.escalation_tick()["escalated"] == 0


def test_the_shift_that_covers_the_report_counts_not_the_next_one(people, frozen):
    # given lou's leader shift starts an hour after the report
    DutyShift.objects.create(
        day=NOW.date(),
        post="leader",
        person=people["lou"],
        starts_at=NOW + timedelta(hours=1),
        ends_at=NOW + timedelta(hours=12),
    )
    incident = report(people["wendy"])
    assert told(incident) == {"lee"}


def test_an_incident_reaches_every_channel_whatever_the_preferences(people, frozen, settings):
    # given lee turned e-mail and the chat off, and the hall has a webhook and WeCom
    settings.HALL_WEBHOOK_URL = "http://chat.invalid/robot"
    settings.HALL_WECOM_CORP_ID, settings.HALL_WECOM_AGENT_ID = "corp", "1000002"
    settings.HALL_WECOM_SECRET = "secret"
    lee = people["lee"]
    lee.email, lee.wecom_id = "lee@example.com", "LeeW"
    lee.notify_by_email = lee.notify_by_webhook = lee.notify_by_wecom = False
    lee.save()
    # when an incident is reported
    report(people["wendy"])
    # then lee gets the message in the hall and one delivery on each channel
    assert Notification.objects.filter(recipient=lee).count() == 1
    channels = Delivery.objects.filter(notification__recipient=lee).values_list(
        "channel", flat=True
    )
    assert sorted(channels) == ["email", "webhook", "wecom"]


def test_the_incidents_email_is_sent_with_its_subject(people, frozen, mailoutbox):
    lee = people["lee"]
    lee.email = "lee@example.com"
    lee.save()
    report(people["wendy"])
    delivery = Delivery.objects.get(notification__recipient=lee, channel="email")
    assert delivery_send(key=delivery.key) == "sent"
    assert "实验楼火情" in mailoutbox[-1].subject


def test_an_ordinary_message_still_follows_the_preferences(people):
    from hall.notifications import notify

    lee = people["lee"]
    lee.email, lee.notify_by_email = "lee@example.com", False
    lee.save()
    notify(recipients=[lee], kind="comment", subject="x", url="/")
    assert not Delivery.objects.filter(notification__recipient=lee).exists()


@pytest.mark.parametrize(
    ("level", "limit"),
    [pytest.param(1, 15, id="I"), pytest.param(2, 30, id="II"), pytest.param(3, 60, id="III")],
)
def test_a_tier_without_minutes_waits_the_levels_limit(people, frozen, level, limit):
    # given two tiers of the level without their own minutes
    IncidentTier.objects.filter(level=2).delete()
    IncidentTier.objects.create(level=level, tier=1).leaders.add(people["lee"])
    IncidentTier.objects.create(level=level, tier=2).leaders.add(people["max"])
    incident = report(people["wendy"], level=level)
    # when one minute short of the level's limit passes, nothing; at the limit, tier 2 is told
    frozen.shift(timedelta(minutes=limit - 1))
    assert em.escalation_tick()["escalated"] == 0
    frozen.shift(timedelta(minutes=1))
    assert em.escalation_tick()["escalated"] == 1
    assert told(incident) == {"lee", "max"}


def test_a_kinds_own_next_tier_is_escalated_to(people, frozen):
    # given accidents of level II have their own tier 3 (hal) with 10 minutes
    IncidentTier.objects.filter(level=2, tier=2).update(minutes=10)
    IncidentTier.objects.create(level=2, kind="accident", tier=3).leaders.add(people["hal"])
    incident = report(people["wendy"])
    frozen.shift(timedelta(minutes=30))
    assert em.escalation_tick()["escalated"] == 1  # tier 2: max
    frozen.shift(timedelta(minutes=10))
    assert em.escalation_tick()["escalated"] == 1  # tier 3: hal, for accidents only
    assert told(incident) == {"lee", "max", "hal"}
    health = report(people["wendy"], kind="health")
    frozen.shift(timedelta(hours=2))
    em.escalation_tick()
    assert told(health) == {"lee", "max"}


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_tell_every_tier_exactly_once_on_every_channel(people):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED and concurrent savepoints need Postgres")
    # given lou leads the watch, and accidents have a third tier (hal) of the level's limit
    _lead_the_watch(people)
    IncidentTier.objects.create(level=2, kind="accident", tier=3).leaders.add(people["hal"])
    User.objects.filter(username__in=["max", "hal"]).update(
        email="leader@example.com", notify_by_email=False
    )
    with time_machine.travel(NOW, tick=False):
        incident = report(people["wendy"])

    def two_ticks_at(moment) -> list[int]:
        results, barrier = [], threading.Barrier(2)

        def tick():
            barrier.wait()
            try:
                results.append(em.escalation_tick(now=moment)["escalated"])
            finally:
                connection.close()

        threads = [threading.Thread(target=tick) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sorted(results)

    # when two ticks run at once past tier 1's minutes, again, and past tier 2's
    assert two_ticks_at(NOW + timedelta(minutes=31)) == [0, 1]
    assert two_ticks_at(NOW + timedelta(minutes=32)) == [0, 0]
    assert two_ticks_at(NOW + timedelta(minutes=62)) == [0, 1]
    assert two_ticks_at(NOW + timedelta(hours=5)) == [0, 0]
    # then each tier was told once, in the hall and by e-mail
    for name in ("max", "hal"):
        assert Notification.objects.filter(recipient=people[name]).count() == 1
        assert Delivery.objects.filter(notification__recipient=people[name]).count() == 1
    assert incident.entries.filter(kind="escalated").count() == 2
    assert told(incident) == {"lou", "lee", "max", "hal"}


def test_the_timeline_forms_label_starts_with_a_capital_in_english(client, people, frozen):
    incident = report(people["wendy"])
    client.force_login(people["wendy"])
    page = client.get(reverse("reception:incident", args=[incident.pk])).content.decode()
    assert '<label for="id_kind">Kind</label>' in page
