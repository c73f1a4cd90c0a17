from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user
    and on every download: neither the browser's cache nor a proxy keeps pages,
    reports or evidence once the user has signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        attachment = response.get("Content-Disposition", "").lower().startswith("attachment")
        if signed_in or attachment:
            patch_cache_control(response, private=True, no_store=True)
        return response


class DatabaseUnavailableMiddleware:
    """A clear 503 page, rendered without the database, when the database is away.

    Django reconnects on the next request (CONN_HEALTH_CHECKS), so the
    application recovers by itself when the database comes back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            return database_unavailable_response()
        return None


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than its endpoint can legitimately take.

    Decided from the headers alone, before anything reads the body, so an oversized
    upload is never parsed or spooled to the temporary directory. Every endpoint
    takes up to REQUEST_MAX_BYTES; the views named in REQUEST_UPLOAD_VIEWS take up
    to REQUEST_MAX_UPLOAD_BYTES. A body without a Content-Length (chunked) is
    refused: Django would not read it anyway, and no browser form sends one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Before LocaleMiddleware: a refusal speaks the browser's language itself.
        with translation.override(translation.get_language_from_request(request)):
            refusal = self.refusal(request)
        return refusal or self.get_response(request)

    def refusal(self, request) -> HttpResponse | None:
        length = request.META.get("CONTENT_LENGTH")
        if not length:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return _refuse(
                    request, 411, "length required", _("Send the request with a Content-Length.")
                )
            return None
        try:
            size = int(length)
        except ValueError:
            size = -1
        if size < 0:
            return _refuse(request, 400, "bad request", _("The Content-Length is not a number."))
        if size <= settings.REQUEST_MAX_BYTES:
            return None
        limit = body_limit(request.path_info)
        if size <= limit:
            return None
        return _refuse(
            request,
            413,
            "request too large",
            _(
                "The request is too large (%(size)s); this address accepts at most %(limit)s. "
                "Nothing was saved."
            )
            % {"size": _mb(size), "limit": _mb(limit)},
            limit_bytes=limit,
        )


def body_limit(path: str) -> int:
    """The largest request body the view at ``path`` accepts."""
    try:
        view_name = resolve(path).view_name
    except Resolver404:
        return settings.REQUEST_MAX_BYTES
    if view_name in settings.REQUEST_UPLOAD_VIEWS:
        return max(settings.REQUEST_MAX_UPLOAD_BYTES, settings.REQUEST_MAX_BYTES)
    return settings.REQUEST_MAX_BYTES


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _refuse(request, status: int, error: str, message: str, **extra) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        # The REST API's error shape (api/errors.py): a stable code, a message, details.
        code = error.replace(" ", "_")
        return JsonResponse(
            {"code": code, "message": message, "details": extra or None}, status=status
        )
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": error, "message": message, **extra}, status=status)
    html = render_to_string("request_refused.html", {"status": status, "message": message})
    return HttpResponse(html, status=status)
