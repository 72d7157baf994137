"""The generic flow lost its advance, has_step, approve and reject nodes (their work is done by
workflows.services under the request's row lock). Processes already recorded passages through
them; those finished tasks now read as passages through the route, so every recorded task still
names a node of the flow. No running process waits on one of those nodes: they never wait."""

from django.db import migrations

FLOW = "workflows/flows.ServiceRequestFlow"
GONE = ("advance", "has_step", "approve", "reject")


def fold(apps, schema_editor):
    Task = apps.get_model("viewflow", "Task")
    Task.objects.filter(flow_task__in=[f"{FLOW}.{name}" for name in GONE]).update(
        flow_task=f"{FLOW}.route", flow_task_type="SWITCH"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0009_sent_once"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop)]
