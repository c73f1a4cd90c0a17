"""The OSCAL assessment-results download of an approved assessment, for its members."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from assessments.views import get_assessment_for_user
from principles.views import oscal_download

from . import services
from .oscal import assessment_results_json


@require_GET
@login_required
def oscal_results(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_locked:
        raise Http404("Only an approved assessment has OSCAL assessment results.")
    issued = services.issue_report(assessment=assessment)
    content = assessment_results_json(assessment=assessment)
    return oscal_download(content, f"{issued.report_id}-assessment-results.oscal.json")
