"""A local server that answers like the enterprise WeChat API as its documentation shows.

- GET  /cgi-bin/gettoken?corpid=&corpsecret=  → {"errcode":0,"errmsg":"ok","access_token":…,
  "expires_in":7200}; a wrong secret → 40001.
- GET  /cgi-bin/auth/getuserinfo?access_token=&code= → {"errcode":0,"errmsg":"ok",
  "userid":…,"user_ticket":…}; a code used twice or unknown → 40029 (invalid code); a
  non-member → {"openid":…}.
- POST /cgi-bin/message/send?access_token= → {"errcode":0,"errmsg":"ok","invaliduser":"",
  "msgid":…}; with enable_duplicate_check=1 the same card to the same person within
  duplicate_check_interval is accepted and not delivered again.
- Any call with a token that expired → 42001 ("access_token expired"); an unknown one → 40014.
- Rate limit → 45009 ("reach max api daily quota limit"); the API down → HTTP 503.
- GET  /connect/oauth2/authorize?appid=&redirect_uri=&response_type=code&scope=snsapi_base
  &state=&agentid= (open.weixin.qq.com): the WeCom client, signed in as ``client_user``,
  comes back to redirect_uri with code and state.
"""

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


class FakeWeCom:
    def __init__(self, corp_id="ww-test-corp", secret="test-secret"):
        self.corp_id, self.secret = corp_id, secret
        self.tokens: dict[str, bool] = {}  # token → still valid
        self.codes: dict[str, str] = {}
        self.client_user = ""
        self.delivered: list[dict] = []
        self.dedup: set[str] = set()
        self.token_fetches = 0
        self.down = False
        self.rate_limited = 0  # answer 45009 to this many sends
        self.received = threading.Event()
        self.on_send = None  # called after a card is delivered, before the answer
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def expire_tokens(self):
        with self._lock:
            for token in self.tokens:
                self.tokens[token] = False

    def cards_to(self, userid: str) -> list[dict]:
        return [m for m in self.delivered if m["touser"] == userid]

    # --- the API ----------------------------------------------------------------------------

    def _check_token(self, query) -> dict | None:
        token = query.get("access_token", [""])[0]
        if token not in self.tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if not self.tokens[token]:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    def gettoken(self, query):
        if (
            query.get("corpid", [""])[0] != self.corp_id
            or query.get("corpsecret", [""])[0] != self.secret
        ):
            return {"errcode": 40001, "errmsg": "invalid credential"}
        with self._lock:
            self.token_fetches += 1
            token = f"token-{next(self._ids)}"
            self.tokens[token] = True
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def getuserinfo(self, query):
        refused = self._check_token(query)
        if refused:
            return refused
        code = query.get("code", [""])[0]
        with self._lock:
            userid = self.codes.pop(code, None)
        if userid is None:
            return {"errcode": 40029, "errmsg": "invalid code"}
        if userid.startswith("openid:"):
            return {"errcode": 0, "errmsg": "ok", "openid": userid[7:]}
        return {"errcode": 0, "errmsg": "ok", "userid": userid, "user_ticket": "ticket"}

    def send(self, query, body):
        if self.rate_limited:
            self.rate_limited -= 1
            return {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
        refused = self._check_token(query)
        if refused:
            return refused
        message = json.loads(body)
        key = json.dumps([message["touser"], message.get("textcard")], sort_keys=True)
        with self._lock:
            duplicate = message.get("enable_duplicate_check") == 1 and key in self.dedup
            self.dedup.add(key)
            if not duplicate:
                self.delivered.append(message)
        self.received.set()
        if self.on_send is not None:
            self.on_send(message)
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{next(self._ids)}"}

    def authorize(self, query):
        code = f"code-{next(self._ids)}"
        with self._lock:
            self.codes[code] = self.client_user
        redirect = query["redirect_uri"][0]
        joiner = "&" if "?" in redirect else "?"
        return redirect + joiner + urlencode({"code": code, "state": query.get("state", [""])[0]})

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, payload, status=200):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path == "/connect/oauth2/authorize":
                    self.send_response(302)
                    self.send_header("Location", server.authorize(query))
                    self.end_headers()
                    return
                if server.down:
                    return self._answer({"error": "down"}, 503)
                if url.path == "/cgi-bin/gettoken":
                    return self._answer(server.gettoken(query))
                if url.path == "/cgi-bin/auth/getuserinfo":
                    return self._answer(server.getuserinfo(query))
                self._answer({"errcode": 404, "errmsg": "not found"}, 404)

            def do_POST(self):
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if server.down:
                    return self._answer({"error": "down"}, 503)
                if url.path == "/cgi-bin/message/send":
                    return self._answer(server.send(parse_qs(url.query), body))
                self._answer({"errcode": 404, "errmsg": "not found"}, 404)

        return Handler
