"""Translated catalogue wording: in the fixtures, validated by load_framework, round-tripped
by export_framework, edited in the admin with history, frozen with a submitted assessment
and shown in the active language."""

import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from assessments import services
from principles.catalogue import Catalogue, live_catalogue
from principles.framework import FILES, export_framework, load_framework
from principles.models import LifecycleRole, Principle, Question, QuestionWeight
from tests.conftest import FIXTURES, make_user
from tests.principles.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework_dir(tmp_path):
    for name in FILES:
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def set_translations(path, key_field, key, translations):
    """Rewrite one entry's ``translations`` in a framework file."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in entries:
        if entry["fields"].get(key_field) == key:
            entry["fields"]["translations"] = translations
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


def state():
    return (
        list(Principle.objects.order_by("pk").values()),
        list(LifecycleRole.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
        Principle.history.count() + Question.history.count() + LifecycleRole.history.count(),
    )


def test_every_principle_role_and_question_has_japanese_wording_in_the_fixtures():
    for principle in Principle.objects.all():
        ja = principle.translations["ja"]
        assert ja["title"] and ja["text"]
        assert ja["wording_note"] == "非公式訳"  # no official text at hand: marked so
    assert Principle.objects.get(numeral="XII").translations["ja"]["commentary"]
    for role in LifecycleRole.objects.all():
        assert set(role.translations["ja"]) == {"name", "description"}
    for question in Question.objects.all():
        assert set(question.translations["ja"]) == {"text", "guidance", "evidence_expected"}


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ({"fr": {"title": "Risques"}}, "Unknown language 'fr': translations may be in ja."),
        ({"ja": {"title": "  "}}, "The ja translation of 'title' is empty."),
        ({"ja": {"title": ""}}, "The ja translation of 'title' is empty."),
        ({"ja": {"tittle": "リスク"}}, "unknown field 'tittle'"),
        ({"ja": {}}, "The ja translation must map field names to translated text."),
        ({"ja": "リスク"}, "The ja translation must map field names to translated text."),
        (["ja"], "Translations must be a mapping"),
        ({"en": {"title": "Risks"}}, "Unknown language 'en'"),
    ],
)
def test_a_bad_principle_translation_is_reported_and_nothing_is_loaded(
    framework_dir, capsys, translations, message
):
    set_translations(framework_dir / "principles.yaml", "numeral", "III", translations)
    Principle.objects.filter(numeral="I").update(title="Changed meanwhile")
    before = state()
    with pytest.raises(CommandError):
        call_command("load_framework", str(framework_dir))
    err = capsys.readouterr().err
    assert "principles.yaml, entry 3" in err and "principle III: 'translations'" in err
    assert message in err
    assert state() == before


def test_a_bad_question_or_role_translation_is_reported(framework_dir, capsys):
    set_translations(framework_dir / "questions.yaml", "code", "II.2", {"ja": {"title": "x"}})
    set_translations(framework_dir / "roles.yaml", "code", "use", {"de": {"name": "Nutzung"}})
    before = state()
    with pytest.raises(CommandError):
        call_command("load_framework", str(framework_dir))
    err = capsys.readouterr().err
    assert "question II.2: 'translations'" in err and "unknown field 'title'" in err
    assert "translatable fields: text, guidance, evidence_expected" in err
    assert "role 'use': 'translations'" in err and "Unknown language 'de'" in err
    assert state() == before


def test_a_changed_translation_updates_the_row_and_its_history(framework_dir):
    entries = yaml.safe_load((framework_dir / "questions.yaml").read_text(encoding="utf-8"))
    question = next(e for e in entries if e["fields"].get("code") == "I.1")
    new = {"ja": {**question["fields"]["translations"]["ja"], "text": "新しい問い"}}
    set_translations(framework_dir / "questions.yaml", "code", "I.1", new)
    history = Question.history.filter(code="I.1").count()
    result = load_framework(directory=framework_dir)
    assert result.updated == 1
    assert Question.objects.get(code="I.1").translations["ja"]["text"] == "新しい問い"
    assert Question.history.filter(code="I.1").count() == history + 1


def test_load_export_load_gives_the_same_database_and_the_same_files(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    before = state()[:3]
    export_framework(directory=first)
    QuestionWeight.objects.all().delete()
    Question.objects.all().delete()
    Principle.objects.all().delete()
    LifecycleRole.objects.all().delete()
    load_framework(directory=first)
    export_framework(directory=second)

    def without_ids(rows):
        return [{k: v for k, v in r.items() if k != "id" and not k.endswith("_id")} for r in rows]

    for old, new in zip(before, state()[:3], strict=True):
        assert without_ids(old) == without_ids(new)
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    text = (first / "principles.yaml").read_text(encoding="utf-8")
    assert "wording_note: 非公式訳" in text  # exported as text, not escaped


def test_the_catalogue_shows_the_active_language_and_falls_back_to_english():
    Question.objects.filter(code="I.2").update(translations={"ja": {"text": "来歴の問い"}})
    catalogue = live_catalogue()
    ja = catalogue.localized("ja")
    principle = ja.principle("I")
    assert principle.title == Principle.objects.get(numeral="I").translations["ja"]["title"]
    assert principle.wording_note == "非公式訳"
    second = principle.questions[1]
    assert second.text == "来歴の問い"
    assert second.guidance == Question.objects.get(code="I.2").guidance  # no translation
    assert [r.name for r in ja.roles] == ["設計", "開発", "導入", "提供", "利用"]
    assert catalogue.localized("en") is catalogue and catalogue.principle("I").wording_note == ""
    assert catalogue.localized("ja-jp").principle("I").title == principle.title
    with pytest.raises(ValueError):
        ja.to_dict()  # only the source catalogue, with every translation, is frozen


def test_a_submitted_assessment_keeps_the_wording_of_every_language(submitted):
    snapshot = submitted.catalogue_snapshot
    assert Catalogue.from_dict(snapshot).principle("I").translations["ja"]["title"]
    Principle.objects.filter(numeral="I").update(
        title="Changed title", translations={"ja": {"title": "変更後の題名"}}
    )
    with translation.override("ja"):
        frozen = services.catalogue_for(submitted)
    assert frozen.principle("I").title == "AIライフサイクル全体にわたるリスク"
    assert services.catalogue_for(submitted, language="en").principle("I").title == (
        "Risks across the AI lifecycle"
    )


def test_a_snapshot_frozen_before_translations_existed_still_reads():
    data = live_catalogue().to_dict()
    for principle in data["principles"]:
        del principle["translations"]
        for question in principle["questions"]:
            del question["translations"]
    for role in data["roles"]:
        del role["translations"]
    old = Catalogue.from_dict(data).localized("ja")
    assert old.principle("I").title == "Risks across the AI lifecycle"
    assert old.principle("I").wording_note == ""


# --- the admin ---------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("ada", is_staff=True, is_superuser=True))
    return client


def test_an_admin_edits_a_principle_translation_and_it_is_kept_in_history(admin_client):
    principle = Principle.objects.get(numeral="II")
    url = reverse("admin:principles_principle_change", args=[principle.pk])
    data = form_data(admin_client.get(url))
    assert "非公式訳" in data["translations"]
    data["translations"] = (
        '{"ja": {"title": "導入後の脆弱性", "text": "脆弱性を特定し軽減する。", '
        '"wording_note": "非公式訳"}}'
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    principle.refresh_from_db()
    assert principle.translations["ja"]["title"] == "導入後の脆弱性"
    latest = principle.history.first()
    assert latest.translations["ja"]["title"] == "導入後の脆弱性"
    assert latest.history_user.username == "ada"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"fr": {"text": "Question"}}', "Unknown language"),
        ('{"ja": {"text": ""}}', "is empty"),
        ('{"ja": {"title": "題名"}}', "unknown field"),
    ],
)
def test_the_admin_refuses_a_bad_question_translation_and_changes_nothing(
    admin_client, value, message
):
    question = Question.objects.get(code="III.1")
    url = reverse("admin:principles_question_change", args=[question.pk])
    data = form_data(admin_client.get(url))
    data["translations"] = value
    history = question.history.count()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    question.refresh_from_db()
    assert question.translations["ja"]["text"].startswith("高度AIシステムの重要なリリース")
    assert question.history.count() == history


def test_an_admin_edits_a_role_translation(admin_client):
    role = LifecycleRole.objects.get(code="use")
    url = reverse("admin:principles_lifecyclerole_change", args=[role.pk])
    data = form_data(admin_client.get(url))
    data["translations"] = '{"ja": {"name": "AIの利用"}}'
    assert admin_client.post(url, data).status_code == 302
    role.refresh_from_db()
    assert role.translations == {"ja": {"name": "AIの利用"}}
    assert role.history.first().translations == {"ja": {"name": "AIの利用"}}
