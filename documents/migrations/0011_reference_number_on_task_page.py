"""The review chains' form showed the document's database id under 公文编号 / "Document"; it
now shows the reference number (or that there is none yet). Relabels the field in the services
and in the form snapshot of the requests already written."""

from django.db import migrations

OLD = ("公文编号", "Document")
NEW = ("发文字号", "Reference number")
PREFIX = "documents-outgoing-"


def relabel(apps, schema_editor, old=OLD, new=NEW):
    ServiceField = apps.get_model("hall", "ServiceField")
    ServiceRequest = apps.get_model("workflows", "ServiceRequest")
    ServiceField.objects.filter(
        service__code__startswith=PREFIX, key="document", label_zh=old[0]
    ).update(label_zh=new[0], label_en=new[1])
    requests = ServiceRequest.objects.filter(service__code__startswith=PREFIX).only(
        "pk", "service_fields"
    )
    for request in requests.iterator(chunk_size=500):
        fields = request.service_fields or []
        changed = False
        for spec in fields:
            if spec.get("key") == "document" and spec.get("label_zh") == old[0]:
                spec["label_zh"], spec["label_en"] = new
                changed = True
        if changed:
            ServiceRequest.objects.filter(pk=request.pk).update(service_fields=fields)


def unlabel(apps, schema_editor):
    relabel(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0010_minutes_for_readers_only"),
        ("hall", "0012_join_research_fields_and_sign_in"),
        ("workflows", "0009_sent_once"),
    ]

    operations = [migrations.RunPython(relabel, unlabel)]
