"""Narratives written under the first model's HAIP identifiers move to the verified
items (frameworks migration 0002): renamed, swapped or joined, each change in the
history, narratives already under an unchanged identifier untouched."""

import importlib

import pytest
from django.apps import apps

from frameworks.models import HaipNarrative

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "frameworks.migrations.0002_rekey_narratives_to_the_verified_haip_items"
)


def write(assessment, officer, **texts):
    for item, text in texts.items():
        HaipNarrative.objects.create(
            assessment=assessment, item=item.replace("_", "."), text=text, updated_by=officer
        )


def texts(assessment):
    return dict(HaipNarrative.objects.filter(assessment=assessment).values_list("item", "text"))


def test_old_identifiers_move_to_the_items_that_now_carry_their_subject(assessment, officer):
    write(
        assessment,
        officer,
        **{
            "1_e": "Our metrics.",
            "1_f": "Our reporting channel.",
            "1_g": "",
            "1_h": "External experts reviewed it.",
            "2_a": "Steps we take.",
            "4_b": "Policies are on our website.",
            "4_c": "Staff are trained yearly.",
            "5_c": "We fund C2PA research.",
        },
    )
    migration.rekey(apps, None)

    assert texts(assessment) == {
        "1.e": "Our metrics.\n\nOur reporting channel.",
        "1.f": "External experts reviewed it.",
        "2.a": "Steps we take.",
        "4.b": "Staff are trained yearly.",
        "4.c": "Policies are on our website.",
        "6.b": "We fund C2PA research.",
    }
    merged = HaipNarrative.objects.get(assessment=assessment, item="1.e")
    assert merged.version == 2
    assert HaipNarrative.objects.get(assessment=assessment, item="2.a").version == 1
    reasons = merged.history.filter(history_change_reason=migration.REASON)
    assert [h.history_type for h in reasons] == ["~"]
    deleted = HaipNarrative.history.filter(history_type="-", history_change_reason=migration.REASON)
    assert sorted(h.item for h in deleted) == ["1.f", "1.g"]  # as they were before the move


def test_assessments_without_old_identifiers_are_left_alone(assessment, officer):
    write(assessment, officer, **{"1_a": "Classified.", "3_e": "Other means."})
    migration.rekey(apps, None)
    assert texts(assessment) == {"1.a": "Classified.", "3.e": "Other means."}
    assert not HaipNarrative.history.filter(history_change_reason=migration.REASON).exists()
