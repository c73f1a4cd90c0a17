"""The questionnaire page of one principle: rows of question, answer, form and comments.

Built in a fixed number of queries whatever the size of the catalogue: the
catalogue (live or frozen), the declared roles, and the assessment's answers
with their evidence, comments and authors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects

from principles.catalogue import CatalogueQuestion
from principles.crosswalks import Chip, chips_by_question

from . import services
from .forms import NOT_APPLICABLE, AnswerForm
from .models import Answer, Assessment, Comment, Membership
from .scoring import AssessmentResult, PrincipleResult, QuestionResult, score_assessment


@dataclass
class Row:
    result: QuestionResult
    answer: Answer | None
    form: AnswerForm | None
    can_comment: bool
    conflict: Answer | None = None
    conflict_missing: bool = False
    requirements: list[Chip] = field(default_factory=list)  # crosswalk chips

    @property
    def question(self) -> CatalogueQuestion:
        return self.result.question


@dataclass
class Page:
    assessment: Assessment
    result: AssessmentResult
    principle: PrincipleResult
    rows: list[Row] = field(default_factory=list)
    previous_numeral: str | None = None
    next_numeral: str | None = None

    @property
    def editable(self) -> bool:
        return any(row.form is not None for row in self.rows)

    def mark_conflicts(self, conflicts: list[services.Conflict]) -> None:
        """Show each conflicting answer as it now is, and take its version on.

        A second save is then a deliberate overwrite of what the user has seen.
        """
        by_question = {c.question_id: c for c in conflicts}
        for row in self.rows:
            conflict = by_question.get(row.question.id)
            if conflict is None or row.form is None:
                continue
            row.conflict = conflict.current
            row.conflict_missing = conflict.current is None
            data = row.form.data.copy()
            data[row.form.add_prefix("version")] = (
                conflict.current.version if conflict.current else 0
            )
            row.form.data = data
            row.form.add_error(None, "Changed by someone else since you opened this page.")

    def mark_limit(self, exc: services.LimitExceeded) -> None:
        """Show a limit the service refused next to its field (or above the form)."""
        for row in self.rows:
            if row.form is not None and row.question.id == exc.question_id:
                field = exc.field if exc.field in row.form.fields else None
                row.form.add_error(field, str(exc))


def _initial(answer: Answer | None) -> dict:
    if answer is None:
        return {"version": 0}
    response = NOT_APPLICABLE if answer.not_applicable else answer.level
    return {
        "version": answer.version,
        "response": "" if response is None else str(response),
        "explanation": answer.explanation,
    }


def build_page(*, assessment: Assessment, numeral: str, data=None, files=None) -> Page | None:
    catalogue = services.catalogue_for(assessment)
    principle = catalogue.principle(numeral)
    if principle is None:
        return None
    answers = Answer.objects.filter(assessment=assessment).select_related("updated_by")
    by_code = services.answers_by_code(assessment, catalogue, answers)
    result = score_assessment(
        catalogue=catalogue, roles=services.role_codes(assessment), answers=by_code
    )
    principle_result = result.principle(numeral)
    # Evidence and comments only for the answers shown on this page.
    prefetch_related_objects(
        [q.answer for q in principle_result.questions if q.answer is not None],
        "evidence",
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
    )
    numerals = [p.numeral for p in catalogue.principles]
    index = numerals.index(numeral)
    page = Page(
        assessment=assessment,
        result=result,
        principle=principle_result,
        previous_numeral=numerals[index - 1] if index > 0 else None,
        next_numeral=numerals[index + 1] if index + 1 < len(numerals) else None,
    )
    officer_editing = assessment.is_draft and assessment.member_role == Membership.Role.OFFICER
    auditor_reviewing = (
        assessment.is_submitted and assessment.member_role == Membership.Role.AUDITOR
    )
    chips = chips_by_question(codes=[q.question.code for q in principle_result.questions])
    for question_result in principle_result.questions:
        code = question_result.question.code
        answer = by_code.get(code)
        form = None
        if officer_editing:
            form = AnswerForm(
                data,
                files,
                prefix=code,
                initial=_initial(answer),
                evidence=answer.evidence.all() if answer else (),
                had_answer=answer is not None and answer.is_answered,
            )
        can_comment = auditor_reviewing and answer is not None
        page.rows.append(
            Row(question_result, answer, form, can_comment, requirements=chips.get(code, []))
        )
    return page


def inputs_from_forms(rows: list[Row]) -> list[services.AnswerInput]:
    inputs = []
    for row in rows:
        data = row.form.cleaned_data
        new_evidence = None
        if data.get("evidence_url") or data.get("evidence_file"):
            new_evidence = services.NewEvidence(
                description=data.get("evidence_description", ""),
                url=data.get("evidence_url", ""),
                upload=data.get("evidence_file"),
                checked=row.form.checked_file,
            )
        inputs.append(
            services.AnswerInput(
                question_id=row.question.id,
                seen_version=data["version"],
                level=data["level"],
                not_applicable=data["not_applicable"],
                explanation=data["explanation"],
                new_evidence=new_evidence,
                remove_evidence=data.get("remove_evidence") or [],
            )
        )
    return inputs
