"""The catalogue in the caller's language: ?lang, then Accept-Language, then the
profile's language, else English; Content-Language says which."""

import pytest

from accounts.services import set_user_language
from principles.models import Principle, Question

CATALOGUE = "/api/catalogue/"


def principle_one(body):
    return next(p for p in body["principles"] if p["numeral"] == "I")


def first_question(body):
    return principle_one(body)["questions"][0]


@pytest.fixture
def japanese():
    """The Japanese wording of principle I and its first question, from the fixtures."""
    principle = Principle.objects.get(numeral="I")
    question = Question.objects.filter(principle=principle).order_by("order", "code").first()
    return principle.translations["ja"], question.translations["ja"]


def test_without_any_language_the_catalogue_is_english(officer_api):
    response = officer_api.get(CATALOGUE)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    body = response.json()
    assert body["language"] == "en"
    assert principle_one(body)["title"] == "Risks across the AI lifecycle"
    assert principle_one(body)["wording_note"] == ""


def test_accept_language_japanese(officer_api, japanese):
    principle, question = japanese
    response = officer_api.get(CATALOGUE, HTTP_ACCEPT_LANGUAGE="ja-JP,ja;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "ja"
    assert "Accept-Language" in response["Vary"]
    body = response.json()
    assert body["language"] == "ja"
    assert principle_one(body)["title"] == principle["title"]
    assert principle_one(body)["wording_note"] == "非公式訳"
    asked = first_question(body)
    assert asked["text"] == question["text"]
    assert asked["guidance"] == question["guidance"]
    assert asked["evidence_expected"] == question["evidence_expected"]
    design = next(r for r in body["roles"] if r["code"] == "design")
    assert design["name"] == "設計"
    # Codes and weights are the same in every language.
    english = officer_api.get(CATALOGUE).json()
    assert asked["code"] == first_question(english)["code"]
    assert asked["weights"] == first_question(english)["weights"]


def test_lang_parameter_wins_over_the_header(officer_api, japanese):
    response = officer_api.get(CATALOGUE + "?lang=ja", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "ja"
    assert principle_one(response.json())["title"] == japanese[0]["title"]
    response = officer_api.get(CATALOGUE + "?lang=en", HTTP_ACCEPT_LANGUAGE="ja")
    assert response["Content-Language"] == "en"


def test_an_unknown_language_is_english(officer_api, officer):
    set_user_language(user=officer, language="ja")
    for asked in ({"HTTP_ACCEPT_LANGUAGE": "fr-CH, de;q=0.8"}, {"data": {"lang": "xx"}}):
        response = officer_api.get(CATALOGUE, **asked)
        assert response["Content-Language"] == "en"
        assert principle_one(response.json())["title"] == "Risks across the AI lifecycle"


def test_a_token_user_without_a_header_gets_their_profile_language(officer_api, officer, japanese):
    set_user_language(user=officer, language="ja")
    response = officer_api.get(CATALOGUE)
    assert response["Content-Language"] == "ja"
    assert principle_one(response.json())["title"] == japanese[0]["title"]
    # The header still wins over the profile.
    response = officer_api.get(CATALOGUE, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"


def test_error_messages_speak_the_callers_language(officer_api, outsider):
    response = officer_api.get("/api/assessments/999999/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 404
    assert response["Content-Language"] == "ja"
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] != "Not found."


def test_refused_token_is_answered_in_the_asked_language(client):
    response = client.get(CATALOGUE, HTTP_AUTHORIZATION="Bearer nope", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert response["Content-Language"] == "ja"


def test_a_signed_in_browser_gets_the_language_chosen_at_sign_in(client, officer, japanese):
    set_user_language(user=officer, language="ja")
    client.force_login(officer)
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    assert response["Content-Language"] == "ja"
    assert principle_one(response.json())["title"] == japanese[0]["title"]
