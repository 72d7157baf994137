from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance and supervision")

    def ready(self) -> None:
        # Extensions are decided by a catalogue chain whose moments come back here, and the
        # supervision reminders ride on the hall's one reminder tick: workflows imports neither.
        from performance import board_cache, handoffs, plans, services
        from workflows import reminders

        handoffs.register_all()
        plans.register_all()
        board_cache.connect()
        reminders.register_tick("supervision", services.supervision_tick)
        from performance import dashboards, evaluation

        reminders.register_tick("plans", dashboards.checkin_tick)
        evaluation.register_all()
        from performance import coordination

        coordination.register_all()
        from performance import weight_changes

        weight_changes.register_all()

    def seed_demo(self) -> str:
        from performance.demo import seed_demo_supervision
        from performance.plans_demo import seed_demo_plans

        items = seed_demo_supervision()
        made = f"{items} demo supervision items, {seed_demo_plans()} demo unit plans"
        from performance.evaluation_demo import seed_demo_coordination, seed_demo_evaluation

        made = f"{made}, {seed_demo_evaluation()} demo evaluation"
        return f"{made}, {seed_demo_coordination()} demo coordination case"
