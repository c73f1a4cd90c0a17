"""Organizations, their members, and the assessments they make against the catalogue."""

import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext
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
        verbose_name=_("lifecycle roles"),
        help_text=_(
            "The lifecycle activities this organization holds; new assessments start from these."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OFFICER = "officer", _("Compliance officer")
        AUDITOR = "auditor", _("Auditor")
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
        ``member_affiliation``, the auditor's firm the membership records) and
        ``last_review_action`` (see ``Assessment.is_returned``)."""
        return (
            self.visible_to(user)
            .annotate(
                member_role=models.F("organization__memberships__role"),
                member_affiliation=models.F("organization__memberships__affiliation"),
            )
            .with_last_review_action()
        )

    def with_last_review_action(self):
        """Annotate ``last_review_action``: the action of the latest review event
        other than "created" (submitted, returned or approved), or None."""
        latest = (
            ReviewEvent.objects.filter(assessment=models.OuterRef("pk"))
            .exclude(action=ReviewEvent.Action.CREATED)
            .order_by("-at", "-pk")
            .values("action")[:1]
        )
        return self.annotate(last_review_action=models.Subquery(latest))


def new_change_token() -> str:
    return uuid.uuid4().hex


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(max_length=200)
    scope = models.TextField(
        help_text=_("Which AI systems and which parts of the organization are covered.")
    )
    period_start = models.DateField(
        null=True, blank=True, help_text=_("First day of the period the assessment covers.")
    )
    period_end = models.DateField(
        null=True, blank=True, help_text=_("Last day of the period the assessment covers.")
    )
    roles = models.ManyToManyField(
        LifecycleRole, related_name="+", verbose_name=_("declared lifecycle roles")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    predecessor = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
        help_text=_("The approved assessment this revision was started from."),
    )
    revision = models.PositiveIntegerField(default=1)
    due_date = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_("When the officers mean to submit it; reminders are sent before and after."),
    )
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
    # A new random value with every change to the assessment or anything shown with
    # it (answers, evidence, comments, assignments, review marks, people): pages kept
    # by ``page_cache`` are kept under it, so a change makes them unreachable. Set by
    # ``save`` and by ``stamps.stamp_assessment_changed`` (signals and bulk writes).
    change_token = models.CharField(max_length=32, default=new_change_token, editable=False)

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

    def save(self, *args, **kwargs):
        # Every save is a change: a copy loaded before a bulk stamp can never write an
        # older token back.
        self.change_token = new_change_token()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "change_token"}
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_returned(self) -> bool:
        """A draft an auditor returned: its latest review event is a return.

        Reads the ``last_review_action`` annotation when the row was loaded with
        it (``with_last_review_action``), else asks the database.
        """
        if not self.is_draft:
            return False
        if not hasattr(self, "last_review_action"):
            latest = (
                self.events.exclude(action=ReviewEvent.Action.CREATED)
                .order_by("-at", "-pk")
                .values_list("action", flat=True)
                .first()
            )
            self.last_review_action = latest
        return self.last_review_action == ReviewEvent.Action.RETURNED

    def ensure_editable(self) -> None:
        if self.is_locked:
            raise AssessmentLocked(
                gettext(
                    "“%(title)s” was approved and is locked: nothing in it can change. "
                    "Start a new revision to update it."
                )
                % {"title": self.title}
            )
        if not self.is_draft:
            raise AssessmentLocked(
                gettext(
                    "“%(title)s” is submitted for review: it can change only after an auditor "
                    "returns it."
                )
                % {"title": self.title}
            )

    @property
    def report_id(self) -> str:
        return f"HAIP-{self.organization.slug.upper()}-{self.pk:05d}-R{self.revision}"


class Answer(models.Model):
    class Level(models.IntegerChoices):
        NOT_IMPLEMENTED = 0, _("Not implemented")
        PLANNED = 1, _("Planned")
        PARTIAL = 2, _("Partially implemented")
        LARGELY = 3, _("Largely implemented")
        FULLY = 4, _("Fully implemented")

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
        verbose_name=_("not applicable accepted by"),
    )
    na_accepted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("not applicable accepted at")
    )
    # The auditor's "reviewed" mark; cleared whenever the answer or its evidence
    # changes, so that what was reviewed is what is approved.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "na_accepted_by",
            "na_accepted_at",
            "reviewed_by",
            "reviewed_at",
        ]
    )

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
    # Additions and removals, for the history page and "changes since last submission".
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.description

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class PendingUpload(models.Model):
    """A file that passed its checks in a page save that failed for another reason.

    Kept for its uploader on that assessment's question, so that the next save of
    the page attaches it without a new upload. Stored by content like evidence (the
    same storage names), so attaching it moves no bytes. Rows older than
    ``PENDING_UPLOAD_MAX_AGE_HOURS`` are removed by ``remove_orphan_evidence``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="pending_uploads"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    description = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")

    def __str__(self):
        return self.file_name


def delete_evidence_file_if_unreferenced(name: str) -> bool:
    """Delete the stored file ``name`` unless an evidence row or a pending upload
    still refers to it."""
    if not name or Evidence.objects.filter(file=name).exists():
        return False
    if PendingUpload.objects.filter(file=name).exists():
        return False
    default_storage.delete(name)
    return True


@receiver(post_delete, sender=PendingUpload)
@receiver(post_delete, sender=Evidence)
def _delete_file_after_commit(sender, instance, **kwargs):
    # Whatever deleted the row (a save, the admin, a cascade): once the deletion is
    # committed, the file goes too if nothing else refers to its content.
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: delete_evidence_file_if_unreferenced(name))


class CommentQuerySet(models.QuerySet):
    def threads(self):
        """Top-level comments: each starts a thread its replies belong to."""
        return self.filter(parent__isnull=True)

    def open(self):
        """Threads not resolved."""
        return self.threads().filter(resolved_at__isnull=True)

    def blocking_open(self):
        """Open threads an auditor marked blocking: they keep an assessment from
        being submitted (or approved)."""
        return self.open().filter(blocking=True)


class Comment(models.Model):
    """A comment on an answer: a thread (``parent`` empty) or a reply to one.

    Threads are started by auditors, who may mark them blocking; officers and
    auditors reply. A thread is resolved or reopened as a whole.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    blocking = models.BooleanField(
        default=False,
        verbose_name=_("blocking"),
        help_text=_("An open blocking thread keeps the assessment from being submitted."),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment by {self.author} on {self.answer}"

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AssignmentQuerySet(models.QuerySet):
    def open(self):
        """Assignments of drafts: work still to be done or to be changed."""
        return self.filter(assessment__status=Assessment.Status.DRAFT)


class Assignment(models.Model):
    """A principle, or a single question, of an assessment given to one member to answer.

    Exactly one of ``numeral`` and ``question_code`` is set: catalogue codes rather
    than foreign keys, because the assessment is shown against its own catalogue
    (live or frozen) and codes are what both carry. One assignee per target;
    reassigning changes the assignee.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    numeral = models.CharField(_("principle"), max_length=10, blank=True)
    question_code = models.CharField(_("question"), max_length=20, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("assigned to"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["assessment_id", "numeral", "question_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "numeral", "question_code"], name="one_assignee_per_target"
            ),
            models.CheckConstraint(
                condition=(models.Q(numeral="") & ~models.Q(question_code=""))
                | (~models.Q(numeral="") & models.Q(question_code="")),
                name="assignment_principle_or_question",
            ),
        ]

    def __str__(self):
        return f"{self.target} in {self.assessment_id} to {self.assignee}"

    @property
    def target(self) -> str:
        return self.question_code or self.numeral

    @property
    def principle_numeral(self) -> str:
        """The principle the target belongs to (question codes start with it: "IV.2")."""
        return self.numeral or self.question_code.split(".")[0]

    @property
    def effective_due_date(self):
        """The assignment's own due date, else the assessment's."""
        return self.due_date or self.assessment.due_date


class ReviewEvent(models.Model):
    """One step of the review workflow, for the record and the attestation."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")

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
    affiliation = models.CharField(max_length=200, help_text=_("The auditor's firm or department."))
    independent = models.BooleanField(
        help_text=_("Whether the auditor is independent of the assessed organization.")
    )
    review_scope = models.TextField(help_text=_("What the review covered."))
    sampling = models.TextField(help_text=_("What evidence was sampled, and how."))
    opinion = models.TextField(help_text=_("The auditor's conclusion."))
    include_comments = models.BooleanField(
        default=True, help_text=_("Print the auditors' working comments as an appendix.")
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
