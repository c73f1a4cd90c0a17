"""Evidence files: stored under their content hash, the original name kept as metadata,
removed from storage when no evidence refers to them, orphans found by a command."""

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.models import Evidence
from tests.assessments.helpers import applicable_codes, page_post_data, page_url
from tests.reports.conftest import fake_render  # a small real PDF: issued reports are signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fake_pdf(monkeypatch):
    monkeypatch.setattr("reports.pdf.render_report_pdf", fake_render)


def stored_files():
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def upload_to_first_answer(client, assessment, upload, **extra):
    code = applicable_codes(assessment, "I")[0]
    data = page_post_data(client, assessment, "I")
    data.update(
        {
            f"{code}-response": "2",
            f"{code}-explanation": "Partly.",
            f"{code}-evidence_file": upload,
            **extra,
        }
    )
    return code, client.post(page_url(assessment, "I"), data, follow=True)


def test_a_file_is_stored_under_its_content_hash_and_keeps_its_name(client, assessment, officer):
    client.force_login(officer)
    content = b"Our model card.\n"
    upload_to_first_answer(client, assessment, SimpleUploadedFile("Model card.txt", content))
    evidence = Evidence.objects.get()
    digest = hashlib.sha256(content).hexdigest()
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}"
    assert evidence.file_name == "Model card.txt"
    assert stored_files() == [f"evidence/{digest[:2]}/{digest}"]
    response = client.get(reverse("evidence_download", args=[assessment.pk, evidence.pk]))
    assert b"".join(response.streaming_content) == content
    assert 'filename="Model card.txt"' in response["Content-Disposition"]


def test_a_very_long_non_ascii_file_name_is_accepted_and_sent_back(client, assessment, officer):
    client.force_login(officer)
    name = "日" * 300 + ".txt"
    code, response = upload_to_first_answer(client, assessment, SimpleUploadedFile(name, b"x\n"))
    assert response.status_code == 200
    assert "Saved (1 answer(s) changed)" in response.content.decode()
    evidence = Evidence.objects.get()
    assert evidence.file_name.endswith(".txt") and len(evidence.file_name) <= 255
    assert evidence.file_name.startswith("日日日")
    download = client.get(reverse("evidence_download", args=[assessment.pk, evidence.pk]))
    assert download.status_code == 200
    assert "filename*=utf-8''%E6%97%A5%E6%97%A5" in download["Content-Disposition"]


def test_removing_evidence_deletes_its_file_after_commit(
    client, assessment, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    upload_to_first_answer(client, assessment, SimpleUploadedFile("a.txt", b"remove me\n"))
    evidence = Evidence.objects.get()
    assert stored_files()
    code = evidence.answer.question.code
    data = page_post_data(client, assessment, "I")
    data[f"{code}-remove_evidence"] = [evidence.pk]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(page_url(assessment, "I"), data)
    assert not Evidence.objects.exists()
    assert stored_files(), "the file stays until the transaction has committed"
    for callback in callbacks:
        callback()
    assert stored_files() == []


def test_a_file_shared_with_a_revision_stays_until_no_evidence_refers_to_it(
    client, assessment, officer, auditor, django_capture_on_commit_callbacks
):
    from tests.conftest import an_opinion, answer_everything

    answer_everything(assessment, officer)
    client.force_login(officer)
    upload_to_first_answer(client, assessment, SimpleUploadedFile("a.txt", b"shared\n"))
    services.submit_assessment(assessment=assessment, by=officer)
    services.approve_assessment(assessment=assessment, by=auditor, opinion=an_opinion())
    revision = services.start_revision(assessment=assessment, by=officer)
    copy = Evidence.objects.get(answer__assessment=revision)
    original = Evidence.objects.get(answer__assessment=assessment)
    assert copy.file.name == original.file.name
    assert len(stored_files()) == 1

    data = page_post_data(client, revision, "I")
    data[f"{copy.answer.question.code}-remove_evidence"] = [copy.pk]
    data[f"{copy.answer.question.code}-response"] = "2"
    data[f"{copy.answer.question.code}-explanation"] = "Partly."
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(revision, "I"), data)
    assert not Evidence.objects.filter(answer__assessment=revision).exists()
    assert len(stored_files()) == 1  # the approved assessment still refers to it
    assert original.file.read() == b"shared\n"


def test_remove_orphan_evidence_lists_then_deletes_only_unreferenced_files(
    client, assessment, officer
):
    client.force_login(officer)
    upload_to_first_answer(client, assessment, SimpleUploadedFile("kept.txt", b"kept\n"))
    kept = Evidence.objects.get().file.name
    # An old-style name (before generated names) that a row still uses, and an orphan.
    legacy = default_storage.save("evidence/1/abc/old name.txt", ContentFile(b"legacy"))
    Evidence.objects.create(
        answer=Evidence.objects.get().answer, description="legacy", file=legacy,
        file_name="old name.txt", added_by=officer,
    )  # fmt: skip
    orphan = default_storage.save("evidence/ff/ff00", ContentFile(b"orphan"))

    out = io.StringIO()
    call_command("remove_orphan_evidence", "--min-age-minutes", "0", stdout=out)
    assert orphan in out.getvalue() and "dry run" in out.getvalue().lower()
    assert sorted(stored_files()) == sorted([kept, legacy, orphan])

    out = io.StringIO()
    call_command("remove_orphan_evidence", "--delete", "--min-age-minutes", "0", stdout=out)
    assert sorted(stored_files()) == sorted([kept, legacy])
    assert "1 file" in out.getvalue()


def test_remove_orphan_evidence_leaves_recent_files_alone(assessment):
    orphan = default_storage.save("evidence/ee/ee00", ContentFile(b"being saved right now"))
    call_command("remove_orphan_evidence", "--delete", stdout=io.StringIO())
    assert stored_files() == [orphan]


def test_a_save_refused_after_storing_a_file_leaves_no_file(assessment, officer):
    result = services.result_for(assessment).principle("I")
    first, second = (q.question.id for q in result.questions[:2])
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(second, 0, 1, False, "someone else's")],
        by=officer,
    )
    upload = SimpleUploadedFile("new.txt", b"stored, then refused\n")
    inputs = [
        services.AnswerInput(
            first, 0, 2, False, "a", new_evidence=services.NewEvidence(upload=upload)
        ),
        services.AnswerInput(second, 0, 3, False, "stale: the page showed no answer"),
    ]
    with pytest.raises(services.StaleAnswers):
        services.save_answers(assessment=assessment, inputs=inputs, by=officer)
    assert not Evidence.objects.exists() and stored_files() == []


def test_the_migration_moves_old_names_to_generated_ones(assessment, officer):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("assessments.migrations.0003_evidence_generated_names")
    content = b"uploaded before generated names\n"
    digest = hashlib.sha256(content).hexdigest()
    old = default_storage.save(f"evidence/1/{digest}/Board minutes.txt", ContentFile(content))
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(first_question_id(assessment), 0, 2, False, "a")],
        by=officer,
    )
    evidence = Evidence.objects.create(
        answer=assessment.answers.get(), description="Minutes", file=old,
        file_name="Board minutes.txt", size=len(content), sha256=digest, added_by=officer,
    )  # fmt: skip
    migration.to_generated_names(apps, None)
    evidence.refresh_from_db()
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}"
    assert evidence.file.read() == content and evidence.file_name == "Board minutes.txt"
    call_command(
        "remove_orphan_evidence", "--delete", "--min-age-minutes", "0", stdout=io.StringIO()
    )
    assert stored_files() == [evidence.file.name]


def first_question_id(assessment):
    return services.result_for(assessment).principle("I").questions[0].question.id
