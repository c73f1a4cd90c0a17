from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import HaipNarrative


@admin.register(HaipNarrative)
class HaipNarrativeAdmin(SimpleHistoryAdmin):
    list_display = ["assessment", "item", "version", "updated_by", "updated_at"]
    readonly_fields = ["assessment", "item", "text", "version", "updated_by", "updated_at"]
    search_fields = ["assessment__title", "item"]
