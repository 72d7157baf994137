"""Demo requests in every state, so the demo's inboxes and "my requests" are not empty.

Keyed by a fixed submit token per story: loading again adds nothing.
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import Service, User
from workflows import services
from workflows.models import ApprovalTask, ServiceRequest

NAMESPACE = uuid.UUID("6f1c2b1e-8d1a-4c55-9b5e-0d3b8f9e2a10")

# (story, applicant, service code, what happens after submission, urgent)
STORIES = [
    ("draft-abroad", "zhangwei", "cadre-going-abroad", "draft", False),
    ("abroad-in-progress", "zhangwei", "cadre-going-abroad", "submit", False),
    ("abroad-urgent", "zhangwei", "cadre-going-abroad", "submit", True),
    ("claim-approved", "zhangwei", "vertical-project-receipt-claim", "approve", False),
    ("claim-returned", "zhangwei", "research-fee-pre-borrowed-invoice", "return", False),
    ("student-rejected", "lina", None, "reject", False),
    ("student-in-progress", "lina", None, "submit", False),
    ("grad-withdrawn", "wangfang", None, "withdraw", False),
    ("grad-approved", "wangfang", None, "approve", False),
    ("loan-approved", "zhangwei", "archives-borrowing", "approve", False),
]


def _loan_form(form_data: dict) -> dict | None:
    """A borrowing request needs codes that exist: the demo's paper-era resolutions."""
    from archives.models import Record

    record = Record.objects.filter(source_ref="archives.demo:7").first()
    if record is None:
        return None
    due = timezone.localdate() + timedelta(days=14)
    return {
        **form_data,
        "codes": record.code,
        "purpose": "编写学位工作史料",
        "scope": "仅阅览",
        "due_on": due.isoformat(),
        "use": "online",
    }


def _sample_value(field, user: User):
    kind = field.field_type
    samples = {
        "text": "示例内容",
        "long_text": "演示申请：请审批。",
        "number": 1,
        "money": "3200.00",
        "date": "2026-12-01",
        "date_range": ["2026-12-01", "2026-12-05"],
        "person": {"id": user.pk, "name": str(user), "number": user.number},
    }
    if kind in ("choice", "multi_choice"):
        first = field.choice_list()[0][0]
        return [first] if kind == "multi_choice" else first
    if kind == "department" and user.department_id:
        return {"id": user.department_id, "name": user.department.name_zh}
    if field.prefill:
        from workflows.forms import PROFILE_VALUES

        return PROFILE_VALUES[field.prefill](user)
    if kind == "number" and field.validation.get("min"):
        return field.validation["min"]
    return samples.get(kind)


def _service_for(code: str | None, user: User) -> Service:
    services_ = Service.objects.filter(is_published=True, is_online=True)
    if code:
        return services_.get(code=code)
    audience = {"undergraduate": "for_undergraduates", "graduate": "for_graduates"}[user.identity]
    return (
        services_.filter(**{audience: True}, steps__isnull=False)
        .exclude(fields__field_type__in=["file", "person"])
        .distinct()
        .order_by("code")
        .first()
    )


def _approve_all(request: ServiceRequest) -> ServiceRequest:
    for _ in range(20):
        request.refresh_from_db()
        if request.status != ServiceRequest.Status.IN_PROGRESS:
            break
        task = ApprovalTask.objects.filter(request=request, status="pending").first()
        if task.assignee_id is None:
            services.task_claim(task_id=task.pk, user=task.candidates.order_by("pk").first())
            task.refresh_from_db()
        services.task_decide(task_id=task.pk, user=task.assignee, action="approve", comment="同意")
    return request


@transaction.atomic
def seed_demo_requests() -> int:
    made = 0
    for story, username, code, outcome, urgent in STORIES:
        token = uuid.uuid5(NAMESPACE, story)
        user = User.objects.select_related("department").get(username=username)
        service = _service_for(code, user)
        if service is None:
            continue
        exists = ServiceRequest.objects.filter(submit_token=token).exists() or (
            outcome == "draft"
            and ServiceRequest.objects.filter(
                applicant=user, service=service, status="draft"
            ).exists()
        )
        if exists:
            continue
        form_data = {
            f.key: _sample_value(f, user) for f in service.fields.all() if f.field_type != "file"
        }
        if story == "loan-approved":
            form_data = _loan_form(form_data)
            if form_data is None:
                continue
        args = dict(
            service=service,
            applicant=user,
            form_data=form_data,
            files={},
            urgent=urgent,
            urgent_reason="出访日期临近" if urgent else "",
        )
        made += 1
        if outcome == "draft":
            services.request_save_draft(**args)
            continue
        request = services.request_submit(submit_token=token, **args)
        first = ApprovalTask.objects.filter(request=request, status="pending").first()
        if outcome == "approve":
            _approve_all(request)
        elif outcome in ("return", "reject"):
            if first.assignee_id is None:
                services.task_claim(task_id=first.pk, user=first.candidates.order_by("pk").first())
                first.refresh_from_db()
            comment = "请补充材料后重新提交" if outcome == "return" else "不符合申请条件"
            services.task_decide(
                task_id=first.pk, user=first.assignee, action=outcome, comment=comment
            )
        elif outcome == "withdraw":
            services.request_withdraw(request_id=request.pk, user=user, comment="计划有变")
    return made + _demo_appraisal()


def _demo_appraisal() -> int:
    """An archivist's appraisal of two paper-era records waiting with the head of the archives,
    then a university leader: the appraisal chain as the demo shows it."""
    from archives import selectors as archive_selectors
    from archives import services as archive_services
    from hall.models import Department, ServiceStep
    from workflows import handoffs

    token = uuid.uuid5(NAMESPACE, "appraisal-in-review")
    archivist = User.objects.filter(username="archives-reviewer1").first()
    if archivist is None or ServiceRequest.objects.filter(submit_token=token).exists():
        return 0
    due = [r for r in archive_selectors.due_for_appraisal(archivist)[:4] if not r.held][:2]
    if len(due) < 2:
        return 0
    batch = archive_services.appraisal_create(
        user=archivist,
        proposals=[
            {"record": due[0].pk, "decision": "extend", "years": 10, "reason": "仍有查考价值"},
            {"record": due[1].pk, "decision": "destroy", "reason": "已无保存价值"},
        ],
    )
    service = handoffs.internal_service(
        archive_services.APPRAISAL_SERVICE, department=archivist.department
    )
    office = Department.objects.filter(code="president-office").first()
    if office is not None and service.steps.count() == 1:
        ServiceStep.objects.create(
            service=service,
            order=2,
            name_zh="校领导审批",
            name_en="Approval by a university leader",
            rule=ServiceStep.Rule.DEPARTMENT_ROLE,
            department=office,
            role_code="leader",
            time_limit_days=3,
        )
    services.request_submit(
        service=service,
        applicant=archivist,
        form_data=handoffs.start_form_data(
            service.code,
            user=archivist,
            post={"appraisal": batch.number, "opinion": "经鉴定小组审查，拟延长一件、销毁一件。"},
        ),
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=token,
    )
    return 1
