"""The questionnaire page of one principle: rows of question, answer, form and comments.

Built in a fixed number of queries whatever the size of the catalogue: the
catalogue (live or frozen), the declared roles, and the assessment's answers
with their evidence, comments and authors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from principles.catalogue import CatalogueQuestion
from principles.crosswalks import Chip, chips_by_question

from . import services
from .assignments import assignee_for, assignments_by_target
from .forms import NOT_APPLICABLE, AnswerForm
from .models import Answer, Assessment, Assignment, Comment, Membership, PendingUpload
from .review import threads_of
from .scoring import AssessmentResult, PrincipleResult, QuestionResult, score_assessment


@dataclass
class Row:
    result: QuestionResult
    answer: Answer | None
    form: AnswerForm | None
    can_comment: bool
    conflict: Answer | None = None
    conflict_missing: bool = False
    threads: list[Comment] = field(default_factory=list)
    # Text typed in this row's comment box and not posted yet (see apply_comment_drafts).
    draft_text: str = ""
    draft_blocking: bool = False
    assignment: Assignment | None = None  # who answers it (its own, or its principle's)
    # On a posted page: whether the user changed this question (else it is neither
    # validated nor saved), and, for an untouched one, the answer someone else
    # saved meanwhile (the form then shows that answer).
    touched: bool = False
    updated_meanwhile: Answer | None = None
    requirements: list[Chip] = field(default_factory=list)  # crosswalk chips

    @property
    def question(self) -> CatalogueQuestion:
        return self.result.question


@dataclass
class Problem:
    """One entry of the error summary: a question (or the page) and what is wrong."""

    code: str
    anchor: str
    message: str


@dataclass
class Page:
    assessment: Assessment
    result: AssessmentResult
    principle: PrincipleResult
    rows: list[Row] = field(default_factory=list)
    previous_numeral: str | None = None
    next_numeral: str | None = None
    assignment: Assignment | None = None  # the whole principle's
    # Who may do what with the comment threads and reviewed marks on this page.
    can_reply: bool = False
    can_resolve: bool = False
    can_reopen: bool = False
    can_mark_reviewed: bool = False

    @property
    def has_comment_controls(self) -> bool:
        return self.can_reply or self.can_resolve or self.can_mark_reviewed

    def apply_comment_drafts(self, drafts: dict[str, str]) -> None:
        """Put back text typed in comment boxes that were not the one posted.

        ``drafts`` maps the comment form's field names (``text-<code>``,
        ``blocking-<code>``, ``reply-<id>``) to what was typed.
        """
        if not drafts:
            return
        for row in self.rows:
            code = row.question.code
            row.draft_text = drafts.get(f"text-{code}", "")
            row.draft_blocking = bool(drafts.get(f"blocking-{code}"))
            for thread in row.threads:
                thread.draft_reply = drafts.get(f"reply-{thread.pk}", "")

    filter: RowFilter | None = None
    hidden_by_filter: int = 0
    page_problems: list[str] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        return any(row.form is not None for row in self.rows)

    @property
    def touched_rows(self) -> list[Row]:
        return [row for row in self.rows if row.form is not None and row.touched]

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

    def mark_limit(self, exc: services.LimitExceeded) -> None:
        """Show a limit the service refused next to its field (or above the form)."""
        for row in self.rows:
            if row.form is not None and row.question.id == exc.question_id:
                field = exc.field if exc.field in row.form.fields else None
                row.form.add_error(field, str(exc))
                return
        self.page_problems.append(str(exc))

    def problems(self) -> list[Problem]:
        """Every problem of a refused save, once each, in page order, linked to its field."""
        found = [Problem("", "", message) for message in self.page_problems]
        for row in self.rows:
            code = row.question.code
            if row.conflict or row.conflict_missing:
                who = row.conflict.updated_by if row.conflict else None
                found.append(
                    Problem(
                        code,
                        f"q-{code}",
                        _("Changed by %(name)s since you opened this page; compare below.")
                        % {"name": who.get_username() if who else _("someone else")},
                    )
                )
            form = row.form
            if form is None or not row.touched or form._errors is None:
                continue
            for name, errors in form.errors.items():
                anchor = f"q-{code}" if name == "__all__" else _field_anchor(form, name)
                for message in dict.fromkeys(errors):
                    found.append(Problem(code, anchor, message))
        return found

    def classify_posted(self) -> None:
        """Decide for each posted question whether the user changed it.

        An untouched question is neither validated nor saved, so that it can never
        block or revert a colleague's save: when someone else saved it since the page
        was opened, the form takes their answer on. A changed question whose answer
        moved on meanwhile is a conflict: its card shows the answer as it now is,
        the user's text stays in the form.
        """
        forms = [row for row in self.rows if row.form is not None and row.form.is_bound]
        stale = {}
        for row in forms:
            seen = _posted_version(row.form)
            current = row.answer.version if row.answer else 0
            if seen is not None and seen not in (0, current) and row.answer is not None:
                stale[row.answer.pk] = seen
        seen_states = _states_at_versions(stale)
        for row in forms:
            form = row.form
            seen = _posted_version(form)
            if seen is None:
                # Not on the posted page (a filter hid it) or a forged version: a
                # missing version leaves the question alone, a bad one is reported.
                row.touched = form.add_prefix("version") in form.data
                if not row.touched:
                    form._errors = ErrorDict()  # shown as posted, never checked
                continue
            current = row.answer.version if row.answer else 0
            if seen == current:
                before = _state(row.answer)
            elif seen == 0:
                before = ("", "")
            else:
                before = seen_states.get((row.answer.pk, seen)) if row.answer else None
            posted, evidence = _posted_state(form), _touches_evidence(form)
            row.touched = before is None or posted != before or evidence
            if seen != current and row.touched and not evidence and posted == _state(row.answer):
                row.touched = False  # the same as it now is (a double submission, say)
            if row.touched:
                if seen != current:
                    self.mark_conflicts([services.Conflict(row.question.id, row.answer)])
                continue
            # Untouched: not checked (what was saved before stays as it was), and
            # shown as it now is when someone else saved it meanwhile.
            form._errors = ErrorDict()
            if seen != current:
                row.updated_meanwhile = row.answer
                data = form.data.copy()
                for name, value in _initial(row.answer).items():
                    data[form.add_prefix(name)] = value
                form.data = data


def _field_anchor(form: AnswerForm, name: str) -> str:
    if name == "response":
        return f"{form[name].auto_id}_0"  # the first radio button
    return form[name].auto_id


def _posted_version(form: AnswerForm) -> int | None:
    try:
        version = int(form.data.get(form.add_prefix("version"), ""))
    except (TypeError, ValueError):
        return None
    return version if version >= 0 else None


def _normal(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _state(answer: Answer | None) -> tuple[str, str]:
    """(response, explanation) as the answer form posts them back unchanged."""
    if answer is None:
        return ("", "")
    initial = _initial(answer)
    return (initial["response"], _normal(initial["explanation"]))


def _posted_state(form: AnswerForm) -> tuple[str, str]:
    return (
        form.data.get(form.add_prefix("response")) or "",
        _normal(form.data.get(form.add_prefix("explanation"))),
    )


def _touches_evidence(form: AnswerForm) -> bool:
    data = form.data
    if any(data.get(form.add_prefix(n)) for n in ("evidence_description", "evidence_url")):
        return True
    if form.files and form.files.get(form.add_prefix("evidence_file")):
        return True
    for name in ("remove_evidence", "pending_upload"):
        getlist = getattr(data, "getlist", None)
        values = getlist(form.add_prefix(name)) if getlist else data.get(form.add_prefix(name))
        if values:
            return True
    return False


def _states_at_versions(wanted: dict[int, int]) -> dict[tuple[int, int], tuple[str, str]]:
    """What each answer said at the version a stale page showed (one query)."""
    if not wanted:
        return {}
    query = Q()
    for pk, version in wanted.items():
        query |= Q(id=pk, version=version)
    states = {}
    rows = Answer.history.filter(query).order_by("history_date")
    for row in rows.values("id", "version", "level", "not_applicable", "explanation"):
        response = NOT_APPLICABLE if row["not_applicable"] else row["level"]
        states[(row["id"], row["version"])] = (
            "" if response is None else str(response),
            _normal(row["explanation"]),
        )
    return states


def _initial(answer: Answer | None) -> dict:
    if answer is None:
        return {"version": 0}
    response = NOT_APPLICABLE if answer.not_applicable else answer.level
    return {
        "version": answer.version,
        "response": "" if response is None else str(response),
        "explanation": answer.explanation,
    }


# --- filters ----------------------------------------------------------------


@dataclass(frozen=True)
class RowFilter:
    """A questionnaire filter (``?show=<key>``), computed on the server.

    ``test(row, state)`` says whether a row is shown; ``prepare(page, user)``, when
    given, runs once per page (one query at most) and its result is passed to
    ``test`` as ``state``, so that a filter costs a fixed number of queries.
    """

    key: str
    label: str
    test: Callable[[Row, object], bool]
    prepare: Callable[[Page, object], object] | None = None


FILTERS: dict[str, RowFilter] = {}


def register_filter(
    key: str,
    label: str,
    test: Callable[[Row, object], bool],
    prepare: Callable[[Page, object], object] | None = None,
) -> None:
    """Add a filter to the questionnaire's filter bar, e.g. from another app's ``ready()``::

    register_filter("mine", _("Assigned to me"), lambda row, mine: row.question.id in mine,
                    prepare=lambda page, user: set(...question ids assigned to user...))
    """
    FILTERS[key] = RowFilter(key, label, test, prepare)


def _has_open_comments(row: Row, state) -> bool:
    if row.answer is None:
        return False
    return any(c.resolved_at is None for c in row.answer.comments.all())  # prefetched


register_filter("unanswered", _lazy("Unanswered"), lambda row, state: not row.result.is_answered)
register_filter("na", _lazy("Not applicable"), lambda row, state: row.result.not_applicable)
register_filter("comments", _lazy("With open comments"), _has_open_comments)


def build_page(
    *,
    assessment: Assessment,
    numeral: str,
    data=None,
    files=None,
    user=None,
    show: str = "",
) -> Page | None:
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
        filter=FILTERS.get(show),
    )
    by_target = assignments_by_target(assessment)
    page.assignment = by_target.get(numeral)
    officer_editing = assessment.is_draft and assessment.member_role == Membership.Role.OFFICER
    is_auditor = assessment.member_role == Membership.Role.AUDITOR
    is_officer = assessment.member_role == Membership.Role.OFFICER
    auditor_reviewing = assessment.is_submitted and is_auditor
    page.can_reply = auditor_reviewing or (is_officer and not assessment.is_locked)
    page.can_resolve = (is_auditor and not assessment.is_locked) or (
        is_officer and assessment.is_draft
    )
    page.can_reopen = is_auditor and not assessment.is_locked
    page.can_mark_reviewed = auditor_reviewing
    pending: dict[int, list[PendingUpload]] = {}
    if officer_editing and user is not None:
        for kept in PendingUpload.objects.filter(
            user_id=user.pk,
            assessment=assessment,
            question_id__in=[q.question.id for q in principle_result.questions],
        ):
            pending.setdefault(kept.question_id, []).append(kept)
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
                pending=pending.get(question_result.question.id, ()),
            )
        can_comment = auditor_reviewing and answer is not None
        row = Row(question_result, answer, form, can_comment, requirements=chips.get(code, []))
        if answer is not None:
            row.threads = threads_of(list(answer.comments.all()))
        row.assignment = assignee_for(by_target, code)
        page.rows.append(row)
    if page.filter is not None:
        state = page.filter.prepare(page, user) if page.filter.prepare else None
        # A posted page keeps the questions it posted, whatever they say by now.
        posted = data is not None
        shown = [
            row
            for row in page.rows
            if (posted and row.form is not None and row.form.add_prefix("version") in data)
            or page.filter.test(row, state)
        ]
        page.hidden_by_filter = len(page.rows) - len(shown)
        page.rows = shown
    return page


def inputs_from_forms(rows: list[Row]) -> list[services.AnswerInput]:
    """What to save: the questions the user changed (see ``Page.classify_posted``)."""
    inputs = []
    for row in rows:
        if not row.touched:
            continue
        data = row.form.cleaned_data
        added = [services.NewEvidence(pending=kept) for kept in data.get("pending") or []]
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
                more_evidence=added,
            )
        )
    return inputs
