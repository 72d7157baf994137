"""Idle sessions end (8 hours for everyone, 30 minutes for admins); sign out everywhere."""

from datetime import timedelta

import time_machine
from django.utils import timezone


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_staff_session_outlives_seven_hours_of_quiet_but_not_eight(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.login(username="alice", password="pw")
        assert client.get("/requests/").status_code == 200

        clock.shift(timedelta(hours=7, minutes=59))
        assert client.get("/requests/").status_code == 200

        # eight hours after that last request
        clock.shift(timedelta(hours=8, minutes=1))
        answer = client.get("/requests/?status=open")

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/requests/%3Fstatus%3Dopen"
    assert not signed_in(client)
    login_page = client.get(answer["Location"]).content.decode()
    assert "您已 480 分钟没有操作" in login_page


def test_an_admin_session_ends_after_thirty_quiet_minutes(client, olivia):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.login(username="olivia", password="pw")
        clock.shift(timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(minutes=31))
        answer = client.get("/admin/")

    assert answer.status_code == 302
    assert not signed_in(client)


def test_the_limits_come_from_settings(client, alice, settings):
    settings.HALL_SESSION_IDLE_MINUTES = 10
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.login(username="alice", password="pw")
        clock.shift(timedelta(minutes=11))
        assert client.get("/requests/").status_code == 302


def test_sign_out_everywhere_ends_every_session_of_the_person_and_no_one_elses(
    client, alice, bob, django_user_model
):
    from django.test import Client

    phone, office, bobs = Client(), Client(), Client()
    phone.login(username="alice", password="pw")
    office.login(username="alice", password="pw")
    bobs.login(username="bob", password="pw")

    answer = phone.post("/accounts/sign-out-everywhere/")

    assert answer.status_code == 302
    assert office.get("/requests/").status_code == 302
    assert phone.get("/requests/").status_code == 302
    assert bobs.get("/requests/").status_code == 200
    # and she can sign in again
    assert office.login(username="alice", password="pw")
    assert office.get("/requests/").status_code == 200


def test_the_profile_page_offers_sign_out_everywhere(client, alice):
    client.force_login(alice)
    page = client.get("/notifications/settings/").content.decode()
    assert 'action="/accounts/sign-out-everywhere/"' in page


def test_sign_out_everywhere_takes_only_a_post(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/sign-out-everywhere/").status_code == 405
    assert signed_in(client)


def test_a_page_polling_in_the_background_does_not_keep_the_session_alive(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.login(username="alice", password="pw")
        for _ in range(8 * 6):
            clock.shift(timedelta(minutes=10))
            client.get("/requests/", headers={"sec-fetch-dest": "empty"})
        clock.shift(timedelta(minutes=10))
        answer = client.get("/requests/", headers={"sec-fetch-dest": "document"})

    assert answer.status_code == 302
    assert not signed_in(client)


def test_pages_the_person_opens_keep_the_session_alive(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.login(username="alice", password="pw")
        for _ in range(8 * 6 + 1):
            clock.shift(timedelta(minutes=10))
            assert (
                client.get("/requests/", headers={"sec-fetch-dest": "document"}).status_code == 200
            )
