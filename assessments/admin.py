from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Answer, Assessment, AuditOpinion, Membership, Organization, ReviewEvent


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "declared_roles"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["roles"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description="Lifecycle roles")
    def declared_roles(self, obj):
        return ", ".join(r.name for r in obj.roles.all())


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "affiliation"]
    list_filter = ["role", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "by", "at", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: assessments change only through the workflow in the application."""

    list_display = ["title", "organization", "status", "revision", "updated_at"]
    list_filter = ["status", "organization"]
    list_select_related = ["organization"]
    search_fields = ["title", "organization__name"]
    inlines = [ReviewEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Answer)
class AnswerAdmin(SimpleHistoryAdmin):
    list_display = ["assessment", "question", "level", "not_applicable", "version", "updated_by"]
    list_select_related = ["assessment", "question", "updated_by"]
    list_filter = ["assessment__organization"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(AuditOpinion)
class AuditOpinionAdmin(admin.ModelAdmin):
    """Read-only: an opinion is given once, with the approval."""

    list_display = ["assessment", "auditor", "affiliation", "independent", "given_at"]
    list_select_related = ["assessment", "auditor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
