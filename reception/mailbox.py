"""The principal's / mayor's mailbox imported as cases on the channel "mailbox": from a mailbox
file the office uploads (an mbox or one .eml message) and from an IMAP folder (the management
command ``import_mailbox --imap`` and a pass of the hall's one tick, at most every
``RECEPTION_IMAP_EVERY_MINUTES``).

Each message is one case, once: its Message-ID is kept on the case under a unique constraint,
so a second import (or two ticks at once) skips it. A message without a Message-ID is known by
the SHA-256 of its bytes. Attachments go through ``hall.uploads.check_upload`` like every other
upload; a refused one is noted on the case's timeline instead of being kept.
"""

import contextlib
import email
import email.policy
import hashlib
import imaplib
import mailbox
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from hall import uploads
from reception import case_services as cs
from reception.models import Case, CaseAttachment, CaseCategory, CaseEvent

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class Imported:
    """What one import did: cases made, messages already there, attachments refused."""

    made: list[int] = field(default_factory=list)
    skipped: int = 0
    refused: list[str] = field(default_factory=list)

    def add(self, other: "Imported") -> None:
        self.made += other.made
        self.skipped += other.skipped
        self.refused += other.refused


def _category() -> CaseCategory:
    code = getattr(settings, "RECEPTION_MAILBOX_CATEGORY", "")
    found = CaseCategory.objects.filter(code=code).first() if code else None
    found = found or CaseCategory.objects.order_by("order", "code").first()
    if found is None:
        raise cs.CaseError(_("Add a case category in admin before importing a mailbox."))
    return found


def _kind() -> str:
    kind = getattr(settings, "RECEPTION_MAILBOX_KIND", "complaint")
    return kind if kind in Case.Kind.values else Case.Kind.COMPLAINT


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        text = body.get_content()
    except (LookupError, KeyError):  # an unknown charset
        text = body.get_payload(decode=True).decode("utf-8", "replace")
    if body.get_content_type() == "text/html":
        text = re.sub(r"\n\s*\n+", "\n\n", strip_tags(text))
    return text.strip()


def _key(message: EmailMessage, raw: bytes) -> str:
    found = (message.get("Message-ID") or "").strip()
    return found[:300] if found else f"sha256:{hashlib.sha256(raw).hexdigest()}"


def import_message(
    raw: bytes, *, received_by=None, category: CaseCategory | None = None
) -> Imported:
    """One message (its RFC 5322 bytes) as a case, unless its Message-ID is already one."""
    done = Imported()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    key = _key(message, raw)
    if Case.objects.filter(message_id=key).exists():
        done.skipped = 1
        return done
    name, address = parseaddr(str(message.get("From", "")))
    address = address if "@" in address else ""
    subject = str(message.get("Subject", "")).strip() or _("(no subject)")
    content = _text_of(message) or subject
    try:
        with transaction.atomic():
            case = cs.case_create(
                channel=Case.Channel.MAILBOX,
                kind=_kind(),
                category=category or _category(),
                title=subject,
                content=content[:20000],
                contact_name=(name or address)[:100],
                contact_email=address,
                anonymous=not address,
                received_by=received_by,
                message_id=key,
            )
            done.refused = _attach(case, message)
    except IntegrityError:
        # Another import (a tick at the same moment) made this message's case first.
        done.skipped = 1
        return done
    done.made.append(case.pk)
    return done


def _attach(case: Case, message: EmailMessage) -> list[str]:
    refused = []
    for part in message.iter_attachments():
        name = (part.get_filename() or "attachment")[-200:]
        data = part.get_payload(decode=True) or b""
        upload = SimpleUploadedFile(name, data)
        try:
            uploads.check_upload(upload, max_bytes=MAX_ATTACHMENT_BYTES)
        except ValidationError as exc:
            note = " ".join(exc.messages)
            CaseEvent.objects.create(case=case, action="attachment_refused", note=note)
            refused.append(note)
            continue
        CaseAttachment.objects.create(case=case, file=upload, name=name, size=len(data))
    return refused


def import_file(upload, *, received_by=None) -> Imported:
    """An uploaded mailbox file: an mbox (starts with "From ") or one .eml message."""
    if upload.size > MAX_FILE_BYTES:
        raise cs.CaseError(_("The mailbox file is larger than 50 MB."))
    upload.seek(0)
    data = upload.read()
    if not data.strip():
        raise cs.CaseError(_("The mailbox file is empty."))
    category = _category()
    done = Imported()
    if not data.startswith(b"From "):
        if b":" not in data.split(b"\n", 1)[0]:
            raise cs.CaseError(_("This is neither an mbox file nor an e-mail message (.eml)."))
        done.add(import_message(data, received_by=received_by, category=category))
        return done
    with tempfile.NamedTemporaryFile(suffix=".mbox") as spool:
        spool.write(data)
        spool.flush()
        box = mailbox.mbox(spool.name, create=False)
        try:
            for key in box.iterkeys():
                done.add(
                    import_message(box.get_bytes(key), received_by=received_by, category=category)
                )
        finally:
            box.close()
    return done


# --- IMAP ------------------------------------------------------------------------------------


def imap_configured() -> bool:
    return bool(getattr(settings, "RECEPTION_IMAP_HOST", ""))


def imap_import(
    *,
    host: str | None = None,
    port: int | None = None,
    ssl: bool | None = None,
    user: str | None = None,
    password: str | None = None,
    folder: str | None = None,
) -> Imported:
    """Reads every message of the folder (the settings unless given) and imports those not yet
    imported; the server is asked for each message's Message-ID first (BODY.PEEK, nothing is
    marked read), and only new messages are fetched whole."""
    host = host or settings.RECEPTION_IMAP_HOST
    port = port or settings.RECEPTION_IMAP_PORT
    ssl = settings.RECEPTION_IMAP_SSL if ssl is None else ssl
    user = settings.RECEPTION_IMAP_USER if user is None else user
    password = settings.RECEPTION_IMAP_PASSWORD if password is None else password
    folder = folder or settings.RECEPTION_IMAP_FOLDER
    category = _category()
    done = Imported()
    client = imaplib.IMAP4_SSL(host, port) if ssl else imaplib.IMAP4(host, port)
    try:
        client.login(user, password)
        status, _data = client.select(folder, readonly=True)
        if status != "OK":
            raise cs.CaseError(
                _("The mailbox folder %(folder)s cannot be opened.") % {"folder": folder}
            )
        _status, found = client.uid("SEARCH", None, "ALL")
        uids = found[0].split() if found and found[0] else []
        for uid in uids:
            _status, head = client.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            header = next((part[1] for part in head if isinstance(part, tuple)), b"")
            message_id = (
                email.message_from_bytes(header, policy=email.policy.default).get("Message-ID")
                or ""
            ).strip()
            if message_id and Case.objects.filter(message_id=message_id[:300]).exists():
                done.skipped += 1
                continue
            _status, body = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in body if isinstance(part, tuple)), b"")
            if raw:
                done.add(import_message(raw, category=category))
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return done


def imap_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The tick's pass: once per window of RECEPTION_IMAP_EVERY_MINUTES across all processes
    (``once``), and only where a host is set."""
    from workflows.reminders import once

    if not imap_configured():
        return {}
    now = timezone.localtime(now or timezone.now())
    every = max(1, settings.RECEPTION_IMAP_EVERY_MINUTES)
    window = int(now.timestamp() // (every * 60))
    if not once("mailbox.imap", str(window)):
        return {"imported": 0}
    try:
        done = imap_import()
    except (imaplib.IMAP4.error, OSError, cs.CaseError):
        return {"imported": 0, "failed": 1}
    return {"imported": len(done.made), "skipped": done.skipped}
