"""The bonus and penalty catalogue is the office's to edit in admin."""

from django.contrib import admin

from performance.models import ScoreItem


@admin.register(ScoreItem)
class ScoreItemAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "kind", "points", "evidence_required", "active")
    list_filter = ("kind", "active", "evidence_required")
    search_fields = ("name", "name_en")
