"""Issued reports: the exact bytes handed out when an assessment is approved."""

from django.db import models


class ReportImmutable(Exception):
    """An attempt to change a report after it was issued."""


class IssuedReport(models.Model):
    """The report of an approved assessment, frozen at approval.

    ``pdf`` holds the exact bytes handed out (the rendering with its signature);
    ``pdf_sha256`` identifies a copy of them, ``unsigned_pdf_sha256`` the
    rendering before signing (deterministic: a re-render gives it again) and
    ``fingerprint`` (SHA-256 of ``document_json``) the data the report was
    rendered from. Nothing here changes once written.
    """

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="issued_report"
    )
    report_id = models.CharField(max_length=80, unique=True)
    fingerprint = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the canonical JSON document."
    )
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64, unique=True)
    unsigned_pdf_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the rendering before it was signed: the same on every re-render.",
    )
    document_json = models.TextField(help_text="The canonical JSON document, as issued.")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self):
        return self.report_id

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReportImmutable(f"Report {self.report_id} was issued and cannot change.")
        super().save(*args, **kwargs)

    @property
    def document_bytes(self) -> bytes:
        return self.document_json.encode("utf-8")

    @property
    def pdf_filename(self) -> str:
        return f"{self.report_id}.pdf"
