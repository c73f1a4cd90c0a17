"""An approved assessment as OSCAL assessment-results.

Built from the assessment as approved (its frozen catalogue, answers, evidence and
review trail) and its issued report (ID and fingerprint), validated by
compliance-trestle's models. UUIDs are UUID 5 of the report ID and the catalogue's
natural keys, and every time comes from the record, so the document is the same
each time it is exported.
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from trestle.oscal.assessment_results import AssessmentResults

from assessments import services
from assessments.models import Answer, Assessment, Evidence
from principles import oscal
from principles.oscal import oscal_uuid, prop

from .models import IssuedReport


def _iso(moment) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _status(answer: Answer | None) -> dict:
    """Satisfied from level 3 up and when not applicable; a gap below (as in the report)."""
    if answer is not None and answer.not_applicable:
        return {"state": "satisfied", "reason": "other", "remarks": "Not applicable."}
    if answer is not None and answer.level is not None and answer.level >= 3:
        return {"state": "satisfied", "reason": "pass"}
    return {"state": "not-satisfied", "reason": "fail"}


def _evidence_href(assessment: Assessment, evidence: Evidence) -> str:
    if evidence.file:
        path = reverse("evidence_download", args=[assessment.pk, evidence.pk])
        return settings.SITE_URL + path
    return evidence.url


def _observation(report_id: str, code: str, evidence: Evidence, href: str) -> dict:
    relevant = {"href": href, "description": evidence.description or href}
    props = [prop("evidence-kind", "file" if evidence.file else "link")]
    if evidence.file:
        props += [prop("sha256", evidence.sha256), prop("file-name", evidence.file_name or "-")]
    relevant["props"] = props
    return {
        "uuid": oscal_uuid("results", report_id, "observation", str(evidence.pk)),
        "title": f"Evidence for {code}: {oscal.one_line(evidence.description or href)}"[:300],
        "description": evidence.description or href,
        "methods": ["EXAMINE"],
        "types": ["control-objective"],
        "relevant-evidence": [relevant],
        "collected": _iso(evidence.added_at),
    }


def _resource(report_id: str, evidence: Evidence, href: str) -> dict:
    rlink = {"href": href}
    if evidence.file:
        rlink["hashes"] = [{"algorithm": "SHA-256", "value": evidence.sha256}]
        if evidence.content_type:
            rlink["media-type"] = evidence.content_type
    return {
        "uuid": oscal_uuid("results", report_id, "resource", str(evidence.pk)),
        "title": oscal.one_line(evidence.description or href)[:300],
        "rlinks": [rlink],
    }


def _attestations(assessment: Assessment, report_id: str, approver_party: str) -> list[dict]:
    """The auditor's opinion given with the approval, when there is one."""
    opinion = getattr(assessment, "audit_opinion", None)
    if opinion is None:
        return []
    texts = [
        ("Scope of the review", opinion.review_scope),
        ("Sampling performed", opinion.sampling),
        ("Opinion", opinion.opinion),
    ]
    parts = [
        {
            "uuid": oscal_uuid("results", report_id, "attestation", title),
            "name": "attestation",
            "ns": oscal.NS,
            "title": title,
            "prose": text,
        }
        for title, text in texts
        if text.strip()
    ]
    if not parts:
        return []
    props = [
        prop("affiliation", opinion.affiliation or "-"),
        prop("independent", "true" if opinion.independent else "false"),
        prop("given-at", _iso(opinion.given_at)),
    ]
    parts[0]["props"] = props
    return [
        {
            "responsible-parties": [{"role-id": "assessor", "party-uuids": [approver_party]}],
            "parts": parts,
        }
    ]


def build_assessment_results(*, assessment: Assessment, issued: IssuedReport) -> AssessmentResults:
    """The OSCAL assessment-results of an approved assessment and its issued report."""
    report_id = issued.report_id
    catalogue = services.catalogue_for(assessment)
    roles = services.role_codes(assessment)
    answers = assessment.answers.prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("added_at", "pk"))
    )
    by_code = services.answers_by_code(assessment, catalogue, answers)
    result = services.result_for(assessment)
    approver = assessment.approved_by
    org_party = oscal_uuid("party", "organization", assessment.organization.slug)
    approver_party = oscal_uuid("party", "user", approver.get_username())
    findings, observations, resources, controls = [], [], [], []
    for principle in catalogue.principles:
        for question in principle.questions:
            weight = question.effective_weight(roles)
            if weight == 0:
                continue
            cid = oscal.control_id(question.code)
            controls.append({"control-id": cid})
            answer = by_code.get(question.code)
            related = []
            for evidence in answer.evidence.all() if answer else []:
                href = _evidence_href(assessment, evidence)
                observation = _observation(report_id, question.code, evidence, href)
                observations.append(observation)
                resources.append(_resource(report_id, evidence, href))
                related.append({"observation-uuid": observation["uuid"]})
            level = answer.display_value if answer else "Not answered"
            finding_props = [prop("weight", weight)]
            if answer is not None and answer.not_applicable:
                finding_props.append(prop("not-applicable", "true"))
            elif answer is not None and answer.level is not None:
                finding_props.append(prop("level", answer.level))
            finding = {
                "uuid": oscal_uuid("results", report_id, "finding", question.code),
                "title": f"{question.code}: {level}",
                "description": (answer.explanation if answer else "") or "No explanation given.",
                "props": finding_props,
                "target": {
                    "type": "objective-id",
                    "target-id": cid,
                    "title": oscal.one_line(question.text),
                    "status": _status(answer),
                },
            }
            if related:
                finding["related-observations"] = related
            findings.append(finding)
    entries = [
        {
            "uuid": oscal_uuid("results", report_id, "event", str(event.pk)),
            "title": f"{event.get_action_display()} by {_person(event.by)}",
            "start": _iso(event.at),
            **({"description": event.comment} if event.comment else {}),
        }
        for event in assessment.events.select_related("by").order_by("at", "pk")
    ]
    result_props = [
        prop("report-id", report_id),
        prop("report-fingerprint", issued.fingerprint),
        prop("approved-by", _person(approver)),
    ]
    if result.score is not None:
        result_props.append(prop("score", f"{result.score:.1f}"))
    if result.band is not None:
        result_props.append(prop("band", result.band.label))
    attestations = _attestations(assessment, report_id, approver_party)
    doc = {
        "uuid": oscal_uuid("results", report_id),
        "metadata": {
            "title": oscal.one_line(
                f"Assessment results: {assessment.organization.name}: {assessment.title}"
            ),
            "published": _iso(issued.issued_at),
            "last-modified": _iso(assessment.approved_at),
            "version": report_id,
            "oscal-version": oscal.OSCAL_VERSION,
            "props": [
                prop("report-id", report_id),
                prop("report-fingerprint", issued.fingerprint),
                *[prop("role", role) for role in roles],
            ],
            "roles": [
                {"id": "prepared-for", "title": "Organization assessed"},
                {"id": "assessor", "title": "Auditor who approved the assessment"},
            ],
            "parties": [
                {"uuid": org_party, "type": "organization", "name": assessment.organization.name},
                {"uuid": approver_party, "type": "person", "name": _person(approver)},
            ],
            "responsible-parties": [
                {"role-id": "prepared-for", "party-uuids": [org_party]},
                {"role-id": "assessor", "party-uuids": [approver_party]},
            ],
        },
        "import-ap": {
            "href": settings.SITE_URL + reverse("oscal_catalog"),
            "remarks": "No OSCAL assessment plan is published: the plan is the HAIP catalogue "
            "(this catalog) and the profiles of the declared lifecycle roles "
            f"({', '.join(roles)}).",
        },
        "results": [
            {
                "uuid": oscal_uuid("results", report_id, "result"),
                "title": oscal.one_line(f"Approval of {assessment.title} ({report_id})"),
                "description": assessment.scope or assessment.title,
                "start": _iso(assessment.submitted_at or assessment.created_at),
                "end": _iso(assessment.approved_at),
                "props": result_props,
                "reviewed-controls": {"control-selections": [{"include-controls": controls}]},
                "attestations": attestations or None,
                "assessment-log": {"entries": entries},
                "observations": observations or None,
                "findings": findings,
                "remarks": assessment.duties_note or None,
            }
        ],
    }
    if resources:
        doc["back-matter"] = {"resources": resources}
    doc["results"][0] = {k: v for k, v in doc["results"][0].items() if v is not None}
    return AssessmentResults.model_validate(doc)


def assessment_results_json(*, assessment: Assessment) -> bytes:
    """The serialized assessment-results; ``IssuedReport.DoesNotExist`` unless issued."""
    issued = IssuedReport.objects.get(assessment=assessment)
    return oscal.serialize(build_assessment_results(assessment=assessment, issued=issued))
