from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    """The hall's mirror of the research and finance offices' systems of record.

    It sits inside the workflows package (the project's top level is fixed) and may import hall,
    archives and workflows; nothing below it imports it. Its claims' chains carry their moments
    back here through handoffs registered by service code.
    """

    name = "workflows.research"
    label = "research"
    verbose_name = _("Research funds")

    def ready(self) -> None:
        from workflows.handoffs import register_facts
        from workflows.research import fields, handoffs, transfers

        handoffs.register_all()
        fields.register_all()
        register_facts(transfers.facts)
        from workflows.handoffs import register_instant

        register_instant("research-finance-one-key-inquiry", "research:inquiry")
        register_instant("party-fee-inquiry", "research:party-fees")
        from hall.models import DECIDED_CONDITIONS
        from workflows.research.adjustments import REVIEW_FIELD

        DECIDED_CONDITIONS[(REVIEW_FIELD, "yes")] = _(
            "the adjustment rules call for the research office's review"
        )

    def seed_demo(self) -> str:
        from workflows.research.demo import seed_demo_research

        return seed_demo_research()
