from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = _("One-stop Business Hall")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from hall.sessions import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="hall.sessions.start_idle_clock")

        # The cached catalogue facets (hall.selectors.catalogue_facets) follow every write of a
        # service, area or department, whoever makes it (admin, its import, services, the
        # demo), so a signal rather than a call in each writer: it is a cache, not a domain
        # effect. Popularity goes through QuerySet.update(), which sends none.
        # The guide pages are cached per version too (hall.selectors.service_for_guide), so
        # a service's steps, fields, contacts, departments and the roles they name start one.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from hall.models import (
            Area,
            Department,
            Role,
            Service,
            ServiceContact,
            ServiceField,
            ServiceStep,
        )

        for model in (Service, Area, Department, ServiceStep, ServiceField, ServiceContact, Role):
            post_save.connect(_catalogue_changed, sender=model, dispatch_uid=f"facets-{model}")
            post_delete.connect(_catalogue_changed, sender=model, dispatch_uid=f"facets-d-{model}")
        m2m_changed.connect(
            _catalogue_changed,
            sender=Service.departments.through,
            dispatch_uid="facets-service-departments",
        )

        # The cached calendar overrides (hall.calendar.overrides_between) likewise follow every
        # save or delete of a CalendarDay.
        from hall.models import CalendarDay

        post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="calendar-days")
        post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="calendar-days-d")


def _catalogue_changed(**kwargs) -> None:
    from django.db import transaction

    from hall.selectors import catalogue_changed

    catalogue_changed()
    transaction.on_commit(catalogue_changed)  # a page that counted before the commit


def _calendar_changed(**kwargs) -> None:
    from django.db import transaction

    from hall.calendar import calendar_changed

    calendar_changed()
    transaction.on_commit(calendar_changed)  # a due date read before the commit
