"""Drafting tasks (专报、讲话稿、政府工作报告、调研报告): the office sets a task with its
writers and a deadline, asks named units for their material (each by its own deadline,
reminded before and on the day through the hall's tick, exactly once), the writers keep
versions of the text (compared side by side with the outgoing documents' comparison), a
catalogue chain reviews it (handoff registry) and the approved text is filed in the archives
by a Celery task.

Who sees what: the writers, the office in charge (its registrar/admin roles), the chain's
people; a unit's staff see only their own unit's contribution. Everyone else gets a 404.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import DraftingTask, DraftingVersion, Material
from documents.selectors import Text, office_department_ids, side_by_side
from documents.services import OFFICE_ROLES, DocumentError, _int, receivers
from hall.models import Department, Identity, Role, ServiceField, ServiceStep, User
from hall.notifications import notify
from workflows import handoffs
from workflows import services as requests
from workflows.models import ServiceRequest
from workflows.reminders import once
from workflows.selectors import visible_requests

Status = DraftingTask.Status
SERVICE = "documents-drafting"
FIELDS = [
    ("drafting_task", "起草任务", "Drafting task", ServiceField.Type.TEXT),
    ("title", "标题", "Title", ServiceField.Type.TEXT),
    ("kind", "类别", "Kind", ServiceField.Type.TEXT),
]
MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MATERIAL_TYPES = ["pdf", "docx", "doc", "xlsx", "xls", "zip", "png", "jpg", "jpeg"]

# --- who -------------------------------------------------------------------------------------


def is_office(user: User, department_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or Role.objects.filter(
            holders=user, department_id=department_id, code__in=OFFICE_ROLES
        ).exists()
    )


def offices_of(user: User) -> QuerySet[Department]:
    """The offices in which the person may set drafting tasks."""
    if not user.is_authenticated:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(pk__in=office_department_ids(user))


def is_staff_of(user: User, department_id: int) -> bool:
    return (
        user.is_authenticated
        and user.department_id == department_id
        and (user.identity == Identity.STAFF or user.is_superuser)
    )


def visible_tasks(user: User) -> QuerySet[DraftingTask]:
    """Tasks whose page the person may open: writers, the office, the chain (never a unit's
    people only for having been asked for material: they see their own material's page)."""
    tasks = DraftingTask.objects.all()
    if not user.is_authenticated:
        return tasks.none()
    if user.is_superuser:
        return tasks
    chain = Exists(visible_requests(user).filter(pk=OuterRef("request_id")))
    writer = Exists(
        DraftingTask.writers.through.objects.filter(draftingtask=OuterRef("pk"), user=user)
    )
    return tasks.filter(writer | Q(office__in=office_department_ids(user)) | chain)


def task_for(user: User, pk: int) -> DraftingTask | None:
    return (
        visible_tasks(user)
        .select_related("office", "request", "created_by")
        .prefetch_related("writers")
        .filter(pk=pk)
        .first()
    )


def is_writer(task: DraftingTask, user: User) -> bool:
    return user.is_authenticated and any(w.pk == user.pk for w in task.writers.all())


def material_for(user: User, pk: int) -> Material | None:
    """A unit's material: for its unit's staff, and for those who may open its task."""
    material = (
        Material.objects.select_related("task", "task__office", "department", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if material is None:
        return None
    if is_staff_of(user, material.department_id):
        return material
    if visible_tasks(user).filter(pk=material.task_id).exists():
        return material
    return None


def task_list(user: User) -> QuerySet[DraftingTask]:
    return (
        visible_tasks(user)
        .select_related("office")
        .only("pk", "kind", "title", "status", "deadline", "office__name_zh", "office__name_en")
        .order_by("-created_at", "-pk")
    )


def materials_asked_of(user: User) -> QuerySet[Material]:
    """What the person's unit is asked for, newest deadline first (staff only)."""
    if not user.is_authenticated or user.department_id is None:
        return Material.objects.none()
    if user.identity != Identity.STAFF and not user.is_superuser:
        return Material.objects.none()
    return (
        Material.objects.filter(department_id=user.department_id)
        .select_related("task")
        .only("pk", "due_date", "submitted_at", "task__title", "task__kind", "task__status")
        .order_by("-due_date", "-pk")
    )


def materials_of(task: DraftingTask) -> list[Material]:
    return list(
        task.materials.select_related("department", "submitted_by").order_by("due_date", "pk")
    )


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    user: User,
    office: Department,
    kind: str,
    title: str,
    deadline: date,
    writers: list[User],
) -> DraftingTask:
    if not is_office(user, office.pk):
        raise DocumentError(_("Only the office sets drafting tasks."))
    if kind not in DraftingTask.Kind.values:
        raise DocumentError(_("Choose the kind of text."))
    if not (title or "").strip():
        raise DocumentError(_("Give the task a title."))
    if not writers:
        raise DocumentError(_("Name at least one writer."))
    task = DraftingTask.objects.create(
        kind=kind, title=title.strip()[:200], office=office, deadline=deadline, created_by=user
    )
    task.writers.set(writers)
    notify(
        recipients=[w.pk for w in writers if w.pk != user.pk],
        kind="assigned",
        subject=f"起草任务：{task.title}（{deadline:%Y-%m-%d}前）",
        subject_en=f"Drafting task: {task.title} (by {deadline:%Y-%m-%d})",
        url=task.get_absolute_url(),
    )
    return task


def _check_writer(task: DraftingTask, user: User) -> None:
    if not task.writers.filter(pk=user.pk).exists():
        raise DocumentError(_("Only the task's writers do this."))


@transaction.atomic
def material_ask(
    *, task_id: int, user: User, department: Department, due_date: date, asked: str = ""
) -> Material:
    task = DraftingTask.objects.select_for_update().get(pk=task_id)
    if not (is_office(user, task.office_id) or task.writers.filter(pk=user.pk).exists()):
        raise DocumentError(_("Only the writers or the office ask units for material."))
    if task.status != Status.DRAFTING:
        raise DocumentError(_("This task is no longer being drafted."))
    if task.materials.filter(department=department).exists():
        raise DocumentError(_("%(unit)s is already asked for material.") % {"unit": department})
    if due_date < timezone.localdate():
        raise DocumentError(_("The unit's due date cannot be in the past."))
    material = Material.objects.create(
        task=task, department=department, due_date=due_date, asked=(asked or "").strip()[:300]
    )
    notify(
        recipients=receivers(department.pk),
        kind="assigned",
        subject=f"请报送材料：{task.title}（{due_date:%Y-%m-%d}前）",
        subject_en=f"Material wanted: {task.title} (by {due_date:%Y-%m-%d})",
        url=material.get_absolute_url(),
    )
    return material


@transaction.atomic
def material_submit(*, material_id: int, user: User, file, note: str) -> Material:
    """The unit hands in its input (a checked file and a note); again replaces it while the
    task is being drafted."""
    material = (
        Material.objects.select_for_update(of=("self",)).select_related("task").get(pk=material_id)
    )
    if not is_staff_of(user, material.department_id):
        raise DocumentError(_("Only the unit's staff hand in its material."))
    if material.task.status != Status.DRAFTING:
        raise DocumentError(_("This task is no longer being drafted."))
    if not file and not material.file:
        raise DocumentError(_("Attach the material's file."))
    if file:
        material.file = file
    material.note = (note or "").strip()[:4000]
    material.submitted_by, material.submitted_at = user, timezone.now()
    material.save(update_fields=["file", "note", "submitted_by", "submitted_at"])
    notify(
        recipients=list(material.task.writers.values_list("pk", flat=True)),
        kind="info",
        subject=f"{material.department}已报送材料：{material.task.title}",
        subject_en=f"{material.department.name_en or material.department} sent its material: "
        f"{material.task.title}",
        url=material.task.get_absolute_url(),
    )
    return material


def material_chase(*, material_id: int, user: User, today: date | None = None) -> int:
    """A writer's 催报 to a unit that has not handed in: once per unit per day."""
    material = Material.objects.select_related("task").get(pk=material_id)
    if not material.task.writers.filter(pk=user.pk).exists():
        raise DocumentError(_("Only the task's writers chase a unit."))
    if material.submitted_at is not None:
        raise DocumentError(_("This unit has already handed in its material."))
    today = today or timezone.localdate()
    if not once("documents.material-chase", f"{material.pk}:{today.isoformat()}"):
        raise DocumentError(_("This unit was already chased today; try again tomorrow."))
    return len(
        notify(
            recipients=receivers(material.department_id),
            kind="nudge",
            subject=f"催报材料：{material.task.title}（{material.due_date:%Y-%m-%d}前）",
            subject_en=f"Still waiting for your material: {material.task.title} "
            f"(due {material.due_date:%Y-%m-%d})",
            url=material.get_absolute_url(),
        )
    )


def _keep(task: DraftingTask) -> None:
    last = task.versions.order_by("-n").first()
    if last is not None and (last.title, last.body) == (task.title, task.body):
        return
    DraftingVersion.objects.create(
        task=task,
        n=(last.n if last else 0) + 1,
        title=task.title,
        body=task.body,
        saved_by=task.updated_by,
        saved_at=task.updated_at,
    )


@transaction.atomic
def text_save(*, task_id: int, user: User, title: str, body: str) -> DraftingTask:
    """A writer saves the text; the text it replaces is kept as a version."""
    task = DraftingTask.objects.select_for_update().get(pk=task_id)
    _check_writer(task, user)
    if not may_edit(task):
        raise DocumentError(_("The text cannot be changed while it is in review."))
    if not (title or "").strip():
        raise DocumentError(_("Give the task a title."))
    title, body = title.strip()[:200], body or ""
    if (title, body) == (task.title, task.body):
        return task
    if task.body or task.versions.exists():
        _keep(task)
    task.title, task.body, task.updated_by = title, body, user
    task.save(update_fields=["title", "body", "updated_by", "updated_at"])
    return task


def may_edit(task: DraftingTask) -> bool:
    if task.status == Status.DRAFTING:
        return True
    return (
        task.status == Status.IN_REVIEW
        and task.request is not None
        and task.request.status == ServiceRequest.Status.RETURNED
    )


def _form(task: DraftingTask) -> dict:
    return {"drafting_task": str(task.pk), "title": task.title, "kind": task.kind}


def form_data(user: User, post: dict) -> dict:
    task = DraftingTask.objects.filter(pk=_int(post.get("drafting_task")), writers=user).first()
    if task is None:
        raise handoffs.HandoffError(_("No such drafting task."))
    return _form(task)


@transaction.atomic
def task_submit(*, task_id: int, user: User, comment: str = "") -> DraftingTask:
    """Sends the text into its review chain (made on first use; admins extend it)."""
    task = (
        DraftingTask.objects.select_for_update(of=("self",))
        .select_related("request")
        .get(pk=task_id)
    )
    _check_writer(task, user)
    if not task.body.strip():
        raise DocumentError(_("Write the text before sending it for review."))
    if task.status == Status.IN_REVIEW and task.request and task.request.status == "returned":
        _keep(task)
        try:
            requests.request_resubmit(
                request_id=task.request_id,
                user=user,
                form_data=_form(task),
                files={},
                comment=comment,
            )
        except requests.RequestError as exc:
            raise DocumentError(exc.message) from exc
        return task
    if task.status != Status.DRAFTING:
        raise DocumentError(_("This task is already in review or done."))
    _keep(task)
    service = handoffs.internal_service(SERVICE, department=task.office)
    handoffs.start_chain(
        service=service,
        applicant=user,
        form_data=lambda: _form(task),
        refusal=DocumentError,
    )
    task.refresh_from_db()
    return task


def _task_of(request: ServiceRequest) -> DraftingTask | None:
    return (
        DraftingTask.objects.select_for_update()
        .filter(pk=_int(request.form_data.get("drafting_task")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    task = _task_of(request)
    if task is None or not task.writers.filter(pk=request.applicant_id).exists():
        raise DocumentError(_("No such drafting task."))
    resubmitted = task.status == Status.IN_REVIEW and task.request_id == request.pk
    if task.status != Status.DRAFTING and not resubmitted:
        raise DocumentError(_("This task is already in review or done."))
    task.request, task.status = request, Status.IN_REVIEW
    task.save(update_fields=["request", "status"])


def chain_approved(request: ServiceRequest) -> None:
    ids = list(
        DraftingTask.objects.filter(request=request, status=Status.IN_REVIEW).values_list(
            "pk", flat=True
        )
    )
    DraftingTask.objects.filter(pk__in=ids).update(status=Status.APPROVED)
    from documents.tasks import file_drafting

    for pk in ids:
        transaction.on_commit(lambda pk=pk: file_drafting.delay(pk))


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    DraftingTask.objects.filter(request=request, status=Status.IN_REVIEW).update(
        status=Status.REJECTED if rejected else Status.DRAFTING,
        **({} if rejected else {"request": None}),
    )


HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("drafting_task",),
    refusals=(DocumentError,),
    form_data=form_data,
    default_service={
        "name_zh": "文稿审定",
        "name_en": "Review of a drafted text",
        "time_limit_days": 3,
        "fields": FIELDS,
        "steps": [
            ("部门负责人审核", "Check by the writer's head", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)


def register_handoffs() -> None:
    handoffs.register(SERVICE, HANDOFF)


KIND_ZH = {
    "special-report": "专报",
    "speech": "讲话稿",
    "work-report": "政府工作报告",
    "research": "调研报告",
}


def text_pdf(task: DraftingTask) -> bytes:
    """The task's present text as a PDF (filed in the archives, offered on its page)."""
    from documents.pdf import render_text

    return render_text(
        kind=KIND_ZH.get(task.kind, ""),
        title=task.title,
        body=task.body,
        signature=task.office.name_zh if task.office_id else "",
        day=timezone.localdate(),
    )


def task_file(*, task_id: int):
    """Files the approved text in the archives (keyed ``documents.drafting:<pk>``: filed once
    however often the task runs), with its versions' count and the units' materials listed."""
    from archives.services import FilingPackage, record_file

    task = DraftingTask.objects.select_related("office").get(pk=task_id)
    if task.status != Status.APPROVED:
        return None
    materials = materials_of(task)
    listing = "\n".join(
        f"{m.department.name_zh}\t{m.submitted_at:%Y-%m-%d}\t{m.note}"
        for m in materials
        if m.submitted_at
    )
    files = [
        (f"{task.title}.pdf", text_pdf(task)),
        ("材料报送情况.txt", (listing + "\n").encode()),
    ]
    with transaction.atomic():
        record = record_file(
            package=FilingPackage(
                title=task.title,
                date=timezone.localdate(),
                files=files,
                source_ref=f"documents.drafting:{task.pk}",
                retention="D30",
                department_id=task.office_id,
                responsible=task.office.name_zh,
                metadata={
                    "kind": task.kind,
                    "versions": task.versions.count(),
                    "request": task.request_id,
                },
            )
        )
        DraftingTask.objects.filter(pk=task.pk).update(archive_code=record.code)
    return record


# --- versions --------------------------------------------------------------------------------


def texts(task: DraftingTask) -> list[Text]:
    kept = [
        Text(v.n, v.title, v.body, str(v.saved_by or ""), v.saved_at)
        for v in task.versions.select_related("saved_by").order_by("n")
    ]
    if not kept or (kept[-1].title, kept[-1].body) != (task.title, task.body):
        kept.append(Text(0, task.title, task.body, str(task.updated_by or ""), task.updated_at))
    return kept


def compare(a: Text, b: Text) -> tuple:
    """The outgoing documents' side-by-side comparison, reused."""
    return side_by_side(a.title, b.title), side_by_side(a.body, b.body)


# --- reminders -------------------------------------------------------------------------------


def reminders_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Units that have not handed in: one reminder some days before their due date and one on
    it, each exactly once (claimed FOR UPDATE SKIP LOCKED, logged by ``once``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lead = timedelta(days=settings.HALL_REMIND_BEFORE_DAYS)
    sent = {"material-before": 0, "material-due": 0}
    with transaction.atomic():
        due = list(
            Material.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("task")
            .filter(submitted_at=None, reminded__lt=2, due_date__lte=today + lead)
            .filter(task__status=Status.DRAFTING)
            .order_by("due_date")[:1000]
        )
        for m in due:
            on_the_day = m.due_date <= today
            kind = "material-due" if on_the_day else "material-before"
            if once(f"documents.{kind}", f"{m.pk}:{m.due_date.isoformat()}"):
                if on_the_day:
                    subject = f"今天截止报送材料：{m.task.title}"
                    subject_en = f"Your material is due today: {m.task.title}"
                    if m.due_date < today:
                        subject = f"材料已逾期：{m.task.title}（{m.due_date:%Y-%m-%d}截止）"
                        subject_en = f"Your material is overdue: {m.task.title}"
                else:
                    subject = f"请于{m.due_date:%Y-%m-%d}前报送材料：{m.task.title}"
                    subject_en = f"Material due {m.due_date:%Y-%m-%d}: {m.task.title}"
                notify(
                    recipients=receivers(m.department_id),
                    kind="reminder",
                    subject=subject,
                    subject_en=subject_en,
                    url=m.get_absolute_url(),
                )
                sent[kind] += 1
            m.reminded = 2 if on_the_day else 1
            m.save(update_fields=["reminded"])
    return sent
