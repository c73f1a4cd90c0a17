from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from assessments.views import get_assessment_for_user

from . import pdf as pdf_renderer
from . import services
from .exports import canonical_json, render_csv
from .forms import VerifyForm


@require_GET
@login_required
def report_preview(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    doc = services.report_document(assessment=assessment)
    context = {**pdf_renderer.report_context(doc), "assessment": assessment, "for_pdf": False}
    return render(request, "reports/preview.html", context)


@require_GET
@login_required
def report_pdf(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_locked:
        issued = services.issue_report(assessment=assessment)
        return _download(bytes(issued.pdf), "application/pdf", f"{issued.report_id}.pdf")
    doc = services.report_document(assessment=assessment)
    return _download(
        pdf_renderer.render_report_pdf(doc), "application/pdf", f"{doc['report_id']}-DRAFT.pdf"
    )


@require_GET
@login_required
def report_json(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_locked:
        issued = services.issue_report(assessment=assessment)
        return _download(issued.document_bytes, "application/json", f"{issued.report_id}.json")
    doc = services.report_document(assessment=assessment)
    return _download(canonical_json(doc), "application/json", f"{doc['report_id']}-DRAFT.json")


@require_GET
@login_required
def report_csv(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    doc = services.report_document(assessment=assessment)
    suffix = "-DRAFT" if doc["draft"] else ""
    return _download(render_csv(doc), "text/csv", f"{doc['report_id']}{suffix}.csv")


@require_http_methods(["GET", "POST"])
@login_required
def report_verify(request):
    posted = request.method == "POST"
    form = VerifyForm(request.POST, request.FILES) if posted else VerifyForm()
    verdict = None
    if posted and form.is_valid():
        upload = form.cleaned_data["pdf"]
        if upload:
            verdict = services.verify_pdf(upload.read())
        else:
            verdict = services.verify_fingerprint(form.cleaned_data["fingerprint"])
    return render(request, "reports/verify.html", {"form": form, "verdict": verdict})


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    charset = "" if content_type == "application/pdf" else "; charset=utf-8"
    response = HttpResponse(content, content_type=content_type + charset)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
