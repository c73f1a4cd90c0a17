"""Scoring: the one place where scores, coverage and bands are computed.

Definitions (w is a question's *effective weight*: the largest of its weights
over the assessment's declared lifecycle roles; a question applies when w > 0):

- principle score = 100 × Σ(w × level / 4) / Σ w over the principle's applicable
  questions answered with a level (0–4). Not applicable and unanswered questions
  are left out; a principle with no such question has no score (None).
- principle coverage = answered applicable questions / applicable questions,
  where "not applicable" counts as answered; None when nothing applies.
- overall score = the mean of the principle scores that exist (each principle
  counts once, whatever its number of questions).
- rounding: every score and percentage is computed exactly (fractions) and
  rounded once, half up, to one decimal (``round_score``); the band is decided
  on that rounded, printed value.
- band: the first of the bands whose threshold the score reaches, else the floor
  band. The bands are ``settings.CONFORMANCE_BANDS`` while an assessment is a
  draft and the ones frozen into its catalogue snapshot once it is submitted.
- floor rule: the overall band is at most ``floor_steps`` bands above the band
  of the weakest scored principle (``settings.CONFORMANCE_FLOOR_STEPS``; None or
  0 switches the rule off), frozen with the bands.

The functions here are pure: the overview page, the dashboard, the report and
its exports all call ``score_assessment`` and so show the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext_noop

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

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "threshold": self.threshold}

    @classmethod
    def from_dict(cls, data: Mapping) -> Band:
        threshold = data.get("threshold")
        return cls(data["key"], data["label"], None if threshold is None else float(threshold))


def round_score(value: float | Fraction | Decimal | None) -> float | None:
    """One decimal, half up: the one rounding rule for every score and percentage.

    Fractions (what ``score_assessment`` computes) are rounded exactly; a float is
    taken at its shortest decimal form, so 84.995 gives 85.0 and 81.25 gives 81.3
    where Python's ``round`` gives 84.99 and 81.2.
    """
    if value is None:
        return None
    if isinstance(value, Fraction):
        tenths = abs(value) * 10
        rounded = math.floor(tenths + Fraction(1, 2)) * (-1 if value < 0 else 1)
        return float(Decimal(rounded) / 10)
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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
    score: float | None  # rounded once, half up (what is printed)
    coverage: float | None
    band: Band | None  # decided on the rounded score
    exact_score: Fraction | None = None

    @property
    def applicable_weight(self) -> int:
        return sum(q.weight for q in self.questions)

    @property
    def not_applicable_weight(self) -> int:
        return sum(q.weight for q in self.questions if q.not_applicable)

    @property
    def na_weight_share(self) -> float | None:
        """Percent of the applicable weight answered "not applicable" (rounded)."""
        return percent_of(self.not_applicable_weight, self.applicable_weight)

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
    score: float | None  # rounded once, half up (what is printed)
    band: Band | None  # after the floor rule
    applicable: int
    answered: int
    excluded: int
    roles: list[str] = field(default_factory=list)
    exact_score: Fraction | None = None
    band_before_floor: Band | None = None
    rules: Rules | None = None  # the bands and floor rule used

    @property
    def floor_applied(self) -> bool:
        return self.band != self.band_before_floor

    @property
    def principles_scored(self) -> int:
        return sum(1 for p in self.principles if p.score is not None)

    @property
    def principles_total(self) -> int:
        return len(self.principles)

    @property
    def lowest(self) -> PrincipleResult | None:
        """The principle with the lowest score (the first in catalogue order on a tie)."""
        scored = [p for p in self.principles if p.exact_score is not None]
        return min(scored, key=lambda p: p.exact_score) if scored else None

    @property
    def na_weight_share(self) -> float | None:
        """Percent of the applicable weight, over all principles, answered "not applicable"."""
        return percent_of(
            sum(p.not_applicable_weight for p in self.principles),
            sum(p.applicable_weight for p in self.principles),
        )

    @property
    def provisional(self) -> bool:
        """The band may still move: some applicable question is unanswered."""
        return not self.is_complete

    @property
    def pooled_score(self) -> float | None:
        """For comparison with the mean of principles: one score over all questions."""
        return round_score(principle_score(q for p in self.principles for q in p.questions))

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


def percent_of(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, rounded by ``round_score``; None when whole is 0."""
    return round_score(Fraction(100 * part, whole)) if whole else None


# Band labels are data (frozen into an assessment at submission, printed in issued
# reports); pages translate them when they show them ({% translate band.label %}).
# The default labels, marked here so that they are in the catalogue:
BAND_LABELS = [
    gettext_noop("Conformant"),
    gettext_noop("Largely conformant"),
    gettext_noop("Partially conformant"),
    gettext_noop("Not conformant"),
]


def bands() -> list[Band]:
    """The bands in force, highest first, ending with the floor."""
    configured = [Band(key, label, float(t)) for t, key, label in settings.CONFORMANCE_BANDS]
    floor_key, floor_label = settings.CONFORMANCE_BAND_FLOOR
    return [*sorted(configured, key=lambda b: -b.threshold), Band(floor_key, floor_label, None)]


def floor_steps() -> int | None:
    """The floor rule in force: how many bands the overall band may sit above the
    weakest principle's; None when the rule is off."""
    steps = int(getattr(settings, "CONFORMANCE_FLOOR_STEPS", 1) or 0)
    return steps if steps > 0 else None


@dataclass(frozen=True)
class Rules:
    """The bands and the floor rule an assessment is scored with.

    A draft uses the ones in force (``Rules.in_force()``); submission freezes them
    into the assessment's catalogue snapshot (``to_dict``), so that changing the
    settings later never re-bands a submitted or approved assessment.
    """

    bands: list[Band]
    floor_steps: int | None

    @classmethod
    def in_force(cls) -> Rules:
        return cls(bands=bands(), floor_steps=floor_steps())

    def to_dict(self) -> dict:
        return {"bands": [b.to_dict() for b in self.bands], "floor_steps": self.floor_steps}

    @classmethod
    def from_dict(cls, data: Mapping) -> Rules:
        return cls(
            bands=[Band.from_dict(b) for b in data["bands"]],
            floor_steps=data.get("floor_steps") or None,
        )


def band_for(score: float | None, *, within: Sequence[Band] | None = None) -> Band | None:
    """The band of a score that is already rounded (bands are decided on printed values)."""
    if score is None:
        return None
    for band in within if within is not None else bands():
        if band.threshold is None or score >= band.threshold:
            return band
    raise AssertionError("the floor band always matches")  # pragma: no cover


def apply_floor(
    band: Band | None, weakest: Band | None, *, within: Sequence[Band], steps: int | None
) -> Band | None:
    """``band`` lowered, if needed, to at most ``steps`` bands above ``weakest``."""
    if band is None or weakest is None or not steps:
        return band
    order = [b.key for b in within]
    highest_allowed = max(order.index(weakest.key) - steps, 0)
    if order.index(band.key) < highest_allowed:
        return within[highest_allowed]
    return band


def principle_score(results: Iterable[QuestionResult]) -> Fraction | None:
    """The exact score (a fraction) of the questions answered with a level."""
    scored = [(r.weight, r.level) for r in results if r.level is not None]
    total_weight = sum(w for w, _ in scored)
    if not total_weight:
        return None
    return Fraction(100 * sum(w * level for w, level in scored), MAX_LEVEL * total_weight)


def score_assessment(
    *,
    catalogue: Catalogue,
    roles: Iterable[str],
    answers: Mapping[str, AnswerLike],
    rules: Rules | None = None,
) -> AssessmentResult:
    """Score answers (keyed by question code) against a catalogue for the declared roles.

    ``rules`` (bands and floor rule) default to the settings in force; a submitted
    assessment passes the ones frozen at its submission.
    """
    roles = list(roles)
    rules = rules or Rules.in_force()
    within, steps = rules.bands, rules.floor_steps
    principles = []
    for principle in catalogue.principles:
        applicable, excluded = [], 0
        for question in principle.questions:
            weight = question.effective_weight(roles)
            if weight > 0:
                applicable.append(QuestionResult(question, weight, answers.get(question.code)))
            else:
                excluded += 1
        exact = principle_score(applicable)
        score = round_score(exact)
        answered = sum(1 for q in applicable if q.is_answered)
        principles.append(
            PrincipleResult(
                principle=principle,
                questions=applicable,
                excluded=excluded,
                score=score,
                coverage=answered / len(applicable) if applicable else None,
                band=band_for(score, within=within),
                exact_score=exact,
            )
        )
    exact_scores = [p.exact_score for p in principles if p.exact_score is not None]
    overall = sum(exact_scores, Fraction(0)) / len(exact_scores) if exact_scores else None
    score = round_score(overall)
    band_before_floor = band_for(score, within=within)
    weakest = _weakest_band([p.band for p in principles if p.band is not None], within)
    return AssessmentResult(
        principles=principles,
        score=score,
        band=apply_floor(band_before_floor, weakest, within=within, steps=steps),
        applicable=sum(p.applicable for p in principles),
        answered=sum(p.answered for p in principles),
        excluded=sum(p.excluded for p in principles),
        roles=roles,
        exact_score=overall,
        band_before_floor=band_before_floor,
        rules=rules,
    )


def _weakest_band(found: list[Band], within: Sequence[Band]) -> Band | None:
    order = [b.key for b in within]
    return max(found, key=lambda b: order.index(b.key)) if found else None
