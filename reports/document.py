"""The canonical report document: one plain data structure per assessment.

The HTML preview, the PDF, the JSON and the CSV exports are all rendered from
``build_report``, so they cannot disagree. The document holds only JSON types
(scores and percentages rounded to one decimal, dates in ISO 8601, UTC) and
nothing that changes between two builds of the same approved assessment: no
generation time, so that issuing twice gives the same fingerprint and bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, Comment, Evidence
from assessments.scoring import MAX_LEVEL, Band, QuestionResult, bands
from principles.models import ReportingSection

SCHEMA_VERSION = 1

METHODOLOGY = {
    "effective_weight": (
        "A question's effective weight is the largest of its weights (0 to 3) over the "
        "declared lifecycle roles; a question applies when its effective weight is above 0."
    ),
    "principle_score": (
        "Principle score = 100 × Σ(weight × level ÷ 4) ÷ Σ weight, over the principle's "
        "applicable questions answered with a level. Not-applicable answers are left out; "
        "a principle with no such answer has no score."
    ),
    "coverage": (
        "Coverage = answered applicable questions ÷ applicable questions; "
        "a not-applicable answer counts as answered."
    ),
    "overall_score": "Overall score = the mean of the principle scores that exist.",
    "band": "The band is the highest one whose threshold the score reaches.",
    "priority": (
        "Gap priority = effective weight × (4 − level), for answers below level 3; "
        "the highest priority comes first."
    ),
}


def build_report(*, assessment: Assessment) -> dict:
    """The report document of ``assessment``, ready for ``canonical_json``."""
    catalogue = services.catalogue_for(assessment)
    result = services.result_for(assessment, live=catalogue)
    answers = _answers_with_details(assessment)
    roles = result.roles
    principles = [
        {
            "numeral": p.principle.numeral,
            "title": p.principle.title,
            "text": p.principle.text,
            "wording_version": p.principle.wording_version,
            "oecd_section": _section(p.principle.oecd_section),
            "score": _round(p.score),
            "band": _band(p.band),
            "coverage": _percent(p.coverage),
            "applicable": p.applicable,
            "answered": p.answered,
            "excluded": p.excluded,
            "questions": [_question(q, roles, answers, assessment.pk) for q in p.questions],
        }
        for p in result.principles
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "report_id": assessment.report_id,
        "status": assessment.status,
        "status_label": assessment.get_status_display(),
        "draft": not assessment.is_locked,
        "organization": {
            "name": assessment.organization.name,
            "slug": assessment.organization.slug,
        },
        "assessment": {
            "id": assessment.pk,
            "title": assessment.title,
            "scope": assessment.scope,
            "revision": assessment.revision,
            "predecessor_report_id": (
                assessment.predecessor.report_id if assessment.predecessor_id else None
            ),
        },
        "roles": [{"code": r.code, "name": r.name} for r in catalogue.roles if r.code in roles],
        "catalogue": {
            "frozen_at_submission": bool(assessment.catalogue_snapshot),
            "snapshot_format": (assessment.catalogue_snapshot or {}).get("format"),
            "wording_versions": {p["numeral"]: p["wording_version"] for p in principles},
        },
        "overall": {
            "score": _round(result.score),
            "band": _band(result.band),
            "coverage": _percent(result.coverage),
            "applicable": result.applicable,
            "answered": result.answered,
            "excluded": result.excluded,
            "not_applicable": len(result.not_applicable()),
        },
        "principles": principles,
        "weakest": _weakest(principles),
        "gaps": [_gap(q) for q in result.gaps()],
        "not_applicable": [
            {"code": q.question.code, "explanation": answers[q.question.code].explanation}
            for q in result.not_applicable()
        ],
        "methodology": {
            "scale": [{"level": level.value, "label": level.label} for level in Answer.Level],
            "max_level": MAX_LEVEL,
            "bands": [_band(b) | {"threshold": b.threshold} for b in bands()],
            "formulas": METHODOLOGY,
            "oecd_sections": [
                {
                    **_section(s.value),
                    "principles": [
                        p["numeral"] for p in principles if p["oecd_section"]["number"] == s.value
                    ],
                }
                for s in ReportingSection
            ],
        },
        "workflow": _workflow(assessment),
        "verification_url": settings.SITE_URL + reverse("report_verify"),
    }


def _answers_with_details(assessment: Assessment) -> dict[str, Answer]:
    """Answers keyed by question code, with evidence and comments in three queries."""
    queryset = assessment.answers.select_related("question").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("added_at", "pk")),
        Prefetch(
            "comments",
            queryset=Comment.objects.select_related("author").order_by("created_at", "pk"),
        ),
    )
    return {a.question.code: a for a in queryset}


def _question(q: QuestionResult, roles: list[str], answers: dict, assessment_pk: int) -> dict:
    answer = answers.get(q.question.code)
    return {
        "code": q.question.code,
        "text": q.question.text,
        "weight": q.weight,
        "role_weights": [
            {"role": role, "weight": q.question.weights.get(role, 0)} for role in roles
        ],
        "answered": q.is_answered,
        "not_applicable": q.not_applicable,
        "level": q.level,
        "level_label": _level_label(q),
        "explanation": answer.explanation if answer else "",
        "evidence": [_evidence(e, assessment_pk) for e in answer.evidence.all()] if answer else [],
        "comments": [
            {"author": _person(c.author), "at": _date(c.created_at), "text": c.text}
            for c in answer.comments.all()
        ]
        if answer
        else [],
    }


def _level_label(q: QuestionResult) -> str:
    if q.not_applicable:
        return "Not applicable"
    if q.level is None:
        return "Not answered"
    return Answer.Level(q.level).label


def _evidence(evidence: Evidence, assessment_pk: int) -> dict:
    download = (
        reverse("evidence_download", args=[assessment_pk, evidence.pk])
        if evidence.is_file
        else None
    )
    return {
        "description": evidence.description,
        "file_name": evidence.file_name,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "url": evidence.url,
        "download_path": download,
    }


def _gap(q: QuestionResult) -> dict:
    return {
        "code": q.question.code,
        "text": q.question.text,
        "weight": q.weight,
        "level": q.level,
        "level_label": Answer.Level(q.level).label,
        "priority": q.gap,
    }


def _weakest(principles: list[dict], count: int = 3) -> list[str]:
    """Numerals of the lowest-scoring principles, lowest first (ties in catalogue order)."""
    scored = [p for p in principles if p["score"] is not None]
    return [p["numeral"] for p in sorted(scored, key=lambda p: p["score"])[:count]]


def _workflow(assessment: Assessment) -> dict:
    events = assessment.events.select_related("by").order_by("at", "pk")
    return {
        "created_at": _date(assessment.created_at),
        "created_by": _person(assessment.created_by),
        "submitted_at": _date(assessment.submitted_at),
        "submitted_by": _person(assessment.submitted_by),
        "approved_at": _date(assessment.approved_at),
        "approved_by": _person(assessment.approved_by),
        "events": [
            {
                "action": e.action,
                "label": e.get_action_display(),
                "by": _person(e.by),
                "at": _date(e.at),
                "comment": e.comment,
            }
            for e in events
        ],
        "separation_of_duties": _separation_of_duties(assessment),
    }


def _separation_of_duties(assessment: Assessment) -> dict:
    """Whether the approver was independent of the answers, as recorded at approval."""
    if not assessment.is_locked:
        return {
            "enforced": True,
            "note": "Checked at approval: the approver must not have submitted the assessment "
            "or changed its answers.",
        }
    return {"enforced": not assessment.duties_relaxed, "note": assessment.duties_note}


def _section(number: int) -> dict:
    return {"number": number, "title": ReportingSection(number).label}


def _band(band: Band | None) -> dict | None:
    return {"key": band.key, "label": band.label} if band else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else round(100 * fraction, 1)


def _date(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _person(user) -> str | None:
    if user is None:
        return None
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()
