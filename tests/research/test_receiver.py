"""The demo's finance receiver (manage.py finance_receiver, started by `make run`): it verifies
the hall's HMAC with transfers.verify, acknowledges each transference once (a resend gets the
same id), refuses a body signed with another secret, and stays out of the way when switched off
or when its port is busy."""

import io
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.chains import FINANCE
from tests.research.test_balances import decide
from workflows.research import transfers
from workflows.research.models import Transfer, TransferTarget
from workflows.research.receiver import serve_in_thread, url_of

SECRET = "demo-secret"


@pytest.fixture
def receiver():
    server = serve_in_thread(secret=SECRET)
    yield server
    server.shutdown()
    server.server_close()


def approve_one(make_chain, submit, url, token=SECRET):
    service = make_chain([FINANCE])
    TransferTarget.objects.create(service=service, url=url, token=token)
    return decide(submit(service), "approve")


def tick():
    return transfers.transfers_tick(now=timezone.now() + timedelta(hours=1))


def test_the_receiver_verifies_and_acknowledges_once(make_chain, people, submit, receiver):
    # given
    request = approve_one(make_chain, submit, url_of(receiver))
    # when: sent, then sent again by the office (the same key travels)
    tick()
    transfer = Transfer.objects.get(request=request)
    first = transfer.ack_id
    Transfer.objects.filter(pk=transfer.pk).update(status="pending", next_try_at=timezone.now())
    tick()
    # then
    transfer.refresh_from_db()
    assert transfer.status == "sent" and first.startswith("CW") and transfer.ack_id == first
    assert len(receiver.received) == 1
    assert receiver.received[0]["request"]["number"] == request.number


def test_a_body_signed_with_another_secret_is_refused_onto_the_desk(
    make_chain, people, submit, receiver
):
    request = approve_one(make_chain, submit, url_of(receiver), token="not-the-secret")
    tick()
    transfer = Transfer.objects.get(request=request)
    assert transfer.status == "refused" and "signature" in transfer.last_error
    assert receiver.received == []


def test_the_command_says_so_when_switched_off(settings):
    settings.FINANCE_RECEIVER_ENABLED = False
    out = io.StringIO()
    call_command("finance_receiver", stdout=out)
    assert "switched off" in out.getvalue()


def test_the_command_gives_way_when_its_port_is_busy(settings):
    # given: something already listens on the port
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        err = io.StringIO()
        # when
        call_command("finance_receiver", port=busy.getsockname()[1], stderr=err)
        # then: it returns (the hall starts anyway) and says why
        assert "is busy" in err.getvalue()
    finally:
        busy.close()
