"""Changes since the last submission: per answer, the level, explanation and
evidence as they were when the assessment was last submitted, and as they are.

The "before" is read from the history records (answers and evidence keep one
per save and per deletion) at the time of a submission; evidence rows from
before evidence had history count as there since they were added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from .models import Answer, Assessment, Evidence, ReviewEvent


@dataclass
class AnswerChange:
    code: str
    numeral: str
    before: str
    after: str
    explanation_before: str
    explanation_after: str
    evidence_added: list[str] = field(default_factory=list)
    evidence_removed: list[str] = field(default_factory=list)

    @property
    def response_changed(self) -> bool:
        return self.before != self.after

    @property
    def explanation_changed(self) -> bool:
        return self.explanation_before != self.explanation_after


def response_label(record) -> str:
    """The level of an answer (or a history record of one) in words."""
    if record is None:
        return _("Not answered")
    if record.not_applicable:
        return _("Not applicable")
    if record.level is None:
        return _("Not answered")
    return f"{record.level} – {Answer.Level(record.level).label}"


def evidence_label(record) -> str:
    """One piece of evidence (or a history record of one) in words."""
    where = record.file_name or record.url
    return f"{record.description} ({where})" if where and where != record.description else where


def baseline(assessment: Assessment) -> ReviewEvent | None:
    """The submission the current state is compared with: for a draft, its last
    submission (it was returned since); for a submitted or approved assessment,
    the submission before the latest one. None when there is none."""
    submissions = list(
        assessment.events.filter(action=ReviewEvent.Action.SUBMITTED).order_by("at", "pk")
    )
    if assessment.is_draft:
        return submissions[-1] if submissions else None
    return submissions[-2] if len(submissions) >= 2 else None


def _latest_before(records, at: datetime) -> dict[int, object]:
    """The latest record per object id at or before ``at`` (records oldest first)."""
    latest = {}
    for record in records:
        if record.history_date <= at:
            latest[record.id] = record
    return latest


def changes_since(assessment: Assessment, at: datetime) -> list[AnswerChange]:
    """Every answer that differs now from what it was at ``at``, in catalogue order.
    A fixed number of queries (four) whatever the number of answers."""
    answers = list(
        Answer.objects.filter(assessment=assessment).select_related("question__principle")
    )
    answer_history = _latest_before(
        Answer.history.filter(assessment_id=assessment.pk).order_by("history_date", "history_id"),
        at,
    )
    current_evidence = list(Evidence.objects.filter(answer__assessment=assessment))
    evidence_history = list(
        Evidence.history.filter(answer__assessment_id=assessment.pk).order_by(
            "history_date", "history_id"
        )
    )
    with_history = {record.id for record in evidence_history}
    then: dict[int, dict[int, str]] = {}  # answer id -> evidence id -> label
    for record in _latest_before(evidence_history, at).values():
        if record.history_type != "-":
            then.setdefault(record.answer_id, {})[record.id] = evidence_label(record)
    now: dict[int, dict[int, str]] = {}
    for evidence in current_evidence:
        now.setdefault(evidence.answer_id, {})[evidence.pk] = evidence_label(evidence)
        if evidence.pk not in with_history and evidence.added_at <= at:
            then.setdefault(evidence.answer_id, {})[evidence.pk] = evidence_label(evidence)
    changes = []
    answers.sort(key=lambda a: (a.question.principle.order, a.question.order))
    for answer in answers:
        old = answer_history.get(answer.pk)
        before_ev, after_ev = then.get(answer.pk, {}), now.get(answer.pk, {})
        change = AnswerChange(
            code=answer.question.code,
            numeral=answer.question.principle.numeral,
            before=response_label(old),
            after=response_label(answer),
            explanation_before=old.explanation if old else "",
            explanation_after=answer.explanation,
            evidence_added=[after_ev[pk] for pk in sorted(set(after_ev) - set(before_ev))],
            evidence_removed=[before_ev[pk] for pk in sorted(set(before_ev) - set(after_ev))],
        )
        if (
            change.response_changed
            or change.explanation_changed
            or change.evidence_added
            or change.evidence_removed
        ):
            changes.append(change)
    return changes
