from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = _("Archives")

    def seed_demo(self) -> str:
        from archives.demo import seed_demo_archives

        return f"{seed_demo_archives()} demo records"
