"""A real task worker, ``manage.py db_worker`` in its own process on the test database,
issues the report of an approved assessment and renders a draft PDF."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reports.models import IssuedReport, ReportRender
from reports.verification import verify_file
from tests.conftest import approve
from tests.workers import TASKS_ON_DATABASE, run_worker_until_queue_is_empty


@pytest.fixture
def database_queue(catalogue_restored, transactional_db, settings):
    """Committed data (the worker is another process) and the database task backend."""
    settings.TASKS = TASKS_ON_DATABASE


def test_a_worker_process_issues_the_report_after_approval(database_queue, reviewed, auditor):
    approve(reviewed, auditor)
    # Other tasks may be queued too (the notification e-mails): this is the report's.
    task = DBTaskResult.objects.get(task_path="reports.tasks.render_report")
    assert task.status == "READY"
    assert not IssuedReport.objects.exists()

    run_worker_until_queue_is_empty()

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    issued = IssuedReport.objects.get(assessment=reviewed)
    assert bytes(issued.pdf).startswith(b"%PDF-")
    assert verify_file(bytes(issued.pdf)).verified  # signed by the worker, as issued
    assert ReportRender.objects.get(assessment=reviewed).status == "done"


def test_a_worker_process_renders_a_draft_pdf_for_the_page_waiting_on_it(
    database_queue, client, reviewed, officer
):
    client.force_login(officer)
    pdf_url = reverse("report_pdf", args=[reviewed.pk])
    progress = client.get(pdf_url).url
    assert "Waiting for a worker" in client.get(progress).content.decode()

    run_worker_until_queue_is_empty()

    assert "The draft PDF is ready" in client.get(progress).content.decode()
    response = client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
