from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from workflows.research import services
from workflows.research.models import ImportRun


class Command(BaseCommand):
    help = (
        "Imports an export of the research and finance systems (projects, budgets or ledger "
        "entries; .xlsx or .csv), all rows or none; or --pull from RESEARCH_API_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", choices=ImportRun.Kind.values)
        parser.add_argument("path", nargs="?")
        parser.add_argument("--pull", action="store_true")

    def handle(self, *args, kind=None, path=None, pull=False, **options):
        if pull:
            runs = services.mirror_pull()
            if not runs:
                raise CommandError("RESEARCH_API_URL is not set.")
        else:
            if not kind or not path:
                raise CommandError("Give a layout (projects, budgets, movements) and a file.")
            file = Path(path)
            upload = SimpleUploadedFile(file.name, file.read_bytes())
            runs = [services.mirror_import_file(kind=kind, upload=upload)]
        for run in runs:
            self.stdout.write(
                f"{run.kind} from {run.source}: "
                + (
                    f"applied, {run.created} created, {run.updated} updated, "
                    f"{run.unchanged} unchanged"
                    if run.ok
                    else "refused, nothing changed"
                )
            )
            if not run.ok:
                for problem in run.report:
                    self.stdout.write(f"  row {problem['row']}: {problem['reason']}")
        if not all(run.ok for run in runs):
            raise CommandError("Refused.")
