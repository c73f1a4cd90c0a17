"""Scoring with numbers worked out by hand."""

from types import SimpleNamespace

import pytest

from assessments.scoring import Rules, band_for, bands, round_score, score_assessment
from principles.catalogue import Catalogue, CataloguePrinciple, CatalogueQuestion, CatalogueRole


def question(code, **weights):
    return CatalogueQuestion(
        id=hash(code), code=code, order=int(code.split(".")[1]), text=code + "?",
        guidance="", evidence_expected="", weights=weights,
    )  # fmt: skip


def principle(numeral, *questions):
    return CataloguePrinciple(
        numeral=numeral, order=len(numeral), title=numeral, text="", commentary="",
        source="organizations", wording_version=1, questions=list(questions),
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


# --- one rounding rule, half up, and bands decided on the printed value -------


@pytest.mark.parametrize(
    ("raw", "printed", "key"),
    [(84.995, 85.0, "conformant"), (84.94, 84.9, "largely"), (59.98, 60.0, "largely"),
     (59.94, 59.9, "partially"), (29.95, 30.0, "partially"), (29.94, 29.9, "not"),
     (81.25, 81.3, "largely"), (0.05, 0.1, "not"), (100, 100.0, "conformant")],
)  # fmt: skip
def test_scores_round_half_up_once_and_the_band_follows_the_printed_value(raw, printed, key):
    assert round_score(raw) == printed
    assert band_for(round_score(raw)).key == key


def test_the_old_way_printed_81_2_and_banded_84_995_largely():
    # The bugs this rule fixes: round() rounds halves to even, and the band was
    # taken from the unrounded value while the rounded one was printed.
    assert round(81.25, 1) == 81.2 and round_score(81.25) == 81.3
    assert band_for(84.995).key == "largely"
    assert band_for(round_score(84.995)).key == "conformant"


ROUNDING = Catalogue(
    principles=[
        # I: weights 3 and 1, levels 4 and 1: 100 × (3 + 0.25) / 4 = 81.25 exactly.
        principle("I", question("I.1", use=3), question("I.2", use=1)),
        # II: weights 3, 3, 3, 3, 1 (Σ 13), levels 4, 4, 4, 3, 2:
        #     100 × (3+3+3+2.25+0.5) / 13 = 100 × 11.75 / 13 = 90.3846…
        principle(
            "II", *(question(f"II.{n}", use=3) for n in range(1, 5)), question("II.5", use=1)
        ),
        # III: weights 3, 3, 3, levels 4, 3, 3: 100 × (3 + 2.25 + 2.25) / 9 = 83.333…
        principle("III", *(question(f"III.{n}", use=3) for n in range(1, 4))),
    ],
    roles=[CatalogueRole("use", "Use", "")],
)
ROUNDING_ANSWERS = {
    "I.1": level(4), "I.2": level(1),
    "II.1": level(4), "II.2": level(4), "II.3": level(4), "II.4": level(3), "II.5": level(2),
    "III.1": level(4), "III.2": level(3), "III.3": level(3),
}  # fmt: skip


def test_principle_at_81_25_prints_81_3_and_the_overall_at_84_99_prints_85_conformant():
    result = score_assessment(catalogue=ROUNDING, roles=["use"], answers=ROUNDING_ANSWERS)
    first, second, third = result.principles
    assert first.score == 81.3 and first.band.key == "largely"
    assert second.score == 90.4 and third.score == 83.3
    # Overall: (81.25 + 90.3846… + 83.333…) / 3 = 84.9893…, rounded once: 85.0, conformant
    # (the mean of the printed scores, 85.0, agrees here; it can differ by 0.05).
    assert float(result.exact_score) == pytest.approx(84.98932, abs=1e-5)
    assert result.score == 85.0
    assert result.band.key == "conformant"
    assert not result.floor_applied  # the weakest principle is one band below


# --- what every headline shows -----------------------------------------------


def test_headline_counts_principles_scored_names_the_lowest_and_the_na_share():
    answers = {"I.1": level(4), "I.2": level(1), "I.3": NA, "II.2": level(2)}
    result = score_assessment(
        catalogue=CATALOGUE, roles=["development", "deployment"], answers=answers
    )
    # I and II have scores; III has no applicable question.
    assert (result.principles_scored, result.principles_total) == (2, 3)
    assert result.lowest.principle.numeral == "II" and result.lowest.score == 50.0
    # N/A weight: I.3 (2) of I's 3 + 2 + 2 = 7 → 28.6 %; overall 2 of 8 → 25.0 %.
    assert result.principle("I").na_weight_share == 28.6
    assert result.principle("II").na_weight_share == 0.0
    assert result.principle("III").na_weight_share is None
    assert result.na_weight_share == 25.0
    assert not result.provisional


def test_a_band_is_provisional_until_every_applicable_question_is_answered():
    result = score_assessment(catalogue=CATALOGUE, roles=["development"], answers={"I.1": level(4)})
    assert result.band.key == "conformant" and result.provisional


def test_a_principle_all_not_applicable_drops_out_and_the_headline_says_so():
    answers = {"I.1": level(4), "I.2": NA, "I.3": NA, "II.2": NA}
    result = score_assessment(
        catalogue=CATALOGUE, roles=["development", "deployment"], answers=answers
    )
    assert result.principle("II").score is None
    assert result.score == 100.0
    assert (result.principles_scored, result.principles_total) == (1, 3)
    # N/A: I.2 (2) + I.3 (2) + II.2 (1) of 8.
    assert result.na_weight_share == 62.5


# --- the floor rule -------------------------------------------------------------

FLOOR = Catalogue(
    principles=[
        principle("I", question("I.1", use=1)),
        principle("II", question("II.1", use=1)),
        principle("III", question("III.1", use=1)),
    ],
    roles=[CatalogueRole("use", "Use", "")],
)
# Scores 100, 100 and 0: mean 66.7, "largely"; the weakest principle is "not conformant".
FLOOR_ANSWERS = {"I.1": level(4), "II.1": level(4), "III.1": level(0)}


def rules(steps):
    return Rules(bands=bands(), floor_steps=steps)


def test_floor_rule_keeps_the_overall_band_one_step_above_the_weakest_principle():
    result = score_assessment(catalogue=FLOOR, roles=["use"], answers=FLOOR_ANSWERS, rules=rules(1))
    assert result.score == 66.7
    assert result.band_before_floor.key == "largely"
    assert result.band.key == "partially"
    assert result.floor_applied


@pytest.mark.parametrize("steps", [None, 0, 2])
def test_floor_rule_off_or_wider_leaves_the_band_alone(steps):
    result = score_assessment(
        catalogue=FLOOR, roles=["use"], answers=FLOOR_ANSWERS, rules=rules(steps)
    )
    assert result.band.key == "largely" and not result.floor_applied


def test_floor_rule_is_a_setting(settings):
    settings.CONFORMANCE_FLOOR_STEPS = 0
    result = score_assessment(catalogue=FLOOR, roles=["use"], answers=FLOOR_ANSWERS)
    assert result.band.key == "largely"
    settings.CONFORMANCE_FLOOR_STEPS = 1
    result = score_assessment(catalogue=FLOOR, roles=["use"], answers=FLOOR_ANSWERS)
    assert result.band.key == "partially"


def test_rules_survive_the_snapshot_round_trip():
    frozen = Rules(bands=bands(), floor_steps=1)
    assert Rules.from_dict(frozen.to_dict()) == frozen
    assert Rules.from_dict(Rules(bands=bands(), floor_steps=None).to_dict()).floor_steps is None
