"""Scoring with numbers worked out by hand."""

from types import SimpleNamespace

import pytest

from assessments.scoring import band_for, bands, score_assessment
from principles.catalogue import Catalogue, CataloguePrinciple, CatalogueQuestion, CatalogueRole


def question(code, **weights):
    return CatalogueQuestion(
        id=hash(code), code=code, order=int(code.split(".")[1]), text=code + "?",
        guidance="", evidence_expected="", weights=weights,
    )  # fmt: skip


def principle(numeral, *questions):
    return CataloguePrinciple(
        numeral=numeral, order=len(numeral), title=numeral, text="", commentary="",
        source="organizations", oecd_section=1, wording_version=1, questions=list(questions),
    )  # fmt: skip


CATALOGUE = Catalogue(
    principles=[
        principle(
            "I",
            question("I.1", development=3, use=1),
            question("I.2", development=1, deployment=2),
            question("I.3", development=2, use=0),
            question("I.4", design=3),  # applies to neither declared role
        ),
        principle("II", question("II.1", use=3), question("II.2", deployment=1)),
        principle("III", question("III.1", design=2)),  # nothing applies
    ],
    roles=[CatalogueRole(c, c.title(), "") for c in ("design", "development", "deployment", "use")],
)


def level(value):
    return SimpleNamespace(level=value, not_applicable=False)


NA = SimpleNamespace(level=None, not_applicable=True)


def test_effective_weight_is_the_largest_over_the_declared_roles():
    result = score_assessment(catalogue=CATALOGUE, roles=["development", "deployment"], answers={})
    weights = {q.question.code: q.weight for p in result.principles for q in p.questions}
    # I.1: max(3, 0) = 3; I.2: max(1, 2) = 2; I.3: 2; II.2: 1. I.4, II.1, III.1 do not apply.
    assert weights == {"I.1": 3, "I.2": 2, "I.3": 2, "II.2": 1}
    assert result.excluded == 3
    assert result.principle("III").applicable == 0


def test_scores_coverage_and_overall_with_several_roles():
    answers = {"I.1": level(4), "I.2": level(1), "I.3": NA, "II.2": level(2)}
    result = score_assessment(
        catalogue=CATALOGUE, roles=["development", "deployment"], answers=answers
    )
    first, second, third = result.principles
    # I: 100 × (3×4/4 + 2×1/4) / (3 + 2) = 100 × 3.5 / 5 = 70.0; I.3 is N/A, left out.
    assert first.score == pytest.approx(70.0)
    assert first.coverage == 1.0
    # II: 100 × (1×2/4) / 1 = 50.0
    assert second.score == pytest.approx(50.0)
    # III: nothing applies: no score, no coverage.
    assert third.score is None and third.coverage is None and third.band is None
    # Overall: mean of 70 and 50.
    assert result.score == pytest.approx(60.0)
    assert result.band.key == "largely"
    assert (result.answered, result.applicable) == (4, 4)


def test_unanswered_questions_count_against_coverage_not_score():
    answers = {"I.1": level(2)}
    result = score_assessment(catalogue=CATALOGUE, roles=["development"], answers=answers)
    first = result.principle("I")
    # Applicable for development: I.1 (3), I.2 (1), I.3 (2); only I.1 answered.
    assert first.score == pytest.approx(50.0)
    assert first.coverage == pytest.approx(1 / 3)
    assert result.principle("II").score is None
    assert result.score == pytest.approx(50.0)
    assert [q.question.code for q in result.missing()] == ["I.2", "I.3"]


def test_principle_with_only_not_applicable_answers_has_no_score():
    answers = {"II.1": NA}
    result = score_assessment(catalogue=CATALOGUE, roles=["use"], answers=answers)
    second = result.principle("II")
    assert second.score is None and second.coverage == 1.0
    # I applies through I.1 only (use=1), unanswered: no score anywhere.
    assert result.score is None and result.band is None


def test_gaps_are_ordered_by_weight_times_distance_to_full():
    answers = {"I.1": level(2), "I.2": level(0), "I.3": level(3), "II.2": level(1)}
    result = score_assessment(
        catalogue=CATALOGUE, roles=["development", "deployment"], answers=answers
    )
    # I.1: 3×(4−2)=6; I.2: 2×(4−0)=8; II.2: 1×(4−1)=3; I.3 at level 3 is not a gap.
    assert [(q.question.code, q.gap) for q in result.gaps()] == [
        ("I.2", 8),
        ("I.1", 6),
        ("II.2", 3),
    ]


@pytest.mark.parametrize(
    ("score", "key"),
    [(100, "conformant"), (85, "conformant"), (84.9, "largely"), (60, "largely"),
     (59.99, "partially"), (30, "partially"), (29.9, "not"), (0, "not")],
)  # fmt: skip
def test_bands_follow_the_thresholds(score, key):
    assert band_for(score).key == key


def test_band_thresholds_are_settings(settings):
    settings.CONFORMANCE_BANDS = [(90.0, "conformant", "Conformant"), (50.0, "largely", "Largely")]
    assert band_for(85).key == "largely"
    assert [b.threshold for b in bands()] == [90.0, 50.0, None]
