"""The supervision reminders' exactly-once log moves into the hall's one log (workflows.SentOnce)."""

from django.db import migrations


def forward(apps, schema_editor):
    old = apps.get_model("performance", "ReminderSent")
    new = apps.get_model("workflows", "SentOnce")
    new.objects.bulk_create(
        [
            new(kind=f"supervision.{r.kind}", key=f"{r.item_id}:{r.window}")
            for r in old.objects.iterator()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0004_unit_plans"),
        ("workflows", "0009_sent_once"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="ReminderSent"),
    ]
