"""Writes: the assessment workflow. Views call these; they never write models directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from principles.catalogue import Catalogue, live_catalogue

from .models import (
    Answer,
    Assessment,
    AuditOpinion,
    Comment,
    Evidence,
    Organization,
    ReviewEvent,
)
from .scoring import AssessmentResult, Rules, score_assessment
from .uploads import check_evidence_file


class WorkflowError(Exception):
    """A workflow step that cannot be taken now; the message is for the user."""

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


@dataclass
class NewEvidence:
    description: str = ""
    url: str = ""
    upload: object | None = None  # an UploadedFile already checked by the form


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


def catalogue_for(assessment: Assessment, *, live: Catalogue | None = None) -> Catalogue:
    """The catalogue an assessment is shown against: frozen once submitted."""
    if assessment.catalogue_snapshot:
        return Catalogue.from_dict(assessment.catalogue_snapshot)
    return live if live is not None else live_catalogue()


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
    catalogue = catalogue_for(assessment, live=live)
    return score_assessment(
        catalogue=catalogue,
        roles=role_codes(assessment),
        answers=answers_by_code(assessment, catalogue),
        rules=rules_for(assessment),
    )


# --- creating and editing ----------------------------------------------------


def _check_period(period_start: date | None, period_end: date | None) -> None:
    if period_start and period_end and period_end < period_start:
        raise WorkflowError("The period cannot end before it starts.")


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
    _check_period(period_start, period_end)
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
    assessment.ensure_editable()
    _check_period(period_start, period_end)
    with transaction.atomic():
        assessment.title = title
        assessment.scope = scope
        assessment.period_start = period_start
        assessment.period_end = period_end
        assessment.save(
            update_fields=["title", "scope", "period_start", "period_end", "updated_at"]
        )
        assessment.roles.set(roles)


def _store_evidence(*, answer: Answer, new: NewEvidence, by) -> Evidence:
    evidence = Evidence(answer=answer, description=new.description, url=new.url, added_by=by)
    if new.upload is not None:
        checked = check_evidence_file(new.upload)
        evidence.file_name = checked.name
        evidence.content_type = checked.content_type
        evidence.size = checked.size
        evidence.sha256 = checked.sha256
        if not evidence.description:
            evidence.description = checked.name
        evidence.file.save(checked.name, new.upload, save=False)
    evidence.save()
    return evidence


def save_answers(*, assessment: Assessment, inputs: list[AnswerInput], by) -> int:
    """Save the posted answers of one page, all or none.

    Each answer carries a version; an input made against an older version than
    the one stored is refused (StaleAnswers) and nothing on the page is saved.
    Returns the number of answers that changed.
    """
    assessment.ensure_editable()
    changed = 0
    try:
        with transaction.atomic():
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
                if _apply_answer(assessment=assessment, answer=answer, item=item, by=by):
                    changed += 1
            if conflicts:
                raise StaleAnswers(conflicts)
            if changed:
                Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    except IntegrityError as exc:
        # Someone created the same answer at the same moment.
        raise StaleAnswers([Conflict(i.question_id, None) for i in inputs]) from exc
    return changed


def _is_untouched(*, answer: Answer | None, item: AnswerInput) -> bool:
    """True when the input repeats what the user saw at ``seen_version``.

    Someone else may have changed that answer since; the user did not touch it,
    so it is left as the other person saved it instead of counting as a conflict.
    """
    if item.new_evidence or item.remove_evidence:
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


def _apply_answer(*, assessment: Assessment, answer: Answer | None, item: AnswerInput, by) -> bool:
    values = {
        "level": None if item.not_applicable else item.level,
        "not_applicable": item.not_applicable,
        "explanation": item.explanation,
    }
    evidence_changes = bool(item.new_evidence) or bool(item.remove_evidence)
    if answer is None:
        empty = values["level"] is None and not item.not_applicable and not item.explanation
        if empty and not evidence_changes:
            return False
        answer = Answer(assessment=assessment, question_id=item.question_id, **values)
        answer.updated_by = by
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
        answer.version = item.seen_version + 1
        answer.updated_by = by
        answer.save()
    if item.remove_evidence:
        answer.evidence.filter(pk__in=item.remove_evidence).delete()
    if item.new_evidence:
        _store_evidence(answer=answer, new=item.new_evidence, by=by)
    return True


def add_comment(*, assessment: Assessment, answer: Answer, text: str, by) -> Comment:
    if not assessment.is_submitted:
        raise WorkflowError("Comments can be added only while the assessment is under review.")
    return Comment.objects.create(answer=answer, author=by, text=text)


# --- workflow ----------------------------------------------------------------


def submit_assessment(*, assessment: Assessment, by) -> None:
    """Draft → submitted, when every applicable question is answered."""
    assessment.ensure_editable()
    catalogue = live_catalogue()
    result = result_for(assessment, live=catalogue)
    if not result.applicable:
        raise WorkflowError("No question applies to the declared roles; nothing to submit.")
    missing = result.missing()
    if missing:
        raise WorkflowError(
            f"{len(missing)} applicable question(s) are not answered yet.",
            details=[q.question.code for q in missing],
        )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Assessment.Status.DRAFT:
            raise WorkflowError("This assessment was submitted already.")
        assessment.status = Assessment.Status.SUBMITTED
        # The bands and the floor rule are frozen with the catalogue: changing the
        # settings later must not re-band what was submitted or approved.
        assessment.catalogue_snapshot = catalogue.to_dict() | {
            "scoring": Rules.in_force().to_dict()
        }
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = by
        assessment.approved_at = None
        assessment.approved_by = None
        assessment.save()
        ReviewEvent.objects.create(
            assessment=assessment, action=ReviewEvent.Action.SUBMITTED, by=by
        )


def _review(*, assessment: Assessment, by, action: str, comment: str) -> None:
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Assessment.Status.SUBMITTED:
            raise WorkflowError("Only a submitted assessment can be approved or returned.")
        if action == ReviewEvent.Action.APPROVED:
            assessment.status = Assessment.Status.APPROVED
            assessment.approved_at = timezone.now()
            assessment.approved_by = by
        else:
            assessment.status = Assessment.Status.DRAFT
            assessment.catalogue_snapshot = None
        assessment.save()
        ReviewEvent.objects.create(assessment=assessment, action=action, by=by, comment=comment)


@dataclass
class OpinionInput:
    """The auditor's opinion, given with the approval (see ``AuditOpinion``)."""

    affiliation: str
    independent: bool | None
    review_scope: str
    sampling: str
    opinion: str
    include_comments: bool = True

    def missing(self) -> list[str]:
        texts = ("affiliation", "review_scope", "sampling", "opinion")
        missing = [name for name in texts if not str(getattr(self, name) or "").strip()]
        if self.independent is None:
            missing.append("independent")
        return missing


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
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Assessment.Status.SUBMITTED:
            raise WorkflowError(
                "“Not applicable” answers can be accepted only while the assessment is "
                "under review."
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
            raise WorkflowError(f"No “not applicable” answer to accept for {', '.join(unknown)}.")
        pending = [q for q in found if q.answer.na_accepted_at is None]
        Answer.objects.filter(pk__in=[q.answer.pk for q in pending]).update(
            na_accepted_by=by, na_accepted_at=timezone.now()
        )
    return [q.question.code for q in pending]


def approve_assessment(
    *, assessment: Assessment, by, opinion: OpinionInput | None = None, comment: str = ""
) -> None:
    """Submitted → approved, with the auditor's opinion, and the report issued, in
    one transaction.

    Refused without a complete opinion, and while a "not applicable" answer is
    not accepted. The assessment is locked from then on; if the report cannot be
    rendered, nothing is approved.
    """
    from reports.services import issue_report  # reports build on assessments

    if opinion is None or opinion.missing():
        raise WorkflowError(
            "Give your opinion to approve: review scope, sampling performed, opinion, "
            "your affiliation and whether you are independent of the organization."
        )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        unaccepted = locked.is_submitted and unaccepted_not_applicable(locked)
        if unaccepted:
            raise WorkflowError(
                f"Accept every “not applicable” answer before approving; "
                f"{len(unaccepted)} not accepted yet: {', '.join(unaccepted)}.",
                details=unaccepted,
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
            given_at=assessment.approved_at,
        )
        issue_report(assessment=assessment)


def return_assessment(*, assessment: Assessment, by, comment: str) -> None:
    """Submitted → draft again, with the auditor's reason."""
    if not comment.strip():
        raise WorkflowError("Say why the assessment is returned: a comment is required.")
    _review(assessment=assessment, by=by, action=ReviewEvent.Action.RETURNED, comment=comment)


def start_revision(*, assessment: Assessment, by) -> Assessment:
    """Copy an approved assessment, answers and evidence included, into a new draft."""
    if not assessment.is_locked:
        raise WorkflowError("Only an approved assessment can be revised.")
    if Assessment.objects.filter(predecessor=assessment).exists():
        raise WorkflowError("A revision of this assessment has been started already.")
    with transaction.atomic():
        revision = Assessment.objects.create(
            organization=assessment.organization,
            title=assessment.title,
            scope=assessment.scope,
            period_start=assessment.period_start,
            period_end=assessment.period_end,
            predecessor=assessment,
            revision=assessment.revision + 1,
            created_by=by,
        )
        revision.roles.set(assessment.roles.all())
        live_ids = {q.id for q in live_catalogue().questions()}
        for old in assessment.answers.prefetch_related("evidence"):
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
            new.save()
            for ev in old.evidence.all():
                copy = Evidence(
                    answer=new,
                    description=ev.description,
                    url=ev.url,
                    file_name=ev.file_name,
                    content_type=ev.content_type,
                    size=ev.size,
                    sha256=ev.sha256,
                    added_by=ev.added_by,
                )
                if ev.file:
                    with ev.file.open("rb") as handle:
                        copy.file.save(ev.file_name, ContentFile(handle.read()), save=False)
                copy.save()
        ReviewEvent.objects.create(
            assessment=revision,
            action=ReviewEvent.Action.CREATED,
            by=by,
            comment=f"Revision {revision.revision}, started from revision {assessment.revision}.",
        )
    return revision
