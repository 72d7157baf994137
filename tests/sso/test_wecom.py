"""The hall as an enterprise WeChat application, against a local server that answers as the
WeCom API documents (tests/sso/wecom_server.py)."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests

from hall import notifications
from hall.models import Delivery, Notification, SignInEvent
from tests.chains import HEAD
from workflows.models import ApprovalTask

WECOM_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 wxwork/4.1.20 MicroMessenger/7.0.1 Language/zh"
)


def open_in_wecom(client, url: str, max_hops: int = 8):
    """Follows redirects like the WeCom client's browser: the hall's through the test
    client, WeCom's OAuth2 page through the local server. Returns the last answer and path."""
    for _ in range(max_hops):
        answer = client.get(url, headers={"user-agent": WECOM_UA})
        if answer.status_code != 302:
            return answer, url
        location = answer["Location"]
        if location.startswith("http://127.0.0.1"):
            wecom_page = requests.get(location.split("#")[0], allow_redirects=False, timeout=10)
            location = wecom_page.headers["Location"]
        parts = urlsplit(location)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError("too many redirects")


@pytest.fixture
def task_for_hank(make_chain, submit, people):
    service = make_chain([HEAD])
    request = submit(service)
    task = ApprovalTask.objects.get(request=request, assignee=people["hank"])
    message = Notification.objects.get(recipient=people["hank"], kind="task_arrived")
    return task, message


def test_a_task_link_opened_inside_wecom_lands_on_the_task_signed_in(
    client, wecom, task_for_hank, people
):
    # given hank's WeCom client is signed in as his staff number
    task, message = task_for_hank
    wecom.client_user = people["hank"].number

    # when he opens the message's link inside WeCom
    answer, path = open_in_wecom(client, message.get_absolute_url())

    # then he is on the task page, signed in, without a password
    assert answer.status_code == 200
    assert path == f"/tasks/{task.pk}/"
    assert int(client.session["_auth_user_id"]) == people["hank"].pk
    event = SignInEvent.objects.get()
    assert (event.method, event.outcome, event.identifier) == ("wecom", "signed_in", "T100")


def test_a_stored_wecom_id_finds_the_person(client, wecom, people):
    hank = people["hank"]
    hank.wecom_id = "HanKe"
    hank.save()
    wecom.client_user = "HanKe"

    answer, path = open_in_wecom(client, "/requests/")

    assert (answer.status_code, path) == (200, "/requests/")
    assert int(client.session["_auth_user_id"]) == hank.pk


@pytest.mark.parametrize("client_user", ["nobody-here", "openid:oXyz"], ids=["unknown", "outsider"])
def test_someone_the_hall_does_not_know_is_refused_with_a_message(client, wecom, db, client_user):
    wecom.client_user = client_user

    answer, _path = open_in_wecom(client, "/requests/")

    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.get().outcome == "refused"


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(client, wecom, people):
    wecom.codes["code-x"] = "T100"

    answer = client.get("/accounts/wecom/callback/?code=code-x&state=forged&next=/requests/")

    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_outside_wecom_the_login_page_is_the_usual_one(client, wecom, db):
    answer = client.get("/accounts/login/?next=/requests/")
    assert answer.status_code == 200


def test_with_the_app_off_the_wecom_client_gets_the_usual_login_page(client, db):
    answer = client.get("/accounts/login/", headers={"user-agent": WECOM_UA})
    assert answer.status_code == 200
    assert client.get("/accounts/wecom/callback/?code=x&state=y").status_code == 404


# --- messages --------------------------------------------------------------------------------


def wecom_delivery(notification) -> Delivery:
    return Delivery.objects.get(notification=notification, channel="wecom")


def test_a_message_goes_to_the_persons_wecom_id_as_a_text_card_once_per_delivery(
    wecom, task_for_hank, settings
):
    _task, message = task_for_hank
    delivery = wecom_delivery(message)

    assert notifications.delivery_send(key=delivery.key) == "sent"
    assert notifications.delivery_send(key=delivery.key) == "skipped"

    (card,) = wecom.cards_to("T100")
    assert card["msgtype"] == "textcard"
    assert card["agentid"] == 1000002
    assert card["textcard"]["url"] == settings.HALL_BASE_URL + message.get_absolute_url()


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the transaction: nothing after it runs."""


def test_a_worker_killed_after_wecom_took_the_card_sends_it_once(wecom, task_for_hank, monkeypatch):
    _task, message = task_for_hank
    delivery = wecom_delivery(message)
    real = notifications._send_wecom

    def send_then_die(notification):
        real(notification)
        raise WorkerKilled

    monkeypatch.setattr(notifications, "_send_wecom", send_then_die)
    with pytest.raises(WorkerKilled):
        notifications.delivery_send(key=delivery.key)
    delivery.refresh_from_db()
    assert delivery.status == "pending"

    # when the sweep sends it again
    monkeypatch.setattr(notifications, "_send_wecom", real)
    notifications.deliveries_sweep(older_than=timedelta(0))

    # then WeCom's duplicate check kept the person from getting it twice
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(wecom.cards_to("T100")) == 1


def test_an_expired_token_is_renewed_once_and_the_card_goes_out(wecom, task_for_hank, people):
    _task, message = task_for_hank
    notifications.delivery_send(key=wecom_delivery(message).key)
    assert wecom.token_fetches == 1

    wecom.expire_tokens()
    (second,) = notifications.notify(
        recipients=[people["hank"]], kind="reminder", subject="报销", url="/tasks/"
    )
    assert notifications.delivery_send(key=wecom_delivery(second).key) == "sent"

    assert wecom.token_fetches == 2
    assert len(wecom.cards_to("T100")) == 2


def test_the_token_is_cached_between_sends(wecom, task_for_hank, people):
    _task, message = task_for_hank
    notifications.delivery_send(key=wecom_delivery(message).key)
    (second,) = notifications.notify(
        recipients=[people["hank"]], kind="reminder", subject="报销", url="/tasks/"
    )
    notifications.delivery_send(key=wecom_delivery(second).key)

    assert wecom.token_fetches == 1


def test_with_the_api_down_the_delivery_waits_and_the_sweep_sends_it_later(wecom, task_for_hank):
    _task, message = task_for_hank
    delivery = wecom_delivery(message)
    wecom.down = True

    for _ in range(notifications.MAX_ATTEMPTS + 2):
        notifications.deliveries_sweep(older_than=timedelta(0))
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert "503" in delivery.last_error
    assert wecom.delivered == []

    wecom.down = False
    notifications.deliveries_sweep(older_than=timedelta(0))

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(wecom.cards_to("T100")) == 1


def test_a_rate_limit_answer_leaves_the_delivery_waiting(wecom, task_for_hank):
    _task, message = task_for_hank
    delivery = wecom_delivery(message)
    wecom.rate_limited = 1

    assert notifications.delivery_send(key=delivery.key) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert "45009" in delivery.last_error

    assert notifications.delivery_send(key=delivery.key) == "sent"


def test_the_group_robot_stays_beside_the_app(wecom, people, settings):
    settings.HALL_WEBHOOK_URL = "http://127.0.0.1:9/robot"
    hank = people["hank"]
    hank.notify_by_webhook = True
    hank.save()

    (message,) = notifications.notify(recipients=[hank], kind="cc", subject="抄送", url="/")

    assert set(message.deliveries.values_list("channel", flat=True)) >= {"wecom", "webhook"}


def test_with_the_app_off_no_wecom_delivery_is_written(people):
    (message,) = notifications.notify(
        recipients=[people["hank"]], kind="cc", subject="抄送", url="/"
    )
    assert not message.deliveries.filter(channel="wecom").exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_send_leaves_one_card(wecom, make_chain, submit, people):
    """A real kill: a worker process sends, and is SIGKILLed while WeCom is answering."""
    import os
    import signal
    import subprocess
    import sys

    from django.db import connection

    from tests.real_parts import ROOT, require, worker_env

    require(connection.vendor == "postgresql", "a second process needs the Postgres test database")
    # given a task card waiting in the outbox
    submit(make_chain([HEAD]))
    message = Notification.objects.get(recipient=people["hank"], kind="task_arrived")
    delivery = wecom_delivery(message)
    Delivery.objects.filter(pk=delivery.pk).update(status="pending", sent_at=None)
    wecom.delivered.clear()
    wecom.dedup.clear()
    worker = {}
    # WeCom has taken the card; the worker dies before it hears back and marks it sent.
    wecom.on_send = lambda _message: os.kill(worker["pid"], signal.SIGKILL)
    env = worker_env(
        "",
        HALL_WECOM_CORP_ID=wecom.corp_id,
        HALL_WECOM_AGENT_ID="1000002",
        HALL_WECOM_SECRET=wecom.secret,
        HALL_WECOM_API_URL=wecom.url,
        DJANGO_SETTINGS_MODULE="hall.settings",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from hall.notifications import delivery_send;"
            f"delivery_send(key={delivery.key!r})",
        ],
        cwd=ROOT,
        env=env,
    )
    worker["pid"] = process.pid
    assert process.wait(timeout=120) == -signal.SIGKILL
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert len(wecom.cards_to("T100")) == 1

    # when the sweep sends what is still waiting
    wecom.on_send = None
    notifications.deliveries_sweep(older_than=timedelta(0))

    # then it is marked sent, and the person got it once
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(wecom.cards_to("T100")) == 1


def test_someone_refused_inside_wecom_can_still_log_in_with_a_password(client, wecom, people):
    wecom.client_user = "nobody-here"
    refused, _path = open_in_wecom(client, "/requests/")
    assert 'action="/accounts/login/"' in refused.content.decode()

    answer = client.post(
        "/accounts/login/",
        {"username": "hank", "password": "pw", "next": "/requests/"},
        headers={"user-agent": WECOM_UA},
    )

    assert answer.status_code == 302
    assert answer["Location"] == "/requests/"
