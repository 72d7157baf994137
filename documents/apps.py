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
        from documents import seals

        seals.register_handoffs()
        # 催阅 and 催办 ride on the hall's reminder tick.
        from documents.incoming import reminders_tick
        from workflows.reminders import register_tick

        register_tick("documents", reminders_tick)
        # Drafting tasks: their review chain's handoff, and the units' material reminders.
        from documents import drafting

        drafting.register_handoffs()
        register_tick("documents-drafting", drafting.reminders_tick)
        # Legal counsel: the contract-review chain's handoff; expiry and hearing reminders.
        from documents import legal

        legal.register_handoffs()
        register_tick("documents.legal", legal.reminders_tick)

    def seed_demo(self) -> str:
        from documents.demo import seed_demo_documents
        from documents.drafting_demo import seed_demo_drafting

        seed_demo_drafting()
        return f"{seed_demo_documents()} demo documents"
