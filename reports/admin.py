from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from .models import IssuedReport


@admin.register(IssuedReport)
class IssuedReportAdmin(admin.ModelAdmin):
    """Issued reports, to look up only: they are created on approval and never change."""

    list_display = ["report_id", "assessment", "issued_at", "fingerprint"]
    search_fields = ["report_id", "fingerprint", "pdf_sha256", "assessment__organization__name"]
    fields = [
        "report_id",
        "assessment",
        "issued_at",
        "fingerprint",
        "pdf_sha256",
        "unsigned_pdf_sha256",
        "pdf_size",
    ]
    readonly_fields = fields
    list_select_related = ["assessment__organization"]

    @admin.display(description="PDF size")
    def pdf_size(self, obj):
        return filesizeformat(len(obj.pdf))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
