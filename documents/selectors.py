"""Reads for official documents: who may see which, the register, versions and their comparison."""

import difflib
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from documents.models import CLASSIFIED, DocType, Outgoing, OutgoingUserObjectPermission, Version
from documents.services import OFFICE_ROLES, READ_PERMISSION
from hall.models import Identity, Role, User
from workflows.models import (
    ApprovalTask,
    RequestUserObjectPermission,
    ServiceRequest,
    TaskCandidate,
)
from workflows.selectors import ADMIN_ROLE, VIEW_PERMISSION, step_name, visible_requests

Status = Outgoing.Status


def office_department_ids(user: User) -> QuerySet:
    return Role.objects.filter(holders=user, code__in=OFFICE_ROLES).values("department_id")


def may_see_documents(user: User) -> bool:
    return user.is_authenticated


def visible_documents(user: User) -> QuerySet[Outgoing]:
    """Documents the user may open. Drafts, documents in review and voided ones: the drafter,
    the staff of the drafting department (never its students), the people of the chain (those
    who may see its request) and the office. Classified ones (above 内部): only the drafter, the
    office, the chain and their named readers, not the drafting department, and no one else
    even once issued. Other registered documents: anyone signed in. Everyone else gets nothing,
    so object pages answer 404."""
    documents = Outgoing.objects.all()
    if not user.is_authenticated:
        return documents.none()
    if user.is_superuser:
        return documents
    # Every arm is an indexed lookup or an uncorrelated subquery (Postgres hashes it once per
    # page), never a subquery per document: a register of a million documents stays fast.
    named = OutgoingUserObjectPermission.objects.filter(
        user=user, permission__codename=READ_PERMISSION
    ).values("content_object_id")
    issued = Q(status=Status.REGISTERED, readers_only=False) & ~Q(security__in=CLASSIFIED)
    inside = (
        Q(drafter=user)
        | Q(authority__department__in=office_department_ids(user))
        | chain_of(user)
        | Q(pk__in=named)
    )
    if user.department_id is not None and user.identity == Identity.STAFF:
        inside |= Q(department_id=user.department_id) & ~Q(security__in=CLASSIFIED)
        # Issued minutes (readers only) reach the staff of their main addressee departments.
        addressed = Outgoing.to_departments.through.objects.filter(
            department_id=user.department_id
        ).values("outgoing_id")
        inside |= Q(status=Status.REGISTERED, readers_only=True, pk__in=addressed) & ~Q(
            security__in=CLASSIFIED
        )
    return documents.filter(issued | inside)


def chain_of(user: User) -> Q:
    """The documents whose chain the user may see (as ``visible_requests`` says): they act or
    acted on it, wait for it as a candidate, were sent a copy, or administer its department."""
    acted = ApprovalTask.objects.filter(
        Q(assignee=user) | Q(decided_by=user) | Q(on_behalf_of=user)
    ).values("request_id")
    queued = TaskCandidate.objects.filter(user=user).values("task__request_id")
    copied = RequestUserObjectPermission.objects.filter(
        user=user, permission__codename=VIEW_PERMISSION
    ).values("content_object_id")
    admin_of = ServiceRequest.objects.filter(
        department__in=Role.objects.filter(holders=user, code=ADMIN_ROLE).values("department_id"),
        status__in=[*ServiceRequest.OPEN, *ServiceRequest.FINISHED],
    ).values("pk")
    applied = ServiceRequest.objects.filter(applicant=user).values("pk")
    return (
        Q(request_id__in=applied)
        | Q(request_id__in=acted)
        | Q(request_id__in=queued)
        | Q(request_id__in=copied)
        | Q(request_id__in=admin_of)
    )


def may_open_chain(user: User, document: Outgoing) -> bool:
    """Whether the request page of the document's chain opens for the user (else a 404)."""
    return (
        document.request_id is not None
        and visible_requests(user).filter(pk=document.request_id).exists()
    )


def chain_progress(document: Outgoing) -> str:
    """The chain's progress as words, for readers who may not open its request page."""
    request = document.request
    if request is None:
        return ""
    words = request.get_status_display()
    step = request.current_step
    if request.status in request.OPEN and step is not None and 0 <= step < len(request.chain):
        words += " · " + _("step %(n)s of %(total)s: %(name)s") % {
            "n": step + 1,
            "total": len(request.chain),
            "name": step_name(request.chain[step]),
        }
    return words


LIST_FIELDS = (
    "id",
    "doc_type",
    "title",
    "status",
    "number",
    "security",
    "urgency",
    "created_at",
    "authority__prefix",
    "authority__name_zh",
    "authority__name_en",
    "department__name_zh",
    "department__name_en",
)


def register(
    user: User,
    *,
    doc_type: str = "",
    year: int | None = None,
    status: str = "",
    authority: int | None = None,
    q: str = "",
    walk: bool = False,
) -> QuerySet[Outgoing]:
    """The register, newest first. A search is narrowed by the character-pairs index, which
    finds a rare word's few rows at once; ``walk`` reads without it, for a common word (more
    matches than a search counts): the database then walks the (-created_at, -id) index and
    stops at the page (``hall.lists.CappedPaginator``'s ``walked``)."""
    rows = (
        visible_documents(user)
        .select_related("authority", "department")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-pk")
    )
    if doc_type:
        rows = rows.filter(doc_type=doc_type)
    if year:
        rows = rows.filter(year=year)
    if status:
        rows = rows.filter(status=status)
    if authority:
        rows = rows.filter(authority_id=authority)
    if (
        q
        and WHOLE_NUMBER.fullmatch(q.strip())
        and Outgoing.objects.filter(number=q.strip()).exists()
    ):
        # A whole reference number is one document, found by its unique index: its pairs
        # (代字, year, 号) are shared by every document of that 代字 and year. What only looks
        # like one (the end of a longer 代字's number) searches as any other text.
        rows = rows.filter(number=q.strip())
    elif q:
        rows = narrowed(rows, "documents_outgoing", q, narrow=not walk)
        rows = rows.filter(Q(title__icontains=q) | Q(number__icontains=q))
    return rows


WORD = re.compile(r"[^\W_]+")  # letters and digits: each of their pairs is a token
WHOLE_NUMBER = re.compile(r"[^\s〔〕]+〔\d{4}〕[1-9]\d*号")  # 代字〔YYYY〕N号


def narrowed(rows: QuerySet, table: str, q: str, *, narrow: bool = True) -> QuerySet:
    """On Postgres, the rows whose character pairs hold every run of two or more letters or
    digits of ``q`` in order (the ``search_bigrams`` index of documents 0006); the caller's LIKE
    then decides, so the results are exactly LIKE's and only found sooner."""
    if not narrow or connection.vendor != "postgresql":
        return rows
    for run in WORD.findall(q):
        if len(run) < 2:
            continue
        pairs = " ".join(run[i : i + 2] for i in range(len(run) - 1))
        rows = rows.filter(
            RawSQL(
                f"{table}.search_bigrams @@ phraseto_tsquery('simple', %s)",
                [pairs],
                output_field=BooleanField(),
            )
        )
    return rows


def document_for(user: User, pk: int) -> Outgoing | None:
    return (
        visible_documents(user)
        .select_related("authority", "department", "drafter", "signer", "request")
        .prefetch_related("to_departments", "copy_departments")
        .filter(pk=pk)
        .first()
    )


def paragraphs(document: Outgoing) -> list[tuple[int, str]]:
    """A 纪要's body by numbered paragraph (its non-blank lines, from 1), for the detail page's
    ``#p-N`` anchors: a meeting's decision points to its paragraph by that number, whichever
    page opens it. Other documents keep their running text (an empty list)."""
    if document.doc_type != DocType.MINUTES:
        return []
    lines = (line.strip() for line in document.body.splitlines())
    return list(enumerate((line for line in lines if line), start=1))


@dataclass(frozen=True)
class Text:
    """One text of a document to compare: a kept version, or the present text (n = 0)."""

    n: int
    title: str
    body: str
    saved_by: str
    saved_at: object


def texts(document: Outgoing) -> list[Text]:
    kept = [
        Text(v.n, v.title, v.body, str(v.saved_by or ""), v.saved_at)
        for v in Version.objects.filter(document=document).select_related("saved_by")
    ]
    if not kept or (kept[-1].title, kept[-1].body) != (document.title, document.body):
        kept.append(
            Text(
                0,
                document.title,
                document.body,
                str(document.updated_by or ""),
                document.updated_at,
            )
        )
    return kept


def _marked(text: str, spans: list[tuple[int, int]], tag: str) -> str:
    out, at = [], 0
    for start, end in spans:
        out.append(escape(text[at:start]))
        out.append(f"<{tag}>{escape(text[start:end])}</{tag}>")
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def _changed_pair(old: str, new: str) -> tuple[str, str]:
    """Marks the changed characters of two lines (Chinese has no spaces: compare by character)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    removed, added = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "delete"):
            removed.append((i1, i2))
        if op in ("replace", "insert"):
            added.append((j1, j2))
    return _marked(old, removed, "del"), _marked(new, added, "ins")


def side_by_side(old: str, new: str) -> SafeString:
    """Two texts as table rows, line against line, with the changes marked; everything from
    the texts is escaped here, once, so the template prints it as it is."""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for line in a[i1:i2]:
                cell = escape(line)
                rows.append(f'<tr><td class="same">{cell}</td><td class="same">{cell}</td></tr>')
            continue
        left, right = a[i1:i2], b[j1:j2]
        for k in range(max(len(left), len(right))):
            old_line = left[k] if k < len(left) else None
            new_line = right[k] if k < len(right) else None
            if old_line is not None and new_line is not None:
                old_html, new_html = _changed_pair(old_line, new_line)
                cells = f'<td class="changed">{old_html}</td><td class="changed">{new_html}</td>'
                rows.append(f"<tr>{cells}</tr>")
            elif old_line is not None:
                rows.append(
                    f'<tr><td class="removed"><del>{escape(old_line)}</del></td><td></td></tr>'
                )
            else:
                rows.append(
                    f'<tr><td></td><td class="added"><ins>{escape(new_line)}</ins></td></tr>'
                )
    return mark_safe("\n".join(rows))  # noqa: S308 - every piece of text was escaped above


# --- dispatch --------------------------------------------------------------------------------

RECEIVED_FIELDS = (
    "id",
    "kind",
    "sent_at",
    "signed_at",
    "document_id",
    "document__number",
    "document__title",
    "document__doc_type",
    "document__security",
    "document__urgency",
    "document__authority__name_zh",
    "document__authority__name_en",
    "signed_by__full_name",
    "signed_by__username",
)


def received_for(user: User, *, unsigned: bool = False) -> QuerySet:
    """The documents dispatched to the person's department, newest first (one indexed query on
    the department's dispatches)."""
    from documents.models import Dispatch

    if not user.is_authenticated or user.department_id is None:
        return Dispatch.objects.none()
    rows = (
        Dispatch.objects.filter(department_id=user.department_id)
        .select_related("document__authority", "signed_by")
        .only(*RECEIVED_FIELDS)
        .order_by("-sent_at", "-pk")
    )
    if unsigned:
        rows = rows.filter(signed_at__isnull=True)
    return rows


def dispatch_for(user: User, pk: int):
    return received_for(user).filter(pk=pk).first()


def dispatches_of(document: Outgoing) -> list:
    return list(
        document.dispatches.select_related("department", "signed_by").order_by("kind", "pk")
    )


# --- incoming documents ----------------------------------------------------------------------


def clerk_department_ids(user: User) -> QuerySet:
    from documents.services import RECEIVING_ROLES

    return Role.objects.filter(holders=user, code__in=RECEIVING_ROLES).values("department_id")


def visible_incoming(user: User) -> QuerySet:
    """Incoming documents only for the people in their handling and circulation: the receiving
    department's clerks and heads, the leader named to instruct and those who instructed, the
    lead unit and co-units, and the readers it was sent round to. Everyone else: 404."""
    from documents.models import Circulation, Incoming, Instruction

    rows = Incoming.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if user.is_superuser:
        return rows
    # The few department ids and the person's own circulation and instruction ids are read
    # first (small queries), so every arm is an indexed IN list: Postgres ORs index scans when
    # the person sees few of a million documents, and reads the date index when they see most.
    departments = {
        *clerk_department_ids(user).values_list("department_id", flat=True),
        *user.headed_departments.values_list("pk", flat=True),
    }
    ids = {
        *Circulation.objects.filter(reader=user).values_list("incoming_id", flat=True),
        *Instruction.objects.filter(leader=user).values_list("incoming_id", flat=True),
    }
    inside = Q(department_id__in=sorted(departments)) | Q(leader=user) | Q(pk__in=sorted(ids))
    if user.department_id is not None:
        assisted = Incoming.co_units.through.objects.filter(department_id=user.department_id)
        inside |= Q(lead_unit_id=user.department_id) | Q(
            pk__in=sorted(assisted.values_list("incoming_id", flat=True))
        )
    return rows.filter(inside)


INCOMING_FIELDS = (
    "id",
    "title",
    "sender",
    "source",
    "status",
    "year",
    "seq",
    "urgency",
    "is_request",
    "received_at",
    "due_date",
    "department__name_zh",
    "department__name_en",
    "lead_unit__name_zh",
    "lead_unit__name_en",
)


def incoming_register(user: User, *, status: str = "", q: str = "", walk: bool = False) -> QuerySet:
    """The incoming register, newest first; ``walk`` as for ``register``."""
    rows = (
        visible_incoming(user)
        .select_related("department", "lead_unit")
        .only(*INCOMING_FIELDS)
        .order_by("-received_at", "-pk")
    )
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = narrowed(rows, "documents_incoming", q, narrow=not walk)
        rows = rows.filter(Q(title__icontains=q) | Q(sender__icontains=q))
    return rows


def incoming_for(user: User, pk: int):
    return (
        visible_incoming(user)
        .select_related(
            "department", "lead_unit", "leader", "proposed_by", "received_by", "dispatch__document"
        )
        .filter(pk=pk)
        .first()
    )


def circulation_of(incoming) -> list:
    return list(incoming.circulations.select_related("reader").order_by("sent_at", "pk"))


def instructions_of(incoming) -> list:
    return list(incoming.instructions.select_related("leader"))


# --- seals -----------------------------------------------------------------------------------


def seal_register(user: User) -> QuerySet:
    """Every seal for anyone signed in (to choose one for a request), with who keeps it and
    whether it is out of the office, in one query."""
    from documents.models import Seal, SealLoan

    if not user.is_authenticated:
        return Seal.objects.none()
    out = Exists(SealLoan.objects.filter(seal=OuterRef("pk"), returned_at=None))
    return (
        Seal.objects.select_related("department", "custodian")
        .annotate(is_out=out)
        .order_by("department__order", "kind", "pk")
    )


def may_keep_log(user: User, seal) -> bool:
    """The seal's log: its custodian and its department (and superusers)."""
    return user.is_authenticated and (
        user.is_superuser
        or seal.custodian_id == user.pk
        or user.department_id == seal.department_id
    )


def seal_for(user: User, pk: int):
    seal = seal_register(user).filter(pk=pk).first()
    return seal if seal is not None and may_keep_log(user, seal) else None


def visible_seal_uses(user: User) -> QuerySet:
    from documents.models import SealUse

    if not user.is_authenticated:
        return SealUse.objects.none()
    rows = SealUse.objects.all()
    if user.is_superuser:
        return rows
    chain = Exists(visible_requests(user).filter(pk=OuterRef("request_id")))
    inside = Q(applicant=user) | Q(seal__custodian=user) | chain
    if user.department_id is not None:
        inside |= Q(seal__department_id=user.department_id)
    return rows.filter(inside)


def seal_use_for(user: User, pk: int):
    return (
        visible_seal_uses(user)
        .select_related("seal", "applicant", "document", "request", "applied_by")
        .filter(pk=pk)
        .first()
    )


def seal_log(seal) -> QuerySet:
    return (
        seal.uses.select_related("applicant", "document", "applied_by")
        .only(
            "id",
            "purpose",
            "copies",
            "status",
            "created_at",
            "applied_at",
            "applied_copies",
            "seal_id",
            "applicant__full_name",
            "applicant__username",
            "document__number",
            "applied_by__full_name",
            "applied_by__username",
        )
        .order_by("-created_at", "-pk")
    )
