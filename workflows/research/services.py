"""Writes of the research and finance mirror: imports applied all or nothing, and the freezes
that the hall's claims hold on budget lines.

Every change to a line's spent or frozen happens under that line's row lock
(``select_for_update``), so two claims approved at once are decided one after the other and
the second sees the first's effect.
"""

import hashlib
import json
import logging
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import User
from workflows.models import ServiceRequest
from workflows.research import imports
from workflows.research.imports import ImportRefused
from workflows.research.models import (
    ZERO,
    BudgetLine,
    Freeze,
    ImportRun,
    InvoiceClaim,
    Movement,
    Project,
)

logger = logging.getLogger(__name__)
REPORT_LIMIT = 500


class FundsError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- imports -----------------------------------------------------------------------------------


def mirror_import(
    *, kind: str, rows: list[dict], origin: str, source: str, sha256: str = "", user=None
) -> ImportRun:
    """Checks every row; applies them all in one transaction only if none is refused. Logged
    either way. Rows are keyed (project number, project + category, entry id), so importing
    the same file again changes nothing."""
    run = ImportRun(
        kind=kind, origin=origin, source=source[:300], sha256=sha256, run_by=user, rows=len(rows)
    )
    try:
        normalized = imports.normalize(kind, rows)
    except ImportRefused as exc:
        run.report = [{"row": 0, "reason": exc.message}]
        run.save()
        return run
    checked = imports.CHECKS[kind](normalized)
    if checked.problems:
        run.report = sorted(checked.problems, key=lambda p: p["row"])[:REPORT_LIMIT]
        run.save()
        return run
    try:
        with transaction.atomic():
            changes = APPLY[kind](checked.rows)
            run.ok = True
            run.created = sum(1 for c in changes if c["what"] == "created")
            run.updated = sum(1 for c in changes if c["what"] == "updated")
            run.unchanged = len(checked.rows) - run.created - run.updated
            run.report = changes[:REPORT_LIMIT]
            run.save()
    except FundsError as exc:
        # A claim froze money on a line between the check and the lock.
        run.ok, run.created, run.updated, run.unchanged = False, 0, 0, 0
        run.report = [{"row": 0, "reason": exc.message}]
        run.save()
    return run


def _apply_projects(rows: list[dict]) -> list[dict]:
    existing = {
        p.number: p
        for p in Project.objects.filter(number__in=[r["number"] for r in rows]).prefetch_related(
            "members"
        )
    }
    changes = []
    fields = ("title", "kind", "status", "pi_id", "starts_on", "ends_on")
    for row in rows:
        project = existing.get(row["number"])
        if project is None:
            project = Project.objects.create(**{f: row[f] for f in ("number", *fields)})
            project.members.set(row["member_ids"])
            changes.append({"row": row["_row"], "key": row["number"], "what": "created"})
            continue
        differs = [f for f in fields if getattr(project, f) != row[f]]
        members = sorted(m.pk for m in project.members.all())
        if differs:
            for f in differs:
                setattr(project, f, row[f])
            project.save()
        if members != row["member_ids"]:
            project.members.set(row["member_ids"])
            differs.append("members")
        if differs:
            changes.append(
                {"row": row["_row"], "key": row["number"], "what": "updated", "fields": differs}
            )
    return changes


def _apply_budgets(rows: list[dict]) -> list[dict]:
    changes = []
    for row in rows:
        line = (
            BudgetLine.objects.select_for_update()
            .filter(project_id=row["project_id"], category=row["category"])
            .first()
        )
        key = f"{row['project_id']}:{row['category']}"
        if line is None:
            BudgetLine.objects.create(
                project_id=row["project_id"], category=row["category"], budget=row["budget"]
            )
            changes.append({"row": row["_row"], "key": key, "what": "created"})
        elif line.budget != row["budget"]:
            if row["budget"] < line.spent + line.frozen:
                raise FundsError(_("A budget fell below what is spent and frozen; try again."))
            changes.append(
                {
                    "row": row["_row"],
                    "key": key,
                    "what": "updated",
                    "fields": [f"budget {line.budget} → {row['budget']}"],
                }
            )
            line.budget = row["budget"]
            line.save(update_fields=["budget"])
    return changes


def _apply_movements(rows: list[dict]) -> list[dict]:
    existing = {
        m.external_id: m
        for m in Movement.objects.filter(external_id__in=[r["external_id"] for r in rows])
    }
    changes, touched = [], set()
    for row in rows:
        movement = existing.get(row["external_id"])
        if movement is None:
            Movement.objects.create(
                line_id=row["line_id"],
                external_id=row["external_id"],
                booked_on=row["booked_on"],
                amount=row["amount"],
                description=row["description"],
            )
            touched.add(row["line_id"])
            changes.append({"row": row["_row"], "key": row["external_id"], "what": "created"})
            continue
        fields = ("line_id", "booked_on", "amount", "description")
        differs = [f for f in fields if getattr(movement, f) != row[f]]
        if differs:
            touched.update({movement.line_id, row["line_id"]})
            for f in differs:
                setattr(movement, f, row[f])
            movement.save()
            key = row["external_id"]
            changes.append({"row": row["_row"], "key": key, "what": "updated", "fields": differs})
    for line in BudgetLine.objects.select_for_update().filter(pk__in=touched).order_by("pk"):
        _recount_spent(line)
    return changes


def _recount_spent(line: BudgetLine) -> None:
    """Spent is the sum of the line's ledger (the finance system's and the hall's entries)."""
    spent = line.movements.aggregate(total=Sum("amount"))["total"] or ZERO
    if spent < 0 or spent + line.frozen > line.budget:
        raise FundsError(
            _("The ledger would overdraw %(line)s; nothing was imported.") % {"line": line}
        )
    line.spent = spent
    line.save(update_fields=["spent"])


def _apply_party_fees(rows: list[dict]) -> list[dict]:
    """Keyed by member and month: a repeated file changes nothing, a corrected row updates."""
    from workflows.research.models import PartyFeePayment

    fields = ("base", "rate", "due", "paid", "paid_on")
    existing = {
        (p.member_id, p.month): p
        for p in PartyFeePayment.objects.filter(
            member_id__in={r["member_id"] for r in rows}, month__in={r["month"] for r in rows}
        )
    }
    changes, new = [], []
    for row in rows:
        key = f"{row['member_id']}:{row['month']:%Y-%m}"
        payment = existing.get((row["member_id"], row["month"]))
        if payment is None:
            new.append(
                PartyFeePayment(
                    member_id=row["member_id"], month=row["month"], **{f: row[f] for f in fields}
                )
            )
            changes.append({"row": row["_row"], "key": key, "what": "created"})
            continue
        differs = [f for f in fields if getattr(payment, f) != row[f]]
        if differs:
            for f in differs:
                setattr(payment, f, row[f])
            payment.save(update_fields=differs)
            changes.append({"row": row["_row"], "key": key, "what": "updated", "fields": differs})
    PartyFeePayment.objects.bulk_create(new, batch_size=1000)
    return changes


APPLY = {
    "projects": _apply_projects,
    "budgets": _apply_budgets,
    "movements": _apply_movements,
    "party_fees": _apply_party_fees,
}


def mirror_import_file(*, kind: str, upload, user=None) -> ImportRun:
    data = upload.read()
    upload.seek(0)
    digest = hashlib.sha256(data).hexdigest()
    try:
        rows = imports.read_upload(upload)
    except ImportRefused as exc:
        return ImportRun.objects.create(
            kind=kind,
            origin=ImportRun.Origin.FILE,
            source=upload.name[:300],
            sha256=digest,
            run_by=user,
            report=[{"row": 0, "reason": exc.message}],
        )
    except Exception as exc:  # noqa: BLE001 - hall.uploads refuses with a ValidationError
        reason = "; ".join(getattr(exc, "messages", [])) or _("The file cannot be read.")
        return ImportRun.objects.create(
            kind=kind,
            origin=ImportRun.Origin.FILE,
            source=upload.name[:300],
            sha256=digest,
            run_by=user,
            report=[{"row": 0, "reason": reason}],
        )
    return mirror_import(
        kind=kind,
        rows=rows,
        origin=ImportRun.Origin.FILE,
        source=upload.name,
        sha256=digest,
        user=user,
    )


# --- the HTTP pull -----------------------------------------------------------------------------

PULL_ORDER = ("projects", "budgets", "movements")
MAX_PAGES = 10_000


def _get_json(url: str, token: str) -> dict:
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=settings.RESEARCH_API_TIMEOUT) as response:
        return json.loads(response.read().decode("utf-8"))


def _pull_rows(base: str, kind: str, token: str) -> list[dict]:
    """Every page of one kind; a ``next`` link is followed only below the configured base."""
    url = f"{base}/{kind}/"
    rows: list[dict] = []
    for _page in range(MAX_PAGES):
        body = _get_json(url, token)
        results = body.get("results")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise ImportRefused(_("The API's answer has no list of results."))
        start = len(rows)
        rows.extend(
            {**{k: "" if v is None else str(v) for k, v in r.items()}, "_row": start + i + 1}
            for i, r in enumerate(results)
        )
        following = body.get("next")
        if not following:
            return rows
        following = urllib.parse.urljoin(url, str(following))
        if not following.startswith(base + "/"):
            raise ImportRefused(_("The API's next page lies outside its base URL."))
        url = following
    raise ImportRefused(_("The API gave more pages than the hall reads."))


def mirror_pull(*, base_url: str = "", token: str = "", user=None) -> list[ImportRun]:
    """Pulls projects, then budgets, then ledger entries; stops at the first kind refused."""
    base = (base_url or settings.RESEARCH_API_URL).rstrip("/")
    token = token or settings.RESEARCH_API_TOKEN
    if not base:
        return []
    runs = []
    for kind in PULL_ORDER:
        source = f"{base}/{kind}/"
        try:
            rows = _pull_rows(base, kind, token)
        except ImportRefused as exc:
            reason = exc.message
        except (OSError, ValueError) as exc:  # unreachable, refused, not JSON
            reason = _("The API could not be read: %(error)s") % {"error": exc}
        else:
            run = mirror_import(
                kind=kind, rows=rows, origin=ImportRun.Origin.API, source=source, user=user
            )
            runs.append(run)
            if not run.ok:
                return runs
            continue
        runs.append(
            ImportRun.objects.create(
                kind=kind,
                origin=ImportRun.Origin.API,
                source=source,
                run_by=user,
                report=[{"row": 0, "reason": str(reason)[:500]}],
            )
        )
        return runs
    return runs


# --- freezes: what the hall's claims hold on a line ----------------------------------------------


def amount_of(value) -> Decimal | None:
    try:
        amount = Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount > 0 else None


def _locked_line(project_id: int, category: str) -> BudgetLine | None:
    return (
        BudgetLine.objects.select_for_update()
        .select_related("project")
        .filter(project_id=project_id, category=category)
        .first()
    )


def check_may_charge(*, user: User, project: Project) -> None:
    if project.status != Project.Status.ACTIVE:
        raise FundsError(_("The project %(number)s is not active.") % {"number": project.number})
    if project.pi_id == user.pk:
        return
    if not project.members.filter(pk=user.pk).exists():
        raise FundsError(
            _("You are not a member of the project %(number)s.") % {"number": project.number}
        )


def _over_balance(line: BudgetLine, amount: Decimal) -> FundsError:
    return FundsError(
        _(
            "%(amount)s exceeds the balance of %(category)s on the project %(number)s "
            "(%(balance)s left)."
        )
        % {
            "amount": amount,
            "category": line.get_category_display(),
            "number": line.project.number,
            "balance": line.balance,
        }
    )


@transaction.atomic
def freeze_hold(*, request: ServiceRequest, project_number: str, category: str, amount) -> Freeze:
    """On submission (and resubmission): holds the claimed amount on its line. A request that
    holds a freeze already has it moved to the new line or amount, never added twice."""
    money = amount_of(amount)
    if money is None:
        raise FundsError(_("The amount must be more than zero."))
    project = Project.objects.filter(number=project_number.strip()).first()
    if project is None:
        raise FundsError(
            _("No research project has the number %(number)s.") % {"number": project_number}
        )
    check_may_charge(user=request.applicant, project=project)
    current = Freeze.objects.select_for_update().filter(request=request).first()
    if current is not None and current.state != Freeze.State.FROZEN:
        raise FundsError(_("This request's amount has already been settled."))
    # Lock the lines in one order (by id) so two claims on the same two lines cannot deadlock.
    wanted = BudgetLine.objects.filter(project=project, category=category).first()
    if wanted is None:
        raise FundsError(
            _("The project %(number)s has no budget for this category.")
            % {"number": project.number}
        )
    ids = sorted({wanted.pk, current.line_id} if current else {wanted.pk})
    locked = {
        line.pk: line
        for line in BudgetLine.objects.select_for_update()
        .select_related("project")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    line = locked[wanted.pk]
    if current is not None:
        old = locked[current.line_id]
        old.frozen -= current.amount
        old.save(update_fields=["frozen"])
    if money > line.balance:
        raise _over_balance(line, money)
    line.frozen += money
    line.save(update_fields=["frozen"])
    if current is None:
        return Freeze.objects.create(
            request=request, line=line, amount=money, state=Freeze.State.FROZEN
        )
    current.line, current.amount = line, money
    current.save(update_fields=["line", "amount", "updated_at"])
    return current


@transaction.atomic
def freeze_spend(*, request: ServiceRequest) -> Movement | None:
    """On final approval: the frozen amount becomes spent, once. Checked again under the line's
    lock: a budget the finance system lowered meanwhile refuses the approval with the reason."""
    freeze = Freeze.objects.select_for_update().filter(request=request).first()
    if freeze is None or freeze.state != Freeze.State.FROZEN:
        return None
    line = _locked_line(freeze.line.project_id, freeze.line.category)
    if line.spent + line.frozen > line.budget:
        raise _over_balance(line, freeze.amount)
    line.frozen -= freeze.amount
    line.spent += freeze.amount
    line.save(update_fields=["frozen", "spent"])
    freeze.state = Freeze.State.SPENT
    freeze.save(update_fields=["state", "updated_at"])
    return Movement.objects.create(
        line=line,
        external_id=f"hall:{request.pk}",
        booked_on=timezone.localdate(),
        amount=freeze.amount,
        description=(request.number or "")[:300],
        source=Movement.Source.HALL,
        request_ref=f"workflows.request:{request.pk}",
    )


@transaction.atomic
def freeze_release(*, request: ServiceRequest) -> bool:
    """On rejection or withdrawal: the frozen amount goes back to the balance, once."""
    freeze = Freeze.objects.select_for_update().filter(request=request).first()
    if freeze is None or freeze.state != Freeze.State.FROZEN:
        return False
    line = _locked_line(freeze.line.project_id, freeze.line.category)
    line.frozen -= freeze.amount
    line.save(update_fields=["frozen"])
    freeze.state = Freeze.State.RELEASED
    freeze.save(update_fields=["state", "updated_at"])
    return True


# --- the form filled from the systems --------------------------------------------------------


def _fill(request: ServiceRequest, values: dict) -> None:
    """Writes into the request's form the values the systems know (only keys its form has)."""
    keys = {f["key"] for f in request.service_fields}
    filled = {k: v for k, v in values.items() if k in keys and request.form_data.get(k) != v}
    if filled:
        request.form_data = {**request.form_data, **filled}
        ServiceRequest.objects.filter(pk=request.pk).update(form_data=request.form_data)


def project_fill(*, request: ServiceRequest, project_number: str) -> None:
    project = Project.objects.select_related("pi").filter(number=project_number).first()
    if project is not None:
        _fill(
            request,
            {
                "project_name": project.title,
                "project_pi": project.pi.full_name or project.pi.username,
            },
        )


@transaction.atomic
def invoice_claim_link(*, request: ServiceRequest, invoice_id) -> InvoiceClaim:
    """A receipt claim picks the applicant's open pre-borrowed invoice: its project, category
    and amount are carried over, and no other claim can pick it while this one is open."""
    from workflows.research.fields import INVOICE_SERVICE

    try:
        invoice_pk = int(invoice_id)
    except (TypeError, ValueError):
        raise FundsError(_("Pick the pre-borrowed invoice this claim settles.")) from None
    invoice = (
        ServiceRequest.objects.select_for_update()
        .filter(
            pk=invoice_pk,
            applicant=request.applicant,
            service__code=INVOICE_SERVICE,
            status=ServiceRequest.Status.APPROVED,
        )
        .first()
    )
    if invoice is None:
        raise FundsError(_("That is not one of your approved pre-borrowed invoices."))
    link = InvoiceClaim.objects.filter(invoice=invoice).first()
    if link is not None and link.claim_id != request.pk:
        raise FundsError(
            _("The invoice %(number)s is already settled by another claim.")
            % {"number": invoice.number}
        )
    data = invoice.form_data
    _fill(
        request,
        {
            key: data[key]
            for key in ("project_number", "project_name", "budget_category", "amount")
            if key in data
        },
    )
    project_fill(request=request, project_number=str(data.get("project_number") or ""))
    if link is None:
        link = InvoiceClaim.objects.create(invoice=invoice, claim=request)
    return link


@transaction.atomic
def invoice_claim_close(*, request: ServiceRequest) -> None:
    InvoiceClaim.objects.filter(claim=request, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


@transaction.atomic
def invoice_claim_unlink(*, request: ServiceRequest) -> None:
    """A rejected or withdrawn claim lets its invoice be picked again."""
    InvoiceClaim.objects.filter(claim=request, closed_at__isnull=True).delete()


# --- fees transference: an amount from one project to another of the same PI -----------------


def _transference_projects(request: ServiceRequest, source_number: str, target_number: str):
    numbers = {source_number.strip(), target_number.strip()}
    projects = {p.number: p for p in Project.objects.filter(number__in=numbers)}
    source, target = projects.get(source_number.strip()), projects.get(target_number.strip())
    for number, project in ((source_number, source), (target_number, target)):
        if project is None:
            raise FundsError(
                _("No research project has the number %(number)s.") % {"number": number}
            )
    if source.pk == target.pk:
        raise FundsError(_("A transference moves money between two different projects."))
    for project in (source, target):
        if project.pi_id != request.applicant_id:
            raise FundsError(
                _(
                    "A transference moves money only between projects you lead: you are not "
                    "the principal investigator of %(number)s."
                )
                % {"number": project.number}
            )
        if project.status != Project.Status.ACTIVE:
            raise FundsError(
                _("The project %(number)s is not active.") % {"number": project.number}
            )
    return source, target


@transaction.atomic
def transference_hold(
    *, request: ServiceRequest, source_number: str, target_number: str, category: str, amount
) -> Freeze:
    """On submission: both projects must be the applicant's own (as PI) and the target must
    have a budget in the category; the amount is then frozen on the source like a claim."""
    source, target = _transference_projects(request, source_number, target_number)
    if not BudgetLine.objects.filter(project=target, category=category).exists():
        raise FundsError(
            _("The project %(number)s has no budget for this category.") % {"number": target.number}
        )
    return freeze_hold(
        request=request, project_number=source.number, category=category, amount=amount
    )


@transaction.atomic
def transference_settle(*, request: ServiceRequest, target_number: str) -> bool:
    """On final approval, once: the frozen amount leaves the source's budget and is added to
    the target's, in the same category. Both lines locked in id order (no deadlock)."""
    freeze = Freeze.objects.select_for_update().filter(request=request).first()
    if freeze is None or freeze.state != Freeze.State.FROZEN:
        return False
    target_line = BudgetLine.objects.filter(
        project__number=target_number.strip(), category=freeze.line.category
    ).first()
    if target_line is None:
        raise FundsError(
            _("The project %(number)s has no budget for this category.") % {"number": target_number}
        )
    locked = {
        line.pk: line
        for line in BudgetLine.objects.select_for_update()
        .select_related("project")
        .filter(pk__in=sorted({freeze.line_id, target_line.pk}))
        .order_by("pk")
    }
    source, target = locked[freeze.line_id], locked[target_line.pk]
    if source.spent + source.frozen > source.budget:
        raise _over_balance(source, freeze.amount)
    source.frozen -= freeze.amount
    source.budget -= freeze.amount
    source.save(update_fields=["frozen", "budget"])
    target.budget += freeze.amount
    target.save(update_fields=["budget"])
    freeze.state = Freeze.State.SPENT
    freeze.save(update_fields=["state", "updated_at"])
    return True
