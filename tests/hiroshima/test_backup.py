"""Backup and restore: a dump loaded into an empty database gives the same assessments,
answers and scores (the README's Deploy section describes the production procedure)."""

import json
import os
import subprocess
import sys
from contextlib import redirect_stdout
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from assessments import services
from assessments.models import Assessment
from tests.conftest import answer_everything

pytestmark = pytest.mark.django_db

# Printed by the restored installation, and computed here on the original.
SUMMARY = """
import json
from assessments import services
from assessments.models import Assessment
out = {}
for a in Assessment.objects.order_by("title"):
    r = services.result_for(a)
    out[a.title] = {
        "status": a.status,
        "score": r.score,
        "answered": r.answered,
        "answers": sorted(
            (x.question.code, x.level, x.not_applicable, x.explanation, x.version)
            for x in a.answers.select_related("question")
        ),
        "evidence": sorted(a.answers.values_list("evidence__sha256", flat=True).exclude(
            evidence__isnull=True)),
    }
print(json.dumps(out, sort_keys=True))
"""


def summary() -> dict:
    namespace = {}
    buffer = StringIO()
    with redirect_stdout(buffer):
        exec(SUMMARY, namespace)  # noqa: S102 - our own code, shared with the restored side
    return json.loads(buffer.getvalue())


def test_dump_and_restore_into_an_empty_database_keeps_everything(
    tmp_path, approved, officer, organization
):
    draft = services.create_assessment(
        organization=organization, title="Second", scope="Half done", by=officer
    )
    answer_everything(draft, officer, level=1)
    first = draft.answers.select_related("question").first()
    services.save_answers(
        assessment=draft,
        by=officer,
        inputs=[
            services.AnswerInput(
                first.question_id, first.version, 4, False, "Proof attached.",
                new_evidence=services.NewEvidence(upload=SimpleUploadedFile("p.txt", b"proof\n")),
            )
        ],
    )  # fmt: skip
    before = summary()
    assert before["Second"]["evidence"]
    assert before["Chat assistant 2026"]["status"] == "approved"

    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        "--exclude=admin.logentry",
        "--exclude=axes",
        f"--output={backup}",
        verbosity=0,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "-v0")
    manage("loaddata", str(backup), "-v0")
    after = json.loads(manage("shell", "-v0", "-c", SUMMARY).strip().splitlines()[-1])

    assert after == before
    assert Assessment.objects.count() == len(after) == 2
