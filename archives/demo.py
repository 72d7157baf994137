"""Demo archives: the fonds, an organization code per department, the archivists, and a
paper-era catalogue in which some records are due for appraisal. Loading again adds nothing."""

from datetime import date

from django.db import transaction
from pypinyin import Style, lazy_pinyin

from archives import services
from archives.models import DisposalHold, Fonds, OrganizationCode, Record, clean_org_code
from archives.selectors import ARCHIVIST_ROLE
from hall.models import Department, Role, User

# title, date, retention, department code, responsible, document number, pages
# fmt: off
# ruff: noqa: E501 - one record per line reads as the catalogue it is
PAPER_ERA = [
    ("关于1998年本科招生工作的通知", date(1998, 5, 12), "Y", "registrar", "教务处", "校教〔1998〕12号", 3),
    ("1999年度科研项目经费使用情况报告", date(1999, 12, 20), "D30", "research", "科研处", "校科〔1999〕40号", 18),
    ("关于2003年暑期校园维修的请示", date(2003, 6, 2), "D10", "logistics", "后勤保障处", "校后〔2003〕7号", 4),
    ("2005年学生宿舍调整安排", date(2005, 8, 25), "D10", "student-affairs", "学生工作处", "校学〔2005〕21号", 6),
    ("2008年教职工体检工作安排", date(2008, 4, 9), "D10", "personnel", "人事处", "校人〔2008〕15号", 2),
    ("2010年科研经费报销流程说明", date(2010, 3, 15), "D10", "finance", "财务处", "校财〔2010〕5号", 5),
    ("2012年校园网络升级改造方案", date(2012, 9, 1), "D10", "smart-campus", "智慧校园建设中心", "校信〔2012〕3号", 12),
    ("关于2014年研究生学位授予的决定", date(2014, 6, 28), "Y", "graduate", "研究生院", "校研〔2014〕30号", 9),
    ("2014年办公用品采购验收记录", date(2014, 11, 3), "D10", "logistics", "后勤保障处", "校后〔2014〕22号", 7),
    ("2015年校长办公会会议纪要汇编", date(2015, 12, 30), "Y", "president-office", "校长办公室", "校办〔2015〕1号", 64),
]
# fmt: on


# The demo departments' organization codes after DA/T 22-2015: three letters from the short
# name (校长办公室 → 校长办 → XZB). Departments added later get the first three initials.
ORG_CODES = {
    "president-office": "XZB",
    "archives": "DAG",
    "organization": "ZZB",
    "propaganda": "XCB",
    "personnel": "RSC",
    "finance": "CWC",
    "research": "KYY",
    "registrar": "JWC",
    "graduate": "YJS",
    "student-affairs": "XGC",
    "international": "GJC",
    "assets": "ZCC",
    "smart-campus": "ZHX",
    "logistics": "HQC",
    "school-cs": "JSJ",
}


def _org_code(dept: Department, taken: set[str]) -> str:
    initials = "".join(lazy_pinyin(dept.name_zh, style=Style.FIRST_LETTER, errors="ignore"))
    code = ORG_CODES.get(dept.code) or _three_initials(initials)
    candidate, n = code, 1
    while candidate in taken:
        n += 1
        candidate = f"{code[:2]}{n}" if n < 10 else f"{code[:1]}{n}"
    taken.add(candidate)
    return candidate


def _three_initials(initials: str) -> str:
    letters = "".join(c for c in initials.upper() if "A" <= c <= "Z" or c.isdigit())
    return (letters + "XXX")[:3]


@transaction.atomic
def seed_demo_archives() -> int:
    fonds, _ = Fonds.objects.get_or_create(code="Z001", defaults={"name": "示范大学全宗"})
    taken = set(OrganizationCode.objects.filter(fonds=fonds).values_list("code", flat=True))
    have = set(OrganizationCode.objects.filter(fonds=fonds).values_list("department_id", flat=True))
    for dept in Department.objects.exclude(pk__in=have).order_by("order", "code"):
        OrganizationCode.objects.create(
            fonds=fonds, department=dept, code=clean_org_code(_org_code(dept, taken))
        )
    archives_dept = Department.objects.filter(code="archives").first()
    if archives_dept is not None:
        role, _ = Role.objects.get_or_create(
            department=archives_dept,
            code=ARCHIVIST_ROLE,
            defaults={"name_zh": "档案员", "name_en": "Archivist"},
        )
        role.holders.add(*User.objects.filter(username__startswith="archives-"))
    admin = User.objects.filter(username="admin").first()
    departments = {d.code: d.pk for d in Department.objects.all()}
    made = 0
    for number, (title, when, retention, dept, responsible, doc, pages) in enumerate(PAPER_ERA):
        ref = f"archives.demo:{number}"
        if Record.objects.filter(source_ref=ref).exists():
            continue
        services.record_file(
            package=services.FilingPackage(
                title=title,
                date=when,
                files=[],
                source_ref=ref,
                retention=retention,
                department_id=departments.get(dept),
                responsible=responsible,
                doc_number=doc,
                metadata={"pages": pages, "paper": True},
            ),
            actor=admin,
            fonds=fonds,
        )
        made += 1
    held = Record.objects.filter(source_ref="archives.demo:6").first()
    if held is not None and admin is not None and not held.holds.exists():
        DisposalHold.objects.create(record=held, reason="网络改造合同审计中", placed_by=admin)
    return made
