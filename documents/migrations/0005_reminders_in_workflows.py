"""The 催阅 / 催办 exactly-once log moves into the hall's one log (workflows.SentOnce)."""

from django.db import migrations


def forward(apps, schema_editor):
    old = apps.get_model("documents", "ReminderSent")
    new = apps.get_model("workflows", "SentOnce")
    new.objects.bulk_create(
        [new(kind=f"documents.{r.kind}", key=r.key) for r in old.objects.iterator()],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_seals"),
        ("workflows", "0009_sent_once"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="ReminderSent"),
    ]
