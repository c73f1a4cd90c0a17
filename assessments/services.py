"""Writes: the assessment workflow. Views call these; they never write models directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop, ngettext
from django.utils.translation import gettext as _

from principles.catalogue import (
    Catalogue,
    build_live_catalogue,
    live_catalogue,
    live_catalogue_in,
)

from .models import (
    Answer,
    Assessment,
    AuditOpinion,
    Comment,
    Evidence,
    Membership,
    Organization,
    PendingUpload,
    ReviewEvent,
    delete_evidence_file_if_unreferenced,
    evidence_storage_name,
    new_change_token,
)
from .scoring import AssessmentResult, Rules, score_assessment
from .signals import (
    assessment_approved,
    assessment_returned,
    assessment_submitted,
    comment_posted,
)
from .stamps import stamp_assessment_changed
from .uploads import CheckedFile, check_evidence_file

OFFICER = Membership.Role.OFFICER
AUDITOR = Membership.Role.AUDITOR
# Marks the answer history rows that start_revision writes: copying an approved
# answer is not a change to it (separation of duties looks at real changes only).
REVISION_COPY = "copied from the approved revision"
TITLE_MAX_CHARS = 200  # Assessment.title
EVIDENCE_DESCRIPTION_MAX_CHARS = 300  # Evidence.description
EVIDENCE_URL_MAX_CHARS = 500  # Evidence.url
AFFILIATION_MAX_CHARS = 200  # AuditOpinion.affiliation


class WorkflowError(Exception):
    """A workflow step that cannot be taken now; the message is for the user."""

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


class LimitExceeded(WorkflowError):
    """Input over one of the limits; ``question_id`` and ``field`` say where, when known."""

    def __init__(self, message: str, *, question_id: int | None = None, field: str = ""):
        super().__init__(message)
        self.question_id = question_id
        self.field = field


@dataclass
class NewEvidence:
    description: str = ""
    url: str = ""
    upload: object | None = None  # an UploadedFile
    checked: CheckedFile | None = None  # the form's check of ``upload``, when it made one
    # A piece of evidence of another assessment of the same organization whose stored
    # file this one shares (copying answers); files are stored by content, so no bytes move.
    copy_of: Evidence | None = None
    # A file kept from a failed save of the same page by the same person (already
    # checked and stored); attaching it uses it up.
    pending: PendingUpload | None = None


@dataclass
class AnswerInput:
    """What the officer posted for one question."""

    question_id: int
    seen_version: int  # 0 when there was no answer when the page was opened
    level: int | None
    not_applicable: bool
    explanation: str
    new_evidence: NewEvidence | None = None
    remove_evidence: list[int] = field(default_factory=list)
    more_evidence: list[NewEvidence] = field(default_factory=list)  # imports add several

    @property
    def added_evidence(self) -> list[NewEvidence]:
        return ([self.new_evidence] if self.new_evidence else []) + self.more_evidence


@dataclass
class Conflict:
    question_id: int
    current: Answer | None


class StaleAnswers(Exception):
    """Some answers changed since the page was opened; nothing was saved."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} answer(s) changed since the page was opened")
        self.conflicts = conflicts


# --- reads shared by views and reports --------------------------------------


def catalogue_for(
    assessment: Assessment, *, live: Catalogue | None = None, language: str | None = None
) -> Catalogue:
    """The catalogue an assessment is shown against: frozen once submitted, in
    ``language`` (by default the active one), English where a text has no translation."""
    if assessment.catalogue_snapshot:
        catalogue = Catalogue.from_dict(assessment.catalogue_snapshot)
        return catalogue.localized(language or get_language())
    # The live catalogue's localized copy is kept with it: one per language, not
    # one per assessment of a dashboard.
    return live_catalogue_in(language or get_language(), catalogue=live)


def rules_for(assessment: Assessment) -> Rules:
    """The bands and floor rule of an assessment: frozen once submitted, else in force."""
    frozen = (assessment.catalogue_snapshot or {}).get("scoring")
    return Rules.from_dict(frozen) if frozen else Rules.in_force()


def role_codes(assessment: Assessment) -> list[str]:
    return [role.code for role in assessment.roles.all()]


def answers_by_code(
    assessment: Assessment, catalogue: Catalogue, answers=None
) -> dict[str, Answer]:
    """The assessment's answers (or the given ``answers``) keyed by question code."""
    codes = {q.id: q.code for q in catalogue.questions()}
    if answers is None:
        answers = assessment.answers.all()
    return {codes[a.question_id]: a for a in answers if a.question_id in codes}


def result_for(assessment: Assessment, *, live: Catalogue | None = None) -> AssessmentResult:
    catalogue = catalogue_for(assessment, live=live, language=live.language if live else None)
    return score_assessment(
        catalogue=catalogue,
        roles=role_codes(assessment),
        answers=answers_by_code(assessment, catalogue),
        rules=rules_for(assessment),
    )


# --- locking, permissions and limits -------------------------------------------


def lock_assessment(assessment: Assessment, *, by, role: str) -> Assessment:
    """The assessment's row, locked until the current transaction ends, read afresh.

    Every write to an assessment (its details, answers, evidence, comments, status)
    takes this lock first and decides on the row it returns, never on the object
    loaded at the start of a request: that one is stale once a slow upload has been
    checked. Also re-checks that ``by`` still holds ``role`` in its organization
    (PermissionDenied otherwise). On SQLite ``select_for_update`` does nothing, but
    the database's IMMEDIATE transactions serialise all writers anyway.
    """
    fresh = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_role(organization_id=fresh.organization_id, by=by, role=role)
    return fresh


def held_role(*, organization_id: int, by) -> str | None:
    """The role ``by`` holds in the organization now, or None."""
    return (
        Membership.objects.filter(user_id=by.pk, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )


def lock_assessment_for_member(assessment: Assessment, *, by) -> tuple[Assessment, str]:
    """Like ``lock_assessment`` for actions open to officers and auditors alike:
    the locked, fresh row and the role ``by`` holds (PermissionDenied for none)."""
    fresh = Assessment.objects.select_for_update().get(pk=assessment.pk)
    role = held_role(organization_id=fresh.organization_id, by=by)
    if role not in (OFFICER, AUDITOR):
        raise PermissionDenied(_("Only the organization's officers and auditors can do this."))
    return fresh, role


def _require_role(*, organization_id: int, by, role: str) -> None:
    held = held_role(organization_id=organization_id, by=by)
    if held != role:
        raise PermissionDenied(
            gettext("Only the organization's %(role)s can do this.")
            % {"role": ROLE_PLURALS.get(role, role)}
        )


# "Only the organization's ... can do this."
ROLE_PLURALS = {
    Membership.Role.OFFICER: gettext_lazy("compliance officers"),
    Membership.Role.AUDITOR: gettext_lazy("auditors"),
}


def check_length(value: str, *, limit: int, what: str, **where) -> None:
    if len(value) > limit:
        raise LimitExceeded(
            gettext("%(what)s may be at most %(limit)s characters; this one has %(length)s.")
            % {"what": what, "limit": f"{limit:,}", "length": f"{len(value):,}"},
            **where,
        )


def _check_details(*, title: str, scope: str) -> None:
    check_length(title, limit=TITLE_MAX_CHARS, what=gettext("The title"))
    check_length(scope, limit=settings.SCOPE_MAX_CHARS, what=gettext("The scope"))


# --- creating and editing ----------------------------------------------------


def _check_period(period_start: date | None, period_end: date | None) -> None:
    if period_start and period_end and period_end < period_start:
        raise WorkflowError(gettext("The period cannot end before it starts."))


def create_assessment(
    *,
    organization: Organization,
    title: str,
    scope: str,
    by,
    roles=None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Assessment:
    _check_details(title=title, scope=scope)
    _check_period(period_start, period_end)
    _require_role(organization_id=organization.pk, by=by, role=OFFICER)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organization=organization,
            title=title,
            scope=scope,
            period_start=period_start,
            period_end=period_end,
            created_by=by,
        )
        assessment.roles.set(roles if roles is not None else organization.roles.all())
        ReviewEvent.objects.create(assessment=assessment, action=ReviewEvent.Action.CREATED, by=by)
    return assessment


def update_assessment_details(
    *,
    assessment: Assessment,
    title: str,
    scope: str,
    roles,
    by,
    period_start: date | None = None,
    period_end: date | None = None,
) -> None:
    """Change title, scope, period and declared roles; answers are kept whatever the roles."""
    _check_details(title=title, scope=scope)
    _check_period(period_start, period_end)
    with transaction.atomic():
        fresh = lock_assessment(assessment, by=by, role=OFFICER)
        fresh.ensure_editable()
        fresh.title = title
        fresh.scope = scope
        fresh.period_start = period_start
        fresh.period_end = period_end
        fresh.save(update_fields=["title", "scope", "period_start", "period_end", "updated_at"])
        fresh.roles.set(roles)


def _check_new_evidence(new: NewEvidence, *, question_id: int) -> None:
    """Lengths, link scheme and the file itself (the slow part: before any lock)."""
    where = {"question_id": question_id}
    check_length(
        new.description,
        limit=EVIDENCE_DESCRIPTION_MAX_CHARS,
        what="An evidence description",
        field="evidence_description",
        **where,
    )
    if new.url:
        check_length(
            new.url,
            limit=EVIDENCE_URL_MAX_CHARS,
            what=gettext("A link"),
            field="evidence_url",
            **where,
        )
        try:
            URLValidator(schemes=["http", "https"])(new.url)
        except ValidationError as exc:
            raise LimitExceeded(
                gettext("A link must be a web address (http or https)."),
                field="evidence_url",
                **where,
            ) from exc
    if new.pending is not None:
        pending = new.pending
        new.checked = CheckedFile(
            name=pending.file_name,
            content_type=pending.content_type,
            size=pending.size,
            sha256=pending.sha256,
        )
        return
    if new.upload is not None and new.checked is None:
        try:
            new.checked = check_evidence_file(new.upload)
        except ValidationError as exc:
            raise LimitExceeded(exc.messages[0], field="evidence_file", **where) from exc
    if new.copy_of is not None:
        if not new.copy_of.file:
            raise LimitExceeded(gettext("Only a stored file can be shared."), **where)
    elif new.upload is None and not new.url:
        raise LimitExceeded(
            gettext("Evidence needs a link or a file."), field="evidence_url", **where
        )


def _check_evidence_limits(*, assessment: Assessment, inputs: list[AnswerInput]) -> None:
    """Items per answer and bytes per assessment, counted on the locked assessment."""
    if not any(item.added_evidence for item in inputs):
        return  # removing evidence is always allowed
    rows = list(
        Evidence.objects.filter(answer__assessment=assessment).values_list(
            "pk", "answer__question_id", "size"
        )
    )
    # An input removes evidence of its own answer only (as _apply_answer does).
    removed = {(item.question_id, pk) for item in inputs for pk in item.remove_evidence}
    kept = [
        (question_id, size or 0)
        for pk, question_id, size in rows
        if (question_id, pk) not in removed
    ]
    total = sum(size for _, size in kept)
    limit = settings.EVIDENCE_MAX_ITEMS_PER_ANSWER
    for item in inputs:
        added = item.added_evidence
        if not added:
            continue
        count = sum(1 for question_id, _ in kept if question_id == item.question_id) + len(added)
        if count > limit:
            field = "evidence_file" if added[0].upload is not None else "evidence_url"
            raise LimitExceeded(
                gettext(
                    "An answer can have at most %(limit)s pieces of evidence; remove one first."
                )
                % {"limit": limit},
                question_id=item.question_id,
                field=field,
            )
        for new in added:
            if new.checked is not None:
                total += new.checked.size
            elif new.copy_of is not None:
                total += new.copy_of.size or 0
            else:
                continue
            if total > settings.EVIDENCE_MAX_TOTAL_BYTES:
                raise LimitExceeded(
                    gettext(
                        "The evidence files of one assessment may add up to at most %(size)s "
                        "(%(bytes)s bytes); this file would pass it."
                    )
                    % {
                        "size": filesizeformat(settings.EVIDENCE_MAX_TOTAL_BYTES),
                        "bytes": f"{settings.EVIDENCE_MAX_TOTAL_BYTES:,}",
                    },
                    question_id=item.question_id,
                    field="evidence_file",
                )


def _store_evidence(*, answer: Answer, new: NewEvidence, by, written: list[str]) -> Evidence:
    evidence = Evidence(answer=answer, description=new.description, url=new.url, added_by=by)
    evidence._history_user = by
    if new.copy_of is not None:
        if new.copy_of.answer.assessment.organization_id != answer.assessment.organization_id:
            raise WorkflowError(gettext("Evidence can be shared only within one organization."))
        for name in ("file_name", "content_type", "size", "sha256"):
            setattr(evidence, name, getattr(new.copy_of, name))
        evidence.file.name = new.copy_of.file.name
    elif new.pending is not None:
        pending = new.pending
        for name in ("file_name", "content_type", "size", "sha256"):
            setattr(evidence, name, getattr(pending, name))
        evidence.description = (pending.description or evidence.description or pending.file_name)[
            :EVIDENCE_DESCRIPTION_MAX_CHARS
        ]
        evidence.file.name = pending.file.name
    elif new.upload is not None:
        checked = new.checked
        evidence.file_name = checked.name
        evidence.content_type = checked.content_type
        evidence.size = checked.size
        evidence.sha256 = checked.sha256
        if not evidence.description:
            evidence.description = checked.name[:EVIDENCE_DESCRIPTION_MAX_CHARS]
        evidence.file.name = _store_file(checked=checked, upload=new.upload, written=written)
    evidence.save()
    if new.pending is not None:
        # The file is referenced by the evidence now: deleting the row keeps it.
        PendingUpload.objects.filter(pk=new.pending.pk).delete()
    return evidence


def _store_file(*, checked: CheckedFile, upload, written: list[str]) -> str:
    """Store the content under its hash, once; note in ``written`` what this call created."""
    name = evidence_storage_name(checked.sha256)
    if default_storage.exists(name) and default_storage.size(name) == checked.size:
        return name
    # Absent, or cut short by a crash while it was written: the storage picks a free
    # name next to it then.
    upload.seek(0)
    stored = default_storage.save(name, upload)
    written.append(stored)
    return stored


def save_answers(*, assessment: Assessment, inputs: list[AnswerInput], by) -> int:
    """Save the posted answers of one page, all or none.

    Each answer carries a version; an input made against an older version than
    the one stored is refused (StaleAnswers) and nothing on the page is saved.
    Uploads are checked first; then the assessment is locked and its status, the
    user's role and the limits are decided on the fresh row (AssessmentLocked,
    PermissionDenied, LimitExceeded). Nothing is written when any of them refuses,
    and files stored for a save that fails are removed again.
    Returns the number of answers that changed.
    """
    for item in inputs:
        check_length(
            item.explanation,
            limit=settings.EXPLANATION_MAX_CHARS,
            what="An explanation",
            question_id=item.question_id,
            field="explanation",
        )
        for new in item.added_evidence:
            _check_new_evidence(new, question_id=item.question_id)
    written: list[str] = []
    try:
        return _save_answers_locked(assessment=assessment, inputs=inputs, by=by, written=written)
    except BaseException:
        for name in written:
            delete_evidence_file_if_unreferenced(name)
        raise


def _save_answers_locked(
    *, assessment: Assessment, inputs: list[AnswerInput], by, written: list[str]
) -> int:
    changed = 0
    try:
        with transaction.atomic():
            assessment = lock_assessment(assessment, by=by, role=OFFICER)
            assessment.ensure_editable()
            _check_evidence_limits(assessment=assessment, inputs=inputs)
            _check_pending_still_there(assessment=assessment, inputs=inputs, by=by)
            existing = {
                a.question_id: a
                for a in Answer.objects.filter(
                    assessment=assessment, question_id__in=[i.question_id for i in inputs]
                ).select_related("updated_by")
            }
            conflicts = []
            for item in inputs:
                answer = existing.get(item.question_id)
                current_version = answer.version if answer else 0
                if current_version != item.seen_version:
                    if not _is_untouched(answer=answer, item=item):
                        conflicts.append(Conflict(item.question_id, answer))
                    continue
                if _apply_answer(
                    assessment=assessment, answer=answer, item=item, by=by, written=written
                ):
                    changed += 1
            if conflicts:
                raise StaleAnswers(conflicts)
            if changed:
                Assessment.objects.filter(pk=assessment.pk).update(
                    updated_at=timezone.now(), change_token=new_change_token()
                )
    except IntegrityError as exc:
        # Someone created the same answer at the same moment.
        raise StaleAnswers([Conflict(i.question_id, None) for i in inputs]) from exc
    return changed


def _check_pending_still_there(*, assessment: Assessment, inputs: list[AnswerInput], by) -> None:
    """Kept files are attached once, by their uploader, to their own question."""
    wanted = [
        (item.question_id, new.pending)
        for item in inputs
        for new in item.added_evidence
        if new.pending is not None
    ]
    if not wanted:
        return
    there = set(
        PendingUpload.objects.filter(
            pk__in=[p.pk for _, p in wanted], user_id=by.pk, assessment=assessment
        ).values_list("pk", "question_id")
    )
    for question_id, pending in wanted:
        if (pending.pk, question_id) not in there:
            raise LimitExceeded(
                gettext("“%(name)s” is no longer waiting to be attached; attach the file again.")
                % {"name": pending.file_name},
                question_id=question_id,
                field="evidence_file",
            )


def keep_pending_uploads(
    *, assessment: Assessment, by, uploads: list[tuple[int, str, object, CheckedFile]]
) -> dict[int, PendingUpload]:
    """Keep checked files of a failed page save for the next save of that page.

    ``uploads`` holds (question id, description, uploaded file, its check). Returns
    the kept files by question id; files past ``PENDING_UPLOADS_MAX`` per person and
    assessment are not kept (the page asks for them again).
    """
    _require_role(organization_id=assessment.organization_id, by=by, role=OFFICER)
    assessment.ensure_editable()
    kept: dict[int, PendingUpload] = {}
    room = settings.PENDING_UPLOADS_MAX - (
        PendingUpload.objects.filter(user_id=by.pk, assessment=assessment).count()
    )
    for question_id, description, upload, checked in uploads[: max(room, 0)]:
        written: list[str] = []
        name = _store_file(checked=checked, upload=upload, written=written)
        kept[question_id] = PendingUpload.objects.create(
            user=by,
            assessment=assessment,
            question_id=question_id,
            description=description[:EVIDENCE_DESCRIPTION_MAX_CHARS],
            file=name,
            file_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
    return kept


def discard_pending_uploads(*, assessment: Assessment, by, ids: list[int]) -> None:
    """Forget kept files the user no longer wants attached (their own only)."""
    if ids:
        PendingUpload.objects.filter(pk__in=ids, user_id=by.pk, assessment=assessment).delete()


def _is_untouched(*, answer: Answer | None, item: AnswerInput) -> bool:
    """True when the input repeats what the user saw at ``seen_version``.

    Someone else may have changed that answer since; the user did not touch it,
    so it is left as the other person saved it instead of counting as a conflict.
    """
    if item.added_evidence or item.remove_evidence:
        return False
    posted = (None if item.not_applicable else item.level, item.not_applicable, item.explanation)
    if item.seen_version == 0:
        return posted == (None, False, "")
    seen = (
        Answer.history.filter(id=answer.pk, version=item.seen_version)
        .order_by("-history_date")
        .values_list("level", "not_applicable", "explanation")
        .first()
    )
    return seen is not None and tuple(seen) == posted


def _apply_answer(
    *, assessment: Assessment, answer: Answer | None, item: AnswerInput, by, written: list[str]
) -> bool:
    values = {
        "level": None if item.not_applicable else item.level,
        "not_applicable": item.not_applicable,
        "explanation": item.explanation,
    }
    evidence_changes = bool(item.added_evidence) or bool(item.remove_evidence)
    if answer is None:
        empty = values["level"] is None and not item.not_applicable and not item.explanation
        if empty and not evidence_changes:
            return False
        answer = Answer(assessment=assessment, question_id=item.question_id, **values)
        answer.updated_by = by
        answer._history_user = by
        answer.save()
    else:
        answer.assessment = assessment  # already loaded; avoids a query in ensure_editable
        differs = any(getattr(answer, k) != v for k, v in values.items())
        if not differs and not evidence_changes:
            return False
        # Claim the version: a concurrent save of the same answer waits here and
        # then finds the version moved on.
        claimed = Answer.objects.filter(pk=answer.pk, version=item.seen_version).update(
            version=F("version") + 1
        )
        if not claimed:
            raise StaleAnswers([Conflict(item.question_id, answer)])
        for name, value in values.items():
            setattr(answer, name, value)
        if differs:
            # What the auditor accepted is no longer what the answer says.
            answer.na_accepted_by = None
            answer.na_accepted_at = None
        # Nor what the auditor reviewed, evidence included.
        answer.reviewed_by = None
        answer.reviewed_at = None
        answer.version = item.seen_version + 1
        answer.updated_by = by
        answer._history_user = by
        answer.save()
    if item.remove_evidence:
        # Each row's file goes after commit if no other row refers to it (models.py).
        for evidence in answer.evidence.filter(pk__in=item.remove_evidence):
            evidence._history_user = by  # who removed it, in the evidence history
            evidence.delete()
    for new in item.added_evidence:
        _store_evidence(answer=answer, new=new, by=by, written=written)
    return True


def add_comment(
    *,
    assessment: Assessment,
    answer: Answer,
    text: str,
    by,
    parent: Comment | None = None,
    blocking: bool = False,
) -> Comment:
    """A new thread on an answer (auditors, while submitted) or a reply to a thread.

    Auditors start threads and reply while the assessment is under review; only
    they mark a thread blocking. Officers reply (they do not start threads) while
    the assessment is a draft or submitted. Nothing is added once it is approved.
    """
    text = text.strip()
    if not text:
        raise WorkflowError(_("Write something first: the comment is empty."))
    check_length(text, limit=settings.COMMENT_MAX_CHARS, what=gettext("A comment"))
    with transaction.atomic():
        fresh, role = lock_assessment_for_member(assessment, by=by)
        if answer.assessment_id != fresh.pk:
            raise WorkflowError(gettext("This answer belongs to another assessment."))
        if role == AUDITOR and not fresh.is_submitted:
            raise WorkflowError(
                gettext("Comments can be added only while the assessment is under review.")
            )
        if fresh.is_locked:
            raise WorkflowError(_("The assessment is approved: its comments cannot change."))
        if role == OFFICER and parent is None:
            raise PermissionDenied(
                _("Officers reply to the auditors' comments; they do not start them.")
            )
        if parent is not None:
            if parent.answer_id != answer.pk or parent.parent_id is not None:
                raise WorkflowError(_("Replies go to a comment of the same answer."))
            blocking = False  # a reply is part of its thread, which is blocking or not
        limit = settings.COMMENTS_MAX_PER_ANSWER
        if Comment.objects.filter(answer=answer).count() >= limit:
            raise LimitExceeded(
                gettext("An answer can have at most %(limit)s comments; this one has reached it.")
                % {"limit": limit}
            )
        comment = Comment.objects.create(
            answer=answer, author=by, text=text, parent=parent, blocking=blocking
        )
        comment_posted.send(sender=Comment, comment=comment, by=by)
        return comment


def _thread_for_change(*, assessment: Assessment, comment: Comment, by):
    fresh, role = lock_assessment_for_member(assessment, by=by)
    thread = Comment.objects.select_for_update().get(pk=comment.pk)
    if thread.answer.assessment_id != fresh.pk:
        raise WorkflowError("This comment belongs to another assessment.")
    if thread.parent_id is not None:
        raise WorkflowError(_("Resolve or reopen the thread, not one reply."))
    if fresh.is_locked:
        raise WorkflowError(_("The assessment is approved: its comments cannot change."))
    return thread, role, fresh


def resolve_comment(*, assessment: Assessment, comment: Comment, by) -> bool:
    """Resolve a thread. Auditors resolve any thread before approval; officers
    resolve while the assessment is a draft (they have made the fix), blocking
    threads included; the auditor sees the fix on resubmission and may reopen.
    Returns False when it was resolved already."""
    with transaction.atomic():
        thread, role, fresh = _thread_for_change(assessment=assessment, comment=comment, by=by)
        if role == OFFICER and not fresh.is_draft:
            raise WorkflowError(
                _(
                    "While the assessment is under review only an auditor resolves comments; "
                    "reply instead."
                )
            )
        if thread.resolved_at is not None:
            return False
        thread.resolved_at = timezone.now()
        thread.resolved_by = by
        thread.save(update_fields=["resolved_at", "resolved_by"])
        return True


def reopen_comment(*, assessment: Assessment, comment: Comment, by) -> bool:
    """Reopen a resolved thread: auditors before approval, officers while a draft
    (and only the threads an officer resolved). Returns False when it was open."""
    with transaction.atomic():
        thread, role, fresh = _thread_for_change(assessment=assessment, comment=comment, by=by)
        if thread.resolved_at is None:
            return False
        if role == OFFICER:
            resolver = held_role(organization_id=fresh.organization_id, by=thread.resolved_by)
            if not fresh.is_draft or resolver == AUDITOR:
                raise WorkflowError(_("Only an auditor reopens what an auditor resolved."))
        thread.resolved_at = None
        thread.resolved_by = None
        thread.save(update_fields=["resolved_at", "resolved_by"])
        return True


def blocking_codes(assessment: Assessment) -> list[str]:
    """Codes of the questions with an open blocking thread, sorted."""
    codes = Comment.objects.blocking_open().filter(answer__assessment=assessment)
    return sorted(set(codes.values_list("answer__question__code", flat=True)))


def unreviewed_codes(assessment: Assessment) -> list[str]:
    """Codes of the applicable, answered questions no auditor has marked reviewed
    (or whose mark a change cleared), in catalogue order."""
    result = result_for(assessment)
    return [
        q.question.code
        for p in result.principles
        for q in p.questions
        if q.answer is not None and q.answer.is_answered and q.answer.reviewed_at is None
    ]


def mark_reviewed(
    *,
    assessment: Assessment,
    by,
    codes: list[str] | None = None,
    numeral: str | None = None,
    reviewed: bool = True,
) -> list[str]:
    """The auditor marks answers reviewed (or unmarks them with ``reviewed=False``):
    those of ``codes``, or every answered one of principle ``numeral``, while the
    assessment is under review. Returns the codes whose mark changed."""
    with transaction.atomic():
        locked = lock_assessment(assessment, by=by, role=AUDITOR)
        if not locked.is_submitted:
            raise WorkflowError(
                _("Answers can be marked reviewed only while the assessment is under review.")
            )
        result = result_for(locked)
        found = [
            q
            for p in result.principles
            for q in p.questions
            if q.answer is not None
            and q.answer.is_answered
            and (
                (codes is not None and q.question.code in codes)
                or (numeral is not None and p.principle.numeral == numeral)
            )
        ]
        if codes is not None and len(found) < len(set(codes)):
            unknown = ", ".join(sorted(set(codes) - {q.question.code for q in found}))
            raise WorkflowError(_("No answer to mark for %(codes)s.") % {"codes": unknown})
        changing = [q for q in found if (q.answer.reviewed_at is None) == reviewed]
        Answer.objects.filter(pk__in=[q.answer.pk for q in changing]).update(
            reviewed_by=by if reviewed else None,
            reviewed_at=timezone.now() if reviewed else None,
        )
        stamp_assessment_changed(assessment.pk)
    return [q.question.code for q in changing]


# --- workflow ----------------------------------------------------------------


def submit_assessment(*, assessment: Assessment, by) -> None:
    """Draft → submitted, when every applicable question is answered."""
    with transaction.atomic():
        locked = lock_assessment(assessment, by=by, role=OFFICER)
        if locked.is_submitted:
            raise WorkflowError(gettext("This assessment was submitted already."))
        locked.ensure_editable()
        # Read afresh, not the copy this process keeps: what is frozen here is shown
        # for good, so it must hold even an edit made around the ORM a moment ago.
        catalogue = build_live_catalogue()
        result = result_for(locked, live=catalogue)
        if not result.applicable:
            raise WorkflowError(
                gettext("No question applies to the declared roles; nothing to submit.")
            )
        missing = result.missing()
        if missing:
            raise WorkflowError(
                ngettext(
                    "%(count)s applicable question is not answered yet.",
                    "%(count)s applicable questions are not answered yet.",
                    len(missing),
                )
                % {"count": len(missing)},
                details=[q.question.code for q in missing],
            )
        blocking = blocking_codes(locked)
        if blocking:
            raise WorkflowError(
                ngettext(
                    "A blocking comment is still open, on %(codes)s: resolve it first.",
                    "%(count)d blocking comments are still open, on %(codes)s: resolve them first.",
                    len(blocking),
                )
                % {"count": len(blocking), "codes": ", ".join(blocking)}
            )
        locked.status = Assessment.Status.SUBMITTED
        # The bands and the floor rule are frozen with the catalogue: changing the
        # settings later must not re-band what was submitted or approved.
        locked.catalogue_snapshot = catalogue.to_dict() | {"scoring": Rules.in_force().to_dict()}
        locked.submitted_at = timezone.now()
        locked.submitted_by = by
        locked.approved_at = None
        locked.approved_by = None
        locked.save()
        ReviewEvent.objects.create(assessment=locked, action=ReviewEvent.Action.SUBMITTED, by=by)
        assessment_submitted.send(sender=Assessment, assessment=locked, by=by)
    assessment.refresh_from_db()


def _review(*, assessment: Assessment, by, action: str, comment: str) -> None:
    check_length(comment, limit=settings.COMMENT_MAX_CHARS, what=gettext("A comment"))
    with transaction.atomic():
        locked = lock_assessment(assessment, by=by, role=AUDITOR)
        if locked.status != Assessment.Status.SUBMITTED:
            raise WorkflowError(gettext("Only a submitted assessment can be approved or returned."))
        if action == ReviewEvent.Action.APPROVED:
            _check_separation_of_duties(assessment=locked, by=by)
            locked.status = Assessment.Status.APPROVED
            locked.approved_at = timezone.now()
            locked.approved_by = by
        else:
            locked.status = Assessment.Status.DRAFT
            locked.catalogue_snapshot = None
        locked.save()
        ReviewEvent.objects.create(assessment=locked, action=action, by=by, comment=comment)
        if action == ReviewEvent.Action.RETURNED:
            assessment_returned.send(sender=Assessment, assessment=locked, by=by, reason=comment)
    assessment.refresh_from_db()


def editors_since_approval(assessment: Assessment) -> set[int]:
    """Ids of everyone who changed an answer or its evidence in this assessment.

    An assessment is approved once (a revision is a new assessment), so this is
    every change since the last approval. Adding or removing evidence saves the
    answer too, so the answer history covers evidence; the copies a revision starts
    with are not changes.
    """
    rows = (
        Answer.history.filter(assessment_id=assessment.pk)
        .exclude(history_change_reason=REVISION_COPY)
        .values_list("updated_by_id", "history_user_id")
    )
    return {user_id for row in rows for user_id in row if user_id is not None}


def _check_separation_of_duties(*, assessment: Assessment, by) -> None:
    """The approver must not have submitted the assessment or changed its answers.

    FOUR_EYES_RELAXED allows it (for a one-person organization); the approval then
    records that the rule was relaxed and why, and the report says so.
    """
    roles = []
    if assessment.submitted_by_id == by.pk:
        roles.append(gettext_noop("submitted it"))
    if by.pk in editors_since_approval(assessment):
        roles.append(gettext_noop("changed answers in it"))
    name = by.get_full_name() or by.get_username()
    if not roles:
        assessment.duties_relaxed = False
        assessment.duties_note = (
            f"Enforced: the approver, {name}, neither submitted this assessment nor changed "
            "its answers or evidence."
        )
        return
    if not settings.FOUR_EYES_RELAXED:
        raise WorkflowError(
            gettext(
                "Separation of duties: you %(what)s, so another auditor of the organization "
                "must approve it."
            )
            % {"what": gettext(" and ").join(gettext(role) for role in roles)}
        )
    assessment.duties_relaxed = True
    assessment.duties_note = (
        f"Relaxed (FOUR_EYES_RELAXED is set for a one-person organization): the approver, "
        f"{name}, also {' and '.join(roles)}."
    )


@dataclass
class OpinionInput:
    """The auditor's opinion, given with the approval (see ``AuditOpinion``)."""

    affiliation: str
    independent: bool | None
    review_scope: str
    sampling: str
    opinion: str
    include_comments: bool = True
    report_language: str = "en"  # one of settings.LANGUAGES: the issued report's language

    def missing(self) -> list[str]:
        texts = ("affiliation", "review_scope", "sampling", "opinion")
        missing = [name for name in texts if not str(getattr(self, name) or "").strip()]
        if self.independent is None:
            missing.append("independent")
        return missing


def check_report_language(language: str) -> None:
    """A report can be issued in the site's languages only."""
    languages = dict(settings.LANGUAGES)
    if language not in languages:
        raise WorkflowError(
            gettext("A report can be issued in %(languages)s, not in %(language)r.")
            % {
                "languages": ", ".join(str(name) for name in languages.values()),
                "language": language,
            }
        )


def unaccepted_not_applicable(assessment: Assessment) -> list[str]:
    """Codes of the applicable questions answered "not applicable" that no auditor
    has accepted yet, in catalogue order."""
    result = result_for(assessment)
    return [q.question.code for q in result.not_applicable() if q.answer.na_accepted_at is None]


def accept_not_applicable(
    *, assessment: Assessment, by, codes: list[str] | None = None, numeral: str | None = None
) -> list[str]:
    """The auditor accepts "not applicable" answers: the ones of ``codes``, or every
    one of principle ``numeral``. Returns the codes newly accepted."""
    with transaction.atomic():
        locked = lock_assessment(assessment, by=by, role=AUDITOR)
        if locked.status != Assessment.Status.SUBMITTED:
            raise WorkflowError(
                gettext(
                    "“Not applicable” answers can be accepted only while the assessment is "
                    "under review."
                )
            )
        result = result_for(locked)
        found = [
            q
            for q in result.not_applicable()
            if (codes is not None and q.question.code in codes)
            or (numeral is not None and q.question.code.split(".")[0] == numeral)
        ]
        if codes is not None and len(found) < len(set(codes)):
            unknown = sorted(set(codes) - {q.question.code for q in found})
            raise WorkflowError(
                gettext("No “not applicable” answer to accept for %(codes)s.")
                % {"codes": ", ".join(unknown)}
            )
        pending = [q for q in found if q.answer.na_accepted_at is None]
        Answer.objects.filter(pk__in=[q.answer.pk for q in pending]).update(
            na_accepted_by=by, na_accepted_at=timezone.now()
        )
        stamp_assessment_changed(assessment.pk)
    return [q.question.code for q in pending]


class UnreviewedAnswers(WorkflowError):
    """Approval asked for while answers are not marked reviewed, unconfirmed."""


def approve_assessment(
    *,
    assessment: Assessment,
    by,
    opinion: OpinionInput | None = None,
    comment: str = "",
    confirm_unreviewed: bool = True,
) -> None:
    """Submitted → approved, with the auditor's opinion: the decision, recorded and
    locked at once.

    Refused without a complete opinion, and while a "not applicable" answer is
    not accepted, while a blocking comment is open, and (with
    ``confirm_unreviewed=False``) while an answer is not marked reviewed
    (UnreviewedAnswers, whose ``details`` are the codes). The report is not
    rendered here: ``assessment_approved`` lets the reports app queue its issuing,
    which a task worker does after the commit, so a failed render never undoes an approval.
    """
    with transaction.atomic():
        locked = lock_assessment(assessment, by=by, role=AUDITOR)
        if opinion is None or opinion.missing():
            raise WorkflowError(
                gettext(
                    "Give your opinion to approve: review scope, sampling performed, opinion, "
                    "your affiliation and whether you are independent of the organization."
                )
            )
        for text, limit, what in (
            (opinion.affiliation, AFFILIATION_MAX_CHARS, gettext("The affiliation")),
            (opinion.review_scope, settings.COMMENT_MAX_CHARS, gettext("The review scope")),
            (opinion.sampling, settings.COMMENT_MAX_CHARS, gettext("The sampling")),
            (opinion.opinion, settings.EXPLANATION_MAX_CHARS, gettext("The opinion")),
        ):
            check_length(text, limit=limit, what=what)
        check_report_language(opinion.report_language)
        unaccepted = locked.is_submitted and unaccepted_not_applicable(locked)
        if unaccepted:
            raise WorkflowError(
                gettext(
                    "Accept every “not applicable” answer before approving; "
                    "%(count)s not accepted yet: %(codes)s."
                )
                % {"count": len(unaccepted), "codes": ", ".join(unaccepted)},
                details=unaccepted,
            )
        blocking = locked.is_submitted and blocking_codes(locked)
        if blocking:
            raise WorkflowError(
                _(
                    "A blocking comment is still open, on %(codes)s: resolve it or return "
                    "the assessment."
                )
                % {"codes": ", ".join(blocking)},
                details=blocking,
            )
        if locked.is_submitted and not confirm_unreviewed:
            # A refusal outranks the question whether to approve unreviewed answers.
            _check_separation_of_duties(assessment=locked, by=by)
        unreviewed = locked.is_submitted and not confirm_unreviewed and unreviewed_codes(locked)
        if unreviewed:
            raise UnreviewedAnswers(
                ngettext(
                    "%(count)d answer is not marked reviewed.",
                    "%(count)d answers are not marked reviewed.",
                    len(unreviewed),
                )
                % {"count": len(unreviewed)},
                details=unreviewed,
            )
        _review(assessment=assessment, by=by, action=ReviewEvent.Action.APPROVED, comment=comment)
        AuditOpinion.objects.create(
            assessment=assessment,
            auditor=by,
            affiliation=opinion.affiliation.strip(),
            independent=bool(opinion.independent),
            review_scope=opinion.review_scope.strip(),
            sampling=opinion.sampling.strip(),
            opinion=opinion.opinion.strip(),
            include_comments=opinion.include_comments,
            report_language=opinion.report_language,
            given_at=assessment.approved_at,
        )
        assessment_approved.send(sender=Assessment, assessment=assessment, by=by)


def return_assessment(*, assessment: Assessment, by, comment: str) -> None:
    """Submitted → draft again, with the auditor's reason."""
    if not comment.strip():
        raise WorkflowError(gettext("Say why the assessment is returned: a comment is required."))
    _review(assessment=assessment, by=by, action=ReviewEvent.Action.RETURNED, comment=comment)


def start_revision(*, assessment: Assessment, by) -> Assessment:
    """Copy an approved assessment, answers and evidence included, into a new draft.

    The predecessor's row is locked first, so a second request at the same moment
    waits, then finds the revision started and gets the usual message.
    Evidence files are shared with the predecessor (they are stored by content).
    """
    try:
        with transaction.atomic():
            return _start_revision_locked(assessment=assessment, by=by)
    except IntegrityError as exc:
        # Only where the lock does nothing (SQLite serialises writers instead).
        raise WorkflowError(_REVISION_STARTED) from exc


_REVISION_STARTED = gettext_lazy("A revision of this assessment has been started already.")


def _start_revision_locked(*, assessment: Assessment, by) -> Assessment:
    predecessor = lock_assessment(assessment, by=by, role=OFFICER)
    if not predecessor.is_locked:
        raise WorkflowError(gettext("Only an approved assessment can be revised."))
    if Assessment.objects.filter(predecessor=predecessor).exists():
        raise WorkflowError(_REVISION_STARTED)
    revision = Assessment.objects.create(
        organization_id=predecessor.organization_id,
        title=predecessor.title,
        scope=predecessor.scope,
        period_start=predecessor.period_start,
        period_end=predecessor.period_end,
        predecessor=predecessor,
        revision=predecessor.revision + 1,
        created_by=by,
    )
    revision.roles.set(predecessor.roles.all())
    live_ids = {q.id for q in live_catalogue().questions()}
    for old in predecessor.answers.prefetch_related("evidence"):
        if old.question_id not in live_ids:
            continue
        new = Answer(
            assessment=revision,
            question_id=old.question_id,
            level=old.level,
            not_applicable=old.not_applicable,
            explanation=old.explanation,
            updated_by=by,
        )
        new._change_reason = REVISION_COPY
        new._history_user = by
        new.save()
        Evidence.objects.bulk_create(
            Evidence(
                answer=new,
                description=ev.description,
                url=ev.url,
                file=ev.file.name,
                file_name=ev.file_name,
                content_type=ev.content_type,
                size=ev.size,
                sha256=ev.sha256,
                added_by_id=ev.added_by_id,
            )
            for ev in old.evidence.all()
        )
    ReviewEvent.objects.create(
        assessment=revision,
        action=ReviewEvent.Action.CREATED,
        by=by,
        comment=f"Revision {revision.revision}, started from revision {predecessor.revision}.",
    )
    return revision
