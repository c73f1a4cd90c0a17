"""The change history of an assessment's answers, as old → new values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext, gettext_lazy

from .models import Answer, Assessment

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
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes
