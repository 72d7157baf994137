import errno

from django.conf import settings
from django.core.management.base import BaseCommand

from workflows.research.receiver import Receiver


class Command(BaseCommand):
    help = (
        "Serves the demo's finance system of record: receives the hall's data transferences, "
        "verifies their HMAC and acknowledges them (FINANCE_RECEIVER_ENABLED=0 switches it off)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.FINANCE_RECEIVER_PORT)

    def handle(self, *args, port: int, **options):
        if not settings.FINANCE_RECEIVER_ENABLED:
            self.stdout.write("finance receiver: switched off (FINANCE_RECEIVER_ENABLED=0)")
            return
        try:
            server = Receiver(("127.0.0.1", port), settings.FINANCE_RECEIVER_SECRET)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            # Not fatal: the hall keeps the approved requests in its outbox and sends them when
            # a receiver answers on that port again (or another one is already serving there).
            self.stderr.write(
                f"finance receiver: port {port} is busy; not started. Approved requests wait "
                "in the hall's outbox until a receiver answers there "
                "(FINANCE_RECEIVER_PORT=… make run picks another port)."
            )
            return
        self.stdout.write(f"finance receiver: listening on http://127.0.0.1:{port}/receive/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
