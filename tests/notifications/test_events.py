"""Who is notified of what, in the app and by e-mail; never twice for one event."""

import logging

import pytest
from django.core import mail

from assessments import assignments as work
from assessments import services
from assessments.models import Answer
from notifications import services as notifications
from notifications.models import EmailPreference, Kind, Notification
from tests.conftest import approve, make_user

pytestmark = pytest.mark.django_db


def received(user, kind=None):
    found = Notification.objects.filter(recipient=user)
    return list(found.filter(kind=kind) if kind else found)


def mailed_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_assignee_is_notified_and_mailed(assessment, people, django_capture_on_commit_callbacks):
    officer, colleague = people["officer"], people["colleague"]
    with django_capture_on_commit_callbacks(execute=True):
        work.assign_work(assessment=assessment, assignee=colleague, by=officer, numeral="VI")
    [note] = received(colleague, Kind.ASSIGNED)
    assert note.text == f"olivia assigned principle VI of “{assessment.title}” to you."
    assert note.url == f"/assessments/{assessment.pk}/principles/VI/"
    [message] = mailed_to("carla@example.com")
    assert note.text in message.body and note.url in message.body
    html = message.alternatives[0][0]
    assert "principle VI" in html and message.alternatives[0][1] == "text/html"
    assert received(officer) == []  # not told of one's own act


def test_assigning_oneself_notifies_nobody(assessment, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        work.assign_work(
            assessment=assessment, assignee=people["officer"], by=people["officer"], numeral="I"
        )
    assert not Notification.objects.exists() and mail.outbox == []


def test_submission_notifies_the_auditors(assessment, people, django_capture_on_commit_callbacks):
    from tests.conftest import answer_everything

    answer_everything(assessment, people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_assessment(assessment=assessment, by=people["officer"])
    [note] = received(people["auditor"], Kind.SUBMITTED)
    assert "submitted" in note.text and assessment.title in note.text
    assert [m.to for m in mail.outbox] == [["arthur@example.com"]]
    assert received(people["colleague"]) == [] and received(people["outsider"]) == []


def test_return_notifies_the_officers_with_the_reason(
    submitted, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.return_assessment(
            assessment=submitted, by=people["auditor"], comment="Evidence for I.3 is missing."
        )
    for user in (people["officer"], people["colleague"]):
        [note] = received(user, Kind.RETURNED)
        assert note.text.endswith("for changes: Evidence for I.3 is missing.")
    assert sorted(m.to[0] for m in mail.outbox) == ["carla@example.com", "olivia@example.com"]
    assert "Evidence for I.3 is missing." in mail.outbox[0].body
    assert received(people["auditor"]) == []


def test_a_second_return_is_a_new_event(submitted, people, django_capture_on_commit_callbacks):
    officer, auditor = people["officer"], people["auditor"]
    with django_capture_on_commit_callbacks(execute=True):
        services.return_assessment(assessment=submitted, by=auditor, comment="First.")
        services.submit_assessment(assessment=submitted, by=officer)
        services.return_assessment(assessment=submitted, by=auditor, comment="Second.")
    assert len(received(officer, Kind.RETURNED)) == 2


def test_approval_notifies_the_officers(submitted, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:  # not the report's issuing
        approve(submitted, people["auditor"])
    assert callbacks
    notes = received(people["officer"], Kind.APPROVED) + received(people["colleague"])
    assert len(notes) == 2
    notifications.send_emails(notification_ids=[n.pk for n in notes])
    assert sorted(m.to[0] for m in mail.outbox) == ["carla@example.com", "olivia@example.com"]


def test_comment_goes_to_the_other_side_and_the_assignees(
    assessment, people, django_capture_on_commit_callbacks
):
    from tests.conftest import answer_everything

    officer, auditor, colleague = people["officer"], people["auditor"], people["colleague"]
    work.assign_work(assessment=assessment, assignee=colleague, by=officer, question_code="I.1")
    answer_everything(assessment, officer)
    services.submit_assessment(assessment=assessment, by=officer)
    second_auditor = make_user("beatrice", email="beatrice@example.com")
    assessment.organization.memberships.create(user=second_auditor, role="auditor")
    answer = Answer.objects.get(assessment=assessment, question__code="I.1")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(assessment=assessment, answer=answer, text="Which policy?", by=auditor)
    # The officer who wrote the answer, and the assignee; not the author, not the
    # other auditor.
    comments = Notification.objects.filter(kind=Kind.COMMENT)
    assert {n.recipient.username for n in comments} == {"olivia", "carla"}
    note = received(officer, Kind.COMMENT)[0]
    assert note.text == f"arthur commented on I.1 of “{assessment.title}”: Which policy?"
    assert note.url.endswith("/principles/I/#q-I.1")
    assert sorted(m.to[0] for m in mail.outbox) == ["carla@example.com", "olivia@example.com"]


def test_the_same_event_never_notifies_twice(
    assessment, people, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            notifications.notify(
                recipients=[officer, officer], kind=Kind.OVERDUE, dedupe_key="overdue:x:1",
                params={"title": "T", "due": "2026-01-01"},
            )  # fmt: skip
    assert len(received(officer)) == 1 and len(mail.outbox) == 1
    # Sending the same notification's e-mail again sends nothing.
    assert notifications.send_emails(notification_ids=[received(officer)[0].pk]) == 0
    assert len(mail.outbox) == 1


def test_email_opt_out_all_and_per_kind(assessment, people, django_capture_on_commit_callbacks):
    officer, colleague = people["officer"], people["colleague"]
    EmailPreference.objects.create(user=colleague, enabled=False)
    EmailPreference.objects.create(user=officer, muted_kinds=[Kind.OVERDUE])
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipients=[officer, colleague], kind=Kind.OVERDUE, dedupe_key="k1",
            params={"title": "T", "due": "2026-01-01"},
        )  # fmt: skip
        notifications.notify(
            recipients=[officer, colleague], kind=Kind.DUE_SOON, dedupe_key="k2",
            params={"title": "T", "due": "2026-01-01"},
        )  # fmt: skip
    assert Notification.objects.count() == 4  # in the app, whatever the e-mail choice
    assert [m.to for m in mail.outbox] == [["olivia@example.com"]]
    assert "is due on 2026-01-01" in mail.outbox[0].body


def test_a_failing_mail_server_is_logged_not_raised(
    assessment, people, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.test_events.BrokenBackend"
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipients=[people["officer"]], kind=Kind.OVERDUE, dedupe_key="k",
            params={"title": "T", "due": "2026-01-01"},
        )  # fmt: skip
    note = Notification.objects.get()
    assert note.emailed_at is not None and "refused" in note.email_error
    assert "Notification e-mail" in caplog.text


def test_rolled_back_events_send_nothing(assessment, people, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notifications.notify(
            recipients=[people["officer"]], kind=Kind.OVERDUE, dedupe_key="k",
            params={"title": "T", "due": "2026-01-01"},
        )  # fmt: skip
        raise RuntimeError
    assert not Notification.objects.exists() and mail.outbox == []


def test_invited_existing_user_is_told_in_the_app_only(people, organization):
    from notifications.receivers import on_invited

    class Invitation:  # the members app's model, as far as the receiver reads it
        pk = 7
        email = "Carla@Example.com"
        role = "auditor"

    Invitation.organization = organization
    on_invited(sender=None, invitation=Invitation(), by=people["officer"])
    [note] = received(people["colleague"], Kind.INVITED)
    assert note.text == "olivia invited you to join Example AI Labs as auditor."
    assert notifications.send_emails(notification_ids=[note.pk]) == 0


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("refused by the test")


def test_an_invitation_to_an_existing_account_shows_under_the_bell(
    people, organization, django_capture_on_commit_callbacks
):
    from members.services import invite_member

    with django_capture_on_commit_callbacks(execute=True):
        invite_member(organization=organization, email="oscar@example.com", role="auditor", by=None)
    [note] = received(people["outsider"], Kind.INVITED)
    assert note.text == "You are invited to join Example AI Labs as auditor."
    # Only the members app's invitation e-mail: none of ours.
    assert len(mailed_to("oscar@example.com")) == 1
