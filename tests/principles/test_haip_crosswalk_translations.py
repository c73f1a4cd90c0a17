"""Japanese titles of the OECD HAIP sections and items and of the crosswalks' target
requirements: complete in the fixtures, validated by load_framework (clear message,
nothing loaded), refused in the admin, shown in the reader's language with English as
the fallback, and kept in an assessment's frozen catalogue."""

import shutil

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from principles.catalogue import Catalogue, live_catalogue
from principles.crosswalks import chips_by_question
from principles.framework import FrameworkError, load_framework
from principles.models import HaipItem, HaipSection, TargetFramework, TargetRequirement
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework_dir(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "fw", ignore=shutil.ignore_patterns("SOURCES"))
    return tmp_path / "fw"


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def japanese(obj) -> str:
    return (obj.translations.get("ja") or {}).get("title", "")


def test_every_section_item_and_requirement_has_a_japanese_title():
    rows = [*HaipSection.objects.all(), *HaipItem.objects.all(), *TargetRequirement.objects.all()]
    assert HaipSection.objects.count() == 7 and HaipItem.objects.count() == 39
    assert TargetRequirement.objects.count() > 150
    missing = [str(obj) for obj in rows if not japanese(obj).strip()]
    assert missing == []
    # Our own wording, not a copy of the English title.
    assert all(japanese(obj) != obj.title for obj in rows)
    assert japanese(HaipSection.objects.get(number=1)) == "リスクの特定及び評価"
    assert japanese(TargetRequirement.objects.get(identifier="Art. 50")).startswith("特定のAI")
    for framework in TargetFramework.objects.all():
        assert set(framework.translations["ja"]) == {"name", "scope_note"}


@pytest.mark.parametrize(
    ("path", "old", "new", "message"),
    [
        (
            "haip.yaml",
            "translations: {ja: {title: リスクの特定及び評価}}",
            "translations: {fr: {title: Identification des risques}}",
            "haip.yaml, section 1: 'translations': Unknown language 'fr'",
        ),
        (
            "haip.yaml",
            "translations: {ja: {title: AIリスクの定義と分類}}",
            "translations: {ja: {title: '  '}}",
            "haip.yaml, item 1.a: 'translations': The ja translation of 'title' is empty.",
        ),
        (
            "haip.yaml",
            "translations: {ja: {title: AIリスクの定義と分類}}",
            "translations: {ja: {text: AIリスクの定義と分類}}",
            "haip.yaml, item 1.a: 'translations': The ja translation has an unknown field 'text'",
        ),
        (
            "mappings/eu-ai-act.yaml",
            'translations: {ja: {title: "禁止されるAIの利用行為"}}',
            "translations: {de: {title: Verbotene Praktiken}}",
            "mappings/eu-ai-act.yaml, requirement 2: 'translations': Unknown language 'de'",
        ),
        (
            "mappings/iso-iec-42001.yaml",
            '      scope_note: "箇条4から10及び附属書Aの管理策。"',
            '      scope: "箇条4から10及び附属書Aの管理策。"',
            "mappings/iso-iec-42001.yaml: framework 'translations': The ja translation has an "
            "unknown field 'scope'",
        ),
        (
            "mappings/nist-ai-rmf.yaml",
            'translations: {ja: {title: "統治 1: AIリスク管理の方針とプロセスが整っている"}}',
            "translations: {ja: {}}",
            "mappings/nist-ai-rmf.yaml, requirement 1: 'translations': The ja translation must map",
        ),
    ],
)
def test_a_bad_translation_is_refused_with_a_clear_message_and_nothing_loaded(
    framework_dir, path, old, new, message
):
    HaipSection.objects.filter(number=1).update(translations={})
    edit(framework_dir / path, old, new)
    edit(framework_dir / "haip.yaml", "title: Risk identification and evaluation", "title: Changed")
    with pytest.raises(FrameworkError) as excinfo:
        load_framework(directory=framework_dir)
    assert message in str(excinfo.value)
    section = HaipSection.objects.get(number=1)
    assert section.title == "Risk identification and evaluation" and section.translations == {}


def test_the_admin_refuses_a_bad_translation_too():
    item = HaipItem.objects.get_by_natural_key(1, "a")
    item.translations = {"ja": {"title": ""}}
    with pytest.raises(ValidationError):
        item.full_clean()
    requirement = TargetRequirement.objects.get(identifier="Art. 4")
    requirement.translations = {"xx": {"title": "?"}}
    with pytest.raises(ValidationError):
        requirement.full_clean()


def test_titles_follow_the_active_language_with_english_as_fallback():
    TargetRequirement.objects.filter(identifier="Art. 4").update(translations={})
    with translation.override("ja"):
        chips = {c.identifier: c.title for c in chips_by_question(codes=["XII.1"])["XII.1"]}
    assert chips["Art. 4"] == "AI literacy of staff and others dealing with AI systems"
    assert chips["GOVERN 2.2"].startswith("統治 2:")
    with translation.override("en"):
        chips = {c.identifier: c.title for c in chips_by_question(codes=["XII.1"])["XII.1"]}
    assert chips["GOVERN 2.2"].startswith("Govern 2:")


def test_the_frozen_catalogue_keeps_the_section_titles_in_both_languages():
    frozen = Catalogue.from_dict(live_catalogue().to_dict())
    assert frozen.section_title(2) == "Risk management and information security"
    japanese_catalogue = frozen.localized("ja")
    assert japanese_catalogue.section_title(2) == "リスクの管理及び情報セキュリティ"
    assert frozen.localized("en").section_title(2) == "Risk management and information security"
    # A snapshot frozen before the titles were translated shows the English ones.
    data = live_catalogue().to_dict()
    del data["section_translations"]
    old = Catalogue.from_dict(data).localized("ja")
    assert old.section_title(2) == "Risk management and information security"
