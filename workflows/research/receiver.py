"""A local stand-in for the finance office's system of record: it receives the hall's data
transferences, checks each body's HMAC with ``transfers.verify`` and acknowledges it with an id.
A resent transference (same ``X-Hall-Transfer`` key) gets the id it got the first time, so it is
counted once. ``manage.py finance_receiver`` serves it beside the demo hall; the tests start it
in a thread.
"""

import json
import logging
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from workflows.research.transfers import verify

logger = logging.getLogger(__name__)
MAX_BODY = 5 * 1024 * 1024
PATH = "/receive/"


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, secret: str):
        super().__init__(address, ReceiverHandler)
        self.secret = secret
        self.lock = threading.Lock()
        self.acks: dict[str, str] = {}
        self.received: list[dict] = []

    def acknowledge(self, key: str, payload: dict) -> tuple[str, bool]:
        """The acknowledgement id of this key (new or as given before) and whether it is new."""
        with self.lock:
            if key in self.acks:
                return self.acks[key], False
            ack = f"CW{date.today():%Y%m%d}{len(self.acks) + 1:05d}"
            self.acks[key] = ack
            self.received.append(payload)
            return ack, True


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 - the name http.server calls
        if self.path.rstrip("/") != PATH.rstrip("/"):
            return self._answer(404, {"reason": "unknown path"})
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return self._answer(413, {"reason": "empty or too large"})
        body = self.rfile.read(length)
        if not verify(self.server.secret, body, self.headers.get("X-Hall-Signature", "")):
            return self._answer(401, {"reason": "the signature does not verify"})
        key = self.headers.get("X-Hall-Transfer", "")
        try:
            payload = json.loads(body)
        except ValueError:
            return self._answer(400, {"reason": "the body is not JSON"})
        if not key:
            return self._answer(400, {"reason": "no X-Hall-Transfer key"})
        ack, new = self.server.acknowledge(key, payload)
        number = (payload.get("request") or {}).get("number", "")
        logger.info("finance receiver: %s %s as %s", "received" if new else "resent", number, ack)
        return self._answer(200, {"id": ack, "received": new})

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        logger.debug("finance receiver: " + format, *args)


def serve_in_thread(*, secret: str, port: int = 0, host: str = "127.0.0.1") -> Receiver:
    """Starts a receiver on a free port (or the one given); ``server.shutdown()`` stops it."""
    server = Receiver((host, port), secret)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def url_of(server: Receiver) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{PATH}"
