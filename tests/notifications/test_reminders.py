"""send_reminders: due soon and overdue, for assignments and assessments; idempotent."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments import assignments as work
from assessments.models import Assessment, Assignment
from notifications.models import Kind, Notification
from tests.conftest import answer_everything

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 10)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the command; its e-mails go out when its transaction commits."""

    def run(day=TODAY):
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", date=day.isoformat(), stdout=out)
        return out.getvalue()

    return run


def due(assignment_or_assessment, day):
    # Set directly: the services refuse due dates in the past, the test needs them.
    type(assignment_or_assessment).objects.filter(pk=assignment_or_assessment.pk).update(
        due_date=day
    )


@pytest.fixture
def work_items(assessment, people):
    officer, colleague = people["officer"], people["colleague"]
    soon = work.assign_work(assessment=assessment, assignee=colleague, by=officer, numeral="VI")
    late = work.assign_work(assessment=assessment, assignee=colleague, by=officer, numeral="II")
    later = work.assign_work(assessment=assessment, assignee=officer, by=officer, numeral="III")
    due(soon, TODAY + timedelta(days=3))
    due(late, TODAY - timedelta(days=1))
    due(later, TODAY + timedelta(days=4))  # outside the three days
    Notification.objects.all().delete()
    mail.outbox.clear()
    return soon, late, later


def test_due_soon_and_overdue_assignments_are_reminded(work_items, assessment, run):
    output = run()
    colleague_notes = Notification.objects.filter(recipient__username="carla")
    assert sorted(colleague_notes.values_list("kind", flat=True)) == [Kind.DUE_SOON, Kind.OVERDUE]
    overdue = colleague_notes.get(kind=Kind.OVERDUE)
    assert overdue.text == (
        f"principle II of “{assessment.title}” was due on 2026-05-09 and is not done."
    )
    assert not Notification.objects.filter(recipient__username="olivia").exists()
    assert len(mail.outbox) == 2
    assert "overdue: Chat assistant 2026 II (due 2026-05-09) -> carla" in output
    assert "2 reminder(s) sent for 2026-05-10." in output


def test_running_twice_the_same_day_sends_nothing_new(work_items, run):
    run()
    count, mails = Notification.objects.count(), len(mail.outbox)
    output = run()
    assert Notification.objects.count() == count and len(mail.outbox) == mails
    assert "0 reminder(s) sent" in output


def test_overdue_is_reminded_again_the_next_day_due_soon_is_not(work_items, run):
    run()
    run(TODAY + timedelta(days=1))
    kinds = list(
        Notification.objects.filter(recipient__username="carla").values_list("kind", flat=True)
    )
    assert kinds.count(Kind.OVERDUE) == 2 and kinds.count(Kind.DUE_SOON) == 1


def test_done_work_and_submitted_assessments_are_not_reminded(work_items, assessment, people, run):
    answer_everything(assessment, people["officer"])
    assert "0 reminder(s)" in run()
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    Assignment.objects.update(due_date=TODAY - timedelta(days=5))
    assert "0 reminder(s)" in run(TODAY + timedelta(days=1))


def test_the_assessment_due_date_reminds_its_officers(assessment, people, run):
    due(assessment, TODAY + timedelta(days=2))
    output = run()
    notes = Notification.objects.filter(kind=Kind.DUE_SOON)
    assert sorted(n.recipient.username for n in notes) == ["carla", "olivia"]
    assert notes[0].text == f"“{assessment.title}” is due on 2026-05-12."
    assert "auditor" not in output and "arthur" not in output


def test_assignments_without_their_own_date_use_the_assessments(assessment, people, run):
    work.assign_work(
        assessment=assessment, assignee=people["colleague"], by=people["officer"], numeral="I"
    )
    due(assessment, TODAY - timedelta(days=2))
    run()
    overdue = Notification.objects.filter(kind=Kind.OVERDUE, recipient__username="carla")
    assert {n.dedupe_key.split(":")[2] for n in overdue} == {"assignment", "assessment"}


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="--date"):
        call_command("send_reminders", date="10/05/2026")
