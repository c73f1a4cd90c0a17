"""Every API error as JSON: ``{"code": "stable_snake_code", "message": "...", "details": ...}``.

The codes are stable (clients branch on them); the messages are for people and
follow the request's language. The services' exceptions map to statuses here, so
views can let them through.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from assessments.answer_data import AnswersFileError
from assessments.answer_import import ImportRejected, StaleImport
from assessments.models import AssessmentLocked
from assessments.services import LimitExceeded, StaleAnswers, UnreviewedAnswers, WorkflowError

logger = logging.getLogger("api")


class ApiError(exceptions.APIException):
    """An error with its own status and code, raised by the API's views."""

    def __init__(self, message: str, *, code: str, status_code: int = 400, details=None):
        super().__init__(message, code=code)
        self.status_code = status_code
        self.code = code
        self.details = details


def body(code: str, message: str, details=None) -> dict:
    return {"code": code, "message": str(message), "details": details}


def _drf_body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, ApiError):
        return body(exc.code, exc.detail, exc.details)
    if isinstance(exc, exceptions.ValidationError):
        return body("invalid", _("The request is not valid; see details."), exc.detail)
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    if isinstance(exc, exceptions.Throttled):
        return body("throttled", detail, {"retry_after_seconds": exc.wait})
    if isinstance(detail, dict | list):
        return body(exc.default_code, _("The request is not valid; see details."), detail)
    return body(str(code), detail)


def _domain(exc: Exception) -> tuple[int, dict] | None:
    """The status and body for one of the services' exceptions, or None."""
    if isinstance(exc, StaleAnswers):
        return status.HTTP_409_CONFLICT, body(
            "stale_version",
            _(
                "Someone changed these answers since the version you sent; nothing was "
                "saved. The current answers are in details."
            ),
            [conflict_detail(c) for c in exc.conflicts],
        )
    if isinstance(exc, AssessmentLocked):
        return status.HTTP_409_CONFLICT, body("assessment_locked", str(exc))
    if isinstance(exc, StaleImport):
        return status.HTTP_409_CONFLICT, body("stale_import", str(exc))
    if isinstance(exc, ImportRejected):
        return status.HTTP_400_BAD_REQUEST, body("import_rejected", str(exc), exc.details)
    if isinstance(exc, LimitExceeded):
        details = {"field": exc.field or None, "question_id": exc.question_id}
        return status.HTTP_400_BAD_REQUEST, body("limit_exceeded", str(exc), details)
    if isinstance(exc, UnreviewedAnswers):
        return status.HTTP_409_CONFLICT, body("unreviewed_answers", str(exc), exc.details)
    if isinstance(exc, WorkflowError):
        return status.HTTP_409_CONFLICT, body("workflow_refused", str(exc), exc.details or None)
    if isinstance(exc, AnswersFileError):
        return status.HTTP_400_BAD_REQUEST, body("answers_file_invalid", str(exc))
    if isinstance(exc, DjangoPermissionDenied):
        return status.HTTP_403_FORBIDDEN, body(
            "role_required", str(exc) or _("You may not do this.")
        )
    if isinstance(exc, Http404):
        return status.HTTP_404_NOT_FOUND, body("not_found", _("Not found."))
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    ):
        return status.HTTP_503_SERVICE_UNAVAILABLE, body(
            "database_unavailable", _("The database is not available; try again shortly.")
        )
    return None


def conflict_detail(conflict) -> dict:
    # Imported here: serializers import this module's ApiError.
    from .serializers import answer_data_of

    return {"question_id": conflict.question_id, "current": answer_data_of(conflict.current)}


def handler(exc, context):
    """DRF's EXCEPTION_HANDLER."""
    if isinstance(exc, exceptions.APIException):
        response = Response(_drf_body(exc), status=exc.status_code)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait) + 1)
        if auth_header := getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = auth_header
        return response
    mapped = _domain(exc)
    if mapped is not None:
        code, data = mapped
        response = Response(data, status=code)
        if code == status.HTTP_503_SERVICE_UNAVAILABLE:
            response["Retry-After"] = "30"
        return response
    logger.exception("API error", exc_info=exc)
    return Response(
        body("server_error", _("Something went wrong on our side; it has been logged.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


@csrf_exempt  # a JSON 404 for any method; nothing is changed here
def not_found(request, *args, **kwargs):
    """Any address under /api/ that names no endpoint."""
    return JsonResponse(body("not_found", _("No API endpoint at this address.")), status=404)
