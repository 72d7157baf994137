"""The principal's / mayor's mailbox imported as cases: an mbox or .eml upload on the office's
page, and an IMAP folder read by Python's imaplib (the command and the tick) from a minimal
IMAP4rev1 server written here (LOGIN, EXAMINE, UID SEARCH, UID FETCH, LOGOUT on a real socket);
each message once by its Message-ID, attachments through hall.uploads' checks."""

import io
import re
import socketserver
import threading
from email.message import EmailMessage

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from reception import case_services as cs
from reception import mailbox
from reception.models import Case, CaseAttachment
from workflows.reminders import app_ticks

from .conftest import at


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def message(n: int, *, attach: list[tuple[str, bytes, str]] = (), message_id: bool = True):
    msg = EmailMessage()
    msg["From"] = f"市民{n} <citizen{n}@example.cn>"
    msg["To"] = "mayor@example.gov.cn"
    msg["Subject"] = f"关于小区停车难的来信 {n}"
    if message_id:
        msg["Message-ID"] = f"<letter-{n}@example.cn>"
    msg.set_content(f"市长您好：小区停车位不足，第{n}封信。")
    for name, data, kind in attach:
        maintype, subtype = kind.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def mbox(*messages: bytes) -> bytes:
    out = b""
    for raw in messages:
        out += (
            b"From citizen@example.cn Mon Dec  7 09:00:00 2026\n"
            + raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
            + b"\n"
        )
    return out


def upload(data: bytes, name: str = "mailbox.mbox"):
    return SimpleUploadedFile(name, data)


# --- files -----------------------------------------------------------------------------------


def test_an_mbox_makes_one_case_per_message_and_a_second_import_skips_them(office, noise):
    data = mbox(message(1), message(2, attach=[("photo.png", png(), "image/png")]))
    done = mailbox.import_file(upload(data), received_by=office)
    assert len(done.made) == 2 and done.skipped == 0
    case = Case.objects.get(message_id="<letter-2@example.cn>")
    assert case.channel == Case.Channel.MAILBOX and case.contact_email == "citizen2@example.cn"
    assert case.contact_name == "市民2" and "第2封信" in case.content
    assert case.title == "关于小区停车难的来信 2"
    assert [a.name for a in case.attachments.all()] == ["photo.png"]
    # again: nothing new
    again = mailbox.import_file(upload(data), received_by=office)
    assert again.made == [] and again.skipped == 2
    assert Case.objects.count() == 2


def test_an_eml_and_a_message_without_message_id_are_imported_once(office, noise):
    raw = message(3, message_id=False)
    assert len(mailbox.import_file(upload(raw, "letter.eml")).made) == 1
    assert mailbox.import_file(upload(raw, "letter.eml")).skipped == 1
    assert Case.objects.get().message_id.startswith("sha256:")


def test_a_refused_attachment_is_noted_and_not_kept(office, noise):
    raw = message(4, attach=[("run.exe", b"MZ\x90\x00", "application/octet-stream")])
    done = mailbox.import_file(upload(raw, "x.eml"))
    case = Case.objects.get()
    assert CaseAttachment.objects.count() == 0 and len(done.refused) == 1
    assert "run.exe" in case.events.get(action="attachment_refused").note


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\nnot mail", "neither an mbox")],
    ids=["empty", "not-mail"],
)
def test_a_file_that_is_no_mailbox_is_refused(office, noise, data, message):
    with pytest.raises(cs.CaseError, match=message):
        mailbox.import_file(upload(data))
    assert Case.objects.count() == 0


def test_the_office_imports_on_its_page(client, office, noise):
    client.force_login(office)
    assert client.get(reverse("reception:mailbox-import")).status_code == 200
    response = client.post(
        reverse("reception:mailbox-import"),
        {"file": upload(mbox(message(1), message(2)))},
        follow=True,
    )
    assert "2 cases made from the mailbox" in response.content.decode()
    case = Case.objects.get(message_id="<letter-1@example.cn>")
    assert case.received_by == office
    # a refusal: the message on the page, nothing changed
    response = client.post(
        reverse("reception:mailbox-import"), {"file": upload(b"hello", "x.eml")}, follow=True
    )
    assert "neither an mbox" in response.content.decode()
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "status"), [("office", 200), ("ron", 404), ("charlie", 404), ("anonymous", 302)]
)
def test_the_import_page_by_persona(client, office, ron, charlie_user, who, status):
    people = {"office": office, "ron": ron, "charlie": charlie_user}
    if who in people:
        client.force_login(people[who])
    assert client.get(reverse("reception:mailbox-import")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("ron", 200), ("pat", 404), ("charlie", 404), ("anonymous", 302)],
)
def test_an_attachment_by_persona(
    client, office, ron, pat, roads, charlie_user, noise, who, status
):
    mailbox.import_file(upload(message(5, attach=[("photo.png", png(), "image/png")]), "a.eml"))
    case = cs.case_accept(case=Case.objects.get(), by=office)
    cs.case_dispatch(case=case, by=office, lead_unit=roads)
    people = {"office": office, "ron": ron, "pat": pat, "charlie": charlie_user}
    if who in people:
        client.force_login(people[who])
    found = CaseAttachment.objects.get()
    response = client.get(reverse("reception:case-attachment", args=[case.pk, found.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == png()


# --- IMAP: imaplib against a real (minimal) server -----------------------------------------


class Folder:
    def __init__(self, messages: list[bytes], password: str = "secret"):
        self.messages, self.password = messages, password
        self.commands: list[str] = []
        self.sessions = 0


def _literal(data: bytes) -> bytes:
    return b"{%d}\r\n" % len(data) + data


class IMAPHandler(socketserver.StreamRequestHandler):
    """Enough of RFC 3501 for imaplib: a session, one folder, UIDs 1..n, peeks only."""

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        folder: Folder = self.server.folder
        folder.sessions += 1
        self.send(b"* OK [CAPABILITY IMAP4rev1] fixture ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _sp, rest = line.rstrip(b"\r\n").partition(b" ")
            command = rest.decode()
            folder.commands.append(command)
            verb = command.split(" ", 1)[0].upper()
            if verb == "CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif verb == "LOGIN":
                _user, password = command.split(" ", 2)[1:]
                if password.strip('"') != folder.password:
                    self.send(tag + b" NO [AUTHENTICATIONFAILED] wrong password")
                    continue
            elif verb in ("SELECT", "EXAMINE"):
                self.send(b"* %d EXISTS" % len(folder.messages))
                self.send(b"* FLAGS (\\Seen)")
                self.send(tag + b" OK [READ-ONLY] done")
                continue
            elif command.upper().startswith("UID SEARCH"):
                uids = " ".join(str(i + 1) for i in range(len(folder.messages)))
                self.send(b"* SEARCH " + uids.encode())
            elif command.upper().startswith("UID FETCH"):
                uid = int(command.split(" ")[2])
                raw = folder.messages[uid - 1]
                if "HEADER.FIELDS" in command.upper():
                    found = re.search(rb"(?im)^message-id:.*\r?\n", raw)
                    part = (found.group(0) if found else b"") + b"\r\n"
                    item = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
                else:
                    part, item = raw, b"BODY[]"
                self.wfile.write(b"* %d FETCH (UID %d %s " % (uid, uid, item) + _literal(part))
                self.send(b")")
            elif verb == "LOGOUT":
                self.send(b"* BYE")
                self.send(tag + b" OK bye")
                return
            else:
                self.send(tag + b" BAD unknown")
                continue
            self.send(tag + b" OK done")


@pytest.fixture
def imap_server(settings):
    folder = Folder([message(1), message(2, attach=[("photo.png", png(), "image/png")])])
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), IMAPHandler)
    server.daemon_threads = True
    server.folder = folder
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.RECEPTION_IMAP_HOST = "127.0.0.1"
    settings.RECEPTION_IMAP_PORT = server.server_address[1]
    settings.RECEPTION_IMAP_SSL = False
    settings.RECEPTION_IMAP_USER = "mayor"
    settings.RECEPTION_IMAP_PASSWORD = "secret"
    settings.RECEPTION_IMAP_FOLDER = "INBOX"
    settings.RECEPTION_IMAP_EVERY_MINUTES = 10
    yield folder
    server.shutdown()
    server.server_close()


def test_the_command_reads_the_imap_folder_once_per_message(imap_server, noise):
    out = io.StringIO()
    call_command("import_mailbox", "--imap", stdout=out)
    assert "2 cases made" in out.getvalue()
    assert Case.objects.filter(channel="mailbox").count() == 2
    assert CaseAttachment.objects.count() == 1
    # read-only and peeks only: nothing is marked read on the server
    assert any(c.startswith("EXAMINE") for c in imap_server.commands)
    assert all("BODY.PEEK" in c for c in imap_server.commands if "FETCH" in c)
    # again: the known messages are skipped by their Message-ID without fetching their bodies
    imap_server.commands.clear()
    out = io.StringIO()
    call_command("import_mailbox", "--imap", stdout=out)
    assert "0 cases made, 2 already imported" in out.getvalue()
    assert not [c for c in imap_server.commands if "BODY.PEEK[]" in c]


def test_the_tick_reads_the_folder_once_per_window(imap_server, noise):
    with time_machine.travel(at("2026-12-07", "09:01"), tick=False):
        first = app_ticks()
        second = app_ticks()
    assert first["mailbox.imported"] == 2 and second["mailbox.imported"] == 0
    assert imap_server.sessions == 1
    imap_server.messages.append(message(3))
    with time_machine.travel(at("2026-12-07", "09:12"), tick=False):
        assert app_ticks()["mailbox.imported"] == 1
    assert imap_server.sessions == 2


def test_a_wrong_password_imports_nothing_and_the_tick_goes_on(imap_server, settings, noise):
    settings.RECEPTION_IMAP_PASSWORD = "wrong"
    with time_machine.travel(at("2026-12-07", "09:01"), tick=False):
        sent = app_ticks()
    assert sent["mailbox.failed"] == 1 and Case.objects.count() == 0


def test_without_a_host_the_tick_does_not_read(settings, noise):
    settings.RECEPTION_IMAP_HOST = ""
    assert not any(key.startswith("mailbox.") for key in app_ticks())
