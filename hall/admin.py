import json

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm, SelectableFieldsExportForm

from hall import selectors, services, uploads
from hall.models import (
    Area,
    CalendarDay,
    Department,
    Favourite,
    Role,
    SearchMiss,
    Service,
    ServiceContact,
    ServiceField,
    ServiceStep,
    SignInEvent,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Profile (fills forms)"),
            {
                "fields": (
                    "full_name",
                    "number",
                    "department",
                    "identity",
                    "title",
                    "phone",
                    "office",
                    "wecom_id",
                )
            },
        ),
    )
    list_display = ("username", "full_name", "number", "department", "identity", "is_staff")
    list_filter = ("identity", "is_staff", "department")
    list_select_related = ("department",)
    search_fields = ("username", "full_name", "number", "email", "phone")
    autocomplete_fields = ("department",)


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    filter_horizontal = ("holders",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "parent", "order")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("code", "name_zh", "name_en")
    autocomplete_fields = ("parent", "heads")
    inlines = [RoleInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "code", "department")
    list_filter = ("department",)
    list_select_related = ("department",)
    search_fields = ("code", "name_zh", "name_en", "department__name_zh")
    autocomplete_fields = ("holders", "department")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "order")
    search_fields = ("code", "name_zh", "name_en")


class JSONListWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        if isinstance(value, list):
            return value
        try:
            return json.loads(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(_("Not valid JSON: %(error)s") % {"error": exc}) from None

    def render(self, value, obj=None, **kwargs):
        return json.dumps(value or [], ensure_ascii=False)


class PartsField(fields.Field):
    """A column holding a list of a service's parts (form fields, steps or contacts).

    Its attribute is not a model field: the parts are kept on the instance until the service
    row is saved, then replaced in one go by ``services.service_parts_replace``.
    """

    def __init__(self, part: str, **kwargs):
        self.part = part
        super().__init__(attribute=f"pending_{part}", widget=JSONListWidget(), **kwargs)

    def get_value(self, instance):
        return None

    def save(self, instance, row, is_m2m=False, **kwargs):
        pending = getattr(instance, "_pending_parts", {})
        pending[self.part] = self.clean(row, **kwargs)
        instance._pending_parts = pending


class LabelledResource(resources.ModelResource):
    """A resource whose export names its columns in the admin's language and its sheet after
    the model; the columns themselves keep their stable codes, so a file imports back."""

    LABELS: dict[str, str] = {}

    @classmethod
    def field_label(cls, name: str) -> str:
        if name in cls.LABELS:
            return capfirst(cls.LABELS[name])
        return capfirst(cls._meta.model._meta.get_field(name).verbose_name)

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        dataset.title = capfirst(str(self._meta.model._meta.verbose_name_plural))
        return dataset


class LabelledExportForm(SelectableFieldsExportForm):
    # import-export titles each column's checkbox from its code ("Name Zh"); ask the resource.
    def _get_field_label(self, resource, field_name: str) -> str:
        if issubclass(resource, LabelledResource):
            return resource.field_label(field_name)
        return super()._get_field_label(resource, field_name)


class LocalExportAdmin(ImportExportModelAdmin):
    export_form_class = LabelledExportForm

    def get_export_filename(self, request, queryset, file_format):
        # The hall's day, not UTC's: an export at 04:00 in Shanghai is still dated today.
        day = timezone.localdate().isoformat()
        return f"{self.model.__name__}-{day}.{file_format.get_extension()}"


class ServiceResource(LabelledResource):
    area = fields.Field(
        attribute="area", column_name="area", widget=widgets.ForeignKeyWidget(Area, "code")
    )
    department = fields.Field(
        attribute="department",
        column_name="department",
        widget=widgets.ForeignKeyWidget(Department, "code"),
    )
    departments = fields.Field(
        attribute="departments",
        column_name="departments",
        widget=widgets.ManyToManyWidget(Department, separator=",", field="code"),
    )
    form_fields = PartsField("fields", column_name="form_fields")
    steps = PartsField("steps", column_name="steps")
    contacts = PartsField("contacts", column_name="contacts")

    LABELS = {
        "form_fields": _("form fields"),
        "steps": _("approval steps"),
        "contacts": _("contacts"),
    }

    class Meta:
        model = Service
        import_id_fields = ("code",)
        fields = (
            "code",
            "name_zh",
            "name_en",
            "area",
            "department",
            "for_staff",
            "for_undergraduates",
            "for_graduates",
            "departments",
            "keywords",
            "synonyms",
            "applicant_range",
            "applicant_range_en",
            "materials",
            "materials_en",
            "procedure",
            "procedure_en",
            "fees",
            "fees_en",
            "faq",
            "faq_en",
            "time_limit_days",
            "is_online",
            "is_published",
            "form_fields",
            "steps",
            "contacts",
        )
        export_order = fields
        skip_unchanged = False
        clean_model_instances = True

    TEXT_COLUMNS = (
        "name_en",
        "keywords",
        "synonyms",
        "applicant_range",
        "applicant_range_en",
        "materials",
        "materials_en",
        "procedure",
        "procedure_en",
        "fees",
        "fees_en",
        "faq",
        "faq_en",
    )

    def before_import_row(self, row, **kwargs):
        # Empty Excel cells arrive as None; the catalogue's texts are blank, never NULL.
        for column in self.TEXT_COLUMNS:
            if column in row and row[column] is None:
                row[column] = ""

    def dehydrate_form_fields(self, service):
        return json.dumps(selectors.service_parts(service)["fields"], ensure_ascii=False)

    def dehydrate_steps(self, service):
        return json.dumps(selectors.service_parts(service)["steps"], ensure_ascii=False)

    def dehydrate_contacts(self, service):
        return json.dumps(selectors.service_parts(service)["contacts"], ensure_ascii=False)

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related(
            *selectors.services_with_parts()._prefetch_related_lookups
        ).select_related("area", "department")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        pending = getattr(instance, "_pending_parts", {})
        try:
            services.service_parts_check(
                fields=pending.get("fields"),
                steps=pending.get("steps"),
                contacts=pending.get("contacts"),
            )
        except ValidationError as exc:
            errors["form_fields"] = exc.messages
        super().validate_instance(instance, errors, validate_unique)

    def after_save_instance(self, instance, row, **kwargs):
        pending = getattr(instance, "_pending_parts", None)
        if pending is None:
            return
        current = selectors.service_parts(selectors.services_with_parts().get(pk=instance.pk))
        services.service_parts_replace(
            service=instance,
            fields=pending.get("fields", current["fields"]),
            steps=pending.get("steps", current["steps"]),
            contacts=pending.get("contacts", current["contacts"]),
        )


# The inlines are stacked, a few short inputs a line: as table columns, a form field's ten
# settings made the service's change page 2,527 px wide at 1280 px.
SMALL_TEXT = {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})}


class ServiceFieldInline(admin.StackedInline):
    model = ServiceField
    extra = 0
    formfield_overrides = {models.JSONField: SMALL_TEXT}
    fields = (
        ("order", "key", "field_type", "required", "prefill"),
        ("label_zh", "label_en"),
        ("help_text", "help_text_en"),
        ("options", "validation"),
    )


class ServiceStepInline(admin.StackedInline):
    model = ServiceStep
    extra = 0
    autocomplete_fields = ("approver", "department")
    fieldsets = (
        (None, {"fields": (("order", "name_zh", "name_en"), ("rule", "mode", "quorum"))}),
        (
            _("Who approves"),
            {"fields": (("approver", "department", "role_code", "field_key"),)},
        ),
        (
            _("Condition and time"),
            {
                "fields": (
                    ("condition_field", "condition_operator", "condition_value"),
                    "time_limit_days",
                )
            },
        ),
    )


class ServiceContactInline(admin.StackedInline):
    model = ServiceContact
    extra = 0
    fields = (
        ("name", "phone", "email", "order"),
        ("office", "office_en"),
        ("hours", "hours_en"),
    )


class CatalogueImportForm(ImportForm):
    """The import page's form: a workbook is measured before openpyxl ever opens it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        head = upload.read(4)
        upload.seek(0)
        if head.startswith(b"PK") or uploads.extension_of(upload.name or "") == "xlsx":
            uploads.check_spreadsheet(upload)
        return upload


@admin.register(Service)
class ServiceAdmin(LocalExportAdmin):
    resource_classes = [ServiceResource]
    import_form_class = CatalogueImportForm
    list_display = (
        "code",
        "name_zh",
        "name_en",
        "area",
        "department",
        "letter",
        "is_online",
        "is_published",
        "popularity",
        "guide_link",
    )
    list_filter = (
        "is_published",
        "is_online",
        "area",
        "department",
        "for_staff",
        "for_undergraduates",
        "for_graduates",
        "letter",
    )
    list_select_related = ("area", "department")
    search_fields = ("code", "name_zh", "name_en", "keywords", "synonyms")
    autocomplete_fields = ("area", "department", "departments")
    readonly_fields = ("letter", "popularity", "created_at", "updated_at")
    list_per_page = 50
    inlines = [ServiceFieldInline, ServiceStepInline, ServiceContactInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    ("name_zh", "name_en"),
                    ("area", "department"),
                    ("is_published", "is_online"),
                    "time_limit_days",
                )
            },
        ),
        (
            _("Who may apply"),
            {
                "fields": (
                    ("for_staff", "for_undergraduates", "for_graduates"),
                    "departments",
                    ("applicant_range", "applicant_range_en"),
                )
            },
        ),
        (_("Finding it"), {"fields": ("keywords", "synonyms", "letter", "popularity")}),
        (
            _("Guide"),
            {
                "fields": (
                    ("materials", "materials_en"),
                    ("procedure", "procedure_en"),
                    ("fees", "fees_en"),
                    ("faq", "faq_en"),
                )
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description=_("guide page"))
    def guide_link(self, service):
        return format_html(
            '<a href="{}" target="_blank">{}</a>', service.get_absolute_url(), _("open")
        )


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ("user", "service", "created_at")
    list_select_related = ("user", "service")
    autocomplete_fields = ("user", "service")


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    list_display = ("query", "count", "first_seen", "last_seen")
    search_fields = ("query",)
    readonly_fields = ("query", "count", "first_seen", "last_seen")

    def has_add_permission(self, request):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in log: read only, as an audit log is."""

    list_display = ("at", "method", "outcome", "user", "identifier", "reason", "address")
    list_filter = ("method", "outcome")
    list_select_related = ("user",)
    search_fields = ("identifier", "user__username", "user__number")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
