from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = _("Archives")

    def seed_demo(self) -> str:
        from django.utils import timezone

        from archives.demo import seed_demo_archives
        from archives.demo_office import seed_office

        records = f"{seed_demo_archives()} demo records"
        return f"{records}, {seed_office(now=timezone.now())}"
