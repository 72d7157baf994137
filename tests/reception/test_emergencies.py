"""Emergencies: the watch reports, tier 1 of the level is told at once, an unacknowledged incident
escalates to the next tier after its minutes, each tier exactly once (two ticks at once too), an
acknowledgement stops it; follow-up, instruction and final report on one timeline; who sees it.

wendy is on duty now; dora holds the duty office's role; lee (tier 1) and max (tier 2) are the
leaders of level II; sam is other staff."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hall.models import Department, Notification, Role, User
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
    p = {n: make(n) for n in ("wendy", "dora", "lee", "max", "sam")}
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
