"""Data transference: one delivery per approved request whatever happens on the way (the tick
twice, a worker killed mid-send, the target down then back), HMAC that verifies at the
receiver, a refusal on the office's desk with its reason, the acknowledgement on the request
page."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tests.chains import FINANCE
from tests.research.test_balances import decide
from workflows.research import transfers
from workflows.research.models import Transfer, TransferTarget

SECRET = "shared-secret"
LATER = timedelta(hours=1)  # past the wait for an archival code


class Receiver:
    """A system of record on loopback: checks the signature, counts each key once."""

    def __init__(self):
        self.mode = "ok"  # or "down", "refuse"
        self.received: dict[str, dict] = {}
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.mode == "down":
                    return self.answer(503, {"reason": "maintenance"})
                if not transfers.verify(SECRET, body, self.headers.get("X-Hall-Signature")):
                    receiver.bad_signatures += 1
                    return self.answer(401, {"reason": "bad signature"})
                if receiver.mode == "refuse":
                    return self.answer(422, {"reason": "项目编号在财务系统中不存在"})
                key = self.headers["X-Hall-Transfer"]
                receiver.received.setdefault(key, json.loads(body))
                ack = f"FIN-{list(receiver.received).index(key) + 1:04d}"
                return self.answer(200, {"id": ack})

            def answer(self, code, data):
                payload = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/intake"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def approved(make_chain, people, receiver, submit):
    service = make_chain([FINANCE])
    TransferTarget.objects.create(service=service, url=receiver.url, token=SECRET)
    return decide(submit(service), "approve")


def tick(at=LATER):
    return transfers.transfers_tick(now=timezone.now() + at)


def test_an_approved_request_is_sent_signed_once_and_acknowledged(approved, receiver):
    # when: the tick runs twice
    tick()
    tick()
    # then: one delivery, signed, carrying the form, the trail and the content hash
    assert len(receiver.received) == 1 and receiver.bad_signatures == 0
    body = next(iter(receiver.received.values()))
    assert body["request"]["number"] == approved.number
    assert body["form"] == approved.form_data
    assert [step["action"] for step in body["trail"]] == ["submit", "approve"]
    content = {k: v for k, v in body.items() if k != "content_sha256"}
    import hashlib

    assert body["content_sha256"] == hashlib.sha256(transfers.canonical(content)).hexdigest()
    transfer = Transfer.objects.get(request=approved)
    assert (transfer.status, transfer.ack_id, transfer.attempts) == ("sent", "FIN-0001", 1)


def test_a_request_waits_for_its_archival_code_a_while(approved, receiver):
    assert tick(at=timedelta(minutes=1))["made"] == 0
    assert tick()["made"] == 1


def test_the_target_down_then_back_gets_it_once(approved, receiver):
    # given: the target is down
    receiver.mode = "down"
    tick()
    transfer = Transfer.objects.get(request=approved)
    assert transfer.status == "pending" and "503" in transfer.last_error
    # when: it is back, and the pause has passed
    receiver.mode = "ok"
    tick(at=LATER + timedelta(minutes=1))  # the first pause is two minutes
    assert Transfer.objects.get(request=approved).status == "pending"
    tick(at=LATER + timedelta(minutes=3))
    # then
    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempts) == ("sent", 2)
    assert len(receiver.received) == 1


def test_a_worker_killed_after_sending_resends_with_the_same_key(approved, receiver, monkeypatch):
    # given: the send reaches the target, then the worker dies before recording it
    real_save = Transfer.save

    def die(self, *args, **kwargs):
        if self.status == "sent":
            raise SystemExit("worker killed")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Transfer, "save", die)
    with pytest.raises(SystemExit):
        tick()
    assert Transfer.objects.get(request=approved).status == "pending"
    # when: another worker picks it up
    monkeypatch.setattr(Transfer, "save", real_save)
    tick()
    # then: the receiver saw the same key twice and counted it once
    assert len(receiver.received) == 1
    assert Transfer.objects.get(request=approved).ack_id == "FIN-0001"


def test_a_refusal_lands_on_the_office_desk_with_the_reason(approved, receiver, client, people):
    # given
    receiver.mode = "refuse"
    tick()
    transfer = Transfer.objects.get(request=approved)
    assert transfer.status == "refused" and "项目编号在财务系统中不存在" in transfer.last_error
    # when: the finance office opens its desk
    client.force_login(people["fay"])
    html = client.get("/research/transfers/").content.decode()
    # then
    assert approved.number in html and "项目编号在财务系统中不存在" in html
    # and once the reason is dealt with, it is sent again from there
    receiver.mode = "ok"
    client.post("/research/transfers/", {"transfer": [transfer.pk]})
    tick(at=LATER + timedelta(minutes=1))
    transfer.refresh_from_db()
    assert transfer.status == "sent" and len(receiver.received) == 1


def test_the_desk_is_for_the_offices_only(client, people):
    client.force_login(people["alice"])
    assert client.get("/research/transfers/").status_code == 404


def test_the_request_page_shows_the_acknowledgement(approved, receiver, client, people):
    tick()
    client.force_login(people["alice"])
    html = client.get(approved.get_absolute_url()).content.decode()
    assert "Received by the system of record as" in html and "FIN-0001" in html


def test_a_wrong_secret_is_refused_by_the_receiver(approved, receiver):
    TransferTarget.objects.update(token="not-the-secret")
    tick()
    assert receiver.bad_signatures == 1 and not receiver.received
    assert Transfer.objects.get(request=approved).status == "refused"


def test_requests_of_services_without_a_target_are_not_sent(make_chain, submit, receiver):
    decide(submit(make_chain([FINANCE])), "approve")
    assert tick()["made"] == 0 and not Transfer.objects.exists()


@pytest.mark.parametrize("n", [1, 30])
def test_the_desk_costs_the_same_queries_for_1_and_30_rows(
    client, people, make_chain, submit, receiver, django_assert_num_queries, n
):
    service = make_chain([FINANCE])
    target = TransferTarget.objects.create(service=service, url=receiver.url, token=SECRET)
    receiver.mode = "refuse"
    for _ in range(n):
        decide(submit(service), "approve")
    tick()
    assert target.transfers.filter(status="refused").count() == n
    client.force_login(people["fay"])
    client.get("/research/transfers/")
    # user, office role, count, page, the header's unread messages
    with django_assert_num_queries(4):
        assert client.get("/research/transfers/").status_code == 200
