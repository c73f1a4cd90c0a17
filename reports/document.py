"""The canonical report document: one plain data structure per assessment.

The HTML preview, the PDF, the JSON and the CSV exports are all rendered from
``build_report``, so they cannot disagree. The document holds only JSON types
(scores and percentages rounded once, half up, to one decimal by
``assessments.scoring.round_score``; dates in ISO 8601, UTC) and nothing that
changes between two builds of the same approved assessment: no generation time,
so that issuing twice gives the same fingerprint and bytes. Its shape is the JSON
Schema ``reports/schema/report-v2.json``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from assessments import services
from assessments.models import Answer, Assessment, AuditOpinion, Comment, Evidence
from assessments.scoring import (
    MAX_LEVEL,
    AssessmentResult,
    Band,
    QuestionResult,
    Rules,
    percent_of,
)
from principles.catalogue import Catalogue
from principles.crosswalks import coverage, frameworks_with_mappings

SCHEMA_VERSION = 2
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "report-v2.json"

NATURE_STATEMENT = (
    "This report records a self-assessment: the organization itself states, question by "
    "question, how far it applies the Hiroshima Process International Guiding Principles "
    "for All AI Actors, which ask every AI actor to apply them as relevant and appropriate "
    "to its part in the design, development, deployment, provision and use of advanced AI "
    "systems. The questions, their weights per lifecycle role and the scoring are this "
    "tool's own, not part of the principles. An auditor named in the report reviewed the "
    "answers and gives an opinion on them, within the scope and sampling stated. The "
    "report is not a certification: no public body or standards organization has "
    "assessed or endorsed it, and a score or band is not a finding of compliance with "
    "any law or with the OECD reporting framework."
)

SOURCES = [
    {
        "title": "Hiroshima Process International Guiding Principles for All AI Actors",
        "publisher": "G7 (Hiroshima AI Process Comprehensive Policy Framework)",
        "date": "2023-12-01",
        "url": "https://www.soumu.go.jp/hiroshimaaiprocess/en/index.html",
    },
    {
        "title": (
            "Hiroshima Process International Guiding Principles for Organizations "
            "Developing Advanced AI Systems"
        ),
        "publisher": "G7",
        "date": "2023-10-30",
        "url": "https://www.mofa.go.jp/files/100573471.pdf",
    },
    {
        "title": (
            "Hiroshima Process International Code of Conduct for Organizations Developing "
            "Advanced AI Systems"
        ),
        "publisher": "G7",
        "date": "2023-10-30",
        "url": "https://www.mofa.go.jp/files/100573473.pdf",
    },
    {
        "title": (
            "Reporting Framework for the Hiroshima AI Process (HAIP) International Code of "
            "Conduct for Organizations Developing Advanced AI Systems"
        ),
        "publisher": "OECD",
        "date": "2025-02-07",
        "url": "https://transparency.oecd.ai/",
    },
]

ROUNDING = (
    "Every score and percentage is computed exactly and rounded once, half up, to one "
    "decimal (81.25 becomes 81.3); the band is decided on that rounded value, the one "
    "printed. The overall score is the mean of the unrounded principle scores, so it can "
    "differ by up to 0.05 from the mean of the printed ones."
)

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
    "overall_score": (
        "Overall score = the mean of the principle scores that exist: each principle counts "
        "once, whatever its number of questions, so that the framework's twelve principles "
        "weigh alike. A strong principle can offset a weak one; the lowest principle score is "
        "therefore given beside the overall score, with the number of principles scored (a "
        "principle answered entirely not applicable has no score and drops out of the mean), "
        "and the floor rule limits the overall band."
    ),
    "band": (
        "The band is the highest one whose threshold the rounded score reaches; the bands "
        "are those frozen into the assessment at submission."
    ),
    "not_applicable_share": (
        "Share answered not applicable = Σ weight of the questions answered not applicable "
        "÷ Σ weight of the applicable questions, per principle and overall. Each not "
        "applicable answer needs a justification and an auditor's acceptance."
    ),
    "priority": (
        "Gap priority = effective weight × (4 − level), for answers below level 3; "
        "the highest priority comes first."
    ),
}


def build_report(*, assessment: Assessment, language: str | None = None) -> dict:
    """The report document of ``assessment``, ready for ``canonical_json``.

    Built in the report's language (see ``report_language``): labels, methodology
    texts and the catalogue's wording; the answers stay as people wrote them.
    """
    given = AuditOpinion.objects.select_related("auditor").filter(assessment=assessment).first()
    language = report_language(assessment, given, language)
    with translation.override(language):
        return _resolved(_build_report(assessment, given, language))


def report_language(assessment: Assessment, opinion, requested: str | None = None) -> str:
    """The language of a report: the one chosen at approval once approved, else the
    one requested (by default the active one), if the site offers it, else English."""
    languages = dict(settings.LANGUAGES)
    if assessment.is_locked and opinion is not None and opinion.report_language in languages:
        return opinion.report_language
    wanted = (requested or translation.get_language() or "").split("-")[0]
    return wanted if wanted in languages else settings.LANGUAGE_CODE


def _resolved(value):
    """``value`` with lazy translations turned into text (in the active language)."""
    if isinstance(value, dict):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item) for item in value]
    if isinstance(value, Promise):
        return str(value)
    return value


def _build_report(assessment: Assessment, given, language: str) -> dict:
    catalogue = services.catalogue_for(assessment, language=language)
    result = services.result_for(assessment, live=catalogue)
    answers = _answers_with_details(assessment)
    roles = result.roles
    opinion = _opinion(given)
    with_comments = opinion is None or opinion["include_comments"]
    principles = [
        {
            "numeral": p.principle.numeral,
            "title": p.principle.title,
            "text": p.principle.text,
            "commentary": p.principle.commentary,
            "wording_note": p.principle.wording_note,
            "wording_version": p.principle.wording_version,
            "oecd_sections": [_section(catalogue, n) for n in p.principle.oecd_sections],
            "score": p.score,
            "band": _band(p.band),
            "coverage": percent_of(p.answered, p.applicable),
            "na_weight_share": p.na_weight_share,
            "applicable": p.applicable,
            "answered": p.answered,
            "excluded": p.excluded,
            "questions": [
                _question(q, roles, answers, assessment.pk, with_comments) for q in p.questions
            ],
        }
        for p in result.principles
    ]
    rules = result.rules or Rules.in_force()
    return {
        "schema_version": SCHEMA_VERSION,
        "language": language,
        "report_id": assessment.report_id,
        "status": assessment.status,
        "status_label": str(assessment.get_status_display()),
        "draft": not assessment.is_locked,
        "nature": {"statement": NATURE_STATEMENT, "sources": SOURCES},
        "organization": {
            "name": assessment.organization.name,
            "slug": assessment.organization.slug,
        },
        "assessment": {
            "id": assessment.pk,
            "title": assessment.title,
            "scope": assessment.scope,
            "period": {"start": _day(assessment.period_start), "end": _day(assessment.period_end)},
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
        "overall": _overall(result),
        "principles": principles,
        "weakest": _weakest(principles),
        "gaps": [_gap(q) for q in result.gaps()],
        "not_applicable": [
            _not_applicable(p, q)
            for p in result.principles
            for q in p.questions
            if q.not_applicable
        ],
        "opinion": opinion,
        "methodology": {
            "scale": [{"level": level.value, "label": str(level.label)} for level in Answer.Level],
            "max_level": MAX_LEVEL,
            "bands": [{**b.to_dict(), "label": gettext(b.label)} for b in rules.bands],
            "bands_frozen_at_submission": bool(
                (assessment.catalogue_snapshot or {}).get("scoring")
            ),
            "rounding": ROUNDING,
            "floor_rule": _floor_rule(rules),
            "overall_rule": _overall_rule(result),
            "formulas": METHODOLOGY,
            "oecd_sections": [
                {
                    **_section(catalogue, number),
                    "principles": [
                        p["numeral"]
                        for p in principles
                        if any(s["number"] == number for s in p["oecd_sections"])
                    ],
                }
                for number in _section_numbers(catalogue)
            ],
        },
        "workflow": _workflow(assessment),
        "verification_url": settings.SITE_URL + reverse("report_verify"),
        "frameworks": _frameworks(result),
    }


def _frameworks(result: AssessmentResult) -> list[dict]:
    """The appendix "Other frameworks": crosswalk coverage from the applicable answers."""
    levels = {}
    for p in result.principles:
        for q in p.questions:
            if q.weight <= 0:
                continue
            if q.answer is not None and q.answer.not_applicable:
                label = "Not applicable"
            elif q.level is None:
                label = "Not answered"
            else:
                label = f"{q.level} – {Answer.Level(q.level).label}"
            levels[q.question.code] = {"level": q.level, "label": label}
    return coverage(frameworks=frameworks_with_mappings(), levels=levels)


def _overall(result: AssessmentResult) -> dict:
    lowest = result.lowest
    return {
        "score": result.score,
        "band": _band(result.band),
        "band_before_floor": _band(result.band_before_floor),
        "floor_applied": result.floor_applied,
        "provisional": result.provisional,
        "principles_scored": result.principles_scored,
        "principles_total": result.principles_total,
        "lowest": {
            "numeral": lowest.principle.numeral,
            "title": lowest.principle.title,
            "score": lowest.score,
            "band": _band(lowest.band),
        }
        if lowest
        else None,
        "na_weight_share": result.na_weight_share,
        "pooled_score": result.pooled_score,
        "coverage": percent_of(result.answered, result.applicable),
        "applicable": result.applicable,
        "answered": result.answered,
        "excluded": result.excluded,
        "not_applicable": len(result.not_applicable()),
    }


def _floor_rule(rules: Rules) -> dict:
    steps = rules.floor_steps
    if steps:
        text = ngettext(
            "The overall band is at most %(steps)d band above the band of the weakest scored "
            "principle; when this lowers it, the band before the rule is given too.",
            "The overall band is at most %(steps)d bands above the band of the weakest scored "
            "principle; when this lowers it, the band before the rule is given too.",
            steps,
        ) % {"steps": steps}
    else:
        text = gettext("No floor rule applied: the overall band follows the overall score alone.")
    return {"enabled": bool(steps), "max_steps_above_weakest": steps, "text": text}


def _overall_rule(result: AssessmentResult) -> dict:
    """The mean of principles, and its effect on this assessment in numbers."""
    lowest = result.lowest
    if result.score is None:
        effect = gettext("No principle has a score yet.")
    else:
        effect = gettext(
            "Mean of %(scored)s of %(total)s principles: %(score).1f. Pooled over all answered "
            "questions instead, by weight, it would be %(pooled).1f. Lowest principle: "
            "%(numeral)s at %(lowest).1f."
        ) % {
            "scored": result.principles_scored,
            "total": result.principles_total,
            "score": result.score,
            "pooled": result.pooled_score,
            "numeral": lowest.principle.numeral,
            "lowest": lowest.score,
        }
        if result.floor_applied:
            effect += " " + gettext(
                "The floor rule lowers the band from %(before)s to %(after)s."
            ) % {
                "before": gettext(result.band_before_floor.label),
                "after": gettext(result.band.label),
            }
    return {"name": "mean_of_principles", "effect": effect}


def _not_applicable(p, q: QuestionResult) -> dict:
    answer = q.answer
    return {
        "code": q.question.code,
        "principle": p.principle.numeral,
        "text": q.question.text,
        "weight": q.weight,
        "explanation": answer.explanation,
        "accepted_by": _person(answer.na_accepted_by) if answer.na_accepted_at else None,
        "accepted_at": _date(answer.na_accepted_at),
    }


def _opinion(opinion: AuditOpinion | None) -> dict | None:
    if opinion is None:
        return None
    return {
        "auditor": _person(opinion.auditor),
        "affiliation": opinion.affiliation,
        "independent": opinion.independent,
        "review_scope": opinion.review_scope,
        "sampling": opinion.sampling,
        "opinion": opinion.opinion,
        "include_comments": opinion.include_comments,
        "given_at": _date(opinion.given_at),
    }


def _answers_with_details(assessment: Assessment) -> dict[str, Answer]:
    """Answers keyed by question code, with evidence and comments in three queries."""
    queryset = assessment.answers.select_related("question", "na_accepted_by").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("added_at", "pk")),
        Prefetch(
            "comments",
            queryset=Comment.objects.select_related("author").order_by("created_at", "pk"),
        ),
    )
    return {a.question.code: a for a in queryset}


def _question(
    q: QuestionResult, roles: list[str], answers: dict, assessment_pk: int, with_comments: bool
) -> dict:
    answer = answers.get(q.question.code)
    accepted = answer is not None and answer.not_applicable and answer.na_accepted_at
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
        "na_accepted_by": _person(answer.na_accepted_by) if accepted else None,
        "na_accepted_at": _date(answer.na_accepted_at) if accepted else None,
        "evidence": [_evidence(e, assessment_pk) for e in answer.evidence.all()] if answer else [],
        "comments": [
            {"author": _person(c.author), "at": _date(c.created_at), "text": c.text}
            for c in answer.comments.all()
        ]
        if answer and with_comments
        else [],
    }


def _level_label(q: QuestionResult) -> str:
    if q.not_applicable:
        return gettext("Not applicable")
    if q.level is None:
        return gettext("Not answered")
    return str(Answer.Level(q.level).label)


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
        "download_url": f"{settings.SITE_URL}{download}" if download else None,
    }


def _gap(q: QuestionResult) -> dict:
    return {
        "code": q.question.code,
        "text": q.question.text,
        "weight": q.weight,
        "level": q.level,
        "level_label": str(Answer.Level(q.level).label),
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
                "label": str(e.get_action_display()),
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


def _section(catalogue: Catalogue, number: int) -> dict:
    return {"number": number, "title": catalogue.section_title(number)}


def _section_numbers(catalogue: Catalogue) -> list[int]:
    numbers = {int(n) for n in catalogue.section_titles}
    numbers.update(n for p in catalogue.principles for n in p.oecd_sections)
    return sorted(numbers)


def _band(band: Band | None) -> dict | None:
    # The label in the report's language (bands are data, marked with gettext_noop).
    return {"key": band.key, "label": gettext(band.label)} if band else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _person(user) -> str | None:
    if user is None:
        return None
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()
