"""The change history of an assessment's answers, as old → new values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from .models import Answer, Assessment, Evidence

TRACKED = (("response", gettext_lazy("Level")), ("explanation", gettext_lazy("Explanation")))


@dataclass
class Change:
    at: datetime
    by: str
    question: str
    field: str
    old: str
    new: str


def _response(record) -> str:
    if record is None:
        return ""
    if record.not_applicable:
        return gettext("Not applicable")
    if record.level is None:
        return gettext("Not answered")
    return f"{record.level} – {Answer.Level(record.level).label}"


def _values(record) -> dict[str, str]:
    if record is None:
        return {"response": "", "explanation": ""}
    return {"response": _response(record), "explanation": record.explanation}


def answer_changes(assessment: Assessment) -> list[Change]:
    """Every change to every answer of the assessment, newest first, in one query."""
    records = (
        Answer.history.filter(assessment_id=assessment.pk)
        .select_related("history_user", "question")
        .order_by("id", "history_date", "history_id")
    )
    changes: list[Change] = []
    previous = {}
    for record in records:
        before = _values(previous.get(record.id))
        after = _values(record)
        who = record.history_user.get_username() if record.history_user else gettext("system")
        for key, label in TRACKED:
            if before[key] != after[key]:
                changes.append(
                    Change(
                        record.history_date,
                        who,
                        record.question.code,
                        label,
                        before[key],
                        after[key],
                    )
                )
        previous[record.id] = record
    changes.extend(evidence_changes(assessment))
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def evidence_changes(assessment: Assessment) -> list[Change]:
    """Evidence added to and removed from the assessment's answers, in one query."""
    from .changes import evidence_label

    records = (
        Evidence.history.filter(answer__assessment_id=assessment.pk)
        .exclude(history_type="~")
        .select_related("history_user", "answer__question")
        .order_by("history_date", "history_id")
    )
    changes = []
    for record in records:
        who = record.history_user.get_username() if record.history_user else "system"
        label = evidence_label(record)
        added = record.history_type == "+"
        changes.append(
            Change(
                record.history_date,
                who,
                record.answer.question.code,
                _("Evidence added") if added else _("Evidence removed"),
                "" if added else label,
                label if added else "",
            )
        )
    return changes
