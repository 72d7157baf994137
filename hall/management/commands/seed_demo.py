from django.apps import apps
from django.core.management.base import BaseCommand

from hall.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Loads the demo areas, departments, people and services (safe to run again)."

    def handle(self, *args, **options):
        counts = seed_demo()
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        # Other apps add their demo rows through their AppConfig: hall imports none of them.
        for config in apps.get_app_configs():
            if config.name != "hall" and hasattr(config, "seed_demo"):
                summary += f", {config.seed_demo()}"
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        self.stdout.write(f"Demo logins use the password {DEMO_PASSWORD!r} (see README).")
