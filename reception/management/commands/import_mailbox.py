"""Imports the principal's / mayor's mailbox as cases: a file (mbox or .eml) or the IMAP folder
of the settings (RECEPTION_IMAP_*); each message once, by its Message-ID."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from reception import mailbox
from reception.case_services import CaseError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="mbox or .eml files")
        parser.add_argument("--imap", action="store_true", help="read the IMAP folder")
        parser.add_argument("--folder", default=None, help="another IMAP folder")

    def handle(self, *args, files, imap, folder, **options):
        if not files and not imap:
            raise CommandError("Give mailbox files or --imap.")
        if imap and not mailbox.imap_configured():
            raise CommandError("Set RECEPTION_IMAP_HOST (and _USER, _PASSWORD) first.")
        done = mailbox.Imported()
        try:
            for path in files:
                with open(path, "rb") as handle:
                    upload = SimpleUploadedFile(path.rsplit("/", 1)[-1], handle.read())
                done.add(mailbox.import_file(upload))
            if imap:
                done.add(mailbox.imap_import(folder=folder))
        except (CaseError, OSError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        self.stdout.write(
            f"{len(done.made)} cases made, {done.skipped} already imported, "
            f"{len(done.refused)} attachments refused"
        )
