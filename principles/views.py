"""Downloads of the catalogue in OSCAL, for any signed-in user."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from . import oscal
from .catalogue import live_catalogue


def oscal_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def oscal_catalog(request):
    catalog = oscal.build_catalog(live_catalogue(), last_modified=oscal.catalogue_last_modified())
    return oscal_download(oscal.serialize(catalog), "haip-catalog.oscal.json")


@require_GET
@login_required
def oscal_profile(request, role):
    try:
        profile = oscal.build_profile(
            live_catalogue(), role, last_modified=oscal.catalogue_last_modified()
        )
    except oscal.UnknownRole as exc:
        raise Http404(str(exc)) from exc
    return oscal_download(oscal.serialize(profile), f"haip-profile-{role}.oscal.json")
