"""Due-date reminders: what ``send_reminders`` notifies on a given day.

Each reminder is a notification with a dedupe key naming its day or due date, so
running the command again the same day (or twice from cron) notifies nobody twice:
"due soon" once per due date, "overdue" once a day until the work is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse

from assessments.assignments import ANSWERING_ROLES, with_progress
from assessments.models import Assessment, Assignment

from .models import Kind
from .receivers import OFFICER_ROLES, members
from .services import notify


@dataclass
class Sent:
    kind: str
    what: str
    recipients: list[str]


def send_reminders(*, today: date) -> list[Sent]:
    horizon = today + timedelta(days=settings.REMINDER_DAYS_BEFORE_DUE)
    return _assignment_reminders(today, horizon) + _assessment_reminders(today, horizon)


def _kind_and_key(due: date, today: date) -> tuple[str, str]:
    if due < today:
        return Kind.OVERDUE, f"overdue:{today.isoformat()}"
    return Kind.DUE_SOON, f"due_soon:{due.isoformat()}"


def _assignment_reminders(today: date, horizon: date) -> list[Sent]:
    assignments = list(
        Assignment.objects.open()
        .filter(
            Q(due_date__lte=horizon) | Q(due_date__isnull=True, assessment__due_date__lte=horizon)
        )
        # only while the assignee is still an officer of the organization
        .filter(
            assessment__organization__memberships__user=F("assignee"),
            assessment__organization__memberships__role__in=ANSWERING_ROLES,
        )
        .select_related("assessment", "assignee")
        .prefetch_related("assessment__roles")
    )
    sent = []
    for item in with_progress(assignments):
        assignment = item.assignment
        if item.done or item.due is None:
            continue
        kind, key = _kind_and_key(item.due, today)
        url = reverse(
            "questionnaire", args=[assignment.assessment_id, assignment.principle_numeral]
        )
        if assignment.question_code:
            url += f"#q-{assignment.question_code}"
        created = notify(
            recipients=[assignment.assignee],
            kind=kind,
            dedupe_key=f"{key}:assignment:{assignment.pk}",
            url=url,
            assessment=assignment.assessment,
            params={
                "title": assignment.assessment.title,
                "target": assignment.target,
                "due": item.due.isoformat(),
            },
        )
        if created:
            what = f"{assignment.assessment.title} {assignment.target} (due {item.due})"
            sent.append(Sent(kind, what, [n.recipient.get_username() for n in created]))
    return sent


def _assessment_reminders(today: date, horizon: date) -> list[Sent]:
    sent = []
    drafts = Assessment.objects.filter(status=Assessment.Status.DRAFT, due_date__lte=horizon)
    for assessment in drafts.order_by("due_date", "pk"):
        kind, key = _kind_and_key(assessment.due_date, today)
        created = notify(
            recipients=members(assessment.organization_id, OFFICER_ROLES),
            kind=kind,
            dedupe_key=f"{key}:assessment:{assessment.pk}",
            url=reverse("assessment_detail", args=[assessment.pk]),
            assessment=assessment,
            params={"title": assessment.title, "due": assessment.due_date.isoformat()},
        )
        if created:
            what = f"{assessment.title} (due {assessment.due_date})"
            sent.append(Sent(kind, what, [n.recipient.get_username() for n in created]))
    return sent
