from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CrosswalkMapping,
    HaipItem,
    HaipSection,
    LifecycleRole,
    Principle,
    Question,
    QuestionWeight,
    TargetFramework,
    TargetRequirement,
)


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["code", "order", "text", "role_weights", "edit_link"]
    readonly_fields = ["role_weights", "edit_link"]
    extra = 0
    show_change_link = False
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("weights__role")

    @admin.display(description="Weights by role")
    def role_weights(self, obj):
        if obj.pk is None:
            return "-"
        weights = sorted(obj.weights.all(), key=lambda w: w.role.order)
        return ", ".join(f"{w.role.name} {w.weight}" for w in weights) or "none yet"

    @admin.display(description="")
    def edit_link(self, obj):
        if obj.pk is None:
            return ""
        url = reverse("admin:principles_question_change", args=[obj.pk])
        return format_html('<a href="{}">Edit weights</a>', url)


@admin.register(Principle)
class PrincipleAdmin(SimpleHistoryAdmin):
    list_display = ["numeral", "title", "source", "wording_version"]
    list_display_links = ["numeral", "title"]
    search_fields = ["numeral", "title", "text", "questions__code", "questions__text"]
    list_filter = ["source"]
    ordering = ["order"]
    readonly_fields = ["wording_version"]
    fields = [
        "numeral",
        "order",
        "title",
        "text",
        "commentary",
        "source",
        "wording_version",
        "translations",
    ]
    inlines = [QuestionInline]
    history_list_display = ["wording_version", "text"]


class QuestionWeightInline(admin.TabularInline):
    model = QuestionWeight
    fields = ["role", "weight"]
    extra = 0
    ordering = ["role__order"]


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "principle", "short_text"]
    list_select_related = ["principle"]
    list_filter = ["principle"]
    search_fields = ["code", "text", "guidance"]
    ordering = ["principle__order", "order"]
    readonly_fields = ["weight_changes"]
    inlines = [QuestionWeightInline]

    @admin.display(description="Question")
    def short_text(self, obj):
        return obj.text if len(obj.text) < 100 else obj.text[:97] + "..."

    @admin.display(description="Recent weight changes")
    def weight_changes(self, obj):
        if obj.pk is None:
            return "-"
        records = (
            QuestionWeight.history.filter(question_id=obj.pk)
            .select_related("role", "history_user")
            .order_by("-history_date")[:20]
        )
        rows = [
            (
                r.history_date.strftime("%Y-%m-%d %H:%M"),
                r.role.name,
                r.weight,
                r.history_user or "loaded from fixtures",
            )
            for r in records
        ]
        if not rows:
            return "none"
        return format_html_join("\n", "<div>{}: {} set to {} by {}</div>", rows)


@admin.register(QuestionWeight)
class QuestionWeightAdmin(SimpleHistoryAdmin):
    list_display = ["question", "role", "weight"]
    list_select_related = ["question", "role"]
    list_filter = ["role", "weight", "question__principle"]
    search_fields = ["question__code"]
    ordering = ["question__principle__order", "question__order", "role__order"]


@admin.register(LifecycleRole)
class LifecycleRoleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "order"]
    ordering = ["order"]


# --- the OECD HAIP reporting items and the crosswalks (loaded from fixtures/) ---------


@admin.register(HaipSection)
class HaipSectionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title"]


@admin.register(HaipItem)
class HaipItemAdmin(SimpleHistoryAdmin):
    list_display = ["identifier", "title"]
    list_filter = ["section"]
    search_fields = ["title", "questions__code"]
    filter_horizontal = ["questions"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section")


@admin.register(TargetFramework)
class TargetFrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "name", "version"]


@admin.register(CrosswalkMapping)
class CrosswalkMappingAdmin(SimpleHistoryAdmin):
    list_display = ["question", "relationship", "requirement", "rationale"]
    list_filter = ["requirement__framework", "relationship"]
    search_fields = ["question__code", "requirement__identifier", "rationale"]
    autocomplete_fields = ["question", "requirement"]
    list_select_related = ["question", "requirement__framework"]


@admin.register(TargetRequirement)
class TargetRequirementAdmin(SimpleHistoryAdmin):
    list_display = ["identifier", "title", "framework"]
    list_filter = ["framework"]
    search_fields = ["identifier", "title"]
    list_select_related = ["framework"]
