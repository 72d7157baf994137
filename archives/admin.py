from django.contrib import admin

from archives.models import ArchiveEvent, Fonds, OrganizationCode, Record, RecordFile


@admin.register(Fonds)
class FondsAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "uses_org_codes")


@admin.register(OrganizationCode)
class OrganizationCodeAdmin(admin.ModelAdmin):
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
    )
    inlines = [RecordFileInline]

    def has_delete_permission(self, request, obj=None):
        return False  # records are destroyed by appraisal, never deleted


@admin.register(ArchiveEvent)
class ArchiveEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "record", "actor")
    list_filter = ("kind",)
    list_select_related = ("record", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
