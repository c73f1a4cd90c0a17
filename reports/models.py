"""Issued reports (the exact bytes handed out for an approved assessment) and the PDF
renders the task workers do."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A render queued or running this long past the time limit has lost its worker.
STALL_GRACE_SECONDS = 60


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
        max_length=64, unique=True, help_text=_("SHA-256 of the canonical JSON document.")
    )
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64, unique=True)
    unsigned_pdf_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the rendering before it was signed: the same on every re-render."),
    )
    document_json = models.TextField(help_text=_("The canonical JSON document, as issued."))
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


class ReportRender(models.Model):
    """One PDF render, done by a task worker: the issuing of an approved assessment's
    report, or one version of a draft's PDF.

    A draft version is identified by ``content_sha256``, the SHA-256 of the draft's
    canonical JSON document: every change to what the report shows (an answer, an
    explanation, evidence, a comment, the scope, the roles, the workflow) changes
    that document, so a render is served again exactly while the draft is unchanged.
    The unique constraints make one render per draft version, and one issuing per
    assessment, however many requests ask at once.
    """

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued report")
        DRAFT = "draft", _("Draft PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="report_renders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_sha256 = models.CharField(
        max_length=64, blank=True, help_text=_("SHA-256 of the canonical JSON document rendered.")
    )
    document_json = models.TextField(
        blank=True, help_text=_("A draft's document, kept until it is rendered.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text=_("Why the render failed, for the user."))
    pdf = models.BinaryField(null=True, blank=True, help_text=_("A draft's rendered PDF."))
    attempts = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(kind="issued"),
                name="one_issuing_per_assessment",
            ),
            models.UniqueConstraint(
                fields=["assessment", "content_sha256"],
                condition=models.Q(kind="draft"),
                name="one_render_per_draft_version",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} of assessment {self.assessment_id}: {self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_stalled(self) -> bool:
        """Queued or running for longer than a render may take: is a worker running?"""
        if not self.in_progress:
            return False
        since = self.started_at if self.status == self.Status.RUNNING else self.requested_at
        limit = float(settings.REPORT_RENDER_TIMEOUT_SECONDS) + STALL_GRACE_SECONDS
        return (timezone.now() - since).total_seconds() > limit

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled

    @property
    def step(self) -> int:
        """1 waiting, 2 rendering, 3 finished: for a progress bar."""
        return {self.Status.QUEUED: 1, self.Status.RUNNING: 2}.get(self.status, 3)
