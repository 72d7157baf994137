"""Writes for official documents: drafting, the chain's moments, registration and voiding."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import (
    DEFAULT_RETENTION,
    DOC_TYPE_ZH,
    Authority,
    Dispatch,
    NumberCounter,
    Outgoing,
    OutgoingUserObjectPermission,
    RetentionRule,
    Version,
)
from hall.models import Identity, Role, Service, ServiceField, ServiceStep, User
from workflows import handoffs
from workflows import services as requests
from workflows.models import ServiceRequest
from workflows.selectors import Linked

Status = Outgoing.Status

SERVICE_PREFIX = "documents-outgoing-"
# Who registers and voids numbers: these roles in the issuing authority's department.
OFFICE_ROLES = ("registrar", "admin")
READ_PERMISSION = "view_outgoing"


class DocumentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def service_code(doc_type: str) -> str:
    return f"{SERVICE_PREFIX}{doc_type}"


def reference_number(prefix: str, year: int, seq: int) -> str:
    """代字〔YYYY〕N号: the full year, 〔〕 brackets, no leading zeros and no 第 (GB/T 9704)."""
    return f"{prefix}〔{year}〕{seq}号"


def is_office(user: User, authority: Authority) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(
        holders=user, department_id=authority.department_id, code__in=OFFICE_ROLES
    ).exists()


# --- drafting --------------------------------------------------------------------------------


def may_draft(user: User) -> bool:
    """Drafting is for the staff: students and outside people never get a draft form."""
    return user.is_authenticated and (user.is_superuser or user.identity == Identity.STAFF)


def can_edit(document: Outgoing, user: User) -> bool:
    """The drafter edits a draft, or a document the chain returned to them for revision."""
    if document.drafter_id != user.pk:
        return False
    if document.status == Status.DRAFT:
        return True
    return (
        document.status == Status.IN_REVIEW
        and document.request is not None
        and document.request.status == ServiceRequest.Status.RETURNED
    )


def _keep_text(document: Outgoing) -> None:
    """Keeps the document's present text as a version, unless the last version already has it."""
    latest = document.versions.order_by("-n").first()
    if latest is not None and (latest.title, latest.body) == (document.title, document.body):
        return
    Version.objects.create(
        document=document,
        n=(latest.n if latest else 0) + 1,
        title=document.title,
        body=document.body,
        saved_by=document.updated_by,
        saved_at=document.updated_at or timezone.now(),
    )


TEXT_FIELDS = (
    "doc_type",
    "authority",
    "title",
    "to_others",
    "copy_others",
    "body",
    "security",
    "security_period",
    "urgency",
    "signer",
    "is_public",
    "minutes_issue",
    "present",
    "attending",
    "absent",
)


@transaction.atomic
def document_save(*, user: User, data: dict, document_id: int | None = None) -> Outgoing:
    """Saves a draft (new when ``document_id`` is None); once the document was submitted, the
    text it had before this save is kept as a version."""
    if document_id is None:
        if not may_draft(user):
            raise DocumentError(_("Only the staff draft documents."))
        document = Outgoing(drafter=user, department=user.department)
    else:
        document = (
            Outgoing.objects.select_for_update(of=("self",))
            .select_related("request")
            .get(pk=document_id)
        )
        if not can_edit(document, user):
            raise DocumentError(_("This document cannot be edited now."))
        if document.request_id is not None:
            _keep_text(document)
    fixed = ("doc_type", "authority") if document.status != Status.DRAFT else ()
    for name in TEXT_FIELDS:
        if name in data and name not in fixed:
            setattr(document, name, data[name])
    document.updated_by = user
    document.save()
    if "to_departments" in data:
        document.to_departments.set(data["to_departments"])
    if "copy_departments" in data:
        document.copy_departments.set(data["copy_departments"])
    return document


def check_submittable(document: Outgoing) -> None:
    if not document.title.strip():
        raise DocumentError(_("Give the document a title."))
    if not document.to_departments.exists() and not document.to_others.strip():
        raise DocumentError(_("Name at least one main addressee (主送)."))
    if not document.body.strip():
        raise DocumentError(_("Write the body of the document."))
    if document.is_upward and document.signer_id is None:
        raise DocumentError(_("A report or a request for instructions names its signer (签发人)."))
    if document.is_classified and not document.security_period.strip():
        raise DocumentError(_("Give the period of secrecy of a classified document."))


def _request_form(document: Outgoing) -> dict:
    names = [d.name_zh for d in document.to_departments.all()]
    if document.to_others.strip():
        names.append(document.to_others.strip())
    return {
        "document": str(document.pk),
        "title": document.title,
        "doc_type": document.get_doc_type_display(),
        "authority": str(document.authority),
        "addressees": "、".join(names),
        "body": document.body[:20000],
    }


def form_data(user: User, post: dict) -> dict:
    """The request's form for a document (the handoff's ``form_data``): only its drafter's."""
    document = Outgoing.objects.filter(pk=_int(post.get("document")), drafter=user).first()
    if document is None:
        raise handoffs.HandoffError(_("No such document."))
    return _request_form(document)


def request_shown(request: ServiceRequest) -> dict[str, str]:
    """The document as its approvers read it on the task page, live and in their language: its
    number (or that it has none yet) linking to its page, title, type, authority, addressees.
    The form keeps the document's id, by which the chain's moments find it."""
    document = (
        Outgoing.objects.select_related("authority")
        .prefetch_related("to_departments")
        .filter(pk=_int(request.form_data.get("document")))
        .first()
    )
    if document is None:
        return {}
    number = Linked(document.number or _("Not yet numbered"))
    number.url = document.get_absolute_url()
    names = [d.name for d in document.to_departments.all()]
    if document.to_others.strip():
        names.append(document.to_others.strip())
    return {
        "document": number,
        "title": document.title,
        "doc_type": document.get_doc_type_display(),
        "authority": document.authority.name,
        "addressees": "、".join(names),
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


DEFAULT_FIELDS = [
    ("document", "发文字号", "Reference number", ServiceField.Type.TEXT),
    ("title", "标题", "Title", ServiceField.Type.TEXT),
    ("doc_type", "文种", "Document type", ServiceField.Type.TEXT),
    ("authority", "发文机关", "Issuing authority", ServiceField.Type.TEXT),
    ("addressees", "主送", "Main addressees", ServiceField.Type.TEXT),
    ("body", "正文", "Body", ServiceField.Type.LONG_TEXT),
]


def outgoing_service(doc_type: str, authority: Authority) -> Service:
    """The catalogue service whose chain reviews this document type, made on first use with
    核稿 (the drafting department's head), 审核 (the office) and 签发 (a leader); admins change
    the chain in admin like any service's, e.g. adding a countersign-all 会签 step."""
    code = service_code(doc_type)
    service = Service.objects.filter(code=code).first()
    if service is not None:
        return service
    service = handoffs.internal_service(code, department=authority.department)
    zh = DOC_TYPE_ZH[doc_type]
    service.name_zh = f"发文审批（{zh}）"
    service.name_en = f"Outgoing document approval ({doc_type})"
    service.save()
    ServiceStep.objects.filter(service=service).delete()
    office = authority.department
    ServiceStep.objects.bulk_create(
        [
            ServiceStep(
                service=service,
                order=1,
                name_zh="核稿",
                name_en="Check by the drafting department's head",
                rule=ServiceStep.Rule.APPLICANT_HEAD,
                time_limit_days=2,
            ),
            ServiceStep(
                service=service,
                order=2,
                name_zh="审核",
                name_en="Review by the office",
                rule=ServiceStep.Rule.DEPARTMENT_ROLE,
                department=office,
                role_code="reviewer",
                time_limit_days=2,
            ),
            ServiceStep(
                service=service,
                order=3,
                name_zh="签发",
                name_en="Sign-off by a leader",
                rule=ServiceStep.Rule.DEPARTMENT_ROLE,
                department=office,
                role_code="leader",
                time_limit_days=2,
            ),
        ]
    )
    return service


@transaction.atomic
def document_submit(*, document_id: int, user: User, comment: str = "") -> Outgoing:
    """Sends a draft into its chain, or a document returned for revision back into it."""
    document = (
        Outgoing.objects.select_for_update(of=("self",))
        .select_related("request", "authority")
        .get(pk=document_id)
    )
    if document.drafter_id != user.pk:
        raise DocumentError(_("Only the drafter submits a document."))
    if not can_edit(document, user):
        raise DocumentError(_("This document is already in review."))
    check_submittable(document)
    try:
        if document.status == Status.DRAFT:
            service = outgoing_service(document.doc_type, document.authority)
            requests.request_submit(
                service=service,
                applicant=user,
                form_data=_request_form(document),
                files={},
                urgent=bool(document.urgency),
                urgent_reason=document.get_urgency_display(),
                submit_token=uuid.uuid4(),
            )
        else:
            requests.request_resubmit(
                request_id=document.request_id,
                user=user,
                form_data=_request_form(document),
                files={},
                comment=comment,
            )
    except (requests.RequestError, handoffs.HandoffError) as exc:
        raise DocumentError(exc.message) from exc
    document.refresh_from_db()
    return document


# --- the chain's moments (registered as handoffs) --------------------------------------------


def _document_of(request: ServiceRequest) -> Outgoing | None:
    return (
        Outgoing.objects.select_for_update()
        .filter(pk=_int(request.form_data.get("document")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    document = _document_of(request)
    if document is None or document.drafter_id != request.applicant_id:
        raise DocumentError(_("No such document."))
    if document.status not in (Status.DRAFT, Status.IN_REVIEW):
        raise DocumentError(_("This document is already in review."))
    if document.status == Status.IN_REVIEW and document.request_id != request.pk:
        raise DocumentError(_("This document is already in review."))
    document.status = Status.IN_REVIEW
    document.request = request
    document.save(update_fields=["status", "request", "updated_at"])
    _keep_text(document)


def chain_approved(request: ServiceRequest) -> None:
    Outgoing.objects.filter(request=request, status=Status.IN_REVIEW).update(
        status=Status.SIGNED, updated_at=timezone.now()
    )


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    # Withdrawn: back to a draft the drafter may change and send again. Rejected: closed.
    Outgoing.objects.filter(request=request, status=Status.IN_REVIEW).update(
        status=Status.REJECTED if rejected else Status.DRAFT, updated_at=timezone.now()
    )


# --- numbers ---------------------------------------------------------------------------------


def next_number(prefix: str, year: int) -> int:
    """The next number of a series (a 代字, the gazette, the contract register) in a year,
    without gaps: the counter row is made if missing without a race (a conflict is ignored),
    then locked until the caller's transaction ends, so two at once get consecutive numbers.
    Call it inside the transaction that stores the number."""
    NumberCounter.objects.bulk_create(
        [NumberCounter(prefix=prefix, year=year, last=0)], ignore_conflicts=True
    )
    counter = NumberCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def document_register(*, document_id: int, user: User, today: date | None = None) -> Outgoing:
    """Gives a signed document its number: the next of its 代字 and year, under the counter's
    row lock, so two registrars at once get two consecutive numbers and no number is skipped."""
    document = (
        Outgoing.objects.select_for_update(of=("self",))
        .select_related("authority")
        .get(pk=document_id)
    )
    if not is_office(user, document.authority):
        raise DocumentError(_("Only the office of the issuing authority registers documents."))
    if document.number:
        raise DocumentError(
            _("This document already has its number %(number)s.") % {"number": document.number}
        )
    if document.status != Status.SIGNED:
        raise DocumentError(_("Only a signed-off document can be registered."))
    year = (today or timezone.localdate()).year
    prefix = document.authority.prefix
    seq = next_number(prefix, year)
    document.year, document.seq = year, seq
    document.number = reference_number(prefix, year, seq)
    document.status = Status.REGISTERED
    document.registered_at, document.registered_by = timezone.now(), user
    document.save(
        update_fields=[
            "year",
            "seq",
            "number",
            "status",
            "registered_at",
            "registered_by",
            "updated_at",
        ]
    )
    return document


@transaction.atomic
def document_void(*, document_id: int, user: User, reason: str) -> Outgoing:
    """Voids a registered document: it keeps its number, listed as void; no one gets it again."""
    document = (
        Outgoing.objects.select_for_update(of=("self",))
        .select_related("authority")
        .get(pk=document_id)
    )
    if not is_office(user, document.authority):
        raise DocumentError(_("Only the office of the issuing authority voids numbers."))
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(_("Give the reason for voiding this number."))
    if document.status != Status.REGISTERED:
        raise DocumentError(_("Only a registered document's number can be voided."))
    document.status = Status.VOID
    document.void_reason = reason[:300]
    document.voided_at, document.voided_by = timezone.now(), user
    document.save(update_fields=["status", "void_reason", "voided_at", "voided_by", "updated_at"])
    return document


# --- named readers of classified documents ---------------------------------------------------


@transaction.atomic
def reader_grant(*, document_id: int, user: User, readers: list[User]) -> int:
    from django.contrib.auth.models import Permission

    document = Outgoing.objects.select_related("authority").get(pk=document_id)
    if not is_office(user, document.authority):
        raise DocumentError(_("Only the office names the readers of a document."))
    permission = Permission.objects.get(
        codename=READ_PERMISSION, content_type__app_label="documents"
    )
    have = set(
        OutgoingUserObjectPermission.objects.filter(
            content_object=document, permission=permission
        ).values_list("user_id", flat=True)
    )
    new = [r for r in readers if r.pk not in have]
    OutgoingUserObjectPermission.objects.bulk_create(
        [
            OutgoingUserObjectPermission(content_object=document, permission=permission, user=r)
            for r in new
        ]
    )
    return len(new)


# --- dispatch and filing ---------------------------------------------------------------------

# Who in a department receives its documents (收发): these roles, else its heads.
RECEIVING_ROLES = ("registrar", "admin", "clerk")


def receivers(department_id: int) -> list[int]:
    """The people told that a document arrived for their department."""
    ids = set(
        Role.objects.filter(department_id=department_id, code__in=RECEIVING_ROLES).values_list(
            "holders", flat=True
        )
    )
    ids.discard(None)
    if not ids:
        ids = set(
            User.objects.filter(headed_departments=department_id).values_list("pk", flat=True)
        )
    if not ids:
        # A department with no clerk and no head: its people (a small one, at most 50).
        ids = set(
            User.objects.filter(department_id=department_id, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:50]
        )
    return sorted(ids)


@transaction.atomic
def document_dispatch(*, document_id: int, user: User) -> list[Dispatch]:
    """Sends a registered document to its addressee departments inside the hall (each finds it
    in its received documents and signs for it) and files it in the archives once this commits.
    Outside bodies stay listed on the document for printing and sending."""
    from hall.notifications import notify

    document = (
        Outgoing.objects.select_for_update(of=("self",))
        .select_related("authority")
        .get(pk=document_id)
    )
    if not is_office(user, document.authority):
        raise DocumentError(_("Only the office of the issuing authority dispatches documents."))
    if document.dispatched_at is not None:
        raise DocumentError(_("This document was already dispatched."))
    if document.status != Status.REGISTERED:
        raise DocumentError(_("Only a registered document can be dispatched."))
    now = timezone.now()
    main = list(document.to_departments.values_list("pk", flat=True))
    copies = [pk for pk in document.copy_departments.values_list("pk", flat=True) if pk not in main]
    made = Dispatch.objects.bulk_create(
        [
            Dispatch(document=document, department_id=pk, kind=kind, sent_at=now, sent_by=user)
            for kind, pks in ((Dispatch.Kind.MAIN, main), (Dispatch.Kind.COPY, copies))
            for pk in pks
        ]
    )
    document.dispatched_at, document.dispatched_by = now, user
    document.save(update_fields=["dispatched_at", "dispatched_by", "updated_at"])
    from django.urls import reverse

    url = reverse("documents:received")
    for dispatch in made:
        notify(
            recipients=receivers(dispatch.department_id),
            kind="cc",
            subject=f"收到公文：{document.number} {document.title}",
            subject_en=f"A document arrived: {document.number} {document.title}",
            url=url,
        )
    from documents import tasks

    transaction.on_commit(lambda: tasks.file_document.delay(document.pk))
    return made


@transaction.atomic
def dispatch_sign(*, dispatch_id: int, user: User) -> Dispatch:
    """Someone of the addressee department signs for the document (签收); once."""
    dispatch = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=dispatch_id)
    )
    if user.department_id != dispatch.department_id:
        raise DocumentError(_("Only the addressee department signs for a document."))
    if dispatch.signed_at is not None:
        raise DocumentError(
            _("This document was already signed for by %(name)s.") % {"name": dispatch.signed_by}
        )
    dispatch.signed_at, dispatch.signed_by = timezone.now(), user
    dispatch.save(update_fields=["signed_at", "signed_by"])
    # Signing for it is the 签收 of an incoming document in the department.
    from documents.incoming import receive_dispatch

    receive_dispatch(dispatch=dispatch, user=user)
    return dispatch


def retention_for(doc_type: str) -> str:
    rule = RetentionRule.objects.filter(doc_type=doc_type).first()
    return rule.retention if rule else DEFAULT_RETENTION.get(doc_type, "D30")


def _trail(document: Outgoing) -> list[dict]:
    if document.request_id is None:
        return []
    from workflows.models import ApprovalRecord

    return [
        {
            "step": r.step_name,
            "action": r.action,
            "actor": str(r.actor or ""),
            "on_behalf_of": str(r.on_behalf_of or ""),
            "comment": r.comment,
            "at": r.created_at.isoformat(),
        }
        for r in ApprovalRecord.objects.filter(request_id=document.request_id)
        .select_related("actor", "on_behalf_of")
        .order_by("created_at", "pk")
    ]


def document_file(*, document_id: int):
    """Files an issued document in the archives: its red-header PDF, the final text of its
    draft and the trail of its chain, kept as long as its type's retention says. Filing twice
    gives the one record (the archives key it by ``documents.outgoing:<pk>``)."""

    from archives.services import FilingPackage, record_file
    from documents import pdf as red_header

    document = Outgoing.objects.select_related("authority", "department").get(pk=document_id)
    if not document.number:
        return None
    content, _font = red_header.render(document)
    trail = _trail(document)
    text = f"{document.title}\n\n{document.body}\n"
    trail_text = "\n".join(
        f"{t['at']}\t{t['step']}\t{t['action']}\t{t['actor']}\t{t['comment']}" for t in trail
    )
    with transaction.atomic():
        record = record_file(
            package=FilingPackage(
                title=document.title,
                date=timezone.localdate(document.registered_at or timezone.now()),
                files=[
                    (f"{document.number}.pdf", content),
                    (f"{document.number}-正文.txt", text.encode()),
                    (f"{document.number}-审批记录.txt", (trail_text + "\n").encode()),
                ],
                source_ref=f"documents.outgoing:{document.pk}",
                retention=retention_for(document.doc_type),
                department_id=document.authority.department_id,
                responsible=document.authority.name_zh,
                doc_number=document.number,
                security="confidential" if document.is_classified else "internal",
                metadata={
                    "doc_type": document.doc_type,
                    "trail": trail,
                    "drafter": str(document.drafter or ""),
                    "versions": document.versions.count(),
                    "pages": red_header.page_count(content),
                },
            )
        )
        Outgoing.objects.filter(pk=document.pk).update(archive_code=record.code)
    return record


# --- minutes of a meeting issued as a 纪要 ---------------------------------------------------


@dataclass(frozen=True)
class MinutesText:
    """The structured minutes a meeting's app hands over: the title, the text by paragraph and
    the people (出席 / 列席 / 请假) by name."""

    title: str
    paragraphs: list[str]
    present: list[str] = field(default_factory=list)
    attending: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)


def minutes_authority(*, prefix: str, name: str, department_id: int) -> Authority:
    """The authority whose 代字 numbers a kind of minutes (e.g. 校长办公会纪要), made on first
    use in the issuing office's department; admins rename or move it in admin."""
    prefix = (prefix or "").strip()
    if not prefix or len(prefix) > Authority._meta.get_field("prefix").max_length:
        raise DocumentError(_("The minutes' prefix (代字) has 1 to 20 characters."))
    authority, _made = Authority.objects.get_or_create(
        prefix=prefix, defaults={"name_zh": name[:100] or prefix, "department_id": department_id}
    )
    return authority


@transaction.atomic
def minutes_issue(
    *,
    user: User,
    authority: Authority,
    minutes: MinutesText,
    readers: list[User],
    to_departments=(),
    drafter: User | None = None,
    at: datetime | None = None,
) -> Outgoing:
    """Issues a meeting's minutes as a registered 纪要: one outgoing document with the next
    number of the authority's 代字 and year (gap-free, the register's own counter), its issue
    (第N期) that number, the body one paragraph a line, the people at the meeting, for the
    named readers and the staff of the addressee departments only (besides the office and the
    drafting department), and filed in the archives once this commits.

    Who may issue is the meeting's rule (its chair or the office): the caller decided it."""
    paragraphs = [p.strip() for p in minutes.paragraphs if p.strip()]
    title = (minutes.title or "").strip()
    if not title:
        raise DocumentError(_("Give the document a title."))
    if not paragraphs:
        raise DocumentError(_("Write the body of the document."))
    now = at or timezone.now()
    year = timezone.localtime(now).year
    seq = next_number(authority.prefix, year)
    drafter = drafter or user
    document = Outgoing.objects.create(
        doc_type="minutes",
        authority=authority,
        title=title[:200],
        body="\n".join(paragraphs),
        security="internal",
        department_id=drafter.department_id or authority.department_id,
        drafter=drafter,
        updated_by=user,
        status=Status.REGISTERED,
        year=year,
        seq=seq,
        number=reference_number(authority.prefix, year, seq),
        minutes_issue=seq,
        present="、".join(minutes.present),
        attending="、".join(minutes.attending),
        absent="、".join(minutes.absent),
        readers_only=True,
        registered_at=now,
        registered_by=user,
    )
    document.to_departments.set(to_departments)
    _grant(document, readers)
    from documents import tasks

    pk = document.pk
    transaction.on_commit(lambda: tasks.file_document.delay(pk))
    return document


def _grant(document: Outgoing, readers: list[User]) -> None:
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(
        codename=READ_PERMISSION, content_type__app_label="documents"
    )
    OutgoingUserObjectPermission.objects.bulk_create(
        [
            OutgoingUserObjectPermission(content_object=document, permission=permission, user=r)
            for r in {r.pk: r for r in readers}.values()
        ]
    )
