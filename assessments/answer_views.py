"""Pages for answers as data: export, import with a dry run, copy from another assessment."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import answer_data, answer_import, services
from .answer_data import AnswerRow, AnswersFileError
from .forms import CopyAnswersForm, ImportAnswersForm
from .models import AssessmentLocked, Membership
from .views import get_assessment_for_user, require_role

OFFICER = Membership.Role.OFFICER
SESSION_KEY = "answers_import"  # {assessment id: {"digest": ..., "rows": [...]}}
IMPORT_TEMPLATE = "assessments/answers_import.html"
COPY_TEMPLATE = "assessments/answers_copy.html"


@require_GET
@login_required
def answers_export(request, pk, fmt):
    assessment = get_assessment_for_user(request.user, pk)
    if fmt not in answer_data.FORMATS:
        raise Http404("No such format.")
    content, content_type, filename = answer_import.export_answers(assessment=assessment, fmt=fmt)
    charset = "" if fmt == "xlsx" else "; charset=utf-8"
    response = HttpResponse(content, content_type=content_type + charset)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _draft_for_officer(request, pk):
    """The assessment for an officer's import or copy; None (with a message) unless a draft."""
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, OFFICER)
    try:
        assessment.ensure_editable()
    except AssessmentLocked as exc:
        messages.error(request, str(exc))
        return assessment, False
    return assessment, True


@require_http_methods(["GET", "POST"])
@login_required
def answers_import(request, pk):
    assessment, editable = _draft_for_officer(request, pk)
    if not editable:
        return redirect("assessment_detail", pk=pk)
    form = ImportAnswersForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = _read_upload(upload)
        except AnswersFileError as exc:
            form.add_error("file", str(exc))
        else:
            plan = answer_import.plan_import(assessment=assessment, rows=rows)
            _remember(request, assessment.pk, plan=plan, rows=rows)
    return _dry_run_page(request, assessment, template=IMPORT_TEMPLATE, plan=plan, form=form)


def _read_upload(upload) -> list[AnswerRow]:
    limit = settings.ANSWERS_IMPORT_MAX_BYTES
    # Read one byte more than allowed, never the whole of an oversized upload.
    content = upload.read(limit + 1)
    return answer_data.read_answers(name=upload.name, content=content)


def _remember(request, pk: int, *, plan, rows) -> None:
    stored = request.session.get(SESSION_KEY, {})
    stored[str(pk)] = {"digest": plan.digest, "rows": [row.to_dict() for row in rows]}
    request.session[SESSION_KEY] = stored


def _dry_run_page(request, assessment, *, template, plan, form=None, copy=None):
    return render(
        request,
        template,
        {"assessment": assessment, "form": form, "plan": plan, "copy": copy},
    )


@require_POST
@login_required
def answers_import_apply(request, pk):
    assessment, editable = _draft_for_officer(request, pk)
    if not editable:
        return redirect("assessment_detail", pk=pk)
    stored = request.session.get(SESSION_KEY, {}).get(str(pk))
    if stored is None or stored["digest"] != request.POST.get("digest"):
        messages.error(request, _("This dry run is no longer available; upload the file again."))
        return redirect("answers_import", pk=pk)
    rows = [AnswerRow.from_dict(row) for row in stored["rows"]]
    try:
        plan = answer_import.apply_import(
            assessment=assessment, rows=rows, by=request.user, expected_digest=stored["digest"]
        )
    except (answer_import.StaleImport, answer_import.ImportRejected, services.LimitExceeded) as e:
        return _refused(request, assessment, e, replan=lambda: _replan_import(request, pk, rows))
    except (AssessmentLocked, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("assessment_detail", pk=pk)
    request.session[SESSION_KEY].pop(str(pk), None)
    request.session.modified = True
    return _applied(request, assessment, plan, _("Imported"))


def _replan_import(request, pk, rows):
    assessment = get_assessment_for_user(request.user, pk)
    plan = answer_import.plan_import(assessment=assessment, rows=rows)
    _remember(request, pk, plan=plan, rows=rows)
    return assessment, plan


def _refused(request, assessment, exc, *, replan, copy=None):
    """Show the dry run again as it is now, with why nothing was applied."""
    messages.error(request, str(exc))
    try:
        assessment, plan = replan()
    except AssessmentLocked as locked:
        messages.error(request, str(locked))
        return redirect("assessment_detail", pk=assessment.pk)
    form = None if copy else ImportAnswersForm()
    return _dry_run_page(
        request, assessment, template=COPY_TEMPLATE, plan=plan, form=form, copy=copy
    )


def _applied(request, assessment, plan, verb):
    counts = plan.counts
    messages.success(
        request,
        _("%(done)s: %(new)s new and %(changed)s changed answer(s); %(unchanged)s unchanged.")
        % {
            "done": verb,
            "new": counts["new"],
            "changed": counts["changed"],
            "unchanged": counts["unchanged"],
        },
    )
    return redirect("assessment_detail", pk=assessment.pk)


def _copy_form(assessment, data=None):
    catalogue = services.catalogue_for(assessment)
    return CopyAnswersForm(
        data,
        sources=answer_import.copy_sources(assessment),
        principle_choices=[(p.numeral, f"{p.numeral}. {p.title}") for p in catalogue.principles],
    )


@require_http_methods(["GET", "POST"])
@login_required
def answers_copy(request, pk):
    assessment, editable = _draft_for_officer(request, pk)
    if not editable:
        return redirect("assessment_detail", pk=pk)
    form = _copy_form(assessment, request.POST or None)
    plan = copy = None
    if request.method == "POST" and form.is_valid():
        source, numerals = form.cleaned_data["source"], form.cleaned_data["principles"]
        plan = answer_import.plan_copy(assessment=assessment, source=source, numerals=numerals)
        copy = {"source": source, "numerals": numerals}
    return _dry_run_page(
        request, assessment, template=COPY_TEMPLATE, plan=plan, form=form, copy=copy
    )


@require_POST
@login_required
def answers_copy_apply(request, pk):
    assessment, editable = _draft_for_officer(request, pk)
    if not editable:
        return redirect("assessment_detail", pk=pk)
    form = _copy_form(assessment, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the assessment and the principles to copy again."))
        return redirect("answers_copy", pk=pk)
    source, numerals = form.cleaned_data["source"], form.cleaned_data["principles"]
    copy = {"source": source, "numerals": numerals}
    try:
        plan = answer_import.apply_copy(
            assessment=assessment,
            source=source,
            numerals=numerals,
            by=request.user,
            expected_digest=request.POST.get("digest", ""),
        )
    except (answer_import.StaleImport, answer_import.ImportRejected, services.LimitExceeded) as e:

        def replan():
            fresh = get_assessment_for_user(request.user, pk)
            return fresh, answer_import.plan_copy(
                assessment=fresh, source=source, numerals=numerals
            )

        return _refused(request, assessment, e, replan=replan, copy=copy)
    except (AssessmentLocked, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("assessment_detail", pk=pk)
    return _applied(request, assessment, plan, _("Copied"))
