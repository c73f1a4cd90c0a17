"""Scoring: the one place where scores, coverage and bands are computed.

Definitions (w is a question's *effective weight*: the largest of its weights
over the assessment's declared lifecycle roles; a question applies when w > 0):

- principle score = 100 × Σ(w × level / 4) / Σ w over the principle's applicable
  questions answered with a level (0–4). Not applicable and unanswered questions
  are left out; a principle with no such question has no score (None).
- principle coverage = answered applicable questions / applicable questions,
  where "not applicable" counts as answered; None when nothing applies.
- overall score = the mean of the principle scores that exist.
- band: the first of ``settings.CONFORMANCE_BANDS`` whose threshold the score
  reaches, else ``settings.CONFORMANCE_BAND_FLOOR``.

The functions here are pure: the overview page, the dashboard, the report and
its exports all call ``score_assessment`` and so show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings

from principles.catalogue import Catalogue, CataloguePrinciple, CatalogueQuestion

MAX_LEVEL = 4


class AnswerLike(Protocol):
    level: int | None
    not_applicable: bool


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    threshold: float | None  # None for the floor band


@dataclass
class QuestionResult:
    question: CatalogueQuestion
    weight: int
    answer: AnswerLike | None

    @property
    def is_answered(self) -> bool:
        return self.answer is not None and (
            self.answer.not_applicable or self.answer.level is not None
        )

    @property
    def level(self) -> int | None:
        if self.answer is None or self.answer.not_applicable:
            return None
        return self.answer.level

    @property
    def not_applicable(self) -> bool:
        return self.answer is not None and self.answer.not_applicable

    @property
    def gap(self) -> int | None:
        """Priority of closing the gap: weight × (4 − level), for levels below 3."""
        level = self.level
        if level is None or level >= 3:
            return None
        return self.weight * (MAX_LEVEL - level)


@dataclass
class PrincipleResult:
    principle: CataloguePrinciple
    questions: list[QuestionResult]  # the applicable ones, in catalogue order
    excluded: int  # questions left out because of the declared roles
    score: float | None
    coverage: float | None
    band: Band | None

    @property
    def applicable(self) -> int:
        return len(self.questions)

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.is_answered)

    @property
    def is_complete(self) -> bool:
        return self.answered == self.applicable


@dataclass
class AssessmentResult:
    principles: list[PrincipleResult]
    score: float | None
    band: Band | None
    applicable: int
    answered: int
    excluded: int
    roles: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        return self.answered / self.applicable if self.applicable else None

    @property
    def progress_percent(self) -> int:
        return round(100 * self.coverage) if self.coverage is not None else 0

    @property
    def is_complete(self) -> bool:
        return self.answered == self.applicable

    def missing(self) -> list[QuestionResult]:
        return [q for p in self.principles for q in p.questions if not q.is_answered]

    def gaps(self) -> list[QuestionResult]:
        """Questions below level 3, most pressing first (weight × (4 − level))."""
        found = [q for p in self.principles for q in p.questions if q.gap is not None]
        return sorted(found, key=lambda q: (-q.gap, q.question.code))

    def not_applicable(self) -> list[QuestionResult]:
        return [q for p in self.principles for q in p.questions if q.not_applicable]

    def principle(self, numeral: str) -> PrincipleResult | None:
        return next((p for p in self.principles if p.principle.numeral == numeral), None)


def bands() -> list[Band]:
    """The bands in force, highest first, ending with the floor."""
    configured = [Band(key, label, float(t)) for t, key, label in settings.CONFORMANCE_BANDS]
    floor_key, floor_label = settings.CONFORMANCE_BAND_FLOOR
    return [*sorted(configured, key=lambda b: -b.threshold), Band(floor_key, floor_label, None)]


def band_for(score: float | None) -> Band | None:
    if score is None:
        return None
    for band in bands():
        if band.threshold is None or score >= band.threshold:
            return band
    raise AssertionError("the floor band always matches")  # pragma: no cover


def principle_score(results: Iterable[QuestionResult]) -> float | None:
    scored = [(r.weight, r.level) for r in results if r.level is not None]
    total_weight = sum(w for w, _ in scored)
    if not total_weight:
        return None
    return 100 * sum(w * level / MAX_LEVEL for w, level in scored) / total_weight


def score_assessment(
    *, catalogue: Catalogue, roles: Iterable[str], answers: Mapping[str, AnswerLike]
) -> AssessmentResult:
    """Score answers (keyed by question code) against a catalogue for the declared roles."""
    roles = list(roles)
    principles = []
    for principle in catalogue.principles:
        applicable, excluded = [], 0
        for question in principle.questions:
            weight = question.effective_weight(roles)
            if weight > 0:
                applicable.append(QuestionResult(question, weight, answers.get(question.code)))
            else:
                excluded += 1
        score = principle_score(applicable)
        answered = sum(1 for q in applicable if q.is_answered)
        principles.append(
            PrincipleResult(
                principle=principle,
                questions=applicable,
                excluded=excluded,
                score=score,
                coverage=answered / len(applicable) if applicable else None,
                band=band_for(score),
            )
        )
    scores = [p.score for p in principles if p.score is not None]
    overall = sum(scores) / len(scores) if scores else None
    return AssessmentResult(
        principles=principles,
        score=overall,
        band=band_for(overall),
        applicable=sum(p.applicable for p in principles),
        answered=sum(p.answered for p in principles),
        excluded=sum(p.excluded for p in principles),
        roles=roles,
    )
