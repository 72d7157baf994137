#!/usr/bin/env python
"""Benchmark of the archives: record search over a million records, and concurrent filing.

    .venv/bin/python tests/bench/archives_bench.py \
        [--records 1000000 --reps 20 --filers 8 --per-filer 250] [--rebuild] [--drop-db]

What it does, in order:

1. unless ``hall_bench_archives`` (127.0.0.1:5432, user postgres) already holds ``--records``
   loaded records of the same ``--seed`` (its database comment says so; ``--rebuild`` forces),
   drops and recreates it; runs ``manage.py migrate`` (tests.bench.bench_settings, DEBUG off,
   DATABASE_URL pointing at it) in a subprocess;
2. creates the fonds Z001 (codes with organization codes), the 15 demo departments
   (``hall.demo.DEPARTMENTS``) with an organization code each, and an archivist (is_staff);
3. generates ``--records`` records over ``--years`` years ending with ``--last-year`` (more
   each year), in ``--gen-workers`` forked processes, one year at a time: dates on working
   days, in filing order (ids follow the dates); a department by weight; a document type
   (通知, 请示, 批复, 报告, 函, 印发办法, 会议纪要, 总结, 计划, 公示, 申请材料) with its own
   retention mix (minutes mostly permanent, claims mostly 10 years); a title from the
   department's topics (科研项目申报, 经费报销, 学位授予, 招生计划, 职称评审 ...) or common ones;
   a document number per department and year; item numbers counted per class in date order
   (1..n, no gaps), the code made by ``archives.services.format_code``, ``search_text`` by
   ``archives.services.record_search_text``, ``appraisal_year`` by
   ``archives.models.appraisal_year_for``; records of recent years filed from the approval
   workflows carry a source and request metadata; loads them with COPY (psycopg2
   ``copy_expert``, ``--chunk`` rows per COPY, FK triggers off for the loading session, the
   secondary indexes, the trigram index included, dropped before and rebuilt after), checks the
   references, fills ``archives_itemcounter`` from the records, VACUUM ANALYZE;
4. searches through ``archives.selectors.search`` as the archivist: a common word, a rarer
   3-character word, a rarer 2-character word, a 2-character name in a few dozen records, an
   exact code, a code prefix, and a word with year and retention filters; each as the list
   view does (``Paginator(qs, 20).get_page(1)``, the 20 rows, the count), one warm-up then
   ``--reps`` timed repetitions (median, p95; the count and page queries timed apart too);
   then EXPLAIN (ANALYZE, BUFFERS) of both queries;
5. files ``--per-filer`` records per process through ``archives.services.record_file`` from
   forked processes started together (a few KB file each, MEDIA_ROOT a temporary directory):
   one filer alone (the baseline), then ``--filers`` all into the same ``--hot-classes``
   classes (they contend on the ItemCounter row lock), then ``--filers`` each into a class of
   its own; records/s, p50/p99 per filing and of the numbering step (``_next_item``, timed by
   wrapping it in the filer processes only); then checks in SQL that every class numbers its
   items exactly 1..n and that every counter equals its class's last item;
6. prints the figures as a table; leaves the database unless ``--drop-db``.

The search runs before the filings, so a run on a reused database also sees the records the
earlier runs filed (the report gives the total). Before the load and before each measured part
it waits (polling every 30 s) while another tests/bench/*_bench.py runs. The machine may be
shared: each measured part reports the share of the cores used by this benchmark, by its
database's backends and by everything else.

This is a benchmark, not a test: pytest does not collect it (no test_ file, no test_ function).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import csv
import io
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root: tests.bench

from tests.bench.common import (
    CLK_TCK,
    Database,
    bench_env,
    busy_ticks,
    command_line,
    copy_csv,
    elapsed,
    explain,
    log,
    manage,
    own_seconds,
    postgres_processes,
    print_header,
    run_parallel,
    setup_django,
    wait_for_other_benchmarks,
)

DB_NAME = "hall_bench_archives"
DB = Database(DB_NAME)
SCRIPT = "archives_bench.py"
LOADED_MARK = "archives bench: loaded"
FONDS_CODE = "Z001"
ARCHIVIST = "bench-archivist"
TABLE = "archives_record"
FILING_REF = "bench-filing:"  # source_ref prefix of the records the filing runs add


# --- the database -----------------------------------------------------------------------------


def mark_text(args: argparse.Namespace) -> str:
    return (
        f"{LOADED_MARK} {args.records} records, seed {args.seed}, years "
        f"{args.last_year - args.years + 1}-{args.last_year}"
    )


def database_ready(args: argparse.Namespace) -> bool:
    """The database holds the requested load (its comment, and the records themselves)."""
    if not DB.comment().startswith(mark_text(args)):
        return False
    with DB.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {TABLE} WHERE source_ref IS NULL OR source_ref NOT LIKE %s",
            [FILING_REF + "%"],
        )
        return cur.fetchone()[0] == args.records


def pad(text: str, width: int) -> str:
    """Left-aligns text that may hold double-width (CJK) characters."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return text + " " * max(0, width - len(text) - wide)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


class CpuMeter:
    """Share of all cores used, during a measured part, by this benchmark (with its filer
    processes), by the Postgres backends of its database (parallel workers included) and by
    everything else on the machine (other work: the machine is shared).

    A thread samples the backends every 0.2 s, so the CPU of short-lived ones (the filers'
    connections, parallel workers) counts too, a little under.
    """

    def __init__(self):
        self.bench = self.db = self.other = 0.0
        self._stop = threading.Event()
        self._seen: dict[int, int] = {}  # backend pid -> ticks last seen
        self._start: dict[int, int] = {}  # backend pid -> ticks when first seen before the start

    @staticmethod
    def _backends() -> dict[int, int]:
        backends, parallel_workers = postgres_processes(DB_NAME)
        return {**backends, **parallel_workers}

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for pid, ticks in self._backends().items():
                self._seen[pid] = max(ticks, self._seen.get(pid, 0))

    def __enter__(self) -> CpuMeter:
        self.t0 = time.monotonic()
        self.busy0 = busy_ticks()
        self.own0 = own_seconds()  # the filers count once joined
        self._start = self._backends()
        self._seen = dict(self._start)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for pid, ticks in self._backends().items():
            self._seen[pid] = max(ticks, self._seen.get(pid, 0))
        capacity = (time.monotonic() - self.t0) * CLK_TCK * (os.cpu_count() or 1) / 100
        busy = busy_ticks() - self.busy0
        bench = (own_seconds() - self.own0) * CLK_TCK
        db = sum(t - self._start.get(pid, 0) for pid, t in self._seen.items())
        self.bench, self.db = bench / capacity, db / capacity
        self.other = max(0.0, busy - bench - db) / capacity

    def __str__(self) -> str:
        return f"{self.bench:3.0f} {self.db:3.0f} {self.other:3.0f}"


# --- vocabulary ---------------------------------------------------------------------------------

# department code (hall.demo.DEPARTMENTS) -> organization code, document-number prefix, weight,
# its meeting, its topics
DEPARTMENTS = {
    "president-office": ("XZB", "校办", 8, "校长办公会", [
        "召开校长办公会", "校园总体规划", "{y}年学校工作要点", "学校章程修订", "信息公开工作",
        "重要来访接待", "印章管理", "督查督办事项", "校领导分工调整", "对口支援工作",
    ]),
    "archives": ("DAG", "档", 2, "馆务会", [
        "档案移交", "档案数字化加工", "档案鉴定销毁", "{y}年度文书档案归档", "校史资料征集",
        "档案库房安全检查",
    ]),
    "organization": ("ZZB", "组", 5, "党委常委会", [
        "干部任免", "中层干部年度考核", "发展党员", "党支部换届选举", "干部因私出国（境）管理",
        "{name}同志任职", "{name}等同志职务任免", "干部教育培训", "党费收缴",
    ]),
    "propaganda": ("XCB", "宣", 3, "部务会", [
        "校园新闻宣传", "意识形态工作", "校庆宣传", "网络舆情管理", "校园文化建设",
        "理论学习中心组学习",
    ]),
    "personnel": ("RSC", "人", 9, "处务会", [
        "教职工公开招聘", "专业技术职务评审", "职称评审", "博士后进站", "人事代理",
        "教职工退休", "岗位聘任", "高层次人才引进", "{name}同志调动", "教职工年度考核",
        "绩效工资分配", "教职工请假管理", "社会保险缴纳",
    ]),
    "finance": ("CWC", "财", 12, "处务会", [
        "经费报销", "差旅费报销", "科研经费报销", "预算调整", "{y}年度部门预算", "财务决算",
        "收费标准", "公务卡管理", "会议费管理", "国库集中支付", "票据管理", "往来款项清理",
    ]),
    "research": ("KYY", "科", 12, "院务会", [
        "科研项目申报", "国家自然科学基金项目申报", "国家社会科学基金项目申报",
        "科研项目结题验收", "科研经费管理", "横向科研项目合同", "科研成果奖励", "重点实验室建设",
        "学术不端行为处理", "学术委员会换届", "专利申请", "科技成果转化", "科研平台评估",
    ]),
    "registrar": ("JWC", "教", 11, "处务会", [
        "本科招生", "{y}年本科招生计划", "期末考试安排", "学籍异动", "本科教学评估", "课程建设",
        "教材选用", "学士学位授予", "毕业资格审核", "教学事故处理", "转专业", "补考安排",
    ]),
    "graduate": ("YJSY", "研", 7, "院务会", [
        "{y}年研究生招生", "硕士学位授予", "博士学位授予", "学位论文答辩", "研究生导师遴选",
        "学位评定委员会", "研究生奖学金评定", "推免研究生", "研究生培养方案修订",
    ]),
    "student-affairs": ("XGC", "学工", 8, "处务会", [
        "学生奖助学金评定", "国家励志奖学金评审", "学生违纪处分", "辅导员队伍建设", "学生资助",
        "毕业生就业", "新生入学教育", "学生心理健康教育", "征兵工作", "学生宿舍安全",
    ]),
    "international": ("GJC", "国际", 4, "处务会", [
        "教师出国（境）访学", "外籍教师聘请", "国际学术会议", "中外合作办学项目", "留学生招生",
        "因公出国（境）任务",
    ]),
    "assets": ("ZCC", "资", 6, "处务会", [
        "固定资产清查", "仪器设备采购", "政府采购", "资产处置", "实验室安全检查",
        "大型仪器设备共享", "房产管理", "公房调整",
    ]),
    "smart-campus": ("ZHXY", "信", 3, "中心办公会", [
        "校园网建设", "信息系统等级保护", "数据共享", "网络安全检查", "一站式服务大厅建设",
        "统一身份认证", "信息化项目验收",
    ]),
    "logistics": ("HQC", "后勤", 5, "处务会", [
        "校园维修改造", "食堂管理", "学生公寓管理", "消防安全检查", "校园绿化", "水电管理",
        "物业服务", "校车管理", "基建项目",
    ]),
    "school-cs": ("JSJ", "计院", 5, "党政联席会", [
        "学院科研项目", "研究生培养", "本科教学工作", "实验室建设", "学科建设",
        "学院招生宣传", "教师招聘", "学生实习实践",
    ]),
}  # fmt: skip
COMMON_TOPICS = [
    "做好{y}年寒假放假安排", "{y}年国庆节放假安排", "开展安全生产大检查", "加强作风建设",
    "召开{y}年工作会议", "开展{y}年度考核工作", "调整领导小组成员", "做好节能减排工作",
    "开展保密自查", "规范公文处理", "做好防汛工作", "开展廉政风险排查",
]  # fmt: skip
# title template, weight, retention weights (Y, D30, D10), document-number kind
DOC_TYPES = [
    ("关于{t}的通知", 30, (1, 4, 5), "发"),
    ("关于{t}的请示", 10, (2, 5, 3), "字"),
    ("关于{t}的批复", 8, (3, 5, 2), "复"),
    ("关于{t}的报告", 8, (2, 5, 3), "字"),
    ("关于印发《{org}{r}管理办法》的通知", 6, (6, 3, 1), "发"),
    ("{org}{y}年第{n}次{meeting}会议纪要", 10, (8, 2, 0), "纪"),
    ("{org}关于{t}的函", 6, (0, 3, 7), "函"),
    ("{org}{y}年{t}工作总结", 6, (5, 4, 1), ""),
    ("{org}{y}年度{t}工作计划", 4, (3, 5, 2), ""),
    ("关于{t}结果的公示", 5, (0, 2, 8), ""),
    ("{t}申请材料", 7, (0, 3, 7), ""),
]
RETENTIONS = ("Y", "D30", "D10")
REMARKS = [
    ("原件存于档案馆库房", 5),
    ("附件另存", 3),
    ("电子文件与纸质文件一致", 2),
    ("", 90),
]
MONTH_WEIGHTS = [8, 5, 10, 10, 10, 10, 8, 4, 10, 9, 10, 10]  # fewer in the two vacations
IMPORTED_BEFORE = 2016  # paper-era records: catalogued in a digitization project in 2016-2017
WORKFLOW_SINCE = 2019  # application material filed by the approval workflows since


def rule_topics(topics: list[str]) -> list[str]:
    """Topics a rule (管理办法) can be named after: no verb, no placeholder."""
    verbs = ("召开", "做好", "开展", "调整", "加强", "规范")
    return [t for t in topics if "{" not in t and not t.startswith(verbs)] or ["工作"]


# --- generation (forked workers) ----------------------------------------------------------------

GEN: dict = {}  # what the workers read, set before the fork


def year_counts(args: argparse.Namespace) -> list[tuple[int, int]]:
    """(year, records) with volume growing over the years; the total is exactly --records."""
    years = list(range(args.last_year - args.years + 1, args.last_year + 1))
    weights = [0.6 + 0.04 * (y - years[0]) for y in years]
    total = sum(weights)
    raw = [args.records * w / total for w in weights]
    counts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])[
        : args.records - sum(counts)
    ]:
        counts[i] += 1
    return list(zip(years, counts, strict=True))


def working_days(year: int, n: int, rng: random.Random) -> list[date]:
    """n dates of the year, sorted, on working days, fewer in the vacations."""
    month_cum = list(_cumulative(MONTH_WEIGHTS))
    out = []
    while len(out) < n:
        month = bisect.bisect_right(month_cum, rng.random() * month_cum[-1]) + 1
        first = date(year, month, 1)
        days = ((first.replace(month=month % 12 + 1, year=year + month // 12)) - first).days
        day = first + timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or rng.random() < 0.03:
            out.append(day)
    out.sort()
    return out


def _cumulative(weights):
    total = 0
    for w in weights:
        total += w
        yield total


def _pick(rng: random.Random, items: list, cum: list):
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


def make_title(rng: random.Random, dept: dict, year: int, doc_type: tuple) -> tuple[str, str]:
    """(title, topic) of one document of the department."""
    template = doc_type[0]
    topic = rng.choice(dept["topics"]) if rng.random() < 0.8 else rng.choice(COMMON_TOPICS)
    name = rng.choice(GEN["surnames"]) + rng.choice(GEN["given"])
    topic = topic.format(y=year, name=name)
    title = template.format(
        t=topic,
        y=year,
        n=rng.randint(1, 24),
        org=dept["name"] if "{org}" in template and rng.random() < 0.7 else "",
        meeting=dept["meeting"],
        r=rng.choice(dept["rules"]),
    )
    return title, topic


def generate_year(job: tuple) -> dict:
    """The CSV chunks of one year's records (ids id0.., filing order), and its classes."""
    from archives.models import Fonds, appraisal_year_for
    from archives.services import format_code, record_search_text

    year, n, id0 = job
    rng = random.Random(f"{GEN['seed']}:{year}")
    fonds = Fonds(code=FONDS_CODE)
    depts, dept_cum = GEN["depts"], GEN["dept_cum"]
    type_cum = GEN["type_cum"]
    remark_items, remark_cum = GEN["remarks"]
    items: dict[tuple[str, str], int] = {}
    doc_numbers: dict[tuple[str, str], int] = {}
    chunks, buf = [], io.StringIO()
    writer = csv.writer(buf)
    rows_in_buf = 0
    for offset, day in enumerate(working_days(year, n, rng)):
        record_id = id0 + offset
        dept = _pick(rng, depts, dept_cum)
        doc_type = _pick(rng, DOC_TYPES, type_cum)
        retention = RETENTIONS[
            bisect.bisect_right(list(_cumulative(doc_type[2])), rng.random() * sum(doc_type[2]))
        ]
        org = dept["org"]
        key = (retention, org)
        items[key] = item = items.get(key, 0) + 1
        code = format_code(fonds, year, retention, org, item)
        title, topic = make_title(rng, dept, year, doc_type)
        doc_number = ""
        if doc_type[3]:
            k = (dept["org"], doc_type[3])
            doc_numbers[k] = number = doc_numbers.get(k, 0) + 1
            doc_number = f"{dept['abbr']}{doc_type[3]}〔{year}〕{number}号"
        pages = max(1, min(400, int(rng.lognormvariate(1.3, 0.9))))
        remarks = _pick(rng, remark_items, remark_cum)
        source_ref = ""
        metadata: dict = {"pages": pages}
        if year < IMPORTED_BEFORE:
            metadata["imported"] = True
            created = datetime(2016, 3, 1, tzinfo=UTC) + timedelta(
                seconds=rng.randrange(600 * 86400)
            )
        elif doc_type[0] == "{t}申请材料" and year >= WORKFLOW_SINCE:
            applicant = rng.choice(GEN["surnames"]) + rng.choice(GEN["given"])
            source_ref = f"workflows.request:{record_id}"
            metadata.update(
                request=f"R{year}{record_id:07d}",
                service=topic,
                applicant=applicant,
                department=dept["name"],
            )
            created = datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(
                seconds=rng.randrange(3 * 86400)
            )
        else:  # annual filing, in the first half of the next year
            created = datetime(year + 1, 3, 1, tzinfo=UTC) + timedelta(
                seconds=rng.randrange(120 * 86400)
            )
        security = "public" if rng.random() < 0.25 else "internal"
        if rng.random() < 0.04:
            security = "confidential"
        search_text = record_search_text(
            code=code,
            title=title,
            responsible=dept["name"],
            doc_number=doc_number,
            remarks=remarks,
            metadata=metadata,
        )
        appraisal = appraisal_year_for(year, retention)
        writer.writerow(
            (
                record_id, GEN["fonds_id"], year, retention, org, item, code, title,
                dept["name"], doc_number, day.isoformat(), pages, security, remarks,
                json.dumps(metadata, ensure_ascii=False), search_text, dept["id"],
                source_ref, "kept", "" if appraisal is None else appraisal,
                created.isoformat(), "",
            )
        )  # fmt: skip
        rows_in_buf += 1
        if rows_in_buf >= GEN["chunk"]:
            chunks.append(buf.getvalue())
            buf, rows_in_buf = io.StringIO(), 0
            writer = csv.writer(buf)
    if rows_in_buf:
        chunks.append(buf.getvalue())
    return {"year": year, "chunks": chunks, "classes": items}


COLUMNS = (
    "id, fonds_id, year, retention, org_code, item_number, code, title, responsible, "
    "doc_number, date, pages, security, remarks, metadata, search_text, department_id, "
    "source_ref, status, appraisal_year, created_at, destroyed_at"
)
NOT_NULL = "org_code, code, title, responsible, doc_number, remarks, search_text"


def prepare_reference_rows() -> dict:
    """The fonds, the 15 departments with their organization codes, the archivist."""
    from archives.models import Fonds, OrganizationCode
    from hall.demo import DEPARTMENTS as DEMO_DEPARTMENTS
    from hall.models import Department, User

    fonds, _ = Fonds.objects.get_or_create(
        code=FONDS_CODE, defaults={"name": "本校全宗", "uses_org_codes": True}
    )
    depts = {}
    for order, (code, zh, en, kind, parent) in enumerate(DEMO_DEPARTMENTS):
        depts[code], _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "kind": kind,
                "order": order,
                "parent": depts.get(parent),
            },
        )
    missing = set(DEPARTMENTS) - set(depts)
    if missing:
        raise SystemExit(f"hall.demo.DEPARTMENTS lacks {sorted(missing)}")
    for code, (org, *_rest) in DEPARTMENTS.items():
        OrganizationCode.objects.update_or_create(
            fonds=fonds, department=depts[code], defaults={"code": org}
        )
    archivist, created = User.objects.get_or_create(
        username=ARCHIVIST,
        defaults={"full_name": "档案员", "is_staff": True, "department": depts["archives"]},
    )
    if created:
        archivist.set_unusable_password()
        archivist.save()
    return {"fonds": fonds, "departments": depts, "archivist": archivist}


def gen_context(args: argparse.Namespace, ref: dict) -> None:
    """What the generator and the filers read (GEN, inherited through fork)."""
    from hall.demo import GIVEN, SURNAMES

    depts = [
        {
            "id": ref["departments"][code].pk,
            "name": ref["departments"][code].name_zh,
            "org": org,
            "abbr": abbr,
            "meeting": meeting,
            "topics": topics,
            "rules": rule_topics(topics),
        }
        for code, (org, abbr, _w, meeting, topics) in DEPARTMENTS.items()
    ]
    GEN.update(
        seed=args.seed,
        chunk=args.chunk,
        fonds_id=ref["fonds"].pk,
        depts=depts,
        dept_cum=list(_cumulative([w for _o, _a, w, _m, _t in DEPARTMENTS.values()])),
        type_cum=list(_cumulative([t[1] for t in DOC_TYPES])),
        remarks=([r for r, _w in REMARKS], list(_cumulative([w for _r, w in REMARKS]))),
        surnames=SURNAMES,
        given=GIVEN,
    )


def bulk_load(args: argparse.Namespace, ref: dict) -> dict:
    from django.db import connections

    timings: dict[str, float] = {}
    jobs, next_id = [], 1
    for year, n in year_counts(args):
        jobs.append((year, n, next_id))
        next_id += n

    indexes = DB.drop_secondary_indexes([TABLE])
    log(f"dropped {len(indexes)} secondary indexes of {TABLE}: {[n for n, _d in indexes]}")
    conn = DB.connect()
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # FK triggers off, this session
    conn.commit()

    connections.close_all()  # no connection crosses the fork
    t0 = time.perf_counter()
    copy_seconds, rows, chunks, csv_bytes = 0.0, 0, 0, 0
    classes: dict[tuple[int, str, str], int] = {}
    with multiprocessing.get_context("fork").Pool(args.gen_workers) as pool:
        for result in pool.imap(generate_year, jobs):
            for chunk in result["chunks"]:
                t1 = time.perf_counter()
                with conn.cursor() as cur:
                    rows += copy_csv(cur, TABLE, COLUMNS, NOT_NULL, io.StringIO(chunk))
                conn.commit()
                copy_seconds += time.perf_counter() - t1
                chunks += 1
                csv_bytes += len(chunk.encode())
            for (retention, org), last in result["classes"].items():
                classes[(result["year"], retention, org)] = last
            log(f"  {result['year']}: {sum(result['classes'].values()):,} records; {rows:,} in all")
    conn.close()
    timings["generate+copy"] = time.perf_counter() - t0
    timings["copy"] = copy_seconds
    log(
        f"generated and copied {rows:,} records ({csv_bytes / 2**20:,.0f} MiB of CSV, {chunks} "
        f"COPY chunks) in {timings['generate+copy']:.1f}s, of which COPY {copy_seconds:.1f}s"
    )
    if rows != args.records:
        raise SystemExit(f"copied {rows} records, expected {args.records}")

    t0 = time.perf_counter()
    index_times: dict[str, float] = {}

    def build(pairs: list[tuple[str, str]]) -> None:
        for name, definition in pairs:
            index_times[name] = DB.build_index(definition)

    # Two sessions (two cores): the trigram index alone, the btree indexes one after another.
    gin = [(n, d) for n, d in indexes if "gin" in d.lower()]
    btree = [(n, d) for n, d in indexes if "gin" not in d.lower()]
    run_parallel([lambda: build(gin), lambda: build(btree)], 2)
    timings["indexes"] = time.perf_counter() - t0
    timings["trigram index"] = sum(index_times[n] for n, _d in gin)
    log(
        f"{len(indexes)} secondary indexes rebuilt in {timings['indexes']:.1f}s (trigram GIN "
        f"{timings['trigram index']:.1f}s)"
    )

    t0 = time.perf_counter()
    with DB.cursor() as cur:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), %s)", [next_id - 1])
        cur.execute(
            f"SELECT count(*) FILTER (WHERE f.id IS NULL), count(*) FILTER (WHERE "
            f"r.department_id IS NOT NULL AND d.id IS NULL) FROM {TABLE} r "
            "LEFT JOIN archives_fonds f ON f.id = r.fonds_id "
            "LEFT JOIN hall_department d ON d.id = r.department_id"
        )
        orphans = cur.fetchone()
        if any(orphans):
            raise SystemExit(f"records point at missing fonds / departments: {orphans}")
        cur.execute("DELETE FROM archives_itemcounter")
        cur.execute(
            "INSERT INTO archives_itemcounter (fonds_id, year, retention, org_code, last) "
            f"SELECT fonds_id, year, retention, org_code, max(item_number) FROM {TABLE} "
            "GROUP BY 1, 2, 3, 4"
        )
        counters = cur.rowcount
        timings["checks+counters"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - t0
    if counters != len(classes):
        raise SystemExit(f"{counters} counters for {len(classes)} generated classes")
    log(
        f"references checked, {counters} item counters, VACUUM ANALYZE in "
        f"{timings['vacuum analyze']:.1f}s"
    )
    DB.set_comment(f"{mark_text(args)} ({time.strftime('%F %T')})")
    return {"timings": timings, "classes": len(classes), "csv_mib": csv_bytes / 2**20}


def verify_sample(n: int = 2000) -> int:
    """Recomputes code and search_text of a sample with the app's functions; returns the count."""
    from archives.models import Record, appraisal_year_for
    from archives.services import format_code, record_search_text

    checked = 0
    sample = Record.objects.select_related("fonds").order_by("?")[:n]
    for r in sample:
        code = format_code(r.fonds, r.year, r.retention, r.org_code, r.item_number)
        text = record_search_text(
            code=code,
            title=r.title,
            responsible=r.responsible,
            doc_number=r.doc_number,
            remarks=r.remarks,
            metadata=r.metadata,
        )
        if r.code != code or r.search_text != text:
            raise SystemExit(f"record {r.pk}: code or search_text differ from the app's")
        if r.appraisal_year != appraisal_year_for(r.year, r.retention):
            raise SystemExit(f"record {r.pk}: appraisal_year differs")
        checked += 1
    return checked


# --- data figures -------------------------------------------------------------------------------


def data_figures() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*), min(year), max(year), count(DISTINCT org_code), "
            f"count(*) FILTER (WHERE source_ref LIKE %s) FROM {TABLE}",
            [FILING_REF + "%"],
        )
        total, y0, y1, orgs, filed = cur.fetchone()
        cur.execute(f"SELECT retention, count(*) FROM {TABLE} GROUP BY 1 ORDER BY 1")
        by_retention = cur.fetchall()
        cur.execute(
            "SELECT count(*), max(last), round(avg(last)) FROM archives_itemcounter",
        )
        counters = cur.fetchone()
        cur.execute(
            f"SELECT pg_size_pretty(pg_total_relation_size('{TABLE}')), "
            f"pg_size_pretty(pg_relation_size('{TABLE}')), "
            "pg_size_pretty(pg_relation_size('record_search_trgm_idx')), "
            f"pg_size_pretty(pg_database_size('{DB_NAME}')), "
            f"(SELECT round(avg(octet_length(search_text))) FROM {TABLE})"
        )
        sizes = cur.fetchone()
    return {
        "total": total,
        "years": (y0, y1),
        "orgs": orgs,
        "filed": filed,
        "by_retention": by_retention,
        "counters": counters,
        "sizes": sizes,
    }


# --- search -------------------------------------------------------------------------------------


class QueryLog:
    """Times each query the selector runs (Django's execute wrapper), keeps its SQL."""

    def __init__(self):
        self.queries: list[tuple[float, str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - t, sql, params))


def search_once(user, case: dict) -> tuple[float, int, int, QueryLog]:
    from django.db import connection

    from archives import selectors

    qlog = QueryLog()
    with connection.execute_wrapper(qlog):
        t = time.perf_counter()
        page = selectors.search_page(user, number=1, per_page=20, **case["kwargs"])
        rows = list(page.object_list)
        count = page.paginator.count
        elapsed = time.perf_counter() - t
    return elapsed, count, len(rows), qlog


PLAN_DETAILS = (
    "JIT:",
    "Buffers",
    "Recheck Cond",
    "Index Cond",
    "Filter",
    "Rows Removed",
    "Heap Blocks",
    "Sort Method",
    "Workers",
)


def condensed_plan(lines: list[str], limit: int) -> list[str]:
    """Plan nodes and their details without cost estimates, then the execution time."""
    out, total = [], []
    planning = False
    for line in lines:
        text = re.sub(r"\s*\(cost=[^)]*\)", "", line.rstrip())
        stripped = text.strip()
        if stripped.startswith(("Planning", "Execution Time")):
            planning = stripped == "Planning:"
            if not planning:
                total.append(stripped)
            continue
        if planning:
            continue
        if "->" in text or text == text.lstrip() or stripped.startswith(PLAN_DETAILS):
            out.append(text)
    return out[:limit] + ["  " + "; ".join(total)]


def run_search(args: argparse.Namespace, archivist, cases: list[dict]) -> list[dict]:
    results = []
    for case in cases:
        elapsed, count, nrows, qlog = search_once(archivist, case)  # warm-up
        if len(qlog.queries) != 2:
            raise SystemExit(f"{case['name']}: expected 2 queries, got {len(qlog.queries)}")
        times, count_ms, page_ms = [], [], []
        with CpuMeter() as cpu:
            for _ in range(args.reps):
                elapsed, count2, nrows2, q = search_once(archivist, case)
                times.append(elapsed * 1000)
                count_ms.append(q.queries[0][0] * 1000)
                page_ms.append(q.queries[1][0] * 1000)
                if (count2, nrows2) != (count, nrows):
                    raise SystemExit(f"{case['name']}: results changed between repetitions")
        count_sql, page_sql = qlog.queries[0][1:], qlog.queries[1][1:]
        if "COUNT(" not in count_sql[0].upper():
            raise SystemExit(f"{case['name']}: the first query is not the count: {count_sql[0]}")
        plans = {"count": explain(*count_sql), "page": explain(*page_sql)}
        result = {
            **case,
            "count": count,
            "rows": nrows,
            "median": statistics.median(times),
            "p95": percentile(times, 95),
            "count_ms": statistics.median(count_ms),
            "page_ms": statistics.median(page_ms),
            "cpu": cpu,
            "page_sql": page_sql,
            "plans": plans,
            "matches": selectors_search_count(archivist, case),
            "indexes": {k: indexes_in(v) for k, v in plans.items()},
            "exec_ms": {k: _execution_ms(v) for k, v in plans.items()},
        }
        results.append(result)
        log(
            f"search {case['name']}: {count:,} matches, first page + count median "
            f"{result['median']:.1f} ms, p95 {result['p95']:.1f} ms (count "
            f"{result['count_ms']:.1f} ms, page {result['page_ms']:.1f} ms); indexes: "
            f"count {result['indexes']['count']}, page {result['indexes']['page']}"
        )
    return results


INDEX_NAMES = {
    "record_bigram_idx": "pairs",
    "record_search_trgm_idx": "trgm",
    "record_class_idx": "class",
    "item_number_once_per_class": "item",
}
INDEX_SCAN = re.compile(r"Index (?:Only )?Scan (?:Backward )?(?:using|on) (\w+)")


def indexes_in(plan: list[str]) -> str:
    """The record indexes a plan reads, by short name (code = the unique index of codes, item =
    the unique index of class and item number)."""
    found: list[str] = []
    for line in plan:
        for name in INDEX_SCAN.findall(line):
            short = INDEX_NAMES.get(name) or ("code" if "code" in name else None)
            if short and short not in found:
                found.append(short)
    return "+".join(found) or "scan"


def selectors_search_count(user, case: dict) -> int:
    """All matches, uncapped (the page counts at most 1,001), for the table only."""
    from archives import selectors

    return selectors.search(user, **case["kwargs"]).count()


def _execution_ms(plan: list[str]) -> float:
    for line in plan:
        match = re.search(r"Execution Time: ([\d.]+) ms", line)
        if match:
            return float(match.group(1))
    return float("nan")


def search_cases(args: argparse.Namespace) -> list[dict]:
    from archives.models import Record

    exact = (
        Record.objects.filter(year=args.code_year, retention="D30", org_code="KYY")
        .order_by("item_number")
        .values_list("code", flat=True)[args.code_item - 1 : args.code_item]
    )
    exact_code = exact[0] if exact else Record.objects.order_by("pk").values_list("code")[0][0]
    prefix = f"{FONDS_CODE}-WS·{args.code_year}-D30"
    return [
        {"name": "common word", "label": args.common, "kwargs": {"q": args.common}},
        {"name": "rare 3-char word", "label": args.rare, "kwargs": {"q": args.rare}},
        {"name": "rare 2-char word", "label": args.rare2, "kwargs": {"q": args.rare2}},
        {"name": "rare 2-char name", "label": args.rare_name, "kwargs": {"q": args.rare_name}},
        {"name": "exact code", "label": exact_code, "kwargs": {"q": exact_code}},
        {"name": "code prefix", "label": prefix, "kwargs": {"q": prefix}},
        {
            "name": "word+year+retention",
            "label": f"{args.common} {args.code_year} D30",
            "kwargs": {"q": args.common, "year": args.code_year, "retention": "D30"},
        },
    ]


# --- filing -------------------------------------------------------------------------------------


def filer(
    run: str, idx: int, classes: list[tuple[int, str]], args, barrier, out, archivist_id: int
) -> None:
    """One filing process: builds its packages, waits for the others, files them one by one."""
    from django.db import connection

    from archives import services
    from archives.services import FilingPackage, record_file
    from hall.models import User

    # Times the numbering step (lock the class's counter row, add one), this process only: the
    # wait for the row lock shows in it when filers contend.
    counter_times: list[float] = []
    next_item = services._next_item

    def timed_next_item(*a, **kw):
        t = time.perf_counter()
        try:
            return next_item(*a, **kw)
        finally:
            counter_times.append(time.perf_counter() - t)

    services._next_item = timed_next_item
    try:
        rng = random.Random(f"{args.seed}:{run}:{idx}")
        today = date.today()
        year = today.year
        actor = User.objects.get(pk=archivist_id)
        names = {d["id"]: d for d in GEN["depts"]}
        packages = []
        for i in range(args.per_filer):
            dept_id, retention = classes[(idx + i) % len(classes)]
            dept = names[dept_id]
            doc_type = DOC_TYPES[i % len(DOC_TYPES)]
            title, _topic = make_title(rng, dept, year, doc_type)
            day = date(year, 1, 1) + timedelta(days=rng.randrange(today.timetuple().tm_yday))
            size = rng.randint(2048, 8192)
            packages.append(
                FilingPackage(
                    title=title,
                    date=day,
                    files=[(f"正文-{i}.pdf", b"%PDF-1.4\n" + rng.randbytes(size))],
                    source_ref=f"{FILING_REF}{run}:{idx}:{i}",
                    retention=retention,
                    department_id=dept_id,
                    responsible=dept["name"],
                    metadata={"pages": rng.randint(1, 12), "request": f"R{year}{idx:03d}{i:05d}"},
                )
            )
        connection.ensure_connection()
        latencies, errors = [], []
        barrier.wait()
        start = time.monotonic()
        for package in packages:
            t = time.perf_counter()
            try:
                record_file(package=package, actor=actor)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            latencies.append(time.perf_counter() - t)
        end = time.monotonic()
        out.put(
            {
                "idx": idx,
                "lat": latencies,
                "counter": counter_times,
                "start": start,
                "end": end,
                "errors": errors,
            }
        )
    except BaseException as exc:  # noqa: BLE001 - reported by the parent
        out.put({"idx": idx, "fatal": f"{type(exc).__name__}: {exc}"})
        with contextlib.suppress(Exception):
            barrier.abort()  # the others stop waiting
    finally:
        connection.close()


def filing_run(args, run: str, plan: list[list[tuple[int, str]]], archivist_id: int) -> dict:
    from django.db import connections

    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(plan))
    out = ctx.Queue()
    connections.close_all()
    procs = [
        ctx.Process(
            target=filer, args=(run, idx, plan[idx], args, barrier, out, archivist_id), daemon=True
        )
        for idx in range(len(plan))
    ]
    with CpuMeter() as cpu:
        for p in procs:
            p.start()
        results = [out.get(timeout=3600) for _ in procs]
        for p in procs:
            p.join()
    fatal = [r["fatal"] for r in results if "fatal" in r]
    if fatal:
        raise SystemExit(f"filing run {run} failed: {fatal[:3]}")
    latencies = [x * 1000 for r in results for x in r["lat"]]
    counter = [x * 1000 for r in results for x in r["counter"]]
    errors = [e for r in results for e in r["errors"]]
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    done = len(latencies) - len(errors)
    return {
        "run": run,
        "filings": len(latencies),
        "errors": errors,
        "wall": wall,
        "rps": done / wall,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "counter p50": percentile(counter, 50),
        "counter p99": percentile(counter, 99),
        "filers": len(plan),
        "cpu": cpu,
        "classes": sorted({c for cls in plan for c in cls}),
    }


def verify_numbering(runs: list[str]) -> dict:
    """Every class numbers 1..n without gaps or duplicates; every counter equals its last item."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH c AS (
                SELECT fonds_id, year, retention, org_code, count(*) AS n,
                       count(DISTINCT item_number) AS d, min(item_number) AS lo,
                       max(item_number) AS hi
                FROM {TABLE} GROUP BY 1, 2, 3, 4
            )
            SELECT count(*),
                   count(*) FILTER (WHERE n = d AND lo = 1 AND hi = n),
                   coalesce(sum(n), 0),
                   count(ic.id),
                   count(*) FILTER (WHERE ic.last = c.hi),
                   (SELECT count(*) FROM archives_itemcounter),
                   (SELECT count(*) FROM archives_itemcounter x WHERE NOT EXISTS (
                        SELECT 1 FROM {TABLE} r WHERE r.fonds_id = x.fonds_id
                        AND r.year = x.year AND r.retention = x.retention
                        AND r.org_code = x.org_code) AND x.last <> 0)
            FROM c LEFT JOIN archives_itemcounter ic USING (fonds_id, year, retention, org_code)
            """
        )
        classes, gap_free, records, with_counter, counter_ok, counters, stray = cur.fetchone()
        cur.execute(
            f"SELECT count(*), count(DISTINCT r.id) FILTER (WHERE f.id IS NOT NULL), "
            f"count(DISTINCT r.id) FILTER (WHERE e.id IS NOT NULL) FROM {TABLE} r "
            "LEFT JOIN archives_recordfile f ON f.record_id = r.id "
            "LEFT JOIN archives_archiveevent e ON e.record_id = r.id AND e.kind = 'capture' "
            "WHERE r.source_ref LIKE ANY(%s)",
            [[f"{FILING_REF}{run}:%" for run in runs]],
        )
        filed, with_file, with_event = cur.fetchone()
    return {
        "classes": classes,
        "gap-free classes": gap_free,
        "records": records,
        "classes with a counter": with_counter,
        "counters = last item": counter_ok,
        "counters": counters,
        "stray counters": stray,
        "filed this run": filed,
        "with a file": with_file,
        "with a capture event": with_event,
    }


def filing_plans(args, ref: dict) -> tuple[list, list, list]:
    """One filer alone (the baseline); every filer into the same few classes (hot); a class of
    its own per filer (own)."""
    by_weight = sorted(DEPARTMENTS, key=lambda c: -DEPARTMENTS[c][2])
    dept_ids = [ref["departments"][c].pk for c in by_weight]
    hot_classes = [(dept_ids[i % len(dept_ids)], "D30") for i in range(args.hot_classes)]
    hot = [hot_classes for _ in range(args.filers)]
    own_options = [(d, r) for r in ("D10", "Y", "D30") for d in dept_ids]
    own = [[own_options[i]] for i in range(args.filers)]
    return [hot_classes], hot, own


# --- report ---------------------------------------------------------------------------------------


def report(args, figures, load_info, sample_checked, searches, filings, verified, notes) -> None:
    ncpu = os.cpu_count()
    width = 118
    print()
    print("=" * width)
    print("Archives benchmark (tests/bench/archives_bench.py)")
    print(command_line(SCRIPT))
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"machine: nproc={ncpu}, {mem:.0f} GiB, Python {sys.version.split()[0]}; shared with "
        f"other work (load average at the end {os.getloadavg()[0]:.2f}); Postgres on the same "
        "machine, its server settings untouched"
    )
    f = figures
    total, y0, y1 = f["total"], *f["years"]
    print(
        f"data: {total:,} records in {DB_NAME} ({f['filed']:,} of them filed by filing runs), "
        f"years {y0}-{y1}, {f['orgs']} organization codes, {f['counters'][0]:,} classes (largest "
        f"{f['counters'][1]:,} items, mean {f['counters'][2]:,})"
    )
    print("  by retention: " + ", ".join(f"{r} {n:,} ({n / total:.0%})" for r, n in
                                         f["by_retention"]))  # fmt: skip
    tsize, heap, trgm, dbsize, avg_text = f["sizes"]
    print(
        f"  table {tsize} with indexes (heap {heap}), trigram index {trgm}, database {dbsize}; "
        f"search_text {avg_text} bytes on average"
    )
    if load_info:
        t = load_info["timings"]
        steps = ("generate+copy", "indexes", "checks+counters", "vacuum analyze")
        print(
            f"  load: {args.records:,} records in {sum(t[k] for k in steps):.0f}s = "
            f"generate+COPY {t['generate+copy']:.0f}s ({args.gen_workers} generator procs, "
            f"{load_info['csv_mib']:,.0f} MiB CSV, COPY itself {t['copy']:.0f}s), indexes "
            f"{t['indexes']:.0f}s (trigram GIN {t['trigram index']:.0f}s), checks + counters "
            f"{t['checks+counters']:.0f}s, VACUUM ANALYZE {t['vacuum analyze']:.0f}s"
        )
    else:
        print("  load: reused the loaded database of an earlier run (--rebuild reloads)")
    print(
        f"  checked: {sample_checked:,} random records' code, search_text and appraisal_year equal "
        "format_code / record_search_text / appraisal_year_for of their fields"
    )
    print()
    print(
        "search as an archivist through archives.selectors.search_page, as the record list "
        "does: the count (at most 1,001 rows) + the first 20 rows; "
        f"1 warm-up, {args.reps} timed"
    )
    header = (
        f"{'case':<20} {'query':<26} {'matches':>9} {'share':>6} {'median':>8} {'p95':>8} "
        f"{'count':>8} {'page':>8} {'indexes':>17}  {'cpu% b/db/oth':>13}"
    )
    print_header(header)
    for s in searches:
        used = "/".join(s["indexes"][k] for k in ("count", "page"))
        slow = " SLOW" if s["median"] > args.slow_ms else ""
        print(
            f"{s['name']:<20} {pad(s['label'], 26)} {s['matches']:>9,} "
            f"{s['matches'] / total:>6.2%} "
            f"{s['median']:>8.1f} {s['p95']:>8.1f} {s['count_ms']:>8.1f} {s['page_ms']:>8.1f} "
            f"{used:>17}  {s['cpu']!s:>13}{slow}"
        )
    print(
        "ms; count / page: median time of the COUNT query and of the first-page query; indexes "
        "in the EXPLAIN of count/page (pairs = record_bigram_idx, trgm = record_search_trgm_idx, "
        "code = the unique code index, class = record_class_idx); SLOW: median above "
        f"{args.slow_ms:g} ms; cpu%: share of the {ncpu} cores (100 = all) used by this "
        "process / the Postgres backends of its database / everything else on the machine"
    )
    print()
    print("EXPLAIN (ANALYZE, BUFFERS), condensed (cost estimates removed):")
    for s in searches:
        for kind in ("count", "page"):
            print(f"--- {s['name']} ({s['label']}), {kind} query:")
            for line in condensed_plan(s["plans"][kind], args.plan_lines):
                print("    " + line)
    if searches:
        print("--- the first-page SQL (common word):")
        print("    " + " ".join(searches[0]["page_sql"][0].split()) % tuple(
            repr(p) for p in searches[0]["page_sql"][1]))  # fmt: skip
    print()
    if filings:
        print(
            f"filing through archives.services.record_file: processes x {args.per_filer} records "
            "each, one file of 2-8 KB each, temporary MEDIA_ROOT, all started together"
        )
        header = (
            f"{'run':<34} {'filings':>8} {'wall s':>7} {'rec/s':>7} {'p50 ms':>7} "
            f"{'p99 ms':>7} {'max ms':>7} {'ctr p50':>7} {'ctr p99':>7} {'err':>4}  "
            f"{'cpu% b/db/oth':>13}"
        )
        print_header(header)
        for name, r in filings:
            print(
                f"{name:<34} {r['filings']:>8,} {r['wall']:>7.1f} {r['rps']:>7.1f} "
                f"{r['p50']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} {r['counter p50']:>7.1f} "
                f"{r['counter p99']:>7.1f} {len(r['errors']):>4}  {r['cpu']!s:>13}"
            )
            for e in r["errors"][:5]:
                print(f"    ERROR {e}")
        print(
            "ms per filing (record_file, its transaction included); ctr: ms in the numbering step "
            "(_next_item: SELECT ... FOR UPDATE of the class's counter, +1), which holds the "
            "row-lock wait; cpu%: this benchmark with its filers / the database's backends / "
            "other work"
        )
        v = verified
        ok = (
            v["gap-free classes"] == v["classes"]
            and v["classes with a counter"] == v["classes"]
            and v["counters = last item"] == v["classes"]
            and v["stray counters"] == 0
            and v["filed this run"] == v["with a file"] == v["with a capture event"]
            and v["filed this run"] == sum(r["filings"] - len(r["errors"]) for _n, r in filings)
        )
        print(
            "verified in SQL: "
            + ", ".join(f"{k} {n:,}" for k, n in v.items())
            + (" -> OK (every class 1..n, counters = max)" if ok else " -> MISMATCH")
        )
    for line in notes:
        print(line)
    print(DB.exit_note(args.drop_db))
    print(f"total wall time: {elapsed():.0f}s")
    print("=" * width)


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=1_000_000, help="records to load")
    p.add_argument("--years", type=int, default=20, help="years the records span")
    p.add_argument("--last-year", type=int, default=2025, help="the last year of the load")
    p.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    p.add_argument("--chunk", type=int, default=50_000, help="rows per COPY")
    p.add_argument("--gen-workers", type=int, default=2, help="generator processes")
    p.add_argument("--rebuild", action="store_true", help="reload even if already loaded")
    p.add_argument("--drop-db", action="store_true", help=f"drop {DB_NAME} at the end")
    p.add_argument("--reps", type=int, default=20, help="timed repetitions of each search")
    p.add_argument("--common", default="科研", help="the common word searched")
    p.add_argument("--rare", default="博士后", help="the rarer 3-character word")
    p.add_argument("--rare2", default="校史", help="the rarer 2-character word")
    p.add_argument("--rare-name", default="王磊", help="a 2-character name in a few records")
    p.add_argument("--code-year", type=int, default=2015, help="year of the code searches")
    p.add_argument("--code-item", type=int, default=123, help="item of the exact-code search")
    p.add_argument("--slow-ms", type=float, default=500, help="a search slower than this is SLOW")
    p.add_argument("--plan-lines", type=int, default=40, help="plan lines shown per query")
    p.add_argument("--filers", type=int, default=8, help="concurrent filing processes")
    p.add_argument("--per-filer", type=int, default=250, help="records each filer files")
    p.add_argument("--hot-classes", type=int, default=3, help="classes of the contended run")
    p.add_argument("--skip-search", action="store_true")
    p.add_argument("--skip-filing", action="store_true")
    args = p.parse_args(argv)
    if args.records < 1000 or args.years < 1 or args.filers < 1 or args.per_filer < 1:
        p.error("--records >= 1000, --years, --filers, --per-filer >= 1")
    if args.filers > 3 * len(DEPARTMENTS):
        p.error(f"at most {3 * len(DEPARTMENTS)} filers (one class of their own each)")
    if DB_NAME in ("hall", "hall_ci") or DB_NAME.startswith("test_"):
        p.error("refusing to touch that database")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="hall-bench-archives-")
    media_root = os.path.join(workdir, "media")
    os.makedirs(media_root)
    # Filing enqueues nothing (no Redis: a local-memory cache is enough) and sends no mail.
    env = bench_env(DB, REDIS_URL="", EMAIL_HOST="", MEDIA_ROOT=media_root)
    notes: list[str] = []
    try:
        waited = wait_for_other_benchmarks(SCRIPT)
        reuse = not args.rebuild and database_ready(args)
        if reuse:
            log(f"reusing {DB_NAME}: {DB.comment()}")
        else:
            DB.recreate()
        manage(env, "migrate", "--noinput")
        setup_django(env)
        ref = prepare_reference_rows()
        gen_context(args, ref)
        load_info = bulk_load(args, ref) if not reuse else {}
        sample_checked = verify_sample()
        log(f"{sample_checked} random records match format_code / record_search_text")

        searches = []
        if not args.skip_search:
            waited += wait_for_other_benchmarks(SCRIPT)
            figures = data_figures()
            log(f"searching {figures['total']:,} records ...")
            searches = run_search(args, ref["archivist"], search_cases(args))

        filings, verified = [], {}
        if not args.skip_filing:
            waited += wait_for_other_benchmarks(SCRIPT)
            alone, hot, own = filing_plans(args, ref)
            stamp = time.strftime("%Y%m%d%H%M%S")
            runs = []
            for name, plan, run in (
                (f"1 filer alone ({args.hot_classes} classes)", alone, f"{stamp}-alone"),
                (f"same {args.hot_classes} classes (contended)", hot, f"{stamp}-hot"),
                (f"a class per filer ({args.filers})", own, f"{stamp}-own"),
            ):
                log(f"filing: {name}, {len(plan)} x {args.per_filer} ...")
                result = filing_run(args, run, plan, ref["archivist"].pk)
                log(
                    f"  {result['rps']:.1f} records/s, p50 {result['p50']:.1f} ms, p99 "
                    f"{result['p99']:.1f} ms, {len(result['errors'])} errors"
                )
                filings.append((name, result))
                runs.append(run)
            verified = verify_numbering(runs)
            files_on_disk = sum(len(files) for _d, _s, files in os.walk(media_root))
            notes.append(f"files written under the temporary MEDIA_ROOT: {files_on_disk:,}")
        figures = data_figures()
        if waited:
            notes.append(f"waited {waited:.0f}s for other benchmarks (tests/bench/*_bench.py)")
        report(args, figures, load_info, sample_checked, searches, filings, verified, notes)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.drop_db:
            DB.drop()
        log("done")


if __name__ == "__main__":
    sys.exit(main())
