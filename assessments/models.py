"""Organizations, their members, and the assessments they make against the catalogue."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from principles.models import LifecycleRole, Question


class AssessmentLocked(Exception):
    """An attempt to change an assessment that is not an editable draft."""


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    roles = models.ManyToManyField(
        LifecycleRole,
        blank=True,
        related_name="+",
        verbose_name="lifecycle roles",
        help_text="The lifecycle activities this organization holds; new assessments start "
        "from these.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OFFICER = "officer", "Compliance officer"
        AUDITOR = "auditor", "Auditor"
        # Manages the organization's people (members, invitations); neither answers
        # nor approves: one membership per organization, so an owner who must also
        # answer or audit is better made an officer or auditor by another owner.
        OWNER = "owner", _("Organization owner")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_(
            "An external auditor's firm (or a department); prefills the affiliation of "
            "the auditor's opinion."
        ),
    )

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()} of {self.organization})"


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assessments of the organizations ``user`` is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__memberships__user=user)

    def with_member_role(self, user):
        """Visible assessments, each annotated with ``member_role`` of ``user`` (and
        ``member_affiliation``, the auditor's firm the membership records)."""
        return self.visible_to(user).annotate(
            member_role=models.F("organization__memberships__role"),
            member_affiliation=models.F("organization__memberships__affiliation"),
        )


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(max_length=200)
    scope = models.TextField(
        help_text="Which AI systems and which parts of the organization are covered."
    )
    period_start = models.DateField(
        null=True, blank=True, help_text="First day of the period the assessment covers."
    )
    period_end = models.DateField(
        null=True, blank=True, help_text="Last day of the period the assessment covers."
    )
    roles = models.ManyToManyField(
        LifecycleRole, related_name="+", verbose_name="declared lifecycle roles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    predecessor = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
        help_text="The approved assessment this revision was started from.",
    )
    revision = models.PositiveIntegerField(default=1)
    # The catalogue as it was at submission (wording versions, questions, weights);
    # a submitted or approved assessment shows this, not the live catalogue.
    catalogue_snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Separation of duties as checked at approval: relaxed only when FOUR_EYES_RELAXED
    # let an approver who had submitted or changed answers approve; the note says why.
    duties_relaxed = models.BooleanField(default=False, editable=False)
    duties_note = models.TextField(blank=True, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="period_end_not_before_start",
            )
        ]

    def __str__(self):
        return f"{self.organization}: {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    def ensure_editable(self) -> None:
        if self.is_locked:
            raise AssessmentLocked(
                f"“{self.title}” was approved and is locked: nothing in it can change. "
                "Start a new revision to update it."
            )
        if not self.is_draft:
            raise AssessmentLocked(
                f"“{self.title}” is submitted for review: it can change only after an auditor "
                "returns it."
            )

    @property
    def report_id(self) -> str:
        return f"HAIP-{self.organization.slug.upper()}-{self.pk:05d}-R{self.revision}"


class Answer(models.Model):
    class Level(models.IntegerChoices):
        NOT_IMPLEMENTED = 0, "Not implemented"
        PLANNED = 1, "Planned"
        PARTIAL = 2, "Partially implemented"
        LARGELY = 3, "Largely implemented"
        FULLY = 4, "Fully implemented"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True, choices=Level.choices)
    not_applicable = models.BooleanField(default=False)
    explanation = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # An auditor's acceptance of a "not applicable" answer; cleared whenever the
    # answer changes, so that what was accepted is what is approved.
    na_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="not applicable accepted by",
    )
    na_accepted_at = models.DateTimeField(
        null=True, blank=True, verbose_name="not applicable accepted at"
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "na_accepted_by", "na_accepted_at"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(not_applicable=False),
                name="level_or_not_applicable",
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__lte=4),
                name="level_0_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.question_id} in {self.assessment_id}: {self.display_value}"

    def save(self, *args, **kwargs):
        self.assessment.ensure_editable()
        super().save(*args, **kwargs)

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.level is not None

    @property
    def needs_na_acceptance(self) -> bool:
        return self.not_applicable and self.na_accepted_at is None

    @property
    def display_value(self) -> str:
        if self.not_applicable:
            return "Not applicable"
        if self.level is None:
            return "Not answered"
        return f"{self.level} – {self.Level(self.level).label}"


EVIDENCE_DIR = "evidence"


def evidence_storage_name(sha256: str) -> str:
    """Where a file with this content is stored: one file per content, whoever uploads it.

    The name is generated (never the uploader's file name, which is kept in
    ``Evidence.file_name``); revisions and identical uploads share the stored file.
    Rows from before generated names keep their old names and keep working.
    """
    return f"{EVIDENCE_DIR}/{sha256[:2]}/{sha256}"


def evidence_upload_to(instance, filename):
    return evidence_storage_name(instance.sha256)


class Evidence(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    description = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.description

    @property
    def is_file(self) -> bool:
        return bool(self.file)


def delete_evidence_file_if_unreferenced(name: str) -> bool:
    """Delete the stored file ``name`` unless an evidence row still refers to it."""
    if not name or Evidence.objects.filter(file=name).exists():
        return False
    default_storage.delete(name)
    return True


@receiver(post_delete, sender=Evidence)
def _delete_file_after_commit(sender, instance, **kwargs):
    # Whatever deleted the row (a save, the admin, a cascade): once the deletion is
    # committed, the file goes too if nothing else refers to its content.
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: delete_evidence_file_if_unreferenced(name))


class Comment(models.Model):
    """An auditor's comment on an answer."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment by {self.author} on {self.answer}"


class ReviewEvent(models.Model):
    """One step of the review workflow, for the record and the attestation."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class AuditOpinion(models.Model):
    """The auditor's opinion, given at approval and printed as the report's attestation."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="audit_opinion"
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    affiliation = models.CharField(max_length=200, help_text="The auditor's firm or department.")
    independent = models.BooleanField(
        help_text="Whether the auditor is independent of the assessed organization."
    )
    review_scope = models.TextField(help_text="What the review covered.")
    sampling = models.TextField(help_text="What evidence was sampled, and how.")
    opinion = models.TextField(help_text="The auditor's conclusion.")
    include_comments = models.BooleanField(
        default=True, help_text="Print the auditors' working comments as an appendix."
    )
    report_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        verbose_name=_("report language"),
        help_text=_("The language the report is issued in; the answers stay as written."),
    )
    given_at = models.DateTimeField()

    def __str__(self):
        return f"Opinion of {self.auditor} on {self.assessment}"
