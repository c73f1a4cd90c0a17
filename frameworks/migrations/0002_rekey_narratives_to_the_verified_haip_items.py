"""Move the officers' narratives to the HAIP item identifiers checked against the
published reports (fixtures/SOURCES, "Verification, third pass").

The first model of version 1 had 38 items, some lettered differently from the
framework's 39; a narrative is keyed by identifier, so without this move an officer's
text would be shown under an item on another subject (e.g. the old 1.h, external
expertise, under the new 1.h, cross-sector collaboration). Each old identifier goes
to the item that now carries its subject; where several old items became one (1.e, 1.f
and 1.g into 1.e), their texts are joined in the old order into one narrative. Every
change is written to the narrative's history. Not reversible (merged texts cannot be
told apart again); going back leaves the narratives where they are.
"""

from django.db import migrations
from django.utils import timezone

# Old identifier -> verified identifier, for every old item whose identifier changed.
MOVES = {
    "1.f": "1.e",
    "1.g": "1.e",
    "1.h": "1.f",
    "1.i": "1.g",
    "1.j": "1.h",
    "2.h": "2.a",
    "3.b": "3.a",
    "3.c": "3.a",
    "3.d": "3.e",
    "4.b": "4.c",
    "4.c": "4.b",
    "4.f": "4.a",
    "5.c": "6.b",
    "6.b": "6.d",
    "6.d": "4.g",
    "7.c": "7.d",
}
REASON = "HAIP items verified (v1, 39 items)"


def _sort_key(identifier: str):
    number, letter = identifier.split(".", 1)
    return int(number) if number.isdigit() else 0, letter


def rekey(apps, schema_editor):
    Narrative = apps.get_model("frameworks", "HaipNarrative")
    History = apps.get_model("frameworks", "HistoricalHaipNarrative")
    moving = Narrative.objects.filter(item__in=MOVES).values_list("assessment_id", flat=True)
    for assessment_id in sorted(set(moving)):
        rows = {n.item: n for n in Narrative.objects.filter(assessment_id=assessment_id)}
        targets: dict[str, list] = {}
        for old in sorted(rows, key=_sort_key):
            targets.setdefault(MOVES.get(old, old), []).append(rows[old])
        changed = [r for r in rows.values() if r.item in MOVES]
        original = {r.pk: r.item for r in changed}
        # Out of the way first, so that swaps (4.b <-> 4.c) never meet the unique constraint.
        for row in changed:
            row.item = f"~{row.pk}"[:8]
            row.save(update_fields=["item"])
        for new, group in targets.items():
            if not any(r in changed for r in group):
                continue
            keep = group[0]
            texts = [r.text.strip() for r in group if r.text.strip()]
            keep.item = new
            keep.text = "\n\n".join(texts)
            keep.version += 1
            keep.save()
            _record(History, keep, "~")
            for other in group[1:]:
                other.item = original.get(other.pk, other.item)
                _record(History, other, "-")
                other.delete()


def _record(History, row, history_type):
    History.objects.create(
        id=row.pk,
        item=row.item,
        text=row.text,
        version=row.version,
        updated_at=row.updated_at,
        assessment_id=row.assessment_id,
        updated_by_id=row.updated_by_id,
        history_date=timezone.now(),
        history_change_reason=REASON,
        history_type=history_type,
        history_user=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0001_haip_narratives"),
    ]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
