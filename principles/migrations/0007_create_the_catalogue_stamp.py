"""The catalogue's stamp row, so that an installation upgraded with an unchanged
catalogue keeps it between requests from the start (see principles/stamps.py)."""

import uuid

from django.db import migrations


def create_stamp(apps, schema_editor):
    stamp = apps.get_model("principles", "CatalogueStamp")
    stamp.objects.get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


class Migration(migrations.Migration):
    dependencies = [("principles", "0006_merge_catalogue_stamp_and_haip_translations")]

    operations = [migrations.RunPython(create_stamp, migrations.RunPython.noop)]
