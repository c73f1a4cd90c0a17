"""Writes serialised on the assessment row: a save that loses the race to approval (or
to a role change) is refused and writes nothing; two revisions at once give one."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from assessments import forms as assessment_forms
from assessments import services
from assessments.models import Answer, Assessment, AssessmentLocked, Comment, Evidence, Membership
from principles.framework import load_framework
from principles.models import Principle
from tests.assessments.helpers import applicable_codes, page_post_data, page_url
from tests.conftest import FIXTURES, an_opinion, answer_everything, make_org, make_user
from tests.reports.conftest import fake_render  # a small real PDF: issued reports are signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fake_pdf(monkeypatch):
    # Approval queues the report's rendering (a task, run inline by the tests' backend);
    # its content is not under test here.
    monkeypatch.setattr("reports.pdf.render_report_pdf", fake_render)
    monkeypatch.setattr("reports.rendering.render_pdf", fake_render)


def approve_elsewhere(pk, officer, auditor):
    """What another request does meanwhile: submit, then approve (fresh objects)."""
    services.submit_assessment(assessment=Assessment.objects.get(pk=pk), by=officer)
    services.approve_assessment(
        assessment=Assessment.objects.get(pk=pk), by=auditor, opinion=an_opinion()
    )


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot(assessment):
    answers = Answer.objects.filter(assessment=assessment).order_by("question_id")
    return {
        "answers": list(answers.values_list("question_id", "level", "explanation", "version")),
        "evidence": Evidence.objects.filter(answer__assessment=assessment).count(),
        "files": stored_files(),
        "score": services.result_for(Assessment.objects.get(pk=assessment.pk)).score,
    }


def test_a_page_save_that_loses_the_race_to_approval_writes_nothing(
    client, assessment, officer, auditor, monkeypatch
):
    answer_everything(assessment, officer, level=2)
    client.force_login(officer)
    code = applicable_codes(assessment, "I")[0]
    data = page_post_data(client, assessment, "I")
    data[f"{code}-response"] = "4"
    data[f"{code}-explanation"] = "Done."
    data[f"{code}-explanation"] = "Changed after approval?"
    data[f"{code}-evidence_file"] = SimpleUploadedFile("late.txt", b"slow to check\n")
    real_check = assessment_forms.check_evidence_file
    at_approval = {}

    def slow_check(upload):
        # The upload takes seconds to check; the auditor approves meanwhile.
        checked = real_check(upload)
        approve_elsewhere(assessment.pk, officer, auditor)
        at_approval.update(snapshot(assessment))
        return checked

    monkeypatch.setattr(assessment_forms, "check_evidence_file", slow_check)
    response = client.post(page_url(assessment, "I"), data, follow=True)

    content = response.content.decode()
    assert "approved and is locked" in content
    assert "Saved (" not in content
    assert snapshot(assessment) == at_approval
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    assert (answer.level, answer.explanation) == (2, f"Answer to {code}.")
    assert not Evidence.objects.filter(answer__assessment=assessment).exists()
    assert stored_files() == []
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    revision = services.start_revision(assessment=assessment, by=officer)
    copied = Answer.objects.get(assessment=revision, question__code=code)
    assert (copied.level, copied.explanation) == (2, f"Answer to {code}.")


def test_the_save_service_rechecks_the_status_on_the_fresh_row(
    assessment, officer, auditor, monkeypatch
):
    answer_everything(assessment, officer, level=2)
    stale = Assessment.objects.get(pk=assessment.pk)
    answer = Answer.objects.filter(assessment=assessment).order_by("pk").first()
    real_check = services.check_evidence_file

    def slow_check(upload):
        checked = real_check(upload)
        approve_elsewhere(assessment.pk, officer, auditor)
        return checked

    monkeypatch.setattr(services, "check_evidence_file", slow_check)
    item = services.AnswerInput(
        answer.question_id, answer.version, 4, False, "Too late.",
        new_evidence=services.NewEvidence(upload=SimpleUploadedFile("a.txt", b"late\n")),
    )  # fmt: skip
    before = snapshot(assessment)
    with pytest.raises(AssessmentLocked):
        services.save_answers(assessment=stale, inputs=[item], by=officer)
    assert snapshot(assessment) == before
    assert Assessment.objects.get(pk=assessment.pk).status == "approved"


def test_a_comment_that_loses_the_race_to_approval_is_refused(
    client, submitted, officer, auditor, monkeypatch
):
    client.force_login(auditor)
    real_clean = assessment_forms.CommentForm.clean

    def clean_then_approve(form):
        services.approve_assessment(
            assessment=Assessment.objects.get(pk=submitted.pk), by=auditor, opinion=an_opinion()
        )
        return real_clean(form)

    monkeypatch.setattr(assessment_forms.CommentForm, "clean", clean_then_approve)
    url = reverse("comment_add", args=[submitted.pk, applicable_codes(submitted, "I")[0]])
    response = client.post(url, {"text": "Too late?"}, follow=True)
    assert "only while the assessment is under review" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_comment_service_rechecks_the_status(submitted, auditor):
    stale = Assessment.objects.get(pk=submitted.pk)
    services.approve_assessment(
        assessment=Assessment.objects.get(pk=submitted.pk), by=auditor, opinion=an_opinion()
    )
    answer = Answer.objects.filter(assessment=submitted).first()
    with pytest.raises(services.WorkflowError):
        services.add_comment(assessment=stale, answer=answer, text="late", by=auditor)
    assert not Comment.objects.exists()


def test_a_details_edit_that_loses_the_race_to_approval_is_refused(
    client, assessment, officer, auditor, monkeypatch
):
    answer_everything(assessment, officer)
    client.force_login(officer)
    real_clean = assessment_forms.AssessmentForm.clean

    def clean_then_approve(form):
        approve_elsewhere(assessment.pk, officer, auditor)
        return real_clean(form)

    monkeypatch.setattr(assessment_forms.AssessmentForm, "clean", clean_then_approve)
    roles = list(assessment.roles.values_list("pk", flat=True))
    response = client.post(
        reverse("assessment_edit", args=[assessment.pk]),
        {
            "title": "Renamed after approval",
            "scope": "Changed",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "roles": roles[:1],
        },
        follow=True,
    )
    assert "approved and is locked" in response.content.decode()
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert (fresh.title, fresh.scope) == (assessment.title, assessment.scope)
    assert sorted(fresh.roles.values_list("pk", flat=True)) == sorted(roles)


def test_a_save_by_someone_whose_role_changed_meanwhile_is_refused(assessment, officer):
    stale = Assessment.objects.get(pk=assessment.pk)
    Membership.objects.filter(user=officer).update(role=Membership.Role.AUDITOR)
    question = Principle.objects.get(numeral="I").questions.order_by("order").first()
    item = services.AnswerInput(question.id, 0, 2, False, "Not mine to give.")
    with pytest.raises(PermissionDenied):
        services.save_answers(assessment=stale, inputs=[item], by=officer)
    assert not Answer.objects.exists()


def test_an_outsider_cannot_write_through_the_services(assessment, outsider):
    question = Principle.objects.get(numeral="I").questions.order_by("order").first()
    item = services.AnswerInput(question.id, 0, 2, False, "Intruder.")
    with pytest.raises(PermissionDenied):
        services.save_answers(assessment=assessment, inputs=[item], by=outsider)
    with pytest.raises(PermissionDenied):
        services.update_assessment_details(
            assessment=assessment, title="x", scope="y", roles=[], by=outsider
        )
    assert not Answer.objects.exists()


def test_a_comment_by_someone_who_is_no_longer_auditor_is_refused(submitted, auditor):
    Membership.objects.filter(user=auditor).update(role=Membership.Role.OFFICER)
    answer = Answer.objects.filter(assessment=submitted).first()
    with pytest.raises(PermissionDenied):
        services.add_comment(assessment=submitted, answer=answer, text="x", by=auditor)
    assert not Comment.objects.exists()


# --- two real requests at once ----------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the test watches pg_stat_activity for the second request "
    "waiting on the row lock; SQLite has no row locks (select_for_update does nothing "
    "there; its IMMEDIATE transactions serialise whole writers instead)",
)
def test_two_concurrent_revisions_give_one_revision_and_the_normal_message(monkeypatch):
    if not Principle.objects.exists():
        load_framework(directory=FIXTURES)
    org = make_org("Race Org", "race")
    officer = make_user("racer")
    auditor = make_user("judge")
    Membership.objects.create(user=officer, organization=org, role=Membership.Role.OFFICER)
    Membership.objects.create(user=auditor, organization=org, role=Membership.Role.AUDITOR)
    assessment = services.create_assessment(organization=org, title="R", scope="S", by=officer)
    answer_everything(assessment, officer)
    approve_elsewhere(assessment.pk, officer, auditor)

    # The first request to get past its checks holds there until the second one is
    # waiting on a database lock; whatever it waits for, the outcome must be clean.
    real_live_catalogue = services.live_catalogue
    first = threading.Event()
    seen_waiting = []

    def hold_first(*args, **kwargs):
        if not first.is_set():
            first.set()
            seen_waiting.append(_wait_until_another_backend_waits_on_a_lock())
        return real_live_catalogue(*args, **kwargs)

    monkeypatch.setattr(services, "live_catalogue", hold_first)
    outcomes = []

    def start():
        try:
            revision = services.start_revision(
                assessment=Assessment.objects.get(pk=assessment.pk), by=officer
            )
            outcomes.append(("ok", revision.pk))
        except services.WorkflowError as exc:
            outcomes.append(("refused", str(exc)))
        except Exception as exc:  # noqa: BLE001 - the test reports any other failure
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen_waiting == [True], "the second request should have waited for the first"
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(message for kind, message in outcomes if kind == "refused")
    assert "has been started already" in refused
    assert Assessment.objects.filter(predecessor_id=assessment.pk).count() == 1


def _wait_until_another_backend_waits_on_a_lock(polls=600):
    """Poll pg_stat_activity (on a connection of its own) until a backend waits on a lock."""
    import psycopg

    db = connection.settings_dict
    params = {
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }
    with psycopg.connect(**params, autocommit=True) as probe:
        for _ in range(polls):
            waiting = probe.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                return True
            threading.Event().wait(0.05)
    return False
