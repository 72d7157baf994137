"""Two people book the same slot at the same moment, on real Postgres: the exclusion constraint
gives one booking and one refusal that names the holder, 50 times out of 50."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from reception import services
from reception.models import Booking
from reception.services import BookingError
from tests.real_parts import require
from tests.reception.conftest import at

ROUNDS = 50


def _race(resource, people, start, end):
    barrier = threading.Barrier(len(people))
    outcomes = {}

    def attempt(person):
        try:
            barrier.wait()
            booking = services.booking_create(
                resource_id=resource.pk,
                booker=person,
                title=f"{person.username}的会",
                starts_at=start,
                ends_at=end,
            )
            outcomes[person.username] = ("booked", booking.pk)
        except BookingError as exc:
            outcomes[person.username] = ("refused", exc.message)
        except Exception as exc:  # noqa: BLE001 - anything else is what a 500 would be
            outcomes[person.username] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_people_booking_one_slot_at_once_get_one_booking_and_one_refusal(room, alice, bob):
    require(connection.vendor == "postgresql", "the exclusion constraint needs Postgres")
    names = {"alice": alice.full_name, "bob": bob.full_name}
    first = at("2030-01-07", "08:30")
    for n in range(ROUNDS):
        # given: a fresh slot each round (the rounds march through the days, 09:00–10:00)
        start = first + timedelta(days=n)
        # when
        outcomes = _race(room, [alice, bob], start, start + timedelta(hours=1))
        # then
        kinds = sorted(kind for kind, _v in outcomes.values())
        assert kinds == ["booked", "refused"], (n, outcomes)
        winner = next(u for u, (k, _v) in outcomes.items() if k == "booked")
        loser = next(u for u, (k, _v) in outcomes.items() if k == "refused")
        assert names[winner] in outcomes[loser][1], outcomes
        assert (
            Booking.objects.filter(resource=room, starts_at=start, status="confirmed").count() == 1
        )


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlap_the_service_check_did_not_see(room, alice, bob):
    """The constraint itself, without the service's check: a raw second insert fails."""
    require(connection.vendor == "postgresql", "the exclusion constraint needs Postgres")
    from django.db import IntegrityError, transaction

    booking = services.booking_create(
        resource_id=room.pk,
        booker=alice,
        title="组会",
        starts_at=at("2030-01-07", "09:00"),
        ends_at=at("2030-01-07", "10:00"),
    )
    twin = Booking(
        resource=room,
        booker=bob,
        title="抢占",
        starts_at=booking.ends_at,  # starts as the first ends: only the buffers overlap
        ends_at=booking.ends_at + timedelta(hours=1),
        blocked_from=booking.blocked_until - timedelta(minutes=1),
        blocked_until=booking.ends_at + timedelta(hours=1),
        status="confirmed",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    twin.status = "pending"
    twin.save()  # a pending booking holds nothing, so it may overlap


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_the_booking_form_at_once_give_a_booking_and_a_page_never_a_500(
    room, alice, bob, settings
):
    """Through the whole request stack: the loser's page says who holds the slot."""
    require(connection.vendor == "postgresql", "the exclusion constraint needs Postgres")
    from django.test import Client

    clients = {}
    for person in (alice, bob):
        clients[person.username] = Client(raise_request_exception=False)
        clients[person.username].cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        clients[person.username].force_login(person)
    names = {"alice": alice.full_name, "bob": bob.full_name}
    for n in range(10):
        day = (at("2030-03-04", "09:00") + timedelta(days=n)).date().isoformat()
        barrier = threading.Barrier(2)
        answers = {}

        def post(username, day=day, barrier=barrier, answers=answers):
            try:
                barrier.wait()
                answers[username] = clients[username].post(
                    "/reception/book/",
                    {
                        "resource": room.pk,
                        "title": "会",
                        "day": day,
                        "start": "09:00",
                        "end": "10:00",
                        "attendees": 5,
                    },
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=post, args=(u,)) for u in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in answers.values())
        assert codes == [200, 302], (n, codes)
        winner = next(u for u, r in answers.items() if r.status_code == 302)
        loser = next(u for u, r in answers.items() if r.status_code == 200)
        assert names[winner] in answers[loser].content.decode()
