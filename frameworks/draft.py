"""The OECD HAIP transparency report draft of an assessment, as plain data.

Section by section, item by item: the answers of the questions that feed the item
(those that apply to the assessment's declared roles), their levels, explanations and
evidence, the text generated from them, and the officers' edited narrative if any.
The page, the Markdown and the DOCX are all rendered from ``build_draft``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from assessments import services
from assessments.models import Answer, Assessment, Evidence
from principles.haip import localized_title
from principles.models import HaipItem, HaipSection, Question


def _level_label(answer: Answer | None) -> str:
    if answer is None:
        return _("Not answered")
    if answer.not_applicable:
        return _("Not applicable")
    if answer.level is None:
        return _("Not answered")
    return f"{answer.level} – {Answer.Level(answer.level).label}"


def generated_text(answers: list[dict]) -> str:
    """The narrative an item gets until an officer edits it: the explanations given."""
    parts = [
        f"{a['explanation'].strip()} ({a['code']}, {a['label']})"
        for a in answers
        if a["explanation"].strip() and a["level"] is not None
    ]
    if not parts:
        return _("No answer with a level explains this item yet.")
    return "\n\n".join(parts)


def build_draft(*, assessment: Assessment) -> dict:
    """The draft in a fixed number of queries, whatever the number of items."""
    catalogue = services.catalogue_for(assessment)
    result = services.result_for(assessment, live=catalogue)
    applicable = {
        q.question.code: (q.question, q.answer)
        for p in result.principles
        for q in p.questions
        if q.weight > 0
    }
    answer_ids = [a.pk for _question, a in applicable.values() if a is not None]
    evidence: dict[int, list[dict]] = {}
    for ev in Evidence.objects.filter(answer_id__in=answer_ids).order_by("pk"):
        evidence.setdefault(ev.answer_id, []).append(
            {"description": ev.description, "url": ev.url, "file_name": ev.file_name}
        )
    narratives = {n.item: n for n in assessment.haip_narratives.select_related("updated_by")}
    sections = []
    for section in HaipSection.objects.prefetch_related(
        Prefetch(
            "items",
            queryset=HaipItem.objects.order_by("order").prefetch_related(
                Prefetch(
                    "questions", queryset=Question.objects.order_by("principle__order", "order")
                )
            ),
        )
    ):
        items = []
        for item in section.items.all():
            identifier = f"{section.number}.{item.letter}"
            answers = []
            for question in item.questions.all():
                if question.code not in applicable:
                    continue
                frozen, answer = applicable[question.code]
                answers.append(
                    {
                        "code": question.code,
                        "question": frozen.text,
                        "level": None if answer is None or answer.not_applicable else answer.level,
                        "label": _level_label(answer),
                        "explanation": answer.explanation if answer is not None else "",
                        "evidence": evidence.get(answer.pk, []) if answer is not None else [],
                    }
                )
            narrative = narratives.get(identifier)
            generated = generated_text(answers) if answers else ""
            edited = narrative.text if narrative is not None and narrative.text.strip() else ""
            items.append(
                {
                    "identifier": identifier,
                    "letter": item.letter,
                    "title": localized_title(item),
                    "covered": bool(answers),
                    "answers": answers,
                    "generated": generated,
                    "edited": bool(edited),
                    "text": edited or generated,
                    "version": narrative.version if narrative is not None else 0,
                    "updated_by": narrative.updated_by.get_username() if narrative else "",
                    "updated_at": narrative.updated_at if narrative else None,
                }
            )
        sections.append(
            {"number": section.number, "title": localized_title(section), "items": items}
        )
    organization = assessment.organization
    return {
        "organization": organization.name,
        "roles": catalogue.role_names(services.role_codes(assessment)),
        "assessment": assessment.title,
        "scope": assessment.scope,
        "report_id": assessment.report_id,
        "status": assessment.get_status_display(),
        "period_start": assessment.period_start,
        "period_end": assessment.period_end,
        "sections": sections,
        "items": sum(len(s["items"]) for s in sections),
        "uncovered": sum(1 for s in sections for i in s["items"] if not i["covered"]),
    }


def find_item(draft: dict, identifier: str) -> tuple[dict, dict] | None:
    for section in draft["sections"]:
        for item in section["items"]:
            if item["identifier"] == identifier:
                return section, item
    return None
