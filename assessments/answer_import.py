"""Answers as data: export, import into a draft, and copying from another assessment.

Importing and copying are two steps: ``plan_import`` / ``plan_copy`` is the dry
run (every row new, changed, unchanged or rejected, with reasons) and
``apply_import`` / ``apply_copy`` plans again and saves the changes through
``services.save_answers`` (versions, history, validation, the row lock), all or
nothing. Given the dry run's ``digest``, applying refuses when the plan is no
longer the one that was shown (someone changed answers meanwhile). Pages, the
management commands and a future API call these functions alike.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Prefetch
from django.utils.translation import gettext, gettext_lazy

from . import answer_data, services
from .answer_data import AnswerRow, FileRef, Link
from .models import Answer, Assessment, Evidence

NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
NA_WORDS = {"n/a", "na", "not applicable"}
STALE_MESSAGE = gettext_lazy(
    "Someone else changed answers since this dry run was made. Nothing was imported: "
    "check the new dry run and apply it again if it is still right."
)
FILES_NOT_IMPORTED = gettext_lazy(
    "Evidence files cannot be imported from a file, only links: upload {names} on the "
    "questionnaire page."
)


class ImportRejected(services.WorkflowError):
    """Some rows are rejected; nothing is imported."""


class StaleImport(services.WorkflowError):
    """The answers changed since the dry run; nothing is imported."""


@dataclass
class PlannedRow:
    line: int
    code: str
    status: str = UNCHANGED
    reasons: list[str] = field(default_factory=list)  # why the row is rejected
    notes: list[str] = field(default_factory=list)  # worth knowing, not blocking
    before: str = ""
    after: str = ""
    question_id: int | None = None
    seen_version: int = 0
    level: int | None = None
    not_applicable: bool = False
    explanation: str = ""
    add_links: list[Link] = field(default_factory=list)
    add_files: list[int] = field(default_factory=list)  # evidence ids whose file is shared
    remove_evidence: list[int] = field(default_factory=list)

    def reject(self, reason: str) -> None:
        self.status = REJECTED
        self.reasons.append(reason)


@dataclass
class ImportPlan:
    assessment_id: int
    rows: list[PlannedRow]
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (NEW, CHANGED, UNCHANGED, REJECTED)}

    @property
    def rejected(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.status == REJECTED]

    @property
    def changes(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.status in (NEW, CHANGED)]

    @property
    def digest(self) -> str:
        """SHA-256 of everything the dry run decided, current versions included: the
        same digest later means the same rows, the same changes and the same answers."""
        content = [self.assessment_id, [asdict(row) for row in self.rows], self.notes]
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- export --------------------------------------------------------------------


def _answers_with_evidence(assessment: Assessment):
    evidence = Evidence.objects.order_by("added_at", "pk")
    return assessment.answers.prefetch_related(Prefetch("evidence", queryset=evidence))


def _level_text(answer: Answer | None) -> str:
    if answer is None or (answer.level is None and not answer.not_applicable):
        return ""
    return answer_data.NOT_APPLICABLE if answer.not_applicable else str(answer.level)


def _row_of(answer: Answer | None, *, code: str, principle: str, question: str) -> AnswerRow:
    evidence = list(answer.evidence.all()) if answer else []
    return AnswerRow(
        code=code,
        principle=principle,
        question=question,
        level=_level_text(answer),
        explanation=answer.explanation if answer else "",
        links=[Link(ev.url, ev.description) for ev in evidence if ev.url and not ev.file],
        files=[FileRef(ev.file_name, ev.sha256) for ev in evidence if ev.file],
    )


def answer_rows(assessment: Assessment) -> list[AnswerRow]:
    """One row per question that applies to the declared roles, answered or not, in
    catalogue order (a fixed number of queries)."""
    catalogue = services.catalogue_for(assessment)
    roles = services.role_codes(assessment)
    by_code = services.answers_by_code(assessment, catalogue, _answers_with_evidence(assessment))
    return [
        _row_of(by_code.get(q.code), code=q.code, principle=p.numeral, question=q.text)
        for p in catalogue.principles
        for q in p.questions
        if q.effective_weight(roles) > 0
    ]


def export_answers(*, assessment: Assessment, fmt: str) -> tuple[bytes, str, str]:
    """The answers file: (content, content type, file name)."""
    about = {
        "report_id": assessment.report_id,
        "title": assessment.title,
        "organization": assessment.organization.name,
        "status": str(assessment.status),
        "roles": services.role_codes(assessment),
    }
    content = answer_data.render(answer_rows(assessment), fmt=fmt, about=about)
    return content, answer_data.FORMATS[fmt], f"{assessment.report_id}-answers.{fmt}"


# --- planning ------------------------------------------------------------------


def _display(level: int | None, not_applicable: bool, links: int, files: int) -> str:
    if not_applicable:
        text = gettext("Not applicable")
    elif level is None:
        text = gettext("Not answered")
    else:
        text = f"{level} – {Answer.Level(level).label}"
    if links or files:
        text += f" · {links} link(s), {files} file(s)"
    return text


def _parse_level(text: str) -> tuple[int | None, bool] | None:
    value = text.strip()
    if value == "":
        return None, False
    if value.lower() in NA_WORDS:
        return None, True
    head = value.split(maxsplit=1)[0]  # "3" or "3 – Largely implemented"
    if head in {"0", "1", "2", "3", "4"}:
        return int(head), False
    return None


def _check_link(link: Link, planned: PlannedRow) -> Link | None:
    description = link.description.strip() or link.url[: services.EVIDENCE_DESCRIPTION_MAX_CHARS]
    if len(link.url) > services.EVIDENCE_URL_MAX_CHARS:
        planned.reject(
            gettext("A link may be at most %(limit)s characters.")
            % {"limit": services.EVIDENCE_URL_MAX_CHARS}
        )
        return None
    if len(description) > services.EVIDENCE_DESCRIPTION_MAX_CHARS:
        planned.reject(
            gettext("An evidence description may be at most %(limit)s characters.")
            % {"limit": services.EVIDENCE_DESCRIPTION_MAX_CHARS}
        )
        return None
    try:
        URLValidator(schemes=["http", "https"])(link.url)
    except ValidationError:
        planned.reject(gettext("Not a web address (http or https): “%(url)s”.") % {"url": link.url})
        return None
    return Link(link.url, description)


def _plan_row(
    row: AnswerRow,
    planned: PlannedRow,
    *,
    answer: Answer | None,
    shareable: dict[str, Evidence],
) -> None:
    parsed = _parse_level(row.level)
    if parsed is None:
        planned.reject(
            gettext("The level must be 0 to 4, N/A or empty; “%(level)s” is none of these.")
            % {"level": row.level}
        )
        return
    level, not_applicable = parsed
    explanation = row.explanation.strip()
    for problem in row.problems:
        planned.reject(problem)
    if len(explanation) > settings.EXPLANATION_MAX_CHARS:
        planned.reject(
            gettext("An explanation may be at most %(limit)s characters; this one has %(length)s.")
            % {"limit": f"{settings.EXPLANATION_MAX_CHARS:,}", "length": f"{len(explanation):,}"}
        )
    if not_applicable and not explanation:
        planned.reject(gettext("Not applicable needs a justification in the explanation."))
    elif level is not None and not explanation:
        planned.reject(gettext("An explanation is required for every level."))
    if level is None and not not_applicable and answer is not None and answer.is_answered:
        planned.reject(gettext("An answer cannot be cleared: give a level or N/A."))
    wanted = []
    for link in row.links:
        checked = _check_link(link, planned)
        if checked is not None and checked not in wanted:
            wanted.append(checked)
    evidence = list(answer.evidence.all()) if answer else []
    files = [ev for ev in evidence if ev.file]
    # Links become those of the row: the ones already there stay, others go.
    remove, unmatched = [], list(wanted)
    for ev in evidence:
        if ev.file:
            continue
        link = Link(ev.url, ev.description)
        if link in unmatched:
            unmatched.remove(link)
        else:
            remove.append(ev.pk)
    attached = {ev.sha256 for ev in files}
    add_files, not_imported = [], []
    for ref in row.files:
        if ref.sha256 in attached:
            continue
        if ref.sha256 in shareable:
            add_files.append(shareable[ref.sha256].pk)
            attached.add(ref.sha256)
        else:
            not_imported.append(f"“{ref.name or ref.sha256}”")
    if not_imported:
        planned.notes.append(FILES_NOT_IMPORTED.format(names=", ".join(not_imported)))
    if remove:
        planned.notes.append(f"{len(remove)} link(s) not in the file will be removed.")
    count = len(files) + len(add_files) + len(wanted)
    limit = settings.EVIDENCE_MAX_ITEMS_PER_ANSWER
    if count > limit:
        planned.reject(
            gettext("An answer can have at most %(limit)s pieces of evidence; this has %(count)s.")
            % {"limit": limit, "count": count}
        )
    if level == Answer.Level.FULLY and count == 0:
        planned.reject(
            gettext(
                "Level 4 – Fully implemented needs at least one piece of evidence: add a link "
                "(files must be uploaded on the questionnaire page first)."
            )
        )
    planned.level, planned.not_applicable, planned.explanation = level, not_applicable, explanation
    planned.add_links, planned.add_files, planned.remove_evidence = unmatched, add_files, remove
    planned.after = _display(level, not_applicable, len(wanted), len(files) + len(add_files))
    if planned.status == REJECTED:
        return
    evidence_changes = bool(unmatched or add_files or remove)
    if answer is None:
        empty = level is None and not not_applicable and not explanation
        planned.status = UNCHANGED if empty and not evidence_changes else NEW
        return
    differs = (answer.level, answer.not_applicable, answer.explanation) != (
        level,
        not_applicable,
        explanation,
    )
    planned.status = CHANGED if differs or evidence_changes else UNCHANGED


def _plan(
    assessment: Assessment,
    rows: list[AnswerRow],
    *,
    shareable: dict[str, Evidence] | None = None,
    notes: list[str] | None = None,
) -> ImportPlan:
    assessment.ensure_editable()
    catalogue = services.catalogue_for(assessment)
    roles = services.role_codes(assessment)
    questions = {q.code: q for q in catalogue.questions()}
    role_names = ", ".join(catalogue.role_names(roles)) or "none"
    answers = {a.question_id: a for a in _answers_with_evidence(assessment)}
    first_line: dict[str, int] = {}
    plan = ImportPlan(assessment_id=assessment.pk, rows=[], notes=list(notes or []))
    for row in rows:
        planned = PlannedRow(line=row.line, code=row.code)
        plan.rows.append(planned)
        question = questions.get(row.code)
        if not row.code:
            planned.reject(gettext("The row has no question code."))
            continue
        if row.code in first_line:
            planned.reject(f"{row.code} appears more than once (first at {first_line[row.code]}).")
            continue
        first_line[row.code] = row.line
        if question is None:
            planned.reject(gettext("No question has the code “%(code)s”.") % {"code": row.code})
            continue
        if question.effective_weight(roles) == 0:
            planned.reject(f"{row.code} does not apply to the declared roles ({role_names}).")
            continue
        answer = answers.get(question.id)
        planned.question_id = question.id
        planned.seen_version = answer.version if answer else 0
        if answer is not None:
            evidence = list(answer.evidence.all())
            planned.before = _display(
                answer.level,
                answer.not_applicable,
                sum(1 for ev in evidence if not ev.file),
                sum(1 for ev in evidence if ev.file),
            )
        else:
            planned.before = gettext("Not answered")
        _plan_row(row, planned, answer=answer, shareable=shareable or {})
    return plan


def plan_import(*, assessment: Assessment, rows: list[AnswerRow]) -> ImportPlan:
    """The dry run of importing ``rows`` into a draft (AssessmentLocked if not a draft)."""
    return _plan(assessment, rows)


# --- applying ------------------------------------------------------------------


def _apply(*, assessment: Assessment, plan: ImportPlan, by, expected_digest: str | None) -> int:
    if plan.rejected:
        raise ImportRejected(
            f"{len(plan.rejected)} row(s) are rejected; nothing was imported.",
            details=[f"{row.code or row.line}: {' '.join(row.reasons)}" for row in plan.rejected],
        )
    if expected_digest is not None and plan.digest != expected_digest:
        raise StaleImport(STALE_MESSAGE)
    shared = Evidence.objects.select_related("answer__assessment").in_bulk(
        [pk for row in plan.changes for pk in row.add_files]
    )
    inputs = [
        services.AnswerInput(
            question_id=row.question_id,
            seen_version=row.seen_version,
            level=row.level,
            not_applicable=row.not_applicable,
            explanation=row.explanation,
            remove_evidence=row.remove_evidence,
            more_evidence=[
                services.NewEvidence(description=link.description, url=link.url)
                for link in row.add_links
            ]
            + [
                services.NewEvidence(description=shared[pk].description, copy_of=shared[pk])
                for pk in row.add_files
            ],
        )
        for row in plan.changes
    ]
    if not inputs:
        return 0
    try:
        return services.save_answers(assessment=assessment, inputs=inputs, by=by)
    except services.StaleAnswers as exc:
        raise StaleImport(STALE_MESSAGE) from exc


def apply_import(
    *, assessment: Assessment, rows: list[AnswerRow], by, expected_digest: str | None = None
) -> ImportPlan:
    """Import ``rows`` into a draft, all or nothing; returns the plan that was applied.

    Refused with ImportRejected when a row is rejected, with StaleImport when
    ``expected_digest`` (the dry run's) no longer matches or an answer changed while
    saving, and with the errors of ``save_answers`` (AssessmentLocked,
    PermissionDenied, LimitExceeded).
    """
    plan = _plan(assessment, rows)
    _apply(assessment=assessment, plan=plan, by=by, expected_digest=expected_digest)
    return plan


# --- copying from another assessment ---------------------------------------------


def copy_sources(assessment: Assessment):
    """The assessments answers can be copied from: the organization's others."""
    return (
        Assessment.objects.filter(organization_id=assessment.organization_id)
        .exclude(pk=assessment.pk)
        .order_by("-updated_at")
    )


def _copy_rows(
    *, assessment: Assessment, source: Assessment, numerals: list[str]
) -> tuple[list[AnswerRow], dict[str, Evidence], list[str]]:
    if source.organization_id != assessment.organization_id or source.pk == assessment.pk:
        raise services.WorkflowError(
            gettext("Answers can be copied only from another assessment of the same organization.")
        )
    catalogue = services.catalogue_for(source)
    target_roles = services.role_codes(assessment)
    live = {q.code: q for q in services.catalogue_for(assessment).questions()}
    by_code = services.answers_by_code(source, catalogue, _answers_with_evidence(source))
    rows, shareable, skipped = [], {}, []
    for principle in catalogue.principles:
        if principle.numeral not in numerals:
            continue
        for q in principle.questions:
            answer = by_code.get(q.code)
            if answer is None or not (answer.is_answered or answer.explanation):
                continue
            target = live.get(q.code)
            if target is None or target.effective_weight(target_roles) == 0:
                skipped.append(q.code)
                continue
            row = _row_of(answer, code=q.code, principle=principle.numeral, question=q.text)
            row.line = len(rows) + 1
            rows.append(row)
            for ev in answer.evidence.all():
                if ev.file:
                    shareable.setdefault(ev.sha256, ev)
    notes = []
    if skipped:
        notes.append(
            gettext("Not copied, as they do not apply to this assessment's roles: %(codes)s.")
            % {"codes": ", ".join(skipped)}
        )
    return rows, shareable, notes


def plan_copy(*, assessment: Assessment, source: Assessment, numerals: list[str]) -> ImportPlan:
    """The dry run of copying ``source``'s answers of the principles ``numerals``.

    Each copied answer takes the source's level, explanation and links; the source's
    files are added (shared, not duplicated) unless the same content is attached.
    """
    rows, shareable, notes = _copy_rows(assessment=assessment, source=source, numerals=numerals)
    return _plan(assessment, rows, shareable=shareable, notes=notes)


def apply_copy(
    *,
    assessment: Assessment,
    source: Assessment,
    numerals: list[str],
    by,
    expected_digest: str | None = None,
) -> ImportPlan:
    """Copy as ``plan_copy`` shows, all or nothing (the errors of ``apply_import``)."""
    plan = plan_copy(assessment=assessment, source=source, numerals=numerals)
    _apply(assessment=assessment, plan=plan, by=by, expected_digest=expected_digest)
    return plan
