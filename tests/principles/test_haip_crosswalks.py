"""The OECD HAIP reporting items and the crosswalks as catalogue data: validated by
load_framework (clear message, nothing loaded), round-tripped by export_framework."""

import shutil

import pytest

from principles.crosswalks import chips_by_question
from principles.framework import FrameworkError, export_framework, load_framework
from principles.models import (
    CrosswalkMapping,
    HaipItem,
    HaipSection,
    TargetFramework,
    TargetRequirement,
)
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def state():
    return (
        sorted(HaipItem.objects.values_list("section__number", "letter", "title", "translations")),
        sorted(HaipItem.questions.through.objects.values_list("haipitem_id", "question__code")),
        sorted(
            TargetRequirement.objects.values_list(
                "framework__code", "identifier", "title", "translations"
            )
        ),
        sorted(
            CrosswalkMapping.objects.values_list(
                "question__code", "requirement__identifier", "relationship", "rationale"
            )
        ),
    )


@pytest.fixture
def framework_dir(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "fw", ignore=shutil.ignore_patterns("SOURCES"))
    return tmp_path / "fw"


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_and_fail(directory) -> str:
    with pytest.raises(FrameworkError) as excinfo:
        load_framework(directory=directory)
    return str(excinfo.value)


def test_the_fixtures_map_to_three_frameworks_with_known_identifiers():
    codes = list(TargetFramework.objects.values_list("code", flat=True))
    assert codes == ["eu-ai-act", "iso-iec-42001", "nist-ai-rmf"]
    nist = TargetFramework.objects.get(code="nist-ai-rmf")
    assert nist.requirements.count() == 72
    assert nist.requirements.filter(identifier="GOVERN 1.1").exists()
    iso = TargetFramework.objects.get(code="iso-iec-42001")
    assert iso.requirements.filter(identifier__startswith="A.").count() == 38
    assert CrosswalkMapping.objects.count() > 100
    assert all(m.rationale for m in CrosswalkMapping.objects.all())


def test_chips_name_the_requirements_a_question_supports():
    chips = chips_by_question(codes=["XII.1"])
    assert ("EU AI Act", "Art. 4", "equal") in {
        (c.framework, c.identifier, c.relationship) for c in chips["XII.1"]
    }


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{question: XII.1, target: Art. 4,",
            "{question: XII.99, target: Art. 4,",
            "mappings/eu-ai-act.yaml, mapping 1: unknown question code 'XII.99'",
        ),
        (
            "{question: XII.1, target: Art. 4,",
            "{question: XII.1, target: Art. 4a,",
            "mappings/eu-ai-act.yaml, mapping 1: unknown EU AI Act identifier 'Art. 4a'",
        ),
        (
            "target: Art. 4, relationship: equal,",
            "target: Art. 4, relationship: related,",
            "mappings/eu-ai-act.yaml, mapping 1: relationship 'related' is not one of "
            "equal, subset, superset, intersect",
        ),
        (
            "rationale: Both ask that staff working with AI have sufficient AI literacy.}",
            "rationale: ''}",
            "mappings/eu-ai-act.yaml, mapping 1: 'rationale' is missing or empty",
        ),
    ],
)
def test_bad_mappings_are_refused_with_a_clear_message_and_nothing_loads(
    framework_dir, old, new, message
):
    before = state()
    edit(framework_dir / "mappings" / "eu-ai-act.yaml", old, new)
    assert message in load_and_fail(framework_dir)
    assert state() == before


def test_a_reporting_item_fed_by_an_unknown_question_is_refused(framework_dir):
    before = state()
    edit(framework_dir / "haip.yaml", "questions: [I.9, V.3, V.6]", "questions: [I.9, V.33]")
    assert "haip.yaml, item 1.a: unknown question code(s) 'V.33'" in load_and_fail(framework_dir)
    assert state() == before


def test_an_edited_mapping_set_updates_in_place(framework_dir):
    edit(
        framework_dir / "mappings" / "eu-ai-act.yaml",
        "target: Art. 4, relationship: equal,",
        "target: Art. 4, relationship: intersect,",
    )
    load_framework(directory=framework_dir)
    mapping = CrosswalkMapping.objects.get(question__code="XII.1", requirement__identifier="Art. 4")
    assert mapping.relationship == "intersect"
    assert mapping.history.count() == 2


def test_export_then_load_into_an_empty_catalogue_gives_the_same_items_and_mappings(tmp_path):
    before = state()
    sections = sorted(HaipSection.objects.values_list("number", "translations"))
    frameworks = sorted(TargetFramework.objects.values_list("code", "translations"))
    counts = export_framework(directory=tmp_path)
    assert counts["mappings"] == len(before[3])
    assert counts["haip_items"] == len(before[0])
    TargetFramework.objects.all().delete()
    HaipSection.objects.all().delete()
    load_framework(directory=tmp_path)
    after = state()
    assert after[0] == before[0] and after[2] == before[2] and after[3] == before[3]
    assert all(row[3] for row in after[0]) and all(row[3] for row in after[2])
    assert sorted(HaipSection.objects.values_list("number", "translations")) == sections
    assert sorted(TargetFramework.objects.values_list("code", "translations")) == frameworks
    assert len(after[1]) == len(before[1])
    # And a second load of the export changes nothing.
    assert load_framework(directory=tmp_path).created == 0


def test_a_snapshot_frozen_with_one_section_per_principle_still_reads():
    from principles.catalogue import Catalogue, live_catalogue

    data = live_catalogue().to_dict()
    for principle in data["principles"]:
        del principle["oecd_sections"]
        principle["oecd_section"] = 4
    del data["section_titles"]
    old = Catalogue.from_dict(data)
    assert old.principles[0].oecd_sections == [4]
    assert old.section_title(4).startswith("Organizational governance")


def test_the_admin_lists_items_and_mappings(admin_client):
    from django.urls import reverse

    for name in ["haipitem", "crosswalkmapping", "targetrequirement"]:
        response = admin_client.get(reverse(f"admin:principles_{name}_changelist"))
        assert response.status_code == 200, name
