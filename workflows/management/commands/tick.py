import time

from django.core.management.base import BaseCommand

from archives.services import loans_expire, loans_remind
from archives.tasks import office_remind
from hall.notifications import deliveries_sweep
from hall.services import popularity_fold
from workflows.reminders import pdf_orphans_sweep, reminders_tick

ORPHANS_EVERY = 3600


class Command(BaseCommand):
    help = (
        "Runs the reminder tick, the archives' loan reminders, the message outbox and the "
        "guides' view counts once "
        "(or every minute with --loop, then the sweep of orphan approval PDFs hourly): "
        "what celery beat does in production, for the embedded hall without a broker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="repeat every --every seconds")
        parser.add_argument("--every", type=int, default=60)

    def handle(self, *args, loop=False, every=60, **options):
        orphans_swept_at = None
        while True:
            if orphans_swept_at is None or time.monotonic() - orphans_swept_at >= ORPHANS_EVERY:
                pdf_orphans_sweep()  # hourly, as beat does; it logs what it removes
                orphans_swept_at = time.monotonic()
            sent = reminders_tick()  # with the passes other apps register
            sent["loans"] = loans_remind()
            loans_expire()
            sent.update(office_remind())
            swept = deliveries_sweep()
            popularity_fold()  # the guides' views counted in Redis, when the cache is Redis
            if any(sent.values()) or swept:
                self.stdout.write(f"reminders {sent}, outbox {swept}")
            if not loop:
                return
            time.sleep(every)
