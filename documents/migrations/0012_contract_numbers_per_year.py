"""Contract numbers were HT<year>-<review id>: unique, with gaps. They are now HT<year>-NNNN,
gap-free per year from the documents' number counter (series "#contract"). Renumbers the
contracts already registered, per year (the year their number carries) in creation order,
and sets each year's counter to the last number given."""

import re

from django.db import migrations

SERIES = "#contract"
OLD = re.compile(r"^HT(\d{4})-")


def renumber(apps, schema_editor):
    Contract = apps.get_model("documents", "Contract")
    NumberCounter = apps.get_model("documents", "NumberCounter")
    by_year: dict[int, list] = {}
    for contract in Contract.objects.order_by("created_at", "pk").only(
        "pk", "number", "created_at"
    ):
        found = OLD.match(contract.number)
        year = int(found.group(1)) if found else contract.created_at.year
        by_year.setdefault(year, []).append(contract.pk)
    # Two passes: the new numbers may collide with old ones not yet renumbered.
    for year, pks in by_year.items():
        for pk in pks:
            Contract.objects.filter(pk=pk).update(number=f"#renumber-{pk}")
    for year, pks in by_year.items():
        for seq, pk in enumerate(pks, start=1):
            Contract.objects.filter(pk=pk).update(number=f"HT{year}-{seq:04d}")
        NumberCounter.objects.update_or_create(
            prefix=SERIES, year=year, defaults={"last": len(pks)}
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0011_reference_number_on_task_page")]

    operations = [migrations.RunPython(renumber, migrations.RunPython.noop)]
