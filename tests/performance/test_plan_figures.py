# ruff: noqa: F811 — the tests take the plans tests' ``setup`` fixture, imported by name
"""Each plan's dashboard figures are kept on the plan (``Plan.figures``) by its writes: counted
again once the write commits, so the institution's page after any write reads them and counts
nothing; a reader who finds a plan's figures cleared counts that plan itself."""

from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance import dashboards, plans
from performance.models import Plan
from tests.performance.conftest import at
from tests.performance.test_dashboards import approved  # noqa: F401 — the fixture
from tests.performance.test_plans import setup  # noqa: F401 — the fixture


def _counted(plan: Plan) -> dict:
    """The plan's figures counted from its lines and check-ins now, as kept."""
    fresh = dashboards._plan_figures(Plan.objects.filter(pk=plan.pk))[plan.pk]
    return dashboards._stored(fresh)


def test_a_check_in_keeps_its_plans_figures_once_it_commits(
    setup, approved, django_capture_on_commit_callbacks
):
    # given the plan's figures kept
    dashboards.refresh_figures([approved.pk])
    approved.refresh_from_db()
    assert approved.figures == _counted(approved)
    assert approved.figures["checked"] == {"1": 1, "2": 1}
    # when the head records the papers' third quarter
    line = approved.lines.get(indicator__name="高水平论文")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with time_machine.travel(at("2026-10-10 10:00"), tick=False):
            plans.checkin_record(line_id=line.pk, user=setup["hank"], quarter=3, value=Decimal(36))
        # then until it commits the plan's figures are cleared, not stale
        approved.refresh_from_db()
        assert approved.figures is None
    for callback in callbacks:
        callback()
    # and once it has, they are counted again with the new check-in
    approved.refresh_from_db()
    assert approved.figures == _counted(approved)
    assert approved.figures["checked"] == {"1": 1, "2": 1, "3": 1}


def test_the_institution_page_after_a_write_reads_the_kept_figures_and_counts_nothing(
    client, setup, approved, django_capture_on_commit_callbacks
):
    client.force_login(setup["sam"])
    url = reverse("performance:plans-dashboard") + "?year=2026"
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        first = client.get(url).context["table"]  # counts the plans, keeps their figures
        assert Plan.objects.filter(year=2026, figures__isnull=True).count() == 0
        # when a write to every plan commits (its recount runs after the commit)
        with django_capture_on_commit_callbacks(execute=True):
            plans.changed()
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url).context["table"]
    # then the page is the same and no query aggregated a plan's lines or check-ins
    assert again == first
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "performance_checkin" not in sql
    assert "COUNT(" not in sql.upper()


def test_a_reader_who_finds_figures_cleared_counts_and_keeps_them(client, setup, approved):
    client.force_login(setup["sam"])
    url = reverse("performance:plans-dashboard") + "?year=2026"
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        before = client.get(url).context["table"]
        kept = Plan.objects.get(pk=approved.pk).figures
        # when the figures are cleared (a write whose recount has not run) and a reader comes
        plans.changed(approved.pk)
        assert Plan.objects.get(pk=approved.pk).figures is None
        after = client.get(url).context["table"]
    # then the reader counted that plan and kept it, as the writer's recount would
    assert Plan.objects.get(pk=approved.pk).figures == kept == _counted(approved)
    assert after == before
