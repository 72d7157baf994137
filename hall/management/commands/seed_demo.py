from django.core.management.base import BaseCommand

from hall.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Loads the demo areas, departments, people and services (safe to run again)."

    def handle(self, *args, **options):
        counts = seed_demo()
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        self.stdout.write(f"Demo logins use the password {DEMO_PASSWORD!r} (see README).")
