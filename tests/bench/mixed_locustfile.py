"""The people of tests/bench/mixed_load_bench.py, as locust users (that script runs this file).

Each simulated person signs in with the session the benchmark made for them (``MIXED_PEOPLE``,
a JSON list of role, username, session, CSRF token and, for applicants, their request). What
the load generator saw accepted (applications, approvals) is written to ``MIXED_OUTCOMES`` at the
end, for the benchmark's database check. Not a test module: pytest collects nothing here.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import uuid

from locust import HttpUser, between, events, task

PEOPLE = json.loads(open(os.environ["MIXED_PEOPLE"]).read())  # noqa: SIM115 - read once
SERVICE = os.environ.get("MIXED_SERVICE", "bench-mixed-leave")
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148"
)
WORDS_ZH = ["报销", "请假", "证明", "出差", "用章", "会议室"]
WORDS_PINYIN = ["baoxiao", "qingjia", "zhengming", "chuchai"]
TOKEN = re.compile(r'name="submit_token" value="([0-9a-f-]+)"')
TASK = re.compile(r'href="/tasks/(\d+)/"')
STAMP = re.compile(r'data-stamp="([^"]*)"')

_lock = threading.Lock()
_queues: dict[str, list[dict]] = {"staff": [], "approver": [], "poller": []}
for person in PEOPLE:
    _queues[person["role"]].append(person)
OUTCOMES = {"submitted": 0, "approved": 0}


def _take(role: str) -> dict:
    with _lock:
        return _queues[role].pop()


def _count(what: str) -> None:
    with _lock:
        OUTCOMES[what] += 1


@events.quitting.add_listener
def _write_outcomes(environment, **kwargs) -> None:
    with open(os.environ["MIXED_OUTCOMES"], "w") as f:
        json.dump(OUTCOMES, f)


class Person(HttpUser):
    abstract = True
    role = ""

    def on_start(self) -> None:
        self.person = _take(self.role)
        self.client.cookies.set("sessionid", self.person["session"])
        self.client.cookies.set("csrftoken", self.person["csrf"])

    def post(self, path: str, data: dict, name: str):
        data = {"csrfmiddlewaretoken": self.person["csrf"], **data}
        return self.client.post(path, data=data, name=name, allow_redirects=False)


class Staff(Person):
    """Searches, reads the guide, applies; then does something else for a while."""

    role = "staff"
    fixed_count = len(_queues["staff"])
    wait_time = between(5, 15)

    @task(3)
    def search(self) -> None:
        if random.random() < 0.6:
            self.client.get(f"/services/?q={random.choice(WORDS_ZH)}", name="search (Chinese)")
        else:
            self.client.get(f"/services/?q={random.choice(WORDS_PINYIN)}", name="search (pinyin)")

    @task(1)
    def apply(self) -> None:
        self.client.get(f"/services/{SERVICE}/", name="guide page")
        form = self.client.get(f"/services/{SERVICE}/apply/", name="application form")
        found = TOKEN.search(form.text or "")
        token = found.group(1) if found else str(uuid.uuid4())
        with self.client.post(
            f"/services/{SERVICE}/apply/",
            data={
                "csrfmiddlewaretoken": self.person["csrf"],
                "submit_token": token,
                "reason": "压测：年假三天",
            },
            name="apply POST",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and "/requests/" in answer.headers.get("Location", ""):
                _count("submitted")
                answer.success()
                self.client.get(answer.headers["Location"], name="request page")
            else:
                answer.failure(f"apply answered {answer.status_code}")


class Approver(Person):
    """On a phone: the inbox, the oldest task, approve."""

    role = "approver"
    fixed_count = len(_queues["approver"])
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        self.client.headers["User-Agent"] = PHONE

    @task
    def work_the_inbox(self) -> None:
        inbox = self.client.get("/tasks/", name="inbox (phone)")
        ids = TASK.findall(inbox.text or "")
        if not ids:
            return
        pk = ids[-1]
        self.client.get(f"/tasks/{pk}/", name="task page (phone)")
        with self.client.post(
            f"/tasks/{pk}/",
            data={
                "csrfmiddlewaretoken": self.person["csrf"],
                "op": "decide",
                "action": "approve",
                "comment": "同意",
            },
            name="approve POST",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith("/tasks/"):
                _count("approved")
                answer.success()
            elif answer.status_code == 302:
                # Someone else's decision came first (the task page says so): not an error.
                answer.success()
            else:
                answer.failure(f"approve answered {answer.status_code}")


class Applicant(Person):
    """Keeps the request page open: its live part is polled every 10 s with its stamp."""

    role = "poller"
    fixed_count = len(_queues["poller"])
    wait_time = between(9.5, 10.5)

    def on_start(self) -> None:
        super().on_start()
        page = self.client.get(f"/requests/{self.person['request']}/", name="request page")
        found = STAMP.search(page.text or "")
        self.stamp = found.group(1) if found else ""

    @task
    def poll(self) -> None:
        with self.client.get(
            f"/requests/{self.person['request']}/progress/",
            headers={"If-None-Match": f'"{self.stamp}"'},
            name="live poll",
            catch_response=True,
        ) as answer:
            if answer.status_code in (200, 304):
                answer.success()
                if answer.status_code == 200:
                    self.stamp = answer.headers.get("ETag", "").strip('"')
            else:
                answer.failure(f"poll answered {answer.status_code}")
