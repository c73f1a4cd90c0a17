"""Evidence stored before generated names: copy each file to its content-addressed name
(``evidence/<sha256[:2]>/<sha256>``) and point the row there.

The old files are not deleted here (a migration's transaction can roll back, a
deleted file cannot come back); once no row refers to them, ``manage.py
remove_orphan_evidence --delete`` removes them. A row whose file is missing is left
as it is.
"""

from django.core.files.storage import default_storage
from django.db import migrations


def storage_name(sha256):
    return f"evidence/{sha256[:2]}/{sha256}"


def to_generated_names(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    rows = Evidence.objects.exclude(file="").exclude(sha256="").only("pk", "file", "sha256")
    for evidence in rows.iterator():
        old, new = evidence.file.name, storage_name(evidence.sha256)
        if old == new or not default_storage.exists(old):
            continue
        if not default_storage.exists(new):
            with default_storage.open(old, "rb") as handle:
                new = default_storage.save(new, handle)
        Evidence.objects.filter(pk=evidence.pk).update(file=new)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_assessment_separation_of_duties")]

    operations = [migrations.RunPython(to_generated_names, migrations.RunPython.noop)]
