from django.contrib import admin

from .models import EmailPreference, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "read_at", "emailed_at", "email_error"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "dedupe_key"]
    raw_id_fields = ["recipient", "assessment"]
    readonly_fields = ["created_at"]


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "enabled", "muted_kinds"]
    raw_id_fields = ["user"]
