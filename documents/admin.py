from django.contrib import admin

from documents.models import (
    Authority,
    Dispatch,
    NumberCounter,
    Outgoing,
    OutgoingUserObjectPermission,
    RetentionRule,
    Seal,
    SealLoan,
    SealUse,
    Version,
)


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name_zh", "name_en", "department", "is_active"]
    list_select_related = ["department"]


class VersionInline(admin.TabularInline):
    model = Version
    extra = 0
    readonly_fields = ["n", "title", "body", "saved_by", "saved_at"]
    can_delete = False


class ReaderInline(admin.TabularInline):
    model = OutgoingUserObjectPermission
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Outgoing)
class OutgoingAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "doc_type", "authority", "status", "created_at"]
    list_filter = ["status", "doc_type", "authority", "year"]
    list_select_related = ["authority"]
    search_fields = ["title", "number"]
    # Numbers are given and voided on the office's pages, never typed in here.
    readonly_fields = [
        "year",
        "seq",
        "number",
        "status",
        "request",
        "registered_at",
        "registered_by",
        "void_reason",
        "voided_at",
        "voided_by",
    ]
    raw_id_fields = ["drafter", "signer", "updated_by"]
    filter_horizontal = ["to_departments", "copy_departments"]
    inlines = [ReaderInline, VersionInline]


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ["prefix", "year", "last"]
    readonly_fields = ["prefix", "year", "last"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["doc_type", "retention"]


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["document", "department", "kind", "sent_at", "signed_at", "signed_by"]
    list_select_related = ["document", "department", "signed_by"]
    list_filter = ["kind"]
    raw_id_fields = ["document"]
    readonly_fields = ["sent_at", "sent_by", "signed_at", "signed_by"]


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "kind", "department", "custodian", "status", "activated_on"]
    list_select_related = ["department", "custodian"]
    list_filter = ["kind", "status"]
    autocomplete_fields = ["custodian"]


@admin.register(SealUse)
class SealUseAdmin(admin.ModelAdmin):
    list_display = ["seal", "applicant", "purpose", "copies", "status", "applied_at"]
    list_select_related = ["seal", "applicant"]
    list_filter = ["status"]
    raw_id_fields = ["document", "request", "applicant", "applied_by"]


@admin.register(SealLoan)
class SealLoanAdmin(admin.ModelAdmin):
    list_display = ["seal", "borrower", "purpose", "out_at", "due_at", "returned_at"]
    list_select_related = ["seal", "borrower"]
    raw_id_fields = ["borrower"]


# --- drafting tasks and government affairs information ---------------------------------------
from documents.models import (  # noqa: E402
    DraftingTask,
    DraftingVersion,
    InfoIssue,
    InfoItem,
    InfoPoints,
    Material,
)


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["department", "asked", "due_date", "submitted_at", "submitted_by", "reminded"]
    readonly_fields = ["submitted_at", "submitted_by", "reminded"]
    raw_id_fields = ["department"]


class DraftingVersionInline(admin.TabularInline):
    model = DraftingVersion
    extra = 0
    readonly_fields = ["n", "title", "body", "saved_by", "saved_at"]
    can_delete = False


@admin.register(DraftingTask)
class DraftingTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "office", "deadline", "archive_code"]
    list_filter = ["kind", "status"]
    list_select_related = ["office"]
    search_fields = ["title"]
    raw_id_fields = ["office", "writers", "request", "created_by", "updated_by"]
    readonly_fields = ["archive_code"]
    inlines = [MaterialInline, DraftingVersionInline]


@admin.register(InfoItem)
class InfoItemAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "submitted_on", "status", "issue", "upper_adopted_on"]
    list_filter = ["status"]
    list_select_related = ["department", "issue"]
    search_fields = ["title"]
    date_hierarchy = "submitted_on"
    raw_id_fields = ["department", "submitter", "decided_by", "edited_by", "issue"]


@admin.register(InfoIssue)
class InfoIssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "sent_at", "sent_to"]
    list_filter = ["kind", "year"]
    raw_id_fields = ["compiled_by"]


@admin.register(InfoPoints)
class InfoPointsAdmin(admin.ModelAdmin):
    """The points of the score table: per submitted, adopted and upper-adopted item."""

    list_display = ["event", "points"]
    list_editable = ["points"]


# Copy numbers and the gazette (read-mostly: the office works on its own pages).
from documents.models import GazetteEntry, GazetteIssue, PrintRun  # noqa: E402


@admin.register(PrintRun)
class PrintRunAdmin(admin.ModelAdmin):
    list_display = ["document", "first", "last", "printed_by", "printed_at"]
    list_select_related = ["document", "printed_by"]
    raw_id_fields = ["document", "printed_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a print run is a record: numbers once given stay given


class GazetteEntryInline(admin.TabularInline):
    model = GazetteEntry
    extra = 0
    fields = ["position", "document", "page"]
    readonly_fields = ["position", "document", "page"]

    # Entries only through the office's page, which checks each document (public, unclassified).
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GazetteIssue)
class GazetteIssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "status", "published_on", "pages"]
    list_filter = ["status", "year"]
    readonly_fields = ["year", "number", "status", "published_on", "published_by", "pdf", "pages"]
    raw_id_fields = ["created_by"]
    inlines = [GazetteEntryInline]


# --- legal counsel: the roster is kept here; the rest is read or corrected here -------------
from documents.models import (  # noqa: E402
    Contract,
    ContractReview,
    Counsel,
    Hearing,
    LegalCase,
    LegalQuestion,
)


@admin.register(Counsel)
class CounselAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "firm", "specialty", "phone", "active", "user"]
    list_select_related = ["user"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "firm", "specialty"]
    autocomplete_fields = ["user"]


@admin.register(ContractReview)
class ContractReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "counterparty", "amount", "department", "status", "counsel"]
    list_select_related = ["department", "counsel"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "counterparty"]
    raw_id_fields = ["requester", "request", "department"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "amount", "department", "term_end", "status"]
    list_select_related = ["department"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "title", "parties"]
    raw_id_fields = ["review", "department"]


@admin.register(LegalQuestion)
class LegalQuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "counsel", "status", "created_at"]
    list_select_related = ["department", "counsel"]
    list_filter = ["status"]
    raw_id_fields = ["requester", "department"]


class HearingInline(admin.TabularInline):
    model = Hearing
    extra = 0


@admin.register(LegalCase)
class LegalCaseAdmin(admin.ModelAdmin):
    list_display = ["case_number", "court", "cause", "our_role", "counsel", "status"]
    list_select_related = ["counsel"]
    list_filter = ["status", "our_role"]
    search_fields = ["case_number", "cause", "parties"]
    inlines = [HearingInline]
