from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "reception"
    verbose_name = _("Reception and petitions")

    def ready(self) -> None:
        # Bookings that need approval run a chain whose moments come back here.
        from reception import handoffs

        handoffs.register_all()
        # Duty swaps run the chain ``reception-duty-swap``; missed handovers ride the tick.
        from reception import watch
        from workflows.reminders import register_tick

        watch.register_all()
        register_tick("duty", watch.missed_tick)
        from hall.home import register_panel

        register_panel("duty", watch.home_panel)
        # Case extensions run a chain too; the case reminders ride on the hall's one tick.
        from reception import case_clock

        case_clock.register_all()
        # Proposals: the complex chain, and co-handlers' opinions on the tick.
        from reception import proposals

        proposals.register_all()
        # Unacknowledged incidents escalate tier by tier on the reminder tick.
        from reception import emergencies

        emergencies.register()
        # Visit plans run the chain ``reception-visit-plan`` (a higher approver when over the
        # standard).
        from reception import visit_plans

        visit_plans.register_all()

        # Service tasks of large activities are reminded before their due time.
        from reception import activities

        activities.register()

    def seed_demo(self) -> str:
        from reception.case_demo import seed_demo_cases
        from reception.demo import seed_demo_reception
        from reception.schedules_demo import (
            seed_demo_duty,
            seed_demo_schedules,
            seed_demo_watch,
        )

        bookings = seed_demo_reception()
        cases = seed_demo_cases()
        entries = seed_demo_schedules()
        shifts = seed_demo_duty()
        watch = seed_demo_watch()
        from reception.activities_demo import seed_demo_activities
        from reception.emergencies_demo import seed_demo_emergencies
        from reception.open311_demo import seed_demo_open311
        from reception.visits_demo import seed_demo_visits

        seed_demo_open311()
        incidents = seed_demo_emergencies()
        visits = seed_demo_visits()
        activities = seed_demo_activities()
        return (
            f"{bookings} demo bookings, {cases} demo cases, {entries} schedule entries, "
            f"{shifts} duty shifts, {watch} handovers and swaps, {incidents} incidents, "
            f"{visits} visits, {activities} activities"
        )
