import pytest
from django.core.management import call_command

from hall.demo_catalogue import SERVICES
from hall.models import (
    Area,
    Department,
    Role,
    Service,
    ServiceContact,
    ServiceField,
    ServiceStep,
    User,
)
from hall.selectors import service_parts, services_with_parts

REQUIRED_NAMES = [
    "Leaders and Cadres Daily Theory Study Online Sheet",
    "Intermediate Leadership Team Annual Work Summary Online Submission",
    "Intermediate Leaders Work Report and Report on Corruption Online Submission",
    "Leaders and Cadres Approval Backup Form (going out / leave for personal reasons)",
    "Cadres with Double Shoulder Task Academic Leave Application Form",
    "Leaders and Cadres Personal Visa (Endorsement) Handling Approval Backup Form",
    "Leaders and Cadres Personal Going Abroad (out of border) Application Form",
    "Scientific Research Financial Data One-key Inquiry",
    "Receipt Claim (vertical research project)",
    "Pre-borrowed Invoice (research fees)",
    "Receipt (Project Establishment) Claim with a pre-borrowed invoice",
    "Receipt (Project Establishment) Claim without a pre-borrowed invoice",
    "Scientific Project Budget Adjustment",
    "Scientific Fees Transference Approval",
]


def dump() -> dict:
    services = {
        s.code: (
            s.name_zh,
            s.name_en,
            s.area.code,
            s.department.code,
            s.letter,
            s.search_text,
            s.is_published,
            s.popularity,
            service_parts(s),
        )
        for s in services_with_parts()
    }
    users = sorted(
        User.objects.values_list(
            "username", "full_name", "number", "department__code", "identity", "phone", "password"
        )
    )
    roles = sorted(
        (r.department.code, r.code, tuple(sorted(r.holders.values_list("username", flat=True))))
        for r in Role.objects.select_related("department")
    )
    heads = sorted(Department.objects.values_list("code", "heads__username", "parent__code"))
    from workflows.models import ServiceRequest

    requests = sorted(
        ServiceRequest.objects.values_list("applicant__username", "service__code", "status")
    )
    return {
        "services": services,
        "users": users,
        "roles": roles,
        "heads": heads,
        "requests": requests,
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo")
        first = dump()
        call_command("seed_demo")
        second = dump()
        yield first, second
        # The demo fills the archives, and approved demo requests file themselves; the archive
        # log refuses DELETE, so every archives table (and every back office's) is emptied with
        # TRUNCATE (Postgres) or with foreign keys off (SQLite, where the trigger does not exist).
        from django.apps import apps
        from django.db import connection
        from viewflow.workflow.models import Process

        from workflows.models import RequestCounter, ServiceRequest

        # The back offices' demo rows point at people and departments with PROTECT: they go
        # the same way, before the catalogue and the people below.
        back_offices = ("archives", "documents", "reception", "performance", "research")
        tables = [
            m._meta.db_table
            for label in back_offices
            for m in apps.get_app_config(label).get_models(include_auto_created=True)
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            else:
                cursor.execute("PRAGMA foreign_keys = OFF")
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
                cursor.execute("PRAGMA foreign_keys = ON")
        ServiceRequest.objects.all().delete()
        # The demo's reminder passes (cases escalated, materials chased) claim their sends in
        # the one exactly-once log, which belongs to no request: it goes too, or a later test's
        # count of sends finds the demo's.
        from workflows.models import SentOnce

        SentOnce.objects.all().delete()
        # The research mirror's projects keep their PI (PROTECT): they go before the people.
        from workflows.research.models import Project

        Project.objects.all().delete()
        RequestCounter.objects.all().delete()
        Process.objects.all().delete()
        Service.objects.all().delete()
        Role.objects.all().delete()
        User.objects.all().delete()
        Department.objects.update(parent=None)
        Department.objects.all().delete()
        Area.objects.all().delete()


def test_seed_demo_twice_gives_the_same_data(seeded):
    first, second = seeded
    assert first == second


def test_the_demo_catalogue_has_168_services_in_6_areas_and_15_departments(seeded, db):
    assert Service.objects.filter(is_published=True).count() == 168 == len(SERVICES)
    assert Area.objects.count() == 6
    assert Department.objects.count() == 15
    for area in Area.objects.all():
        assert area.services.count() >= 20, area.code
    names = set(Service.objects.values_list("name_en", flat=True))
    assert set(REQUIRED_NAMES) <= names


def test_every_online_demo_service_has_a_form_and_a_resolvable_chain(seeded, db):
    role_keys = set(Role.objects.values_list("department__code", "code"))
    role_codes = {code for _, code in role_keys}
    online = Service.objects.filter(is_online=True, is_published=True)
    assert online.count() > 150
    for service in online:
        assert ServiceField.objects.filter(service=service).exists(), service.code
        steps = list(ServiceStep.objects.filter(service=service).select_related("department"))
        assert steps, service.code
        for step in steps:
            if step.rule == "department_role":
                assert (step.department.code, step.role_code) in role_keys, service.code
            if step.rule == "applicant_role":
                assert step.role_code in role_codes
            step.full_clean(exclude=["service"])
        assert ServiceContact.objects.filter(service=service).exists()


def test_the_demo_has_requests_in_every_state(seeded, db):
    from workflows.models import ApprovalTask, ServiceRequest

    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(
        ServiceRequest.Status.values
    )
    assert ServiceRequest.objects.filter(urgent=True, status="in_progress").exists()
    assert ApprovalTask.objects.filter(status="pending", assignee__isnull=False).exists()
    assert ApprovalTask.objects.filter(status="pending", assignee__isnull=True).exists()


def test_demo_people_cover_the_personas(seeded, db):
    identities = set(User.objects.values_list("identity", flat=True))
    assert {"staff", "undergraduate", "graduate"} <= identities
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    assert Department.objects.filter(heads__isnull=False).distinct().count() == 15
    faculty = User.objects.get(username="zhangwei")
    assert faculty.full_name and faculty.number and faculty.phone and faculty.department


def test_every_online_demo_service_can_be_applied_for_and_approved(seeded, db):
    import uuid

    from archives.services import LOAN_SERVICE
    from workflows import services as engine
    from workflows.demo import _approve_all, _loan_form, _sample_value
    from workflows.models import ServiceRequest

    applicants = {
        identity: User.objects.select_related("department").filter(identity=identity).first()
        for identity in ("staff", "undergraduate", "graduate")
    }
    for service in Service.objects.filter(is_online=True, is_published=True).prefetch_related(
        "fields"
    ):
        identity = next(
            i
            for i, flag in (
                ("staff", service.for_staff),
                ("undergraduate", service.for_undergraduates),
                ("graduate", service.for_graduates),
            )
            if flag
        )
        user = applicants[identity]
        form_data = {
            f.key: _sample_value(f, user) for f in service.fields.all() if f.field_type != "file"
        }
        if service.code == LOAN_SERVICE:
            form_data = _loan_form(form_data)  # codes that exist in the demo archives
        if any(f.field_type in ("project", "invoice") for f in service.fields.all()):
            from workflows.research.demo import sample_form

            form_data, user = sample_form(service, form_data)  # a real project, an open invoice
        request = engine.request_submit(
            service=service,
            applicant=user,
            form_data=form_data,
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )
        request = _approve_all(request)
        assert request.status == ServiceRequest.Status.APPROVED, service.code


def test_the_demo_professor_sees_his_projects_and_fresh_figures_on_research(
    seeded, db, client, settings
):
    # given: the demo as seed_demo left it
    client.force_login(User.objects.get(username="zhangwei"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    html = client.get("/research/").content.decode()
    # then: his projects (he leads twelve), and the figures say when they came, not "stale"
    assert html.count('class="card research-project"') >= 12
    assert "NSFC-2024-001" in html
    assert "Figures as of" in html
    assert "may be out of date" not in html and "No figures have been brought" not in html


def test_the_demo_has_one_monthly_plan_with_six_months_and_loading_again_adds_none(seeded, db):
    from performance.models import CheckIn, CheckInPeriod, Plan
    from performance.plans_demo import seed_demo_plans

    monthly = Plan.objects.get(period=CheckInPeriod.MONTHLY)
    assert monthly.status == Plan.Status.APPROVED and monthly.unit.kind == Department.Kind.UNIT
    months = set(CheckIn.objects.filter(line__plan=monthly).values_list("quarter", flat=True))
    assert months == {1, 2, 3, 4, 5, 6}
    assert Plan.objects.filter(period=CheckInPeriod.QUARTERLY).count() >= 6
    counts = (Plan.objects.count(), CheckIn.objects.count())
    seed_demo_plans()
    assert (Plan.objects.count(), CheckIn.objects.count()) == counts
    assert Plan.objects.filter(period=CheckInPeriod.MONTHLY).count() == 1
