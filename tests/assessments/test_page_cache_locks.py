"""The change token's stamp on PostgreSQL: an UPDATE of the assessment rows inside the
writers' transactions. Writers that meet on those rows wait for each other; none of
them may deadlock."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from assessments import services
from assessments.models import Answer, Assessment, Comment, Membership, Organization
from members import services as member_services
from principles.models import Question
from tests.assessments.test_races import _wait_until_another_backend_waits_on_a_lock
from tests.conftest import answer_everything, make_org, make_user
from tests.reports.conftest import fake_render

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: row locks (SQLite serialises whole writers instead)",
)


@pytest.fixture
def team(catalogue_restored, transactional_db, monkeypatch):
    """An organization with an owner, an officer and an auditor, and a draft (committed:
    the writers run in threads, each on a connection of its own)."""
    monkeypatch.setattr("reports.pdf.render_report_pdf", fake_render)
    monkeypatch.setattr("reports.rendering.render_pdf", fake_render)
    org = make_org("Lock Org", "lock")
    people = {}
    for name, role in (("owen", "owner"), ("olga", "officer"), ("abe", "auditor")):
        people[name] = make_user(name)
        Membership.objects.create(user=people[name], organization=org, role=role)
    draft = services.create_assessment(organization=org, title="L", scope="S", by=people["olga"])
    answer_everything(draft, people["olga"])
    return draft, people


def run_meanwhile(monkeypatch, first, second):
    """Run ``first`` until it holds the assessment's row lock (``lock_assessment``), then
    ``second``, and let ``first`` go on once ``second`` waits on a lock. Returns each
    one's outcome ("ok" or the error) and whether ``second`` was seen waiting."""
    real_require_role = services._require_role
    locked = threading.Event()
    seen_waiting = []

    def hold(**kwargs):
        real_require_role(**kwargs)
        if threading.current_thread().name == "first" and not locked.is_set():
            locked.set()
            seen_waiting.append(_wait_until_another_backend_waits_on_a_lock(polls=100))

    monkeypatch.setattr(services, "_require_role", hold)
    outcomes = {}

    def run(name, work):
        if name == "second":
            locked.wait(timeout=30)
        try:
            work()
            outcomes[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, work), name=name)
        for name, work in (("first", first), ("second", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, seen_waiting


def save_one_answer(assessment, officer):
    def save():
        question = Question.objects.get(code="I.1")
        answer = Answer.objects.get(assessment_id=assessment.pk, question=question)
        services.save_answers(
            assessment=Assessment.objects.get(pk=assessment.pk),
            inputs=[
                services.AnswerInput(
                    question_id=question.pk,
                    seen_version=answer.version,
                    level=2,
                    not_applicable=False,
                    explanation="Saved while someone else writes.",
                )
            ],
            by=officer,
        )

    return save


def test_a_role_change_while_a_revision_starts_is_no_deadlock(team, monkeypatch):
    draft, people = team
    services.submit_assessment(assessment=draft, by=people["olga"])
    from tests.conftest import approve

    approve(Assessment.objects.get(pk=draft.pk), people["abe"])
    auditor = Membership.objects.get(user=people["abe"])

    outcomes, seen_waiting = run_meanwhile(
        monkeypatch,
        lambda: services.start_revision(
            assessment=Assessment.objects.get(pk=draft.pk), by=people["olga"]
        ),
        lambda: member_services.change_role(
            membership=auditor, role=Membership.Role.OFFICER, by=people["owen"]
        ),
    )
    assert outcomes == {"first": "ok", "second": "ok"}, outcomes
    assert Assessment.objects.filter(predecessor_id=draft.pk).count() == 1
    assert Membership.objects.get(user=people["abe"]).role == Membership.Role.OFFICER


def test_a_role_change_waits_for_a_page_save_and_both_go_through(team, monkeypatch):
    draft, people = team
    before = Assessment.objects.get(pk=draft.pk).change_token
    auditor = Membership.objects.get(user=people["abe"])
    outcomes, seen_waiting = run_meanwhile(
        monkeypatch,
        save_one_answer(draft, people["olga"]),
        lambda: member_services.change_role(
            membership=auditor, role=Membership.Role.OFFICER, by=people["owen"]
        ),
    )
    assert outcomes == {"first": "ok", "second": "ok"}, outcomes
    # The role change's stamp waited for the page save to end (a new wait: before the
    # stamp, the two did not meet).
    assert seen_waiting == [True]
    assert Assessment.objects.get(pk=draft.pk).change_token != before


def test_an_auditor_resolving_while_the_officer_saves_is_no_deadlock(team, monkeypatch):
    draft, people = team
    services.submit_assessment(assessment=draft, by=people["olga"])
    answer = Answer.objects.get(assessment=draft, question__code="I.1")
    thread = services.add_comment(assessment=draft, answer=answer, text="Who?", by=people["abe"])
    services.return_assessment(
        assessment=Assessment.objects.get(pk=draft.pk), by=people["abe"], comment="Fix I.1."
    )
    outcomes, seen_waiting = run_meanwhile(
        monkeypatch,
        save_one_answer(draft, people["olga"]),
        lambda: services.resolve_comment(
            assessment=Assessment.objects.get(pk=draft.pk), comment=thread, by=people["abe"]
        ),
    )
    assert outcomes == {"first": "ok", "second": "ok"}, outcomes
    assert seen_waiting == [True]  # on the assessment's row, as before the stamp
    assert Comment.objects.get(pk=thread.pk).resolved_at is not None


def test_renaming_an_officer_while_they_save_is_no_deadlock(team, monkeypatch):
    draft, people = team

    def rename():
        with transaction.atomic():  # as the admin's change form saves
            user = get_user_model().objects.get(pk=people["olga"].pk)
            user.username = "olga.renamed"
            user.save()

    outcomes, seen_waiting = run_meanwhile(
        monkeypatch, save_one_answer(draft, people["olga"]), rename
    )
    assert outcomes == {"first": "ok", "second": "ok"}, outcomes
    assert get_user_model().objects.filter(username="olga.renamed").exists()


def test_renaming_the_organization_while_an_officer_saves_is_no_deadlock(team, monkeypatch):
    draft, people = team

    def rename():
        with transaction.atomic():  # as the admin's change form saves
            organization = Organization.objects.get(pk=draft.organization_id)
            organization.name = "Lock Org, renamed"
            organization.save()

    outcomes, seen_waiting = run_meanwhile(
        monkeypatch, save_one_answer(draft, people["olga"]), rename
    )
    assert outcomes == {"first": "ok", "second": "ok"}, outcomes
    assert Organization.objects.filter(name="Lock Org, renamed").exists()
