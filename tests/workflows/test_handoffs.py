"""The handoff registry, and the import map it keeps: no app imports one above it."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.chains import HEAD
from workflows import handoffs, services
from workflows.models import ServiceRequest

ROOT = Path(__file__).resolve().parents[2]

# Who may import whom (../shared/DESIGN.md): bottom to top, no cycles, nothing imports performance.
MAY_IMPORT = {
    "hall": set(),
    "archives": {"hall"},
    "workflows": {"hall", "archives"},
    "documents": {"hall", "archives", "workflows"},
    "reception": {"hall", "archives", "workflows"},
    "performance": {"hall", "archives", "workflows", "documents", "reception"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(MAY_IMPORT)


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_an_app_imports_only_the_apps_below_it(app):
    # given: every module of the app, migrations included
    offending = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        # when
        wrong = imported_apps(path) - MAY_IMPORT[app] - {app}
        if wrong:
            offending[str(path.relative_to(ROOT))] = sorted(wrong)
    # then
    assert offending == {}


def test_the_archives_handoffs_are_registered_by_workflows():
    from archives.services import APPRAISAL_SERVICE, LOAN_SERVICE

    assert handoffs.registered(LOAN_SERVICE) is not None
    assert handoffs.registered(APPRAISAL_SERVICE).form_data is not None
    assert {LOAN_SERVICE, APPRAISAL_SERVICE} <= set(handoffs.codes())


class Refusal(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@pytest.fixture
def registered_handoff():
    """A handoff registered as an app's ready() would, removed again afterwards."""
    moments = []

    def submitted(request):
        if request.form_data.get("amount") == "13":
            raise Refusal("十三不吉利")
        moments.append(("submitted", request.pk))

    handoff = handoffs.Handoff(
        submitted=submitted,
        approved=lambda request: moments.append(("approved", request.pk)),
        ended=lambda request, rejected: moments.append(("ended", request.pk, rejected)),
        required_fields=("amount",),
        refusals=(Refusal,),
    )
    handoffs.register("test-handoff", handoff)
    yield handoff, moments
    handoffs._REGISTRY.pop("test-handoff", None)


def test_a_registered_handoff_hears_submission_and_approval(
    registered_handoff, make_chain, submit, people
):
    # given
    _, moments = registered_handoff
    service = make_chain([HEAD], code="test-handoff")
    # when
    req = submit(service)
    task = req.tasks.get()
    services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    # then
    assert moments == [("submitted", req.pk), ("approved", req.pk)]


def test_a_registered_handoff_hears_a_rejection(registered_handoff, make_chain, submit, people):
    # given
    _, moments = registered_handoff
    req = submit(make_chain([HEAD], code="test-handoff"))
    # when
    services.task_decide(
        task_id=req.tasks.get().pk, user=people["hank"], action="reject", comment="不行"
    )
    # then
    assert moments == [("submitted", req.pk), ("ended", req.pk, True)]


def test_a_refusal_of_the_owning_app_refuses_the_submission_and_saves_nothing(
    registered_handoff, make_chain, submit
):
    # given
    service = make_chain([HEAD], code="test-handoff")
    before = ServiceRequest.objects.count()
    # when
    with pytest.raises(services.RequestError) as refused:
        submit(service, amount="13")
    # then
    assert "十三不吉利" in str(refused.value.message)
    assert ServiceRequest.objects.count() == before


def test_a_second_handoff_for_the_same_code_is_a_configuration_error(registered_handoff):
    # given
    handoff, _ = registered_handoff
    other = handoffs.Handoff(
        submitted=lambda r: None,
        approved=lambda r: None,
        ended=lambda r, x: None,
        required_fields=(),
    )
    # when / then
    handoffs.register("test-handoff", handoff)  # the same one again: nothing changes
    with pytest.raises(ImproperlyConfigured):
        handoffs.register("test-handoff", other)
    assert handoffs.registered("test-handoff") is handoff
