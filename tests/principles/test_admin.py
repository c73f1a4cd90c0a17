"""Admins edit the catalogue through the Django admin; every change is kept."""

import pytest
from django.urls import reverse

from principles.models import Principle, Question
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = make_user("ada", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client, user


def form_data(response) -> dict:
    """The data the admin's change form would post back unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value
    return data


def test_principle_list_is_searchable_and_ordered_by_numeral(admin_client):
    client, _ = admin_client
    response = client.get(reverse("admin:principles_principle_changelist"))
    numerals = [p.numeral for p in response.context["cl"].result_list]
    assert numerals[:4] == ["I", "II", "III", "IV"]
    response = client.get(reverse("admin:principles_principle_changelist"), {"q": "VII.2"})
    assert [p.numeral for p in response.context["cl"].result_list] == ["VII"]


def test_principle_page_shows_its_questions_with_weights_inline(admin_client):
    client, _ = admin_client
    principle = Principle.objects.get(numeral="VI")
    response = client.get(reverse("admin:principles_principle_change", args=[principle.pk]))
    content = response.content.decode()
    assert "VI.1" in content and "Development 3" in content


def test_editing_wording_in_the_admin_raises_version_and_keeps_history(admin_client):
    client, user = admin_client
    principle = Principle.objects.get(numeral="III")
    url = reverse("admin:principles_principle_change", args=[principle.pk])
    data = form_data(client.get(url))
    data["text"] = principle.text + " (amended)"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    principle.refresh_from_db()
    assert principle.text.endswith("(amended)")
    assert principle.wording_version == 2
    latest = principle.history.latest()
    assert latest.history_user == user and latest.wording_version == 2
    history_page = client.get(reverse("admin:principles_principle_history", args=[principle.pk]))
    assert "ada" in history_page.content.decode()


def test_saving_without_a_wording_change_keeps_the_version(admin_client):
    client, _ = admin_client
    principle = Principle.objects.get(numeral="III")
    url = reverse("admin:principles_principle_change", args=[principle.pk])
    data = form_data(client.get(url))
    data["title"] = "Public reporting"
    client.post(url, data)
    principle.refresh_from_db()
    assert (principle.title, principle.wording_version) == ("Public reporting", 1)


def test_weight_change_in_the_admin_is_recorded_with_its_author(admin_client):
    client, user = admin_client
    question = Question.objects.get(code="VII.1")
    url = reverse("admin:principles_question_change", args=[question.pk])
    data = form_data(client.get(url))
    use_index = next(
        i for i, w in enumerate(question.weights.order_by("role__order")) if w.role.code == "use"
    )
    data[f"weights-{use_index}-weight"] = 2

    response = client.post(url, data)

    assert response.status_code == 302
    weight = question.weights.get(role__code="use")
    assert weight.weight == 2
    assert weight.history.latest().history_user == user
    page = client.get(url).content.decode()
    assert "Use set to 2 by ada" in page


@pytest.mark.parametrize("numeral", ["<!--", "X/I", "=1+1", "XIII", "iv", ""])
def test_the_admin_refuses_a_numeral_that_is_not_i_to_xii(admin_client, numeral):
    client, _ = admin_client
    principle = Principle.objects.get(numeral="III")
    url = reverse("admin:principles_principle_change", args=[principle.pk])
    data = form_data(client.get(url))
    data["numeral"] = numeral

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["numeral"]
    assert errors == ["This field is required."] if not numeral else errors
    if numeral:
        assert "is not a principle numeral" in errors[0] and "I to XII" in errors[0]
    principle.refresh_from_db()
    assert principle.numeral == "III"


@pytest.mark.parametrize("code", ["=1+1", "<!--", "VII/2", "VII.2; drop", "VII.0", "XIII.1", "7.2"])
def test_the_admin_refuses_a_malformed_question_code(admin_client, code):
    client, _ = admin_client
    question = Question.objects.get(code="VII.1")
    url = reverse("admin:principles_question_change", args=[question.pk])
    data = form_data(client.get(url))
    data["code"] = code

    response = client.post(url, data)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["code"]
    assert "is not a question code" in error and "e.g. VII.2" in error
    question.refresh_from_db()
    assert question.code == "VII.1"


def test_the_admin_refuses_a_code_of_another_principle(admin_client):
    client, _ = admin_client
    question = Question.objects.get(code="VII.1")
    url = reverse("admin:principles_question_change", args=[question.pk])
    data = form_data(client.get(url))
    data["code"] = "VI.99"

    response = client.post(url, data)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["code"]
    assert "must start with its principle's numeral VII" in error
    question.refresh_from_db()
    assert question.code == "VII.1"


def test_the_principle_page_refuses_a_bad_code_in_its_question_list(admin_client):
    client, _ = admin_client
    principle = Principle.objects.get(numeral="VI")
    url = reverse("admin:principles_principle_change", args=[principle.pk])
    data = form_data(client.get(url))
    data["questions-0-code"] = "<!--"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "is not a question code" in response.content.decode()
    assert not Question.objects.filter(code="<!--").exists()


def test_a_valid_new_code_is_accepted(admin_client):
    client, _ = admin_client
    question = Question.objects.get(code="VII.1")
    url = reverse("admin:principles_question_change", args=[question.pk])
    data = form_data(client.get(url))
    data["code"] = "VII.42"
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.code == "VII.42"
