from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Approvals")

    def seed_demo(self) -> str:
        from workflows.demo import seed_demo_requests

        return f"{seed_demo_requests()} demo requests"
