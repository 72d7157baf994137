from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        # The archives sit below workflows and never import it: their handoffs are registered
        # here. Apps above workflows register their own from their ready().
        from workflows import archive_handoffs

        archive_handoffs.register_all()

    def seed_demo(self) -> str:
        from workflows.demo import seed_demo_requests

        return f"{seed_demo_requests()} demo requests"
