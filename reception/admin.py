from django.contrib import admin

from reception.models import (
    Blackout,
    Booking,
    Case,
    CaseCategory,
    CaseClock,
    Open311Key,
    Resource,
    Series,
)


class BlackoutInline(admin.TabularInline):
    model = Blackout
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "capacity", "needs_approval", "is_active"]
    list_filter = ["kind", "needs_approval", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [BlackoutInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["title", "resource", "booker", "starts_at", "ends_at", "status"]
    list_filter = ["status", "resource__kind"]
    list_select_related = ["resource", "booker"]
    raw_id_fields = ["booker", "series", "request"]
    readonly_fields = ["blocked_from", "blocked_until"]
    date_hierarchy = "starts_at"

    # Bookings are made through the pages, where the overlap check and the chain run.
    def has_add_permission(self, request):
        return False


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "resource", "booker", "rrule"]
    list_select_related = ["resource", "booker"]
    raw_id_fields = ["booker"]


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "order"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(CaseClock)
class CaseClockAdmin(admin.ModelAdmin):
    list_display = ["kind", "working_days"]
    list_display += ["unit"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "channel", "kind", "status", "lead_unit", "created_at"]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["lead_unit"]
    search_fields = ["number", "title"]
    raw_id_fields = ["received_by"]
    readonly_fields = ["status"]
    # Merging (并件) runs through reception/case_merging.py; a select of every case would not load.
    readonly_fields += ["merged_into", "closed_at"]

    # Cases move through the loop's services (each step checked and logged), not by hand.
    def has_add_permission(self, request):
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "is_active", "created_at"]


# Leaders' schedules: the office adds entries on /reception/schedules/; admin names the leaders.
from reception.models import Leader, ScheduleEntry  # noqa: E402


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ["user", "position_zh", "order", "is_active"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["feed_token"]


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "leader", "starts_at", "ends_at", "place"]
    list_select_related = ["leader__user"]
    raw_id_fields = ["leader", "created_by"]
    date_hierarchy = "starts_at"


from reception.models import CaseComplainant, CaseExtension, CaseNotice, CaseProposal  # noqa: E402


@admin.register(CaseProposal)
class CaseProposalAdmin(admin.ModelAdmin):
    list_display = ["proposal_number", "term", "session", "first_proposer", "grade", "case"]
    list_filter = ["term", "session", "grade"]
    search_fields = ["proposal_number", "first_proposer", "case__number", "case__title"]
    raw_id_fields = ["case"]
    list_select_related = ["case"]


@admin.register(CaseExtension)
class CaseExtensionAdmin(admin.ModelAdmin):
    list_display = ["case", "old_due", "new_due", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["case", "request", "requested_by"]
    list_select_related = ["case"]
    # Decided by the catalogue chain (reception-case-extension), not by hand.
    readonly_fields = ["status"]


@admin.register(CaseNotice)
class CaseNoticeAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "addressee", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["case"]
    list_select_related = ["case"]


@admin.register(CaseComplainant)
class CaseComplainantAdmin(admin.ModelAdmin):
    list_display = ["name", "case", "from_case", "replied_at"]
    raw_id_fields = ["case", "from_case"]
    list_select_related = ["case", "from_case"]


from reception.models import CaseCategoryAttribute, Open311Request  # noqa: E402


@admin.register(CaseCategoryAttribute)
class CaseCategoryAttributeAdmin(admin.ModelAdmin):
    list_display = ("category", "code", "description", "datatype", "required", "order")
    list_filter = ("datatype", "required")
    list_select_related = ("category",)
    raw_id_fields = ("category",)


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ("token", "case", "api_key", "created_at")
    raw_id_fields = ("case", "api_key")
    readonly_fields = ("token", "created_at")


from reception.models import (  # noqa: E402
    Incident,
    IncidentTier,
    ItineraryItem,
    ReceptionStandard,
    Visit,
)


@admin.register(IncidentTier)
class IncidentTierAdmin(admin.ModelAdmin):
    list_display = ("level", "kind", "tier", "minutes")
    list_filter = ("level", "kind")
    filter_horizontal = ("leaders",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "kind", "occurred_at", "status", "acknowledged_at")
    list_filter = ("level", "kind", "status")
    raw_id_fields = ("reporter", "acknowledged_by")


@admin.register(ReceptionStandard)
class ReceptionStandardAdmin(admin.ModelAdmin):
    list_display = ("level", "meal_cap", "room_cap", "car_cap", "gift_cap", "accompany")


class ItineraryInline(admin.TabularInline):
    """A settled visit's itinerary is on the record: read-only here as on the visit's page."""

    model = ItineraryItem
    extra = 0
    raw_id_fields = ("booking", "schedule_entry")

    def _open(self, obj) -> bool:
        return obj is None or obj.status != Visit.Status.CLOSED

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)


# The status moves only through the plan's chain; what the chain decided on is read-only once
# the plan has left the draft, so the budget changes only through a new plan sent through the
# chain (reception.visit_plans.plan_reopen).
PLAN_DECIDED = (
    "meals_planned",
    "rooms_planned",
    "cars_planned",
    "gifts_planned",
    "over_reason",
    "over_standard",
)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "level", "starts_on", "ends_on", "status")
    list_filter = ("level", "status")
    raw_id_fields = ("host", "request")
    inlines = [ItineraryInline]

    def get_readonly_fields(self, request, obj=None):
        fields = (*super().get_readonly_fields(request, obj), "status", "request")
        if obj is not None and obj.status != Visit.Status.DRAFT:
            fields += PLAN_DECIDED
        return fields


from reception.models import Activity, ActivityTask  # noqa: E402


class ActivityTaskInline(admin.TabularInline):
    model = ActivityTask
    extra = 0
    autocomplete_fields = ["department"]
    raw_id_fields = ["done_by"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "organiser", "starts_on", "ends_on", "attendance"]
    search_fields = ["title", "place"]
    raw_id_fields = ["organiser"]
    date_hierarchy = "starts_on"
    inlines = [ActivityTaskInline]
