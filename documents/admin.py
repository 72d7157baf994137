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
