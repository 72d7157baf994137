from django.contrib import admin
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from archives import services
from archives.models import (
    Appraisal,
    AppraisalItem,
    ArchiveEvent,
    Certificate,
    CertificateLoan,
    ChronicleEntry,
    DisposalHold,
    Fonds,
    Loan,
    OrganizationCode,
    Record,
    RecordFile,
    ReportForm,
    ReportTask,
    TrainingRecord,
)
from hall.models import Department


@admin.register(Fonds)
class FondsAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "uses_org_codes")


class OrganizationCodeResource(resources.ModelResource):
    """Organization codes from a spreadsheet: fonds code, department code, organization code.
    Each row is cleaned like the admin's form, so a code off DA/T 22-2015 is refused."""

    fonds = fields.Field(
        attribute="fonds", column_name="fonds", widget=widgets.ForeignKeyWidget(Fonds, "code")
    )
    department = fields.Field(
        attribute="department",
        column_name="department",
        widget=widgets.ForeignKeyWidget(Department, "code"),
    )

    class Meta:
        model = OrganizationCode
        import_id_fields = ("fonds", "department")
        fields = ("fonds", "department", "code")
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True


@admin.register(OrganizationCode)
class OrganizationCodeAdmin(ImportExportModelAdmin):
    resource_classes = [OrganizationCodeResource]
    list_display = ("code", "department", "fonds")
    list_select_related = ("department", "fonds")


class RecordFileInline(admin.TabularInline):
    model = RecordFile
    extra = 0
    readonly_fields = ("name", "size", "sha256", "checked_at", "intact")
    fields = readonly_fields
    can_delete = False


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "year", "retention", "department", "status")
    list_filter = ("year", "retention", "status", "security")
    list_select_related = ("department",)
    search_fields = ("code", "title", "doc_number", "responsible")
    readonly_fields = (
        "code",
        "fonds",
        "year",
        "retention",
        "org_code",
        "item_number",
        "source_ref",
        "created_at",
        "status",
        "appraisal_year",
        "destroyed_at",
    )
    exclude = ("search_text",)
    inlines = [RecordFileInline]

    def has_delete_permission(self, request, obj=None):
        return False  # records are destroyed by appraisal, never deleted

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record_reindex(record=obj)


@admin.register(DisposalHold)
class DisposalHoldAdmin(admin.ModelAdmin):
    list_display = ("record", "reason", "placed_by", "placed_at", "released_at")
    list_select_related = ("record", "placed_by")
    raw_id_fields = ("record", "placed_by", "released_by")


class AppraisalItemInline(admin.TabularInline):
    model = AppraisalItem
    extra = 0
    raw_id_fields = ("record",)
    readonly_fields = ("destroyed_at",)


@admin.register(Appraisal)
class AppraisalAdmin(admin.ModelAdmin):
    """Read-mostly: decisions are taken through the appraisal's approval chain."""

    list_display = ("number", "status", "created_by", "created_at", "decided_at")
    list_filter = ("status",)
    readonly_fields = ("number", "status", "source_ref", "decided_at", "created_by")
    inlines = [AppraisalItemInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ("borrower", "purpose", "due_on", "status", "originals", "returned_at")
    list_filter = ("status", "originals")
    list_select_related = ("borrower",)
    raw_id_fields = ("borrower", "records", "decided_by")
    readonly_fields = ("status", "source_ref", "decided_by", "decided_at", "returned_at")


@admin.register(ArchiveEvent)
class ArchiveEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "record", "actor")
    list_filter = ("kind",)
    list_select_related = ("record", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- office: certificates, statistics report, training, chronicle ----------------------------


class CertificateLoanInline(admin.TabularInline):
    model = CertificateLoan
    extra = 0
    fields = ("borrower", "purpose", "lent_at", "due_on", "returned_at", "lent_by")
    readonly_fields = ("lent_at",)
    raw_id_fields = ("borrower", "lent_by")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "number", "issuer", "valid_until", "custodian")
    list_filter = ("kind",)
    list_select_related = ("custodian",)
    search_fields = ("name", "number", "issuer")
    raw_id_fields = ("custodian",)
    inlines = [CertificateLoanInline]


class ReportFormInline(admin.TabularInline):
    model = ReportForm
    extra = 0
    fields = ("department", "status", "submitted_at", "submitted_by")
    readonly_fields = ("submitted_at", "submitted_by")


@admin.register(ReportTask)
class ReportTaskAdmin(admin.ModelAdmin):
    list_display = ("year", "deadline", "created_by")
    list_select_related = ("created_by",)
    inlines = [ReportFormInline]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ("date", "course", "hours")
    search_fields = ("course",)
    raw_id_fields = ("participants", "created_by")


@admin.register(ChronicleEntry)
class ChronicleEntryAdmin(admin.ModelAdmin):
    list_display = ("date", "text")
    search_fields = ("text",)
    raw_id_fields = ("records", "created_by")
