"""The live catalogue is kept between requests and never shown stale.

Every page builds on ``live_catalogue``; it is built once per process and kept
until the catalogue's stamp changes, which every change to the catalogue does in
its own transaction.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments import services
from principles.catalogue import live_catalogue, live_catalogue_in
from principles.models import HaipItem, LifecycleRole, Principle, Question, QuestionWeight
from tests.conftest import answer_everything

pytestmark = pytest.mark.django_db


def test_a_kept_catalogue_costs_one_query_and_is_the_same_object():
    first = live_catalogue()
    with CaptureQueriesContext(connection) as queries:
        again = live_catalogue()
    assert again is first
    assert len(queries) == 1  # the stamp


def test_an_admins_edit_of_a_question_shows_on_the_next_request():
    assert live_catalogue() is live_catalogue()  # kept
    question = Question.objects.get(code="I.1")
    question.text = "Is the risk register reviewed every quarter?"
    question.save()
    assert live_catalogue().principle("I").questions[0].text == question.text


def test_a_new_weight_and_a_deleted_one_change_who_a_question_applies_to():
    question = Question.objects.get(code="I.1")
    before = dict(next(q for q in live_catalogue().questions() if q.code == "I.1").weights)
    weight = QuestionWeight.objects.filter(question=question).first()
    weight.delete()
    after = next(q for q in live_catalogue().questions() if q.code == "I.1").weights
    assert weight.role.code in before and weight.role.code not in after
    QuestionWeight.objects.create(question=question, role=weight.role, weight=1)
    assert (
        next(q for q in live_catalogue().questions() if q.code == "I.1").weights[weight.role.code]
        == 1
    )


def test_principle_role_and_reporting_item_changes_show_at_once():
    assert live_catalogue() is live_catalogue()  # kept
    Principle.objects.filter(numeral="II").update(title="stale")  # a bulk write: no signal...
    principle = Principle.objects.get(numeral="III")
    principle.title = "A new title for III"
    principle.save()  # ... but this one stamps, and the rebuilt catalogue has both
    catalogue = live_catalogue()
    assert catalogue.principle("III").title == "A new title for III"
    assert catalogue.principle("II").title == "stale"

    role = LifecycleRole.objects.first()
    role.name = "Renamed role"
    role.save()
    assert "Renamed role" in [r.name for r in live_catalogue().roles]

    section = live_catalogue().principle("I").oecd_sections[0]
    principle_i = Question.objects.filter(principle__numeral="I")
    for item in HaipItem.objects.filter(section__number=section):
        item.questions.remove(*principle_i)  # a many-to-many change
    assert section not in live_catalogue().principle("I").oecd_sections


def test_a_rolled_back_change_is_not_shown():
    kept = live_catalogue()
    assert live_catalogue() is kept
    with pytest.raises(RuntimeError), transaction.atomic():
        question = Question.objects.get(code="I.1")
        question.text = "Rolled back"
        question.save()
        assert live_catalogue().principle("I").questions[0].text == "Rolled back"
        raise RuntimeError
    now = live_catalogue()
    assert now.principle("I").questions[0].text == kept.principle("I").questions[0].text


def test_the_localized_copy_is_kept_with_the_catalogue_and_follows_it():
    japanese = live_catalogue_in("ja")
    assert live_catalogue_in("ja") is japanese
    assert live_catalogue_in("ja").principle("I").title != live_catalogue().principle("I").title
    question = Question.objects.get(code="I.1")
    question.translations = {**question.translations, "ja": {**question.translations["ja"],
                             "text": "四半期ごとにリスク登録簿を見直していますか。"}}  # fmt: skip
    question.save()
    assert live_catalogue_in("ja").principle("I").questions[0].text.startswith("四半期ごと")


def test_an_edit_around_the_orm_shows_once_the_keep_time_is_over(settings):
    assert live_catalogue() is live_catalogue()
    Question.objects.filter(code="I.1").update(text="Edited by hand in SQL")  # no signal
    assert live_catalogue().principle("I").questions[0].text != "Edited by hand in SQL"
    settings.CATALOGUE_KEEP_SECONDS = 0
    assert live_catalogue().principle("I").questions[0].text == "Edited by hand in SQL"


def test_submission_freezes_the_catalogue_as_it_is_not_as_this_process_kept_it(assessment, officer):
    answer_everything(assessment, officer)
    assert live_catalogue() is live_catalogue()  # kept
    Question.objects.filter(code="I.1").update(text="Reworded just before submission")
    services.submit_assessment(assessment=assessment, by=officer)
    assessment.refresh_from_db()
    frozen = assessment.catalogue_snapshot["principles"][0]["questions"][0]
    assert (frozen["code"], frozen["text"]) == ("I.1", "Reworded just before submission")
