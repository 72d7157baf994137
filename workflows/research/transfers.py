"""Data transference: approved requests sent to their service's system of record as signed JSON.

The outbox is a table (``Transfer``), as the hall's message outbox is: a row per approved request
(unique, so it is written once however often the tick runs), sent under its row lock and marked
in the same transaction. A target that is down leaves the row waiting with a growing pause; a
worker killed mid-send leaves it waiting too, and the resend carries the same ``X-Hall-Transfer``
key, so the receiver counts it once. A 4xx answer is a refusal: the row goes to the office's desk
with the target's reason and is sent again only when someone there says so.

What is sent: the request (number, service, applicant, dates), its form data, its trail, its
archival code and ``content_sha256`` (SHA-256 of the canonical JSON of all that), in a body
signed with HMAC-SHA256 of the target's secret: ``X-Hall-Signature: sha256=<hex>``.
"""

import contextlib
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from archives.models import Record
from workflows.models import ApprovalRecord, ServiceRequest
from workflows.research.models import Transfer, TransferTarget

logger = logging.getLogger(__name__)
BATCH = 100
MAX_PAUSE = timedelta(hours=6)
# An approved request waits this long for its archival code before it is sent without one.
ARCHIVE_WAIT = timedelta(minutes=30)


def canonical(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does (the demo's receiver and the tests use it)."""
    return hmac.compare_digest(sign(secret, body), signature or "")


def payload_of(request: ServiceRequest) -> dict:
    archival = (
        Record.objects.filter(source_ref=f"workflows.request:{request.pk}")
        .values_list("code", flat=True)
        .first()
    )
    trail = [
        {
            "action": r.action,
            # The hall's own records (a step skipped by its condition) have no actor.
            "actor": (r.actor.number or r.actor.username) if r.actor else "",
            "actor_name": r.actor.full_name if r.actor else "",
            "step": r.step_name,
            "comment": r.comment,
            "at": r.created_at.isoformat(),
        }
        for r in ApprovalRecord.objects.filter(request=request)
        .select_related("actor")
        .order_by("created_at", "id")
    ]
    content = {
        "request": {
            "number": request.number,
            "service": request.service.code,
            "applicant": request.applicant.number or request.applicant.username,
            "applicant_name": request.applicant.full_name,
            "status": request.status,
            "submitted_at": request.submitted_at.isoformat() if request.submitted_at else None,
            "finished_at": request.finished_at.isoformat() if request.finished_at else None,
        },
        "form": request.form_data,
        "trail": trail,
        "archival_code": archival,
    }
    return {**content, "content_sha256": hashlib.sha256(canonical(content)).hexdigest()}


def transfers_enqueue(*, now=None) -> int:
    """Writes the outbox row of every approved request of a service with an active target
    (requests approved since the target was named; once each, by the unique request)."""
    now = now or timezone.now()
    made = 0
    for target in TransferTarget.objects.filter(is_active=True):
        waiting = (
            ServiceRequest.objects.filter(
                service_id=target.service_id,
                status=ServiceRequest.Status.APPROVED,
                finished_at__gte=target.created_at,
            )
            .exclude(Exists(Transfer.objects.filter(request_id=OuterRef("pk"))))
            .order_by("finished_at")
        )
        rows = []
        for request in waiting[:BATCH]:
            archived = Record.objects.filter(source_ref=f"workflows.request:{request.pk}").exists()
            if not archived and request.finished_at > now - ARCHIVE_WAIT:
                continue  # its archival code is probably minutes away
            rows.append(Transfer(request=request, target=target, key=uuid.uuid4(), next_try_at=now))
        made += len(Transfer.objects.bulk_create(rows, ignore_conflicts=True))
    return made


class Refused(Exception):
    pass


def _post(target: TransferTarget, key: str, body: bytes) -> str:
    """The acknowledgement id; Refused on a 4xx, any other exception while the target is down."""
    http = urllib.request.Request(
        target.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Hall-Transfer": key,
            "X-Hall-Signature": sign(target.token, body),
        },
    )
    try:
        with urllib.request.urlopen(http, timeout=settings.RESEARCH_API_TIMEOUT) as response:
            answer = json.loads(response.read().decode("utf-8") or "{}")
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")[:2000]
        if 400 <= exc.code < 500:
            with contextlib.suppress(ValueError, AttributeError):
                text = str(json.loads(text).get("reason") or text)
            raise Refused(f"{exc.code}: {text}") from exc
        raise
    ack = str(answer.get("id") or "") if isinstance(answer, dict) else ""
    if not ack:
        raise ValueError("the target answered without an acknowledgement id")
    return ack[:200]


def transfer_send(*, transfer_id: int, now=None) -> str:
    """Sends one transfer unless it is sent, refused, not yet due or being sent elsewhere."""
    now = now or timezone.now()
    with transaction.atomic():
        transfer = (
            Transfer.objects.select_for_update(skip_locked=True)
            .select_related("target", "request__service", "request__applicant")
            .filter(pk=transfer_id)
            .first()
        )
        if transfer is None or transfer.status != Transfer.Status.PENDING:
            return "skipped"
        if transfer.next_try_at > now:
            return "not due"
        payload = payload_of(transfer.request)
        body = canonical(payload)
        transfer.attempts += 1
        transfer.content_sha256 = payload["content_sha256"]
        try:
            transfer.ack_id = _post(transfer.target, str(transfer.key), body)
        except Refused as refusal:
            transfer.status = Transfer.Status.REFUSED
            transfer.last_error = str(refusal)
        except Exception as exc:  # noqa: BLE001 - down, unreachable, a 5xx: try again later
            transfer.last_error = str(exc)[:2000]
            pause = min(timedelta(minutes=2**transfer.attempts), MAX_PAUSE)
            transfer.next_try_at = now + pause
        else:
            transfer.status = Transfer.Status.SENT
            transfer.sent_at = now
            transfer.last_error = ""
        transfer.save()
        return transfer.status


def transfers_tick(*, now=None) -> dict:
    now = now or timezone.now()
    made = transfers_enqueue(now=now)
    due = list(
        Transfer.objects.filter(status=Transfer.Status.PENDING, next_try_at__lte=now)
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    outcomes = [transfer_send(transfer_id=pk, now=now) for pk in due]
    return {"made": made, "sent": outcomes.count("sent"), "refused": outcomes.count("refused")}


@transaction.atomic
def transfer_retry(*, transfer_id: int) -> bool:
    """The office sends a refused request again (after the target's reason was dealt with)."""
    updated = Transfer.objects.filter(pk=transfer_id, status=Transfer.Status.REFUSED).update(
        status=Transfer.Status.PENDING, next_try_at=timezone.now()
    )
    return bool(updated)


def facts(request: ServiceRequest) -> list[tuple[str, str]]:
    """What the request page shows of the transference (one query, only once approved)."""
    from django.utils.translation import gettext as _

    if request.status != ServiceRequest.Status.APPROVED:
        return []
    transfer = Transfer.objects.filter(request=request).only("status", "ack_id").first()
    if transfer is None:
        return []
    if transfer.status == Transfer.Status.SENT:
        return [(_("Received by the system of record as"), transfer.ack_id)]
    if transfer.status == Transfer.Status.REFUSED:
        return [(_("Refused by the system of record"), _("the office is looking into it"))]
    return [(_("Sending to the system of record"), _("waiting for the target"))]
