from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = _("One-stop Business Hall")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from hall.sessions import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="hall.sessions.start_idle_clock")
