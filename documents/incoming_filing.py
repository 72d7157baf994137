"""Filing an incoming document (收文) in the archives once it is done (办结): the file or scan it
arrived as, and its handling trail as text — signed for, registered, checked, the proposal, the
leaders' instructions, the assignment, each reader of the circulation and when they read, and
the answer. Kept as long as the retention rule says: a document dispatched inside the hall by
its own type's rule (``RetentionRule``, editable in admin), a request for instructions (请示) by
the rule of 请示, anything else 30 years. Keyed ``documents.incoming:<pk>``, so filing twice
gives the one record.
"""

from django.db import transaction
from django.utils import timezone

from documents.models import DocType, Incoming
from documents.services import retention_for


def source_ref(incoming_id: int) -> str:
    return f"documents.incoming:{incoming_id}"


def retention_of(incoming: Incoming) -> str:
    if incoming.dispatch_id and incoming.dispatch.document_id:
        return retention_for(incoming.dispatch.document.doc_type)
    if incoming.is_request:
        return retention_for(DocType.REQUEST)
    return "D30"


def _who(user) -> str:
    return str(user) if user else ""


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def trail(incoming: Incoming) -> list[dict]:
    """The handling trail in order, one entry per moment (what, who, when, text)."""
    rows = [
        {
            "what": "签收",
            "who": _who(incoming.received_by),
            "at": _when(incoming.received_at),
            "text": f"{incoming.get_source_display()}：{incoming.sender} {incoming.sender_number}",
        }
    ]
    if incoming.seq:
        rows.append({"what": "登记", "who": "", "at": "", "text": incoming.number})
    if incoming.proposal:
        rows.append(
            {
                "what": "拟办",
                "who": _who(incoming.proposed_by),
                "at": "",
                "text": incoming.proposal,
            }
        )
    for instruction in incoming.instructions.select_related("leader").order_by("created_at", "pk"):
        rows.append(
            {
                "what": "批示",
                "who": _who(instruction.leader),
                "at": _when(instruction.created_at),
                "text": instruction.text,
            }
        )
    if incoming.lead_unit_id:
        co = "、".join(u.name_zh for u in incoming.co_units.order_by("order", "pk"))
        rows.append(
            {
                "what": "承办",
                "who": incoming.lead_unit.name_zh,
                "at": f"{incoming.due_date:%Y-%m-%d}" if incoming.due_date else "",
                "text": f"协办：{co}" if co else "",
            }
        )
    for c in incoming.circulations.select_related("reader").order_by("sent_at", "pk"):
        rows.append(
            {
                "what": "传阅",
                "who": _who(c.reader),
                "at": _when(c.read_at),
                "text": (c.purpose or "") + ("" if c.read_at else "（未阅）"),
            }
        )
    rows.append({"what": "办结", "who": "", "at": _when(incoming.done_at), "text": incoming.answer})
    return rows


def incoming_file(*, incoming_id: int):
    """Files a done incoming document; anything not done yet is left alone (returns None)."""
    from archives.services import FilingPackage, record_file

    incoming = (
        Incoming.objects.select_related(
            "department", "dispatch__document", "received_by", "proposed_by", "lead_unit"
        )
        .filter(pk=incoming_id)
        .first()
    )
    if incoming is None or incoming.status != Incoming.Status.DONE:
        return None
    name = incoming.number or f"收文{incoming.pk}"
    steps = trail(incoming)
    text = "\n".join(f"{s['what']}\t{s['who']}\t{s['at']}\t{s['text']}" for s in steps)
    files = [
        (f"{name}-正文.txt", f"{incoming.title}\n\n{incoming.note}\n".encode()),
        (f"{name}-办理记录.txt", (text + "\n").encode()),
    ]
    if incoming.file:
        with incoming.file.open("rb") as handle:
            files.insert(0, (f"{name}-{incoming.file.name.rsplit('/', 1)[-1]}", handle.read()))
    with transaction.atomic():
        return record_file(
            package=FilingPackage(
                title=incoming.title,
                date=timezone.localdate(incoming.done_at or timezone.now()),
                files=files,
                source_ref=source_ref(incoming.pk),
                retention=retention_of(incoming),
                department_id=incoming.department_id,
                responsible=incoming.department.name_zh,
                doc_number=incoming.sender_number or incoming.number,
                metadata={
                    "incoming_number": incoming.number,
                    "sender": incoming.sender,
                    "source": incoming.source,
                    "trail": steps,
                },
            )
        )


def archive_code(incoming: Incoming) -> str:
    """The 档号 of the record filed for this incoming document, or ""."""
    from archives.models import Record

    return (
        Record.objects.filter(source_ref=source_ref(incoming.pk))
        .values_list("code", flat=True)
        .first()
        or ""
    )
