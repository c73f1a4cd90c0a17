"""Report PDFs rendered as background tasks: issuing after approval, draft PDFs cached per
version, progress pages, failures that say why, and Retry."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import Assessment
from reports import rendering, services
from reports.document import build_report
from reports.exports import canonical_json
from reports.models import IssuedReport, ReportRender
from tests.conftest import approve as approve_with_opinion
from tests.reports.conftest import fake_render

pytestmark = pytest.mark.django_db

TOO_SLOW = "The render took longer than 120 s and was stopped."


class Renders:
    """A stand-in renderer that counts its calls and can be told to fail."""

    def __init__(self):
        self.calls = 0
        self.failure = None

    def __call__(self, doc):
        self.calls += 1
        if self.failure:
            raise rendering.RenderFailed(self.failure)
        return fake_render(doc)


@pytest.fixture
def renders(monkeypatch):
    counter = Renders()
    monkeypatch.setattr(rendering, "render_pdf", counter)
    return counter


def approve(assessment, auditor):
    approve_with_opinion(Assessment.objects.get(pk=assessment.pk), auditor)


def detail(client, assessment) -> str:
    return client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()


def change_an_answer(assessment, officer, text):
    answer = assessment.answers.order_by("pk").first()
    assessment_services.save_answers(
        assessment=assessment,
        by=officer,
        inputs=[
            assessment_services.AnswerInput(
                question_id=answer.question_id,
                seen_version=answer.version,
                level=answer.level,
                not_applicable=answer.not_applicable,
                explanation=text,
            )
        ],
    )


# --- issuing ------------------------------------------------------------------


def test_approval_records_the_decision_and_renders_nothing_until_after_the_commit(
    renders, reviewed, auditor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        approve(reviewed, auditor)
        reviewed.refresh_from_db()
        assert reviewed.status == "approved" and reviewed.is_locked
        assert renders.calls == 0
    issuing = ReportRender.objects.get(assessment=reviewed)
    assert (issuing.kind, issuing.status) == ("issued", "queued")
    assert not IssuedReport.objects.exists()
    # The enqueue, after the commit (the other callbacks mail notifications).
    (enqueue,) = [c for c in queued if getattr(c, "func", None) is services._enqueue]

    enqueue()  # the immediate backend of the tests runs the task at once
    issuing.refresh_from_db()
    assert issuing.status == "done" and renders.calls == 1
    unsigned = fake_render(build_report(assessment=reviewed))
    issued = IssuedReport.objects.get(assessment=reviewed)
    assert issued.unsigned_pdf_sha256 == hashlib.sha256(unsigned).hexdigest()


def test_the_assessment_page_shows_issuing_in_progress_then_the_issued_report(
    renders, client, reviewed, auditor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        approve(reviewed, auditor)
    client.force_login(auditor)
    page = detail(client, reviewed)
    assert "Issuing the report…" in page
    assert "Waiting for a worker" in page
    status_url = reverse("report_render_status", args=[reviewed.pk, ReportRender.objects.get().pk])
    assert f'data-poll-url="{status_url}"' in page
    assert client.get(status_url).json()["finished"] is False
    # The download links lead back to this page meanwhile.
    response = client.get(reverse("report_pdf", args=[reviewed.pk]))
    assert response.url == reverse("assessment_detail", args=[reviewed.pk])

    queued[0]()
    assert client.get(status_url).json() == {
        "status": "done",
        "finished": True,
        "step": 3,
        "message": "Ready.",
    }
    page = detail(client, reviewed)
    assert "Issuing the report" not in page
    assert IssuedReport.objects.get().fingerprint in page
    pdf = client.get(reverse("report_pdf", args=[reviewed.pk]))
    assert pdf.content == bytes(IssuedReport.objects.get().pdf)


def test_a_failed_issuing_keeps_the_approval_and_the_auditor_sees_why_and_retries(
    renders, reviewed, auditor, officer, django_capture_on_commit_callbacks
):
    renders.failure = TOO_SLOW
    with django_capture_on_commit_callbacks(execute=True):
        approve(reviewed, auditor)
    reviewed.refresh_from_db()
    assert reviewed.status == "approved" and reviewed.approved_by == auditor
    issuing = ReportRender.objects.get(assessment=reviewed)
    assert (issuing.status, issuing.error) == ("failed", TOO_SLOW)
    retry_url = reverse("report_issue", args=[reviewed.pk])

    officers = Client()
    officers.force_login(officer)
    page = detail(officers, reviewed)
    assert "Issuing the report failed" in page and TOO_SLOW in page
    assert retry_url not in page  # the Retry button is the auditors'
    assert officers.post(retry_url).status_code == 403

    auditors = Client(enforce_csrf_checks=True)
    auditors.force_login(auditor)
    page = detail(auditors, reviewed)
    assert "The approval stands" in page and TOO_SLOW in page
    assert f'action="{retry_url}"' in page
    assert auditors.post(retry_url).status_code == 403  # no CSRF token
    assert auditors.get(retry_url).status_code == 405

    renders.failure = None
    auditors = Client()
    auditors.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = auditors.post(retry_url)
    assert response.url == reverse("assessment_detail", args=[reviewed.pk])
    issuing.refresh_from_db()
    assert (issuing.status, issuing.error, issuing.attempts) == ("done", "", 2)
    assert IssuedReport.objects.filter(assessment=reviewed).exists()


def test_outsiders_get_404_from_retry_and_status(renders, client, approved, outsider):
    client.force_login(outsider)
    issuing = ReportRender.objects.get(assessment=approved)
    assert client.post(reverse("report_issue", args=[approved.pk])).status_code == 404
    status_url = reverse("report_render_status", args=[approved.pk, issuing.pk])
    assert client.get(status_url).status_code == 404


def test_retrying_an_issuing_that_is_done_or_running_queues_nothing(
    renders, client, approved, auditor, django_capture_on_commit_callbacks
):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("report_issue", args=[approved.pk]))
    assert queued == []
    assert renders.calls == 1


# --- draft PDFs ------------------------------------------------------------------


def test_a_draft_pdf_is_queued_shows_progress_and_is_then_served(
    renders, client, reviewed, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    pdf_url = reverse("report_pdf", args=[reviewed.pk])
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(pdf_url)
    draft = ReportRender.objects.get(assessment=reviewed, kind="draft")
    assert response.url == reverse("report_render", args=[reviewed.pk, draft.pk])
    page = client.get(response.url).content.decode()
    assert "Rendering the draft PDF…" in page and "Waiting for a worker" in page
    assert "data-poll-url" in page and "<script" not in page.split("</head>")[1]
    assert renders.calls == 0

    queued[0]()
    page = client.get(response.url).content.decode()
    assert "The draft PDF is ready" in page and f'href="{pdf_url}"' in page
    download = client.get(pdf_url)
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="{reviewed.report_id}-DRAFT.pdf"' in download["Content-Disposition"]
    assert download.content == fake_render(build_report(assessment=reviewed))
    assert client.get(pdf_url).content == download.content
    assert renders.calls == 1  # the second download came from the cache


def test_a_draft_version_is_the_sha256_of_its_canonical_json_and_any_change_is_new(
    renders, client, reviewed, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    pdf_url = reverse("report_pdf", args=[reviewed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(pdf_url)
    first = ReportRender.objects.get(kind="draft")
    document = canonical_json(build_report(assessment=reviewed))
    assert first.content_sha256 == hashlib.sha256(document).hexdigest()

    reviewed.status = Assessment.Status.DRAFT  # returned, then changed
    reviewed.save()
    change_an_answer(reviewed, officer, "A sharper explanation.")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(pdf_url).status_code == 302  # queued: a new version
    assert ReportRender.objects.filter(kind="draft").count() == 2
    assert renders.calls == 2
    assert client.get(pdf_url).content == fake_render(build_report(assessment=reviewed))


def test_many_requests_for_one_draft_version_make_one_render(
    renders, client, reviewed, officer, auditor, django_capture_on_commit_callbacks
):
    other = Client()
    other.force_login(auditor)
    client.force_login(officer)
    pdf_url = reverse("report_pdf", args=[reviewed.pk])
    with django_capture_on_commit_callbacks() as queued:
        for browser in (client, other, client, other, client):
            assert browser.get(pdf_url).status_code == 302
    assert ReportRender.objects.filter(kind="draft").count() == 1
    assert len(queued) == 1


def test_only_the_latest_draft_renders_of_an_assessment_are_kept(
    renders, client, assessment, officer, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_DRAFT_RENDERS_KEPT = 2
    from tests.conftest import answer_everything

    answer_everything(assessment, officer)
    client.force_login(officer)
    for version in range(4):
        change_an_answer(assessment, officer, f"Version {version}.")
        with django_capture_on_commit_callbacks(execute=True):
            client.get(reverse("report_pdf", args=[assessment.pk]))
    kept = ReportRender.objects.filter(kind="draft")
    assert renders.calls == 4 and kept.count() == 2
    latest = hashlib.sha256(canonical_json(build_report(assessment=assessment))).hexdigest()
    assert latest in kept.values_list("content_sha256", flat=True)


def test_a_failed_draft_render_says_why_and_a_member_can_retry_it(
    renders, client, reviewed, officer, django_capture_on_commit_callbacks
):
    renders.failure = "The render needed more than 1024 MiB of memory and was stopped."
    client.force_login(officer)
    pdf_url = reverse("report_pdf", args=[reviewed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(pdf_url)
    page = client.get(response.url).content.decode()
    assert "Rendering the draft PDF failed" in page
    assert "needed more than 1024 MiB" in page
    draft = ReportRender.objects.get(kind="draft")
    retry_url = reverse("report_render_retry", args=[reviewed.pk, draft.pk])
    assert f'action="{retry_url}"' in page
    # Asking again does not render a failed version again by itself.
    with django_capture_on_commit_callbacks() as queued:
        assert client.get(pdf_url).status_code == 302
    assert queued == [] and renders.calls == 1

    renders.failure = None
    assert client.get(retry_url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url)
    assert client.get(pdf_url).content == fake_render(build_report(assessment=reviewed))


def test_outsiders_get_404_on_a_draft_render_and_anonymous_users_sign_in(
    renders, client, reviewed, officer, outsider, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks():
        client.get(reverse("report_pdf", args=[reviewed.pk]))
    draft = ReportRender.objects.get(kind="draft")
    urls = [
        reverse(name, args=[reviewed.pk, draft.pk])
        for name in ("report_render", "report_render_status")
    ]
    client.force_login(outsider)
    for url in urls:
        assert client.get(url).status_code == 404
    retry = reverse("report_render_retry", args=[reviewed.pk, draft.pk])
    assert client.post(retry).status_code == 404
    client.logout()
    for url in urls:
        assert client.get(url).url.startswith(reverse("login"))


def test_issuing_deletes_the_draft_renders(
    renders, client, reviewed, officer, auditor, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("report_pdf", args=[reviewed.pk]))
        approve(reviewed, auditor)
    assert list(ReportRender.objects.values_list("kind", flat=True)) == ["issued"]


# --- limits of a render -------------------------------------------------------------


def test_a_render_over_the_time_limit_is_stopped_and_says_so(reviewed, settings):
    settings.REPORT_RENDER_TIMEOUT_SECONDS = 0.05
    with pytest.raises(rendering.RenderFailed) as failure:
        rendering.render_pdf(build_report(assessment=reviewed))
    assert str(failure.value) == "The render took longer than 0.05 s and was stopped."


def test_a_render_over_the_memory_limit_is_stopped_and_says_so(reviewed, settings):
    settings.REPORT_RENDER_MAX_MEMORY_MB = 40
    with pytest.raises(rendering.RenderFailed) as failure:
        rendering.render_pdf(build_report(assessment=reviewed))
    assert "needed more than 40 MiB" in str(failure.value)


def test_a_render_over_a_limit_fails_the_issuing_with_the_reason_on_the_page(
    client, reviewed, auditor, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_RENDER_TIMEOUT_SECONDS = 0.05
    with django_capture_on_commit_callbacks(execute=True):
        approve(reviewed, auditor)
    client.force_login(auditor)
    page = detail(client, reviewed)
    assert "Issuing the report failed" in page
    assert "took longer than 0.05 s" in page
    assert Assessment.objects.get(pk=reviewed.pk).status == "approved"


def test_the_child_process_renders_the_same_bytes_as_the_renderer_itself(reviewed):
    from reports.pdf import render_report_pdf

    doc = build_report(assessment=reviewed)
    assert rendering.render_pdf(doc) == render_report_pdf(doc)
