"""The people picker finds a query anywhere in a name (三 finds 张三, 小明 finds 王小明): each
person's name keys (``hall.search.name_keys``) in a table of their own with an index, matched by
their start, on Postgres and SQLite alike. Filled here for everyone already in the hall."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from hall.search import name_keys

    User = apps.get_model("hall", "User")
    PersonKey = apps.get_model("hall", "PersonKey")
    batch = []
    for user in (
        User.objects.exclude(full_name="").only("pk", "full_name").iterator(chunk_size=2000)
    ):
        batch.extend(PersonKey(user_id=user.pk, key=k) for k in name_keys(user.full_name))
        if len(batch) >= 5000:
            PersonKey.objects.bulk_create(batch)
            batch = []
    if batch:
        PersonKey.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0014_user_name_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(db_index=True, max_length=100)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_keys",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "key"), name="person_key_unique_per_user"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
