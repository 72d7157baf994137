from django.contrib import admin

from workflows.research.models import (
    AdjustmentRule,
    BudgetLine,
    Freeze,
    ImportRun,
    Movement,
    PartyFeePayment,
    Project,
    Transfer,
    TransferTarget,
)


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    readonly_fields = ("spent", "frozen")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "kind", "pi", "status", "ends_on")
    list_filter = ("kind", "status")
    search_fields = ("number", "title")
    raw_id_fields = ("pi", "members")
    inlines = [BudgetLineInline]


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    list_display = ("external_id", "line", "booked_on", "amount", "source")
    list_filter = ("source",)
    search_fields = ("external_id", "line__project__number")
    raw_id_fields = ("line",)


@admin.register(Freeze)
class FreezeAdmin(admin.ModelAdmin):
    list_display = ("request", "line", "amount", "state", "updated_at")
    list_filter = ("state",)
    raw_id_fields = ("request", "line")

    def has_change_permission(self, request, obj=None):
        return False  # moved only by the claims' chains, under the line's lock


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "origin", "source", "ok", "created", "updated")
    list_filter = ("kind", "origin", "ok")
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(TransferTarget)
class TransferTargetAdmin(admin.ModelAdmin):
    list_display = ("service", "url", "is_active")
    raw_id_fields = ("service",)


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("request", "status", "attempts", "ack_id", "next_try_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Transfer._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AdjustmentRule)
class AdjustmentRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "may_increase", "review_above_percent")


@admin.register(PartyFeePayment)
class PartyFeePaymentAdmin(admin.ModelAdmin):
    list_display = ("member", "month", "base", "rate", "due", "paid", "paid_on")
    date_hierarchy = "month"
    search_fields = ("member__number", "member__username", "member__full_name")
    raw_id_fields = ("member",)
