"""Freeze the bands into the snapshot of every assessment submitted before bands
were frozen at submission, as they stand at migration time (the bands their pages
showed until then). The floor rule did not exist when they were submitted, so it
is frozen as off for them: the migration re-bands nothing."""

from django.conf import settings
from django.db import migrations


def freeze(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    configured = sorted(settings.CONFORMANCE_BANDS, key=lambda band: -band[0])
    floor_key, floor_label = settings.CONFORMANCE_BAND_FLOOR
    rules = {
        "bands": [
            *({"key": key, "label": label, "threshold": float(t)} for t, key, label in configured),
            {"key": floor_key, "label": floor_label, "threshold": None},
        ],
        "floor_steps": None,
    }
    for assessment in Assessment.objects.exclude(catalogue_snapshot=None).only(
        "catalogue_snapshot"
    ):
        snapshot = assessment.catalogue_snapshot
        if snapshot and "scoring" not in snapshot:
            snapshot["scoring"] = rules
            assessment.save(update_fields=["catalogue_snapshot"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_period_na_acceptance_audit_opinion")]

    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
