import time

from django.core.management.base import BaseCommand

from workflows.research.transfers import transfers_tick


class Command(BaseCommand):
    help = (
        "Sends the approved requests waiting in the data-transference outbox once (or every "
        "--every seconds with --loop): what celery beat's research-transfers does, for the "
        "embedded hall without a broker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--every", type=int, default=30)

    def handle(self, *args, loop=False, every=30, **options):
        while True:
            outcome = transfers_tick()
            if any(outcome.values()):
                self.stdout.write(f"data transference: {outcome}")
            if not loop:
                return
            time.sleep(every)
