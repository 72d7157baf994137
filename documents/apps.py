from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        # The chain of every document type carries its moments back here (submitted, signed,
        # returned or withdrawn, rejected): workflows never imports this app.
        from documents import handoffs

        handoffs.register_all()

    def seed_demo(self) -> str:
        from documents.demo import seed_demo_documents

        return f"{seed_demo_documents()} demo documents"
