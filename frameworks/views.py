"""Pages of the other frameworks: the OECD HAIP report draft (page, item editing,
Markdown and DOCX) and the coverage of each crosswalk's target framework."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessments import services as assessment_services
from assessments.models import Membership
from assessments.views import get_assessment_for_user, require_role
from principles.crosswalks import coverage, frameworks_with_mappings, localized
from principles.models import TargetFramework

from .draft import build_draft, find_item
from .exports import not_covered_text, render_docx, render_markdown
from .forms import NarrativeForm
from .services import NarrativeError, save_narrative

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def haip_draft(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    context = {
        "assessment": assessment,
        "draft": build_draft(assessment=assessment),
        "is_officer": assessment.member_role == Membership.Role.OFFICER,
        "not_covered": not_covered_text(),
    }
    return render(request, "frameworks/haip_draft.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def haip_item_edit(request, pk, item):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, Membership.Role.OFFICER)
    draft = build_draft(assessment=assessment)
    found = find_item(draft, item)
    if found is None:
        raise Http404(_("No such reporting item."))
    section, entry = found
    initial = {"text": entry["text"] if entry["edited"] else "", "version": entry["version"]}
    form = NarrativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_narrative(
                assessment=assessment,
                item=item,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except NarrativeError as exc:
            form.add_error(None, str(exc))
            entry = find_item(build_draft(assessment=assessment), item)[1]
            data = form.data.copy()
            data["version"] = entry["version"]
            form.data = data
        else:
            messages.success(request, _("Narrative of item %(item)s saved.") % {"item": item})
            return redirect(reverse("haip_draft", args=[pk]) + f"#item-{item}")
    context = {"assessment": assessment, "section": section, "item": entry, "form": form}
    return render(request, "frameworks/haip_item_edit.html", context)


@require_GET
@login_required
def haip_draft_markdown(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    text = render_markdown(build_draft(assessment=assessment))
    filename = f"{assessment.report_id}-HAIP-draft.md"
    return _download(text.encode("utf-8"), "text/markdown; charset=utf-8", filename)


@require_GET
@login_required
def haip_draft_docx(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    content = render_docx(build_draft(assessment=assessment))
    return _download(content, DOCX, f"{assessment.report_id}-HAIP-draft.docx")


@require_GET
@login_required
def framework_index(request, pk):
    """The coverage page of the first target framework (the page links to the others)."""
    get_assessment_for_user(request.user, pk)
    first = TargetFramework.objects.values_list("code", flat=True).first()
    if first is None:
        raise Http404(_("No crosswalk is loaded."))
    return redirect("framework_coverage", pk=pk, code=first)


@require_GET
@login_required
def framework_coverage(request, pk, code):
    assessment = get_assessment_for_user(request.user, pk)
    frameworks = frameworks_with_mappings().filter(code=code)
    if not frameworks:
        raise Http404(_("No such framework."))
    result = assessment_services.result_for(assessment)
    levels = {
        q.question.code: {"level": q.level, "label": _answer_label(q)}
        for p in result.principles
        for q in p.questions
        if q.weight > 0
    }
    (data,) = coverage(frameworks=frameworks, levels=levels)
    context = {
        "assessment": assessment,
        "framework": data,
        "url": frameworks[0].url,
        "scope_note": localized(frameworks[0], "scope_note"),
        "others": TargetFramework.objects.values_list("code", "short_name"),
    }
    return render(request, "frameworks/coverage.html", context)


def _answer_label(q) -> str:
    if q.answer is not None and q.answer.not_applicable:
        return _("Not applicable")
    if q.level is None:
        return _("Not answered")
    return str(q.level)
