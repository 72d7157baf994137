#!/usr/bin/env python
"""Load benchmark of the approval engine: inbox, my requests, request page, approve POSTs.

    .venv/bin/python tests/bench/approvals_bench.py \
        [--users 30000 --requests 1000000 --tasks 5000000 --seconds 15 --concurrency 8] \
        [--approvals 2000] [--reuse-db] [--drop-db] [--explain]

What it does, in order:

1. drops and recreates the Postgres database ``hall_bench_approvals`` (127.0.0.1:5432, user
   postgres), runs ``manage.py migrate`` and ``collectstatic`` (temporary STATIC_ROOT) in
   subprocesses with a production-like environment (DEBUG off, random secret key);
2. loads the demo catalogue and people (``hall.demo.seed_demo()``), then generates, in
   ``--gen-workers`` forked processes writing CSV files, and loads with COPY
   (psycopg2 ``copy_expert``; secondary indexes dropped during the load and rebuilt after, FK
   triggers off for the loading sessions only, ids checked by anti-joins afterwards):

   * users up to ``--users`` (one shared password hash);
   * ``--requests`` ServiceRequests over the 158 online demo services (chosen by the
     applicant's identity, Zipf-like popularity), applicants with log-normal weights (a few
     applicants have hundreds), spread over 3 years (more recent = more), statuses approved
     76 %, rejected 6 %, withdrawn 4 %, in progress 10 % (the last 20 days), returned 2 %,
     draft 2 %; each submitted one with a number, a 3-step ``chain`` snapshot shaped like
     ``workflows.services._snapshot_chain`` (the service's own steps, padded to 3: single,
     countersign "all" of 2-3 people, "any" of 2-3 people; state, approvers and started_at as
     ``_open_step`` writes them), ``service_fields`` as ``_snapshot_fields`` and ``form_data``
     with a value per field (prefills from the applicant's profile);
   * ``--tasks`` ApprovalTasks (about 5 a request: one per started step member; cancelled
     left-overs of "any" steps, rejections and withdrawals; transfers make up the exact
     total), assignee / decided_by / decided_at / due_at / status consistent with the
     request's status and step states; no viewflow process for these (ServiceRequest.process
     is nullable);
   * the *busy approver* (``finance-reviewer1``) has exactly ``--busy-open`` (1000) open
     tasks, ~10 % urgent, some overdue, and about 1.2 % of all decided tasks; the *applicant*
     (``zhangwei``) has exactly ``--applicant-requests`` (200) requests;
   * ApprovalRecords (submit, every decision, withdraw) for all requests of the applicant,
     every request the busy approver has a task in and ``--records-share`` of the others;
     Notifications for the busy approver and the applicant (unread = open tasks);

   then VACUUM ANALYZE;
3. creates ``--approvals`` fresh requests through ``workflows.services.request_submit`` (so
   each has its viewflow process and its pending task), for service
   ``staff-annual-assessment`` whose one step goes to the head of the applicant's department:
   applicants from ``school-cs``, so every task belongs to ``school-cs-head``;
4. logs the three people in with real sessions (SessionStore rows in the bench database,
   the same SECRET_KEY as the server) and a CSRF cookie; profiles each page once in process
   (queries, SQL time; ``--explain`` or a slow page adds EXPLAIN ANALYZE of its slowest
   SELECT);
5. serves the hall with gunicorn (2 sync workers by default, as catalogue_bench.py: why in
   its docstring) through tests/bench/bench_wsgi.py, whose URLconf adds
   ``/bench/bare/<size>/``; for each page (``/tasks/``, ``/tasks/?urgent=on``,
   ``/tasks/?tab=done``, ``/requests/``, ``/requests/<id>/``) checks the real content, then
   loads it and the bare page of the same byte size, with the same session cookie, with
   ``wrk --latency`` (alternating slices, histograms merged, the server drained between
   slices so a slow page's queued requests don't land on the next slice) or the Python
   fallback; pages flagged SLOW (vs bare < 0.3 or p99 > 500 ms) get EXPLAIN ANALYZE of their
   slowest SELECT;
6. POSTs ``{op: decide, action: approve}`` to each fresh task once, from ``--concurrency``
   threads (http.client, session + CSRF cookie), and checks in the database that exactly
   ``--approvals`` approve records, approved tasks, approved requests and finished viewflow
   processes exist;
7. prints the report; stops gunicorn always (error, Ctrl-C, SIGTERM); leaves the database
   unless ``--drop-db``. Redis db 14 (the bench's broker and cache: the approvals queue
   Celery messages no worker consumes) is flushed at the start and at the end.

Before the load and before each measured URL it waits (polling every 30 s) while another
tests/bench/*_bench.py runs, so that their figures don't disturb each other.

This is a benchmark, not a test: pytest does not collect it (no test_ file, no test_ function).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import csv
import http.client
import json
import math
import multiprocessing
import os
import queue
import random
import re
import secrets
import shutil
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root: tests.bench

from tests.bench.common import (
    Database,
    KeepAlive,
    Loader,
    Profile,
    Result,
    Server,
    add_load_options,
    bare_path,
    bench_database,
    bench_redis,
    check_bare,
    check_floor,
    collectstatic,
    command_line,
    copy_csv,
    elapsed,
    ensure_wrk,
    explain,
    http_get,
    log,
    manage,
    measure,
    print_load_table,
    print_profile_table,
    profile_request,
    run_parallel,
    run_threads,
    server_lines,
    server_setup,
    setup_django,
    wait_for_other_benchmarks,
)

DB_NAME = bench_database("hall_bench_approvals")
DB = Database(DB_NAME)
REDIS_URL = bench_redis("redis://127.0.0.1:6379/14")
LOADED_MARK = "approvals bench: loaded"
SCRIPT = "approvals_bench.py"
PROFILED = 15  # in-process requests per page (medians)
LABEL_WIDTH = 26  # of the tables' first column

BUSY_APPROVER = "finance-reviewer1"  # a demo reviewer of the Finance Division
APPLICANT = "zhangwei"  # the demo staff applicant
APPROVE_SERVICE = "staff-annual-assessment"  # one step: head of the applicant's department
APPROVE_DEPARTMENT = "school-cs"


def flush_redis() -> None:
    """Empties Redis db 14: this benchmark's own cache and Celery broker database."""
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()


# --- data: what the generator workers share -----------------------------------------------------

DAY = 86400.0
APPROVED, REJECTED, WITHDRAWN, IN_PROGRESS, RETURNED, DRAFT = range(6)
STATUS_NAMES = ["approved", "rejected", "withdrawn", "in_progress", "returned", "draft"]
STATUS_WEIGHTS = [76, 6, 4, 10, 2, 2]
STEP_MODES = ["single", "all", "any"]

REASONS = [
    "因工作需要，特此申请，请予审批。",
    "根据学院年度工作安排提出申请，相关材料已上传。",
    "参加学术会议并作报告，费用由项目经费列支。",
    "材料齐全，请审核。如有问题请电话联系。",
    "按学校相关规定办理，附件为证明材料。",
    "家中有事需请假，工作已安排同事代理。",
]
TEXTS = ["示例内容", "见附件", "按规定执行", "无", "已与负责人沟通", "详见说明"]
PROJECTS = ["国家自然科学基金面上项目", "省重点研发计划", "横向合作项目", "校级教改项目"]
APPROVE_COMMENTS = ["", "", "", "同意", "同意。", "情况属实，同意", "已核，同意"]
REJECT_COMMENTS = ["不符合申请条件", "材料不全，不予通过", "超出预算范围", "请按规定重新申请"]
RETURN_COMMENTS = ["请补充材料后重新提交", "金额与附件不一致，请修改", "请补充负责人签字页"]


@dataclass
class SvcInfo:
    id: int
    name_zh: str
    name_en: str
    time_limit: int
    fields_json: str  # service_fields, as _snapshot_fields writes it
    specs: list  # (key, field_type, prefill, option codes, validation) per field
    step_prefix: list  # JSON of each step dict without state/approvers/started_at, open brace
    step_names: list
    step_days: list


@dataclass
class GenContext:
    """Everything the forked generator workers read (inherited through fork, never pickled)."""

    seed: int
    now: float
    n_requests: int
    n_tasks: int
    records_share: float
    statuses: list  # per request index
    applicants: list  # per request index
    busy_open: set  # request indices whose current step has a pending task of the busy approver
    page_request: int  # the request index the request page opens
    busy: int
    applicant: int
    heavy: list  # approvers of steps 2 and 3
    dept_head: dict
    dept_staff: dict
    user_dept: list  # indexed by user id
    user_identity: list
    user_name: list
    user_number: list
    user_phone: list
    user_title: list
    dept_name: dict
    services: list  # SvcInfo
    by_identity: dict  # identity -> (service indexes, cumulative weights)
    p_busy: float


CTX: GenContext | None = None


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _form_data(c: GenContext, svc: SvcInfo, app: int, created: float, rng: random.Random) -> str:
    data = {}
    R = rng.random
    for key, kind, prefill, codes, validation in svc.specs:
        if prefill:
            value = {
                "full_name": c.user_name[app],
                "number": c.user_number[app] or "",
                "department": c.dept_name.get(c.user_dept[app], ""),
                "phone": c.user_phone[app],
                "title": c.user_title[app],
            }.get(prefill, "")
        elif kind == "text":
            if key == "project_number":
                value = f"KY{2020 + int(R() * 6)}{int(R() * 99999):05d}"
            elif key == "project_name":
                value = rng.choice(PROJECTS)
            else:
                value = rng.choice(TEXTS)
        elif kind == "long_text":
            value = rng.choice(REASONS)
        elif kind == "number":
            low = int(validation.get("min") or 1)
            high = max(low, min(int(validation.get("max") or low + 9), low + 9))
            value = rng.randint(low, high)
        elif kind == "money":
            value = f"{math.exp(R() * 10 + 4.6):.2f}"  # 100 .. 2 200 000 yuan, log-uniform
        elif kind == "date":
            value = datetime.fromtimestamp(created + R() * 30 * DAY, UTC).strftime("%Y-%m-%d")
        elif kind == "date_range":
            start = created + R() * 30 * DAY
            value = [
                datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d"),
                datetime.fromtimestamp(start + (1 + int(R() * 6)) * DAY, UTC).strftime("%Y-%m-%d"),
            ]
        elif kind == "choice":
            value = rng.choice(codes) if codes else ""
        elif kind == "multi_choice":
            value = rng.sample(codes, min(len(codes), 1 + int(R() * 2))) if codes else []
        elif kind == "file":
            value = []
        elif kind == "person":
            who = rng.choice(c.heavy)
            value = {"id": who, "name": c.user_name[who], "number": c.user_number[who] or ""}
        elif kind == "department":
            dept = c.user_dept[app]
            value = {"id": dept, "name": c.dept_name.get(dept, "")} if dept else None
        else:
            value = ""
        data[key] = value
    return json.dumps(data, ensure_ascii=False)


def generate_range(w: int, start: int, stop: int, task_id0: int, out_dir: str) -> dict:
    """Writes the CSV rows of requests [start, stop): requests, tasks, records, notifications.

    Runs in a forked worker. Task ids start at ``task_id0``; the number of tasks follows
    ``n_tasks / n_requests`` per request exactly (a running controller: countersign group
    sizes when ahead, transfers when behind)."""
    c = CTX
    rng = random.Random(c.seed * 7919 + w)
    R = rng.random
    expo = rng.expovariate
    now = c.now
    cap = now - 60.0
    busy, chosen_app = c.busy, c.applicant
    heavy = c.heavy
    n_heavy = len(heavy)
    per_request = c.n_tasks / c.n_requests
    files = {
        name: open(  # noqa: SIM115 - closed at the end of the function
            os.path.join(out_dir, f"{name}_{w}.csv"), "w", newline="", buffering=1 << 20
        )
        for name in ("requests", "tasks", "records", "notifications")
    }
    wreq = csv.writer(files["requests"]).writerow
    wtask = csv.writer(files["tasks"]).writerow
    wrec = csv.writer(files["records"]).writerow
    wnote = csv.writer(files["notifications"]).writerow
    tid = task_id0
    produced = 0
    stats = {"tasks": 0, "records": 0, "notifications": 0, "transfers": 0, "busy_open": 0}
    stats.update({f"status_{s}": 0 for s in STATUS_NAMES})

    def pick_heavy(group: list, app: int, allow_busy: bool) -> int:
        if allow_busy and app != busy and busy not in group and R() < c.p_busy:
            return busy
        while True:
            who = heavy[int(R() * n_heavy)]
            if who != app and who != busy and who not in group:
                return who

    def pick_first(app: int) -> int:
        dept = c.user_dept[app]
        staff = c.dept_staff.get(dept)
        if staff:
            who = c.dept_head[dept] if R() < 0.6 else staff[int(R() * len(staff))]
            if who != app and who != busy:
                return who
        return pick_heavy([], app, False)

    rate_fast, rate_slow = 1 / (0.25 * DAY), 1 / (0.7 * DAY)

    def delay(rate: float) -> float:
        return min(300 + expo(rate), 6 * DAY)

    for i in range(start, stop):
        rid = i + 1
        st = c.statuses[i]
        app = c.applicants[i]
        stats[f"status_{STATUS_NAMES[st]}"] += 1
        pool, cum = c.by_identity[c.user_identity[app]]
        svc = c.services[pool[bisect.bisect(cum, R() * cum[-1])]]
        dept = c.user_dept[app]
        designated = i in c.busy_open

        # --- when --------------------------------------------------------------------------
        if st == DRAFT:
            created = now - R() * 60 * DAY
        elif st in (IN_PROGRESS, RETURNED):
            created = now - (0.02 + 20 * R() ** 2) * DAY
        else:  # finished: up to 3 years ago, the recent past denser (linear growth)
            created = now - DAY - (3 * 365 - 1) * DAY * (1 - math.sqrt(R()))
            local_day = (created + 8 * 3600) // DAY * DAY - 8 * 3600  # Asia/Shanghai midnight
            created = local_day + (8.5 + 9 * R()) * 3600
        created = min(created, cap - 3600)
        urgent = R() < (0.10 if st == IN_PROGRESS else 0.05)
        fast = st in (IN_PROGRESS, RETURNED)  # open requests: recent, quicker decisions

        if st == DRAFT:
            form = _form_data(c, svc, app, created, rng)
            wreq((
                rid, None, "draft", "t" if urgent else "f", "时间紧急" if urgent else "",
                form, svc.fields_json, "[]", None, None, None, iso(created), iso(created),
                None, None, None, "", "", "", app, dept, None, svc.id, None, None,
            ))  # fmt: skip
            continue

        # --- structure: the step that ends the story (3 = the chain went through) ------------
        if st == APPROVED:
            end = 3
        elif st == IN_PROGRESS:
            r = R()
            end = 0 if r < 0.4 else (1 if r < 0.75 else 2)
        else:
            end = int(R() * 3)
        if i == c.page_request:
            end = 1
        g1 = 3 if R() < 0.5 else 2
        g2 = 3 if R() < 0.2 else 2
        sizes = [1, g1, g2]
        started_steps = min(end + 1, 3)
        behind = per_request * (i - start + 1) - produced - sum(sizes[:started_steps])
        if behind < -1 and started_steps >= 2 and g1 == 3:
            sizes[1] = g1 = 2
            behind += 1
        if behind < -1 and started_steps >= 3 and g2 == 3:
            sizes[2] = g2 = 2
            behind += 1
        completed_single = [k for k in (0, 2) if k < min(end, 3)]
        transfers = {}
        if behind >= 1 and completed_single:
            for n in range(min(int(behind), 3 * len(completed_single))):
                k = completed_single[n % len(completed_single)]
                transfers[k] = transfers.get(k, 0) + 1

        submitted = min(created + 5 + R() * 120, cap)
        promised = submitted + svc.time_limit * 1.4 * DAY
        number = (
            datetime.fromtimestamp(submitted + 8 * 3600, UTC).strftime("SQ%Y%m%d") + f"{rid:07d}"
        )
        in_records = app == chosen_app or designated or i == c.page_request or R() < c.records_share
        tasks = []  # (id, step, assignee, status, created, due, decided, decided_by, comment)
        steps_json = []
        t = submitted
        current_step = current_due = finished = paused = None
        outcome = ""
        last_event = submitted
        for k in range(3):
            prefix = svc.step_prefix[k]
            if k >= started_steps:
                steps_json.append(prefix + ', "state": "pending", "approvers": []}')
                continue
            step_start = min(t, cap)
            due = step_start + svc.step_days[k] * 1.4 * DAY
            pending_here = k == end and st == IN_PROGRESS
            group = []
            for _ in range(sizes[k]):
                if k == 0:
                    who = pick_first(app)
                    if who in group:
                        who = pick_heavy(group, app, False)
                else:
                    who = pick_heavy(group, app, not pending_here)
                group.append(who)
            if designated and k == end:
                if busy in group:
                    group.remove(busy)
                    group.append(busy)
                else:
                    group[-1] = busy
            rate = rate_fast if fast else rate_slow
            if k < end:  # the step went through
                state = "approved"
                if k == 1:  # countersign: everybody approves
                    times = [min(step_start + delay(rate), cap) for _ in group]
                    for who, when in zip(group, times, strict=True):
                        tasks.append([tid, k, who, "approved", step_start, due, when, who,
                                      rng.choice(APPROVE_COMMENTS)])  # fmt: skip
                        tid += 1
                    t = max(times)
                else:  # single / any: the first decides, the others are cancelled
                    winner = int(R() * len(group))
                    when = step_start
                    holder = group[winner]
                    arrived = step_start
                    for _ in range(transfers.get(k, 0)):
                        when = min(when + delay(rate) / 3, cap)
                        tasks.append([tid, k, holder, "transferred", arrived, due, when, holder,
                                      "转交相关负责人办理"])  # fmt: skip
                        tid += 1
                        stats["transfers"] += 1
                        holder = pick_heavy([holder, *group], app, False)
                        arrived = when
                    when = min(when + delay(rate), cap)
                    for j, who in enumerate(group):
                        if j == winner:
                            tasks.append([tid, k, holder, "approved", arrived, due, when, holder,
                                          rng.choice(APPROVE_COMMENTS)])  # fmt: skip
                        else:
                            tasks.append([tid, k, who, "cancelled", step_start, due, when, None,
                                          ""])  # fmt: skip
                        tid += 1
                    t = when
                last_event = t
            else:  # k == end: the step where the story stops
                when = min(step_start + delay(rate), cap)
                mode = STEP_MODES[k]
                done_before = int(R() * len(group)) if mode == "all" else 0
                for j, who in enumerate(group):
                    if j < done_before:
                        early = min(step_start + delay(rate) / 2, when)
                        tasks.append([tid, k, who, "approved", step_start, due, early, who,
                                      rng.choice(APPROVE_COMMENTS)])  # fmt: skip
                    elif st == IN_PROGRESS:
                        tasks.append([tid, k, who, "pending", step_start, due, None, None, ""])
                    elif st in (REJECTED, RETURNED) and j == done_before:
                        comment = rng.choice(REJECT_COMMENTS if st == REJECTED else RETURN_COMMENTS)
                        status = "rejected" if st == REJECTED else "returned"
                        tasks.append([tid, k, who, status, step_start, due, when, who, comment])
                        outcome = comment if st == REJECTED else ""
                    else:  # left behind by the decision, or by the withdrawal
                        tasks.append([tid, k, who, "cancelled", step_start, due, when, None, ""])
                    tid += 1
                state = {
                    IN_PROGRESS: "active",
                    WITHDRAWN: "active",  # request_withdraw leaves the chain as it was
                    REJECTED: "rejected",
                    RETURNED: "returned",
                }[st]
                if st == IN_PROGRESS:
                    current_step, current_due = k, due
                    last_event = max(last_event, step_start)
                else:
                    last_event = when
                if st in (REJECTED, WITHDRAWN):
                    finished = when
                if st == RETURNED:
                    current_step, paused = k, when
            approvers = ", ".join(str(x) for x in group)
            steps_json.append(
                f'{prefix}, "state": "{state}", "approvers": [{approvers}], '
                f'"started_at": "{iso(step_start)}"}}'
            )
        if st == APPROVED:
            finished = last_event
        produced += len(tasks)
        stats["tasks"] += len(tasks)
        status_name = STATUS_NAMES[st]
        form = _form_data(c, svc, app, created, rng)
        if st == APPROVED:
            fin = datetime.fromtimestamp(finished, UTC)
            pdf = f"approved/{fin:%Y}/{fin:%m}/{number}.pdf"
            sha = f"{rng.getrandbits(256):064x}"
        else:
            pdf = sha = ""
        wreq((
            rid, number, status_name, "t" if urgent else "f", "时间紧急" if urgent else "",
            form, svc.fields_json, "[" + ", ".join(steps_json) + "]", current_step, None,
            _uuid(rng), iso(created), iso(last_event), iso(submitted),
            iso(finished) if finished else None, iso(current_due) if current_due else None,
            outcome, pdf, sha, app, dept, None, svc.id, iso(paused) if paused else None,
            iso(promised),
        ))  # fmt: skip
        subject = f"{svc.name_zh} {number}"
        subject_en = f"{svc.name_en or svc.name_zh} {number}"
        for tk in tasks:
            task_id, k, who, status, arrived, due, decided, by, comment = tk
            wtask((
                task_id, rid, k, who, status, "t" if urgent else "f", iso(arrived), iso(due),
                iso(decided) if decided else None, by, None, comment,
            ))  # fmt: skip
            if who == busy:
                if status == "pending":
                    stats["busy_open"] += 1
                wnote((
                    "task_arrived", subject, "", f"/tasks/{task_id}/", iso(arrived),
                    iso(decided) if decided else None, busy, subject_en,
                ))  # fmt: skip
                stats["notifications"] += 1
        if app == chosen_app and finished:
            wnote((
                "request_finished", subject, outcome, f"/requests/{rid}/", iso(finished),
                iso(min(finished + 3600, cap)), app, subject_en,
            ))  # fmt: skip
            stats["notifications"] += 1
        if in_records or any(tk[2] == busy for tk in tasks):
            rows = [(submitted, rid, None, None, "", app, "submit", "")]
            for task_id, k, _who, status, _arrived, _due, decided, by, comment in tasks:
                if by is None or status == "pending":
                    continue
                action = {"approved": "approve", "rejected": "reject", "returned": "return",
                          "transferred": "transfer"}[status]  # fmt: skip
                rows.append((decided, rid, task_id, k, svc.step_names[k], by, action, comment))
            if st == WITHDRAWN:
                rows.append((finished, rid, None, None, "", app, "withdraw", "计划有变"))
            rows.sort(key=lambda r: r[0])
            for when, req_id, task_id, k, name, actor, action, comment in rows:
                wrec((req_id, task_id, k, name, actor, None, action, comment, iso(when)))
            stats["records"] += len(rows)
    for f in files.values():
        f.close()
    stats["max_task_id"] = tid - 1
    stats["first_task_id"] = task_id0
    return stats


def _worker(args: tuple) -> dict:
    return generate_range(*args)


# --- data: setup, users, the bulk load -----------------------------------------------------------

USER_COLUMNS = (
    "id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, "
    "is_active, date_joined, full_name, number, identity, title, phone, office, department_id, "
    "language, notify_by_email, notify_by_webhook, notify_by_wecom, session_generation, pinyin, "
    "pinyin_initials"
)
USER_TEXT = "password, username, first_name, last_name, email, full_name, identity, title, phone, "
USER_TEXT += "office, language, pinyin, pinyin_initials"
REQUEST_COLUMNS = (
    "id, number, status, urgent, urgent_reason, form_data, service_fields, chain, current_step, "
    "resume_at, submit_token, created_at, updated_at, submitted_at, finished_at, current_due, "
    "outcome_comment, pdf, pdf_sha256, applicant_id, department_id, process_id, service_id, "
    "paused_at, promised_at"
)
REQUEST_TEXT = "status, urgent_reason, outcome_comment, pdf, pdf_sha256"
TASK_COLUMNS = (
    "id, request_id, step_index, assignee_id, status, urgent, created_at, due_at, decided_at, "
    "decided_by_id, on_behalf_of_id, comment"
)
TASK_TEXT = "status, comment"
RECORD_COLUMNS = (
    "request_id, task_id, step_index, step_name, actor_id, on_behalf_of_id, action, comment, "
    "created_at"
)
RECORD_TEXT = "step_name, action, comment"
NOTIFICATION_COLUMNS = "kind, subject, body, url, created_at, read_at, recipient_id, subject_en"
NOTIFICATION_TEXT = "kind, subject, body, url, subject_en"
BULK_TABLES = [
    "workflows_approvaltask",
    "workflows_servicerequest",
    "workflows_approvalrecord",
    "hall_notification",
]


def copy_file(table: str, columns: str, not_null: str, path: str) -> int:
    """COPY one CSV file into ``table`` on its own connection, FK triggers off (this session)."""
    conn = DB.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            with open(path, encoding="utf-8") as f:
                rows = copy_csv(cur, table, columns, not_null, f)
        conn.commit()
        return rows
    finally:
        conn.close()


def generate_users(total: int, rng: random.Random, out_dir: str) -> int:
    from django.contrib.auth.hashers import make_password
    from django.db.models import Max

    from hall.demo import GIVEN, SURNAMES
    from hall.models import Department, Identity, User
    from hall.search import pinyin_of

    missing = total - User.objects.count()
    if missing <= 0:
        return 0
    password = make_password("bench-" + secrets.token_hex(8))  # hashed once, shared by all
    departments = list(Department.objects.values_list("id", flat=True))
    identities = [Identity.STAFF, Identity.UNDERGRADUATE, Identity.GRADUATE, Identity.EXTERNAL]
    weights = [30, 45, 23, 2]
    prefix = {"staff": "T", "undergraduate": "S", "graduate": "G", "external": "E"}
    titles = {
        "staff": ["讲师", "副教授", "教授", "工程师", "科员", "辅导员", "实验师"],
        "undergraduate": ["2022级本科生", "2023级本科生", "2024级本科生", "2025级本科生"],
        "graduate": ["2024级硕士研究生", "2025级硕士研究生", "2023级博士研究生"],
        "external": ["访问学者", "合作单位"],
    }
    given2 = [g for g in GIVEN if len(g) == 1]
    first_id = (User.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    joined = iso(time.time() - 4 * 365 * DAY)
    path = os.path.join(out_dir, "users.csv")
    with open(path, "w", newline="", buffering=1 << 20) as f:
        write = csv.writer(f).writerow
        for n in range(missing):
            identity = str(rng.choices(identities, weights)[0])
            given = (
                rng.choice(GIVEN)
                if rng.random() < 0.7
                else rng.choice(GIVEN)[:1] + rng.choice(given2)
            )
            username = f"b{n:06d}"
            full_name = rng.choice(SURNAMES) + given
            write((
                first_id + n, password, None, "f", username, "", "",
                f"{username}@bench.example.edu.cn", "f", "t", joined,
                full_name, f"{prefix[identity]}9{n:07d}",
                identity, rng.choice(titles[identity]), f"0571-{rng.randint(80000000, 89999999)}",
                "", rng.choice(departments), "zh-hans", "t", "f", "t", 0, *pinyin_of(full_name),
            ))  # fmt: skip
    rows = copy_file("hall_user", USER_COLUMNS, USER_TEXT, path)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('hall_user', 'id'), "
            "(SELECT max(id) FROM hall_user))"
        )
    return rows


def build_context(args: argparse.Namespace, rng: random.Random) -> GenContext:
    from hall.models import Department, Role, Service, ServiceField, ServiceStep, User
    from workflows.services import _snapshot_chain, _snapshot_fields

    users = list(
        User.objects.values_list(
            "id", "department_id", "identity", "full_name", "number", "phone", "title",
            "username", "is_superuser",
        ).order_by("id")
    )  # fmt: skip
    size = users[-1][0] + 1
    user_dept, user_identity = [None] * size, ["staff"] * size
    user_name, user_number = [""] * size, [""] * size
    user_phone, user_title = [""] * size, [""] * size
    by_name = {}
    for uid, dept, ident, name, number, phone, title, username, _su in users:
        user_dept[uid], user_identity[uid] = dept, ident
        user_name[uid], user_number[uid] = name or username, number or ""
        user_phone[uid], user_title[uid] = phone, title
        by_name[username] = uid
    busy, applicant = by_name[BUSY_APPROVER], by_name[APPLICANT]
    departments = {d.id: d for d in Department.objects.all()}
    dept_head = {}
    for dept in departments.values():
        head = dept.heads.order_by("pk").values_list("pk", flat=True).first()
        if head:
            dept_head[dept.id] = head
    dept_staff: dict[int, list[int]] = {}
    for uid, dept, ident, *_ in users:
        if dept in dept_head and ident == "staff":
            dept_staff.setdefault(dept, []).append(uid)
    # Steps 2 and 3 (offices in charge, leaders): every role holder of the demo, plus a few
    # hundred generated staff standing for the offices' other reviewers.
    holders = set(Role.objects.values_list("holders", flat=True)) - {None, busy}
    generated_staff = [u[0] for u in users if u[2] == "staff" and u[7].startswith("b")]
    extra = rng.sample(generated_staff, min(400, len(generated_staff)))
    heavy = sorted(holders | set(extra) | set(dept_head.values()))

    services = []
    by_identity_lists: dict[str, tuple[list, list]] = {}
    online = (
        Service.objects.filter(is_published=True, is_online=True, steps__isnull=False)
        .distinct()
        .order_by("id")
    )
    depts_by_code = {d.code: d.id for d in departments.values()}
    for n, service in enumerate(online):
        chain = _snapshot_chain(service)[:3]
        generic = [
            ("所在单位负责人审批", "Head of the applicant's department",
             ServiceStep.Rule.APPLICANT_HEAD, None, ""),
            ("主管部门审核", "Review by the office in charge", ServiceStep.Rule.DEPARTMENT_ROLE,
             service.department_id, "reviewer"),
            ("校领导审批", "Approval by a university leader", ServiceStep.Rule.DEPARTMENT_ROLE,
             depts_by_code.get("president-office"), "leader"),
        ]  # fmt: skip
        while len(chain) < 3:
            zh, en, rule, dept_id, role = generic[len(chain)]
            chain.append({
                "name_zh": zh, "name_en": en, "rule": rule, "approver_id": None,
                "department_id": dept_id, "role_code": role, "field_key": "", "mode": "single",
                "quorum": None, "condition_field": "", "condition_operator": "",
                "condition_value": "", "time_limit_days": 2,
            })  # fmt: skip
        prefixes, names, days = [], [], []
        for k, step in enumerate(chain):
            step = dict(step)
            step.pop("state", None)
            step.pop("approvers", None)
            step.update(mode=STEP_MODES[k], quorum=None, condition_field="",
                        condition_operator="", condition_value="")  # fmt: skip
            prefixes.append(json.dumps(step, ensure_ascii=False)[:-1])
            names.append(step["name_zh"])
            days.append(step["time_limit_days"] or 2)
        specs = []
        for f in ServiceField.objects.filter(service=service).order_by("order", "id"):
            codes = [str(o[0]) for o in f.options or [] if isinstance(o, list) and o]
            specs.append((f.key, f.field_type, f.prefill, codes, f.validation or {}))
        services.append(
            SvcInfo(
                id=service.id,
                name_zh=service.name_zh,
                name_en=service.name_en,
                time_limit=service.time_limit_days or 5,
                fields_json=json.dumps(_snapshot_fields(service), ensure_ascii=False),
                specs=specs,
                step_prefix=prefixes,
                step_names=names,
                step_days=days,
            )
        )
        weight = 1 / (1 + rng.random() * len(online)) ** 0.9  # Zipf-like popularity
        audiences = {
            "staff": service.for_staff,
            "undergraduate": service.for_undergraduates,
            "graduate": service.for_graduates,
            "external": service.for_staff,
        }
        for ident, ok in audiences.items():
            if ok:
                pool, w = by_identity_lists.setdefault(ident, ([], []))
                pool.append(n)
                w.append(weight)
    by_identity = {}
    for ident, (pool, w) in by_identity_lists.items():
        acc, cum = 0.0, []
        for x in w:
            acc += x
            cum.append(acc)
        by_identity[ident] = (pool, cum)
    everyone = list(range(len(services)))
    for ident in ("staff", "undergraduate", "graduate", "external"):
        by_identity.setdefault(ident, (everyone, [float(n + 1) for n in everyone]))

    # Who applies: log-normal weights (most people a few requests, some hundreds); the chosen
    # applicant exactly --applicant-requests.
    n = args.requests
    population = [u[0] for u in users if u[0] != applicant and not u[8]]
    weights = [rng.lognormvariate(0, 1.0) for _ in population]
    applicants = rng.choices(population, weights, k=n)
    statuses = rng.choices(range(6), STATUS_WEIGHTS, k=n)
    chosen = rng.sample(range(n), min(args.applicant_requests, n))
    for i in chosen:
        applicants[i] = applicant
    # The request page: the applicant's first request (so the first of those in progress),
    # made in progress at the countersign step.
    page_request = min(chosen)
    statuses[page_request] = IN_PROGRESS
    open_ones = [i for i, s in enumerate(statuses) if s == IN_PROGRESS and applicants[i] != busy]
    busy_open = set(rng.sample(open_ones, min(args.busy_open, len(open_ones))))
    slots = 0.8 * args.tasks  # tasks of steps 2 and 3
    p_busy = min(0.5, 0.012 * args.tasks / max(1.0, slots))
    return GenContext(
        seed=args.seed,
        now=time.time(),
        n_requests=n,
        n_tasks=args.tasks,
        records_share=args.records_share,
        statuses=statuses,
        applicants=applicants,
        busy_open=busy_open,
        page_request=page_request,
        busy=busy,
        applicant=applicant,
        heavy=heavy,
        dept_head=dept_head,
        dept_staff=dept_staff,
        user_dept=user_dept,
        user_identity=user_identity,
        user_name=user_name,
        user_number=user_number,
        user_phone=user_phone,
        user_title=user_title,
        dept_name={d.id: d.name_zh for d in departments.values()},
        services=services,
        by_identity=by_identity,
        p_busy=p_busy,
    )


def bulk_load(args: argparse.Namespace, workdir: str) -> dict:
    from django.db import connection, connections

    from hall.demo import seed_demo

    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    counts = seed_demo()
    timings["seed_demo"] = time.perf_counter() - t0
    log(f"seed_demo(): {counts} in {timings['seed_demo']:.1f}s")
    out_dir = os.path.join(workdir, "csv")
    os.makedirs(out_dir, exist_ok=True)

    t0 = time.perf_counter()
    made = generate_users(args.users, rng, out_dir)
    timings["users"] = time.perf_counter() - t0
    log(f"users: {made} copied in {timings['users']:.1f}s")

    t0 = time.perf_counter()
    global CTX
    CTX = build_context(args, rng)
    log(
        f"context: {len(CTX.services)} online services, {len(CTX.heavy)} approvers of later "
        f"steps, {len(CTX.busy_open)} open tasks for {BUSY_APPROVER} "
        f"({time.perf_counter() - t0:.1f}s)"
    )

    # Generate in forked workers (each a contiguous range of request ids; task ids in ranges
    # that leave a small gap between workers).
    t0 = time.perf_counter()
    workers = max(1, min(args.gen_workers, args.requests // 1000 or 1))
    bounds = [round(args.requests * w / workers) for w in range(workers + 1)]
    jobs = []
    for w in range(workers):
        first_task = round(args.tasks * bounds[w] / args.requests) + 1 + w * 100_000
        jobs.append((w, bounds[w], bounds[w + 1], first_task, out_dir))
    connections.close_all()  # no connection crosses the fork
    if workers == 1:
        results = [generate_range(*jobs[0])]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_worker, jobs)
    timings["generate"] = time.perf_counter() - t0
    stats: dict[str, int] = {}
    for r in results:
        for key, value in r.items():
            if key not in ("max_task_id", "first_task_id"):
                stats[key] = stats.get(key, 0) + value
    for a, b in zip(results, results[1:], strict=False):
        if a["max_task_id"] >= b["first_task_id"]:
            raise SystemExit(f"task id ranges overlap: {a} / {b}")
    csv_bytes = sum(f.stat().st_size for f in Path(out_dir).glob("*.csv"))
    log(
        f"generated {args.requests:,} requests, {stats['tasks']:,} tasks, "
        f"{stats['records']:,} records, {stats['notifications']:,} notifications "
        f"({csv_bytes / 2**20:,.0f} MiB of CSV) with {workers} worker(s) in "
        f"{timings['generate']:.1f}s"
    )

    # COPY with the secondary indexes dropped, then rebuild them, two sessions at a time.
    indexes = DB.drop_secondary_indexes(BULK_TABLES)
    t0 = time.perf_counter()
    copy_jobs = []
    for table, columns, text, name in (
        ("workflows_approvaltask", TASK_COLUMNS, TASK_TEXT, "tasks"),
        ("workflows_servicerequest", REQUEST_COLUMNS, REQUEST_TEXT, "requests"),
        ("workflows_approvalrecord", RECORD_COLUMNS, RECORD_TEXT, "records"),
        ("hall_notification", NOTIFICATION_COLUMNS, NOTIFICATION_TEXT, "notifications"),
    ):
        for w in range(workers):
            path = os.path.join(out_dir, f"{name}_{w}.csv")
            copy_jobs.append(lambda t=table, c=columns, x=text, p=path: copy_file(t, c, x, p))
    run_parallel(copy_jobs, args.load_sessions)
    timings["copy"] = time.perf_counter() - t0
    log(f"COPY: {len(copy_jobs)} files in {timings['copy']:.1f}s")
    shutil.rmtree(out_dir, ignore_errors=True)

    t0 = time.perf_counter()
    run_parallel(
        [lambda d=d: DB.build_index(d, parallel_workers=0) for _n, d in indexes],
        args.load_sessions,
    )
    timings["indexes"] = time.perf_counter() - t0
    log(f"{len(indexes)} secondary indexes rebuilt in {timings['indexes']:.1f}s")

    with connection.cursor() as cur:
        for table in BULK_TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    t0 = time.perf_counter()
    orphans = check_references()
    timings["fk_check"] = time.perf_counter() - t0
    if any(orphans.values()):
        raise SystemExit(f"generated rows point at missing rows: {orphans}")
    log(f"references checked (no orphans) in {timings['fk_check']:.1f}s")
    t0 = time.perf_counter()
    DB.run("VACUUM ANALYZE")
    timings["vacuum_analyze"] = time.perf_counter() - t0
    log(f"VACUUM ANALYZE in {timings['vacuum_analyze']:.1f}s")
    DB.set_comment(f"{LOADED_MARK} {time.strftime('%F %T')}")
    return {"timings": timings, "stats": stats, "workers": workers}


def check_references() -> dict[str, int]:
    """The FK triggers were off during COPY: count rows that point nowhere (all must be 0)."""
    from django.db import connection

    checks = {
        "task.request": "SELECT count(*) FROM workflows_approvaltask t WHERE NOT EXISTS "
        "(SELECT 1 FROM workflows_servicerequest r WHERE r.id = t.request_id)",
        "task.assignee/decided_by": "SELECT count(*) FROM workflows_approvaltask t WHERE "
        "(t.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hall_user u WHERE u.id = "
        "t.assignee_id)) OR (t.decided_by_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        "hall_user u WHERE u.id = t.decided_by_id))",
        "request.applicant/service/department": "SELECT count(*) FROM workflows_servicerequest r "
        "WHERE NOT EXISTS (SELECT 1 FROM hall_user u WHERE u.id = r.applicant_id) OR NOT EXISTS "
        "(SELECT 1 FROM hall_service s WHERE s.id = r.service_id) OR (r.department_id IS NOT "
        "NULL AND NOT EXISTS (SELECT 1 FROM hall_department d WHERE d.id = r.department_id))",
        "record.request/task/actor": "SELECT count(*) FROM workflows_approvalrecord a WHERE NOT "
        "EXISTS (SELECT 1 FROM workflows_servicerequest r WHERE r.id = a.request_id) OR "
        "(a.task_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM workflows_approvaltask t WHERE "
        "t.id = a.task_id)) OR (a.actor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hall_user "
        "u WHERE u.id = a.actor_id))",
    }
    result = {}
    with connection.cursor() as cur:
        for name, sql in checks.items():
            cur.execute(sql)
            result[name] = cur.fetchone()[0]
    return result


# --- the fresh requests whose approval is measured -----------------------------------------------


def prepare_approvals(n: int, rng: random.Random) -> tuple[list[int], int, float]:
    """Submits ``n`` requests through request_submit; returns (task ids, approver id, seconds)."""
    import uuid

    from hall.models import Service, User
    from workflows import services
    from workflows.models import ApprovalTask

    service = Service.objects.get(code=APPROVE_SERVICE)
    steps = list(service.steps.all())
    if len(steps) != 1 or steps[0].rule != "applicant_head" or not service.is_online:
        raise SystemExit(f"{APPROVE_SERVICE}: expected one online 'applicant_head' step")
    head = User.objects.get(username=f"{APPROVE_DEPARTMENT}-head")
    applicants = list(
        User.objects.select_related("department")
        .filter(department__code=APPROVE_DEPARTMENT, is_active=True, identity="staff")
        .exclude(pk=head.pk)
        .exclude(headed_departments__isnull=False)
        .exclude(username__in=[APPLICANT, BUSY_APPROVER])  # their figures stay as generated
        .order_by("pk")
    )
    if not applicants:
        raise SystemExit(f"no staff in {APPROVE_DEPARTMENT} to apply")
    specs = list(service.fields.all())
    t0 = time.perf_counter()
    task_ids = []
    for k in range(n):
        user = applicants[k % len(applicants)]
        form_data = {}
        for spec in specs:
            if spec.field_type == "file":
                continue
            if spec.prefill:
                from workflows.forms import PROFILE_VALUES

                form_data[spec.key] = PROFILE_VALUES[spec.prefill](user)
            elif spec.field_type == "number":
                form_data[spec.key] = 2025
            else:
                form_data[spec.key] = rng.choice(REASONS)
        request = services.request_submit(
            service=service,
            applicant=user,
            form_data=form_data,
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )
        tasks = list(
            ApprovalTask.objects.filter(request=request, status="pending").values_list(
                "pk", "assignee_id"
            )
        )
        if len(tasks) != 1 or tasks[0][1] != head.pk or request.process_id is None:
            raise SystemExit(f"request {request.pk}: unexpected tasks {tasks} / process")
        task_ids.append(tasks[0][0])
        if (k + 1) % 500 == 0:
            log(f"  {k + 1} requests submitted ({(k + 1) / (time.perf_counter() - t0):.0f}/s)")
    return task_ids, head.pk, time.perf_counter() - t0


# --- sessions -------------------------------------------------------------------------------------


@dataclass
class Login:
    username: str
    user_id: int
    session_key: str
    csrf: str

    @property
    def cookies(self) -> dict[str, str]:
        from django.conf import settings

        return {
            settings.SESSION_COOKIE_NAME: self.session_key,
            settings.CSRF_COOKIE_NAME: self.csrf,
        }

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def login(username: str) -> Login:
    """A real session row (SessionStore, this database, the server's SECRET_KEY), a CSRF secret."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    from hall.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "hall.auth.NumberOrUsernameBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return Login(username, user.pk, session.session_key, _get_new_csrf_string())


# --- pages ----------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    who: Login
    marker: str  # class of the listed items
    min_items: int
    must_contain: list[str] = field(default_factory=list)
    body: bytes = b""
    items: int = 0
    total: str = ""  # rows behind the list (from the database)
    profile: Profile | None = None
    bare_profile: Profile | None = None

    @property
    def size(self) -> int:
        return len(self.body)


def check_page(port: int, page: Page, server_log=lambda: "") -> None:
    status, body = http_get(port, page.path, page.who.cookie)
    if status != 200:
        time.sleep(0.5)  # let the worker write its traceback
        raise SystemExit(
            f"{page.name} {page.path}: HTTP {status}; gunicorn log tail:\n{server_log()}\n"
            f"body:\n{body[:1500].decode(errors='replace')}"
        )
    text = body.decode()
    missing = [s for s in page.must_contain if s not in text]
    if missing:
        raise SystemExit(f"{page.name} {page.path}: page lacks {missing}")
    page.items = text.count(f'class="{page.marker}')
    if page.items < page.min_items:
        raise SystemExit(
            f"{page.name} {page.path}: {page.items} items listed, want >= {page.min_items}"
        )
    page.body = body


def profile_page(path: str, who: Login) -> Profile:
    """Medians over PROFILED requests of ``who``; render time without the SQL run from templates."""
    return profile_request(path, n=PROFILED, warmups=2, cookies=who.cookies)


def sql_summary(sql: str, width: int = 150) -> str:
    text = " ".join(sql.split())
    match = re.match(r'^SELECT (DISTINCT )?(.*?) FROM "', text)
    if match:
        aggregate = " COUNT(*)" if "COUNT(" in match.group(2) else " …"
        text = f"SELECT{aggregate} FROM " + text[match.end() - 1 :]
    text = text.replace('"', "")
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the approve POSTs ----------------------------------------------------------------------------


def approve_all(
    loader: Loader, who: Login, task_ids: list[int], concurrency: int
) -> tuple[Result, list[str]]:
    """POSTs an approval of every task once, from ``concurrency`` threads; (Result, failures)."""
    body_of = {
        t: urllib.parse.urlencode(
            {"op": "decide", "action": "approve", "comment": "", "csrfmiddlewaretoken": who.csrf}
        )
        for t in task_ids
    }
    todo: queue.Queue = queue.Queue()
    for t in task_ids:
        todo.put(t)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures: list[str] = []
    headers = {"Cookie": who.cookie, "Content-Type": "application/x-www-form-urlencoded"}

    def client(i: int) -> None:
        conn = KeepAlive(loader.server.port, timeout=60)
        while True:
            try:
                task_id = todo.get_nowait()
            except queue.Empty:
                break
            try:
                resp, latency = conn.request(
                    "POST", f"/tasks/{task_id}/", body_of[task_id], headers
                )
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"task {task_id}: {exc!r}")
                continue
            latencies[i].append(latency)
            location = resp.getheader("Location", "")
            if resp.status != 302 or not location.rstrip("/").endswith("/tasks"):
                failures.append(f"task {task_id}: HTTP {resp.status} -> {location}")
        conn.close()

    with loader.meter() as meter:
        seconds = run_threads(client, concurrency)
    result = Result.of(latencies, seconds, len(failures))
    result.cpu = {k: v * seconds for k, v in meter.shares.items()}
    return result, failures


def verify_approvals(task_ids: list[int], approver: int) -> dict[str, int]:
    from viewflow.workflow.models import Process

    from workflows.models import ApprovalRecord, ApprovalTask, ServiceRequest

    records = ApprovalRecord.objects.filter(task_id__in=task_ids, action="approve")
    request_ids = ApprovalTask.objects.filter(pk__in=task_ids).values("request_id")
    requests = ServiceRequest.objects.filter(pk__in=request_ids)
    process_ids = requests.values("process_id")
    return {
        "approve records": records.count(),
        "distinct tasks approved in them": records.values("task_id").distinct().count(),
        "records by the approver": records.filter(actor_id=approver).count(),
        "tasks approved": ApprovalTask.objects.filter(pk__in=task_ids, status="approved").count(),
        "requests approved": requests.filter(status="approved").count(),
        "viewflow processes DONE": Process.objects.filter(
            pk__in=process_ids, status="DONE"
        ).count(),
        "tasks still pending": ApprovalTask.objects.filter(
            pk__in=task_ids, status="pending"
        ).count(),
    }


# --- report ---------------------------------------------------------------------------------------


def is_slow(ratio: float, result: Result) -> bool:
    """SLOW: vs bare below 0.3 or p99 above 500 ms."""
    return ratio < 0.3 or result.percentile_ms(99) > 500


def data_sizes() -> dict[str, object]:
    from django.db import connection

    out: dict[str, object] = {}
    with connection.cursor() as cur:
        for table, key in (
            ("hall_user", "users"),
            ("hall_service", "services"),
            ("workflows_servicerequest", "requests"),
            ("workflows_approvaltask", "tasks"),
            ("workflows_approvalrecord", "records"),
            ("hall_notification", "notifications"),
            ("viewflow_process", "viewflow processes"),
        ):
            cur.execute(f"SELECT count(*) FROM {table}")
            out[key] = cur.fetchone()[0]
        cur.execute(
            "SELECT status, count(*) FROM workflows_servicerequest GROUP BY 1 ORDER BY 2 DESC"
        )
        out["request statuses"] = cur.fetchall()
        cur.execute(
            "SELECT status, count(*) FROM workflows_approvaltask GROUP BY 1 ORDER BY 2 DESC"
        )
        out["task statuses"] = cur.fetchall()
        cur.execute(
            "SELECT max(n), percentile_cont(0.5) WITHIN GROUP (ORDER BY n), count(*) FROM "
            "(SELECT applicant_id, count(*) n FROM workflows_servicerequest GROUP BY 1) x"
        )
        out["requests per applicant (max, median, applicants)"] = cur.fetchone()
        cur.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('workflows_servicerequest')), "
            "pg_size_pretty(pg_total_relation_size('workflows_approvaltask')), "
            "pg_size_pretty(pg_total_relation_size('workflows_approvalrecord'))"
        )
        out["sizes"] = cur.fetchone()
    return out


def people_figures(busy: Login, applicant: Login) -> dict[str, int]:
    from workflows.models import ApprovalTask, ServiceRequest

    mine = ApprovalTask.objects.filter(assignee_id=busy.user_id, status="pending")
    return {
        "busy todo": mine.count(),
        "busy todo urgent": mine.filter(urgent=True).count(),
        "busy done": ApprovalTask.objects.filter(decided_by_id=busy.user_id)
        .exclude(status="cancelled")
        .count(),
        "applicant requests": ServiceRequest.objects.filter(applicant_id=applicant.user_id).count(),
    }


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--users", type=int, default=30_000, help="users in the database (total)")
    p.add_argument("--requests", type=int, default=1_000_000, help="generated service requests")
    p.add_argument("--tasks", type=int, default=5_000_000, help="generated approval tasks")
    p.add_argument("--busy-open", type=int, default=1000, help="open tasks of the busy approver")
    p.add_argument("--applicant-requests", type=int, default=200, help="requests of the applicant")
    p.add_argument(
        "--records-share", type=float, default=0.1,
        help="share of other requests with an approval trail (ApprovalRecords)",
    )  # fmt: skip
    p.add_argument("--approvals", type=int, default=2000, help="fresh tasks approved by POST")
    add_load_options(p, warmup=2)
    p.add_argument("--gen-workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--load-sessions", type=int, default=2, help="parallel COPY / index sessions")
    p.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    p.add_argument(
        "--reuse-db", action="store_true",
        help=f"keep a fully loaded {DB_NAME} from an earlier run (adds fresh approvals only)",
    )  # fmt: skip
    p.add_argument("--drop-db", action="store_true", help=f"drop {DB_NAME} at the end")
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE every page's slowest")
    args = p.parse_args(argv)
    if args.rounds < 1 or args.seconds < args.rounds:
        p.error("--rounds must be >= 1 and at most --seconds")
    if args.requests < 1000 or args.tasks < args.requests:
        p.error("--requests must be >= 1000 and --tasks >= --requests")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir, env = server_setup("hall-bench-approvals-", DB, REDIS_URL)
    server: Server | None = None
    notes: list[str] = []
    load_info: dict = {}
    try:
        wrk = ensure_wrk(args.loader)
        waited = wait_for_other_benchmarks(SCRIPT)
        flush_redis()
        if args.reuse_db and DB.comment().startswith(LOADED_MARK):
            log(f"reusing the loaded database {DB_NAME}")
            reused = True
        else:
            DB.recreate()
            reused = False
        manage(env, "migrate", "--noinput")
        notes += collectstatic(env)
        setup_django(env)
        t_load = time.perf_counter()
        if not reused:
            load_info = bulk_load(args, workdir)
        load_seconds = time.perf_counter() - t_load

        from django.db import connections

        rng = random.Random(args.seed + 1)
        log(f"submitting {args.approvals} fresh requests through request_submit ...")
        task_ids, approver_id, submit_seconds = prepare_approvals(args.approvals, rng)
        log(f"  done in {submit_seconds:.1f}s ({args.approvals / submit_seconds:.1f}/s)")

        sizes = data_sizes()
        busy = login(BUSY_APPROVER)
        applicant = login(APPLICANT)
        approver = login(f"{APPROVE_DEPARTMENT}-head")
        people = people_figures(busy, applicant)
        log(f"data: {sizes}")
        log(f"people: {people}")

        from workflows.models import ServiceRequest

        page_req = (
            ServiceRequest.objects.filter(applicant_id=applicant.user_id, status="in_progress")
            .order_by("pk")
            .values_list("pk", "number")
            .first()
        )
        if page_req is None:
            raise SystemExit(f"{APPLICANT} has no request in progress")
        page_list = [
            Page("inbox /tasks/", "/tasks/", busy, "task-item", 20, ["?tab=done"]),
            Page("inbox urgent", "/tasks/?urgent=on", busy, "task-item urgent", 1),
            Page("inbox done", "/tasks/?tab=done", busy, "task-item", 20),
            Page("my requests", "/requests/", applicant, "service-item", 20),
            Page(
                "request page",
                f"/requests/{page_req[0]}/",
                applicant,
                "step",
                0,
                [page_req[1], 'id="live"'],
            ),  # fmt: skip
        ]
        page_list[0].total = f"{people['busy todo']:,} open"
        page_list[1].total = f"{people['busy todo urgent']:,} urgent"
        page_list[2].total = f"{people['busy done']:,} done"
        page_list[3].total = f"{people['applicant requests']:,} requests"
        page_list[4].total = f"request {page_req[1]} (items = its steps)"

        explained: list[str] = []
        for page in page_list:
            page.profile = profile_page(page.path, page.who)
            page.bare_profile = profile_page(bare_path(page.profile.bytes), page.who)
            log(
                f"in process {page.name}: {page.profile.total_ms:.1f} ms, "
                f"{page.profile.queries} queries, SQL {page.profile.sql_ms:.1f} ms"
            )
        connections.close_all()

        waited += wait_for_other_benchmarks(SCRIPT)
        load_before = os.getloadavg()[0]
        server = Server(env, args, workdir, timeout=120)
        server.start()
        loader = Loader(wrk, server, DB, args, workdir, wrk_options=["--latency"])
        rows = []
        for page in page_list:
            check_page(server.port, page, server.log_tail)
            check_bare(server.port, page.size, page.who.cookie)
            check_floor(server.port, page.who.cookie)
            log(f"{page.name}: {page.path} -> 200, {page.size:,} bytes, {page.items} items")
            waited += wait_for_other_benchmarks(SCRIPT)
            result, bare, floor = measure(loader, page.path, page.size, args, page.who.cookie)
            log(
                f"  page {result.rps:.1f} rps (p50 {result.percentile_ms(50):.1f} ms, p99 "
                f"{result.percentile_ms(99):.1f} ms), bare {bare.rps:.1f} rps, "
                f"floor {floor.rps:.1f} rps "
                f"(x floor {result.rps / floor.rps if floor.rps else 0:.2f})"
            )
            rows.append((page, result, bare, floor))

        waited += wait_for_other_benchmarks(SCRIPT)
        log(f"approving {len(task_ids)} tasks by POST, {args.concurrency} threads ...")
        approve_result, failures = approve_all(loader, approver, task_ids, args.concurrency)
        log(
            f"  {approve_result.rps:.1f} approvals/s, p50 {approve_result.percentile_ms(50):.0f} ms"
            f", p99 {approve_result.percentile_ms(99):.0f} ms, {len(failures)} failures"
        )
        load_after = os.getloadavg()[0]
        server_log = server.log_lines()
        server.stop()
        server = None
        verified = verify_approvals(task_ids, approver_id)

        # Slow pages (and all with --explain): EXPLAIN ANALYZE of their slowest SELECT.
        for page, res, bare, _floor in rows:
            ratio = res.rps / bare.rps if bare.rps else 0
            slow = is_slow(ratio, res)
            if not (slow or args.explain):
                continue
            slowest = page.profile.slowest_select()
            if slowest is None:
                continue
            ms, sql = slowest
            explained.append(f"--- {page.name} {page.path}{' (SLOW)' if slow else ''}: "
                             f"slowest SELECT ({ms:.2f} ms in process):")  # fmt: skip
            explained.append("  " + sql)
            explained.extend("    " + line for line in explain(sql))

        # --- the report ---
        ncpu = os.cpu_count()
        print()
        print("=" * 112)
        print("Approvals benchmark (tests/bench/approvals_bench.py)")
        print(command_line(SCRIPT, argv))
        print(
            f"machine: nproc={ncpu}, Python {sys.version.split()[0]}, "
            f"load average before/after the HTTP runs: {load_before:.2f} / {load_after:.2f}"
        )
        for line in server_lines(args, loader, REDIS_URL):
            print(line)
        if waited:
            print(f"waited {waited:.0f}s for other benchmarks (tests/bench/*_bench.py) to finish")
        print(
            f"timing: {args.seconds:g}s per URL in {args.rounds} alternating page/bare slices, "
            f"after {args.warmup:g}s warm-up each; bare pages use the same session cookie"
        )
        print(
            f"data: {sizes['users']:,} users, {sizes['services']:,} services, "
            f"{sizes['requests']:,} requests, {sizes['tasks']:,} tasks, "
            f"{sizes['records']:,} approval records, {sizes['notifications']:,} notifications, "
            f"{sizes['viewflow processes']:,} viewflow processes"
        )
        print(
            "  requests by status: " + ", ".join(f"{s} {n:,}" for s, n in sizes["request statuses"])
        )
        print("  tasks by status: " + ", ".join(f"{s} {n:,}" for s, n in sizes["task statuses"]))
        mx, med, napp = sizes["requests per applicant (max, median, applicants)"]
        print(f"  requests per applicant: max {mx:,}, median {med:g}, {napp:,} applicants")
        db, rq, tk, rc = sizes["sizes"]
        print(f"  database {db} (requests {rq}, tasks {tk}, records {rc})")
        print(
            f"  busy approver {BUSY_APPROVER}: {people['busy todo']:,} open tasks "
            f"({people['busy todo urgent']:,} urgent), {people['busy done']:,} decided; "
            f"applicant {APPLICANT}: {people['applicant requests']:,} requests"
        )
        if load_info:
            tm = load_info["timings"]
            print(
                f"  load: {load_seconds:.0f}s in all = seed_demo {tm['seed_demo']:.0f}s, users "
                f"{tm['users']:.0f}s, generate {tm['generate']:.0f}s ({load_info['workers']} "
                f"procs), COPY {tm['copy']:.0f}s, indexes {tm['indexes']:.0f}s, FK check "
                f"{tm['fk_check']:.0f}s, VACUUM ANALYZE {tm['vacuum_analyze']:.0f}s; "
                f"{load_info['stats']['transfers']:,} transfers made up the task total"
            )
        else:
            print("  load: reused the database of an earlier run (--reuse-db)")
        print(
            f"  fresh requests for the approve run: {args.approvals:,} via request_submit in "
            f"{submit_seconds:.1f}s ({args.approvals / submit_seconds:.1f}/s in process)"
        )
        print()
        print_load_table(rows, LABEL_WIDTH, is_slow)
        print()
        print("vs bare: page rps / rps of the bare page of the same size (same server, same "
              "session; no query but the session's and the user's).")  # fmt: skip
        print(
            f"cpu%: share of the {ncpu} cores during the load (100 = all): gunicorn, Postgres "
            f"backends of {DB_NAME} (and parallel workers), the load generator, everything else."
        )
        print("SLOW: vs bare below 0.3 or p99 above 500 ms; its slowest SELECT is EXPLAINed below.")
        print()
        print_profile_table(
            page_list, LABEL_WIDTH, "rows", lambda page: f"{page.items} listed of {page.total}"
        )
        print()
        print(
            f"medians of {PROFILED} requests through django.test.Client with the server's "
            "settings; SQL = time in cursor.execute; render = template rendering (without SQL run "
            "from templates); other py = middleware, view, ORM query building, model instances."
        )
        print()
        print("queries of one request (in process), slowest first (top 4):")
        for page, _res, _bare, _floor in rows:
            print(f"  {page.name}:")
            for ms, sql in sorted(page.profile.sql, key=lambda q: -q[0])[:4]:
                print(f"    {ms:6.2f} ms  {sql_summary(sql)}")
        print()
        r = approve_result
        print(
            f"approve POSTs: {len(task_ids):,} tasks of {APPROVE_DEPARTMENT}-head "
            f"(service {APPROVE_SERVICE}, one step), {args.concurrency} threads "
            f"(http.client, session + CSRF cookie), each task once"
        )
        print(
            f"  {r.requests:,} answered in {r.seconds:.1f}s = {r.rps:.1f} approvals/s, "
            f"p50 {r.percentile_ms(50):.1f} ms, p99 {r.percentile_ms(99):.1f} ms, "
            f"failures {len(failures)}; cpu% app {r.cpu_percent('app'):.0f}, db "
            f"{r.cpu_percent('db'):.0f}, load {r.cpu_percent('load'):.0f}, other "
            f"{r.cpu_percent('other'):.0f}"
        )
        for message in failures[:10]:
            print(f"  FAILURE {message}")
        ok = (
            all(
                verified[k] == len(task_ids)
                for k in (
                    "approve records",
                    "distinct tasks approved in them",
                    "records by the approver",
                    "tasks approved",
                    "requests approved",
                    "viewflow processes DONE",
                )
            )
            and verified["tasks still pending"] == 0
        )
        print(
            "  verified in the database: "
            + ", ".join(f"{k} {v:,}" for k, v in verified.items())
            + (" -> OK (exactly N)" if ok else " -> MISMATCH")
        )
        for line in explained:
            print(line)
        if server_log:
            print("gunicorn log (tail):")
            for line in server_log[-20:]:
                print("  " + line)
        for line in notes:
            print(line)
        print(DB.exit_note(args.drop_db))
        print(f"total wall time: {elapsed():.0f}s")
        print("=" * 112)
        return 0 if ok and not failures else 1
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        with contextlib.suppress(Exception):
            flush_redis()
        if args.drop_db:
            DB.drop()
        log("done")


if __name__ == "__main__":
    sys.exit(main())
