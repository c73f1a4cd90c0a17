"""The OpenAPI schema's additions (the token scheme, the error responses every
operation can give) and the docs page rendered from the schema on the server.

drf-spectacular's own Swagger UI and Redoc pages load their JavaScript from a CDN
(or from drf-spectacular-sidecar, which this project does not depend on); an
installation under a strict Content-Security-Policy serves neither. The docs page
here is plain HTML built from the same generated schema: every operation with its
parameters, request body and responses, and the shapes they refer to.
"""

from __future__ import annotations

from functools import lru_cache

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator

READ_ERRORS = {
    "400": _("The request is not valid (`invalid`, ...)."),
    "401": _(
        "No valid credentials (`not_authenticated`, `token_invalid`, `token_expired`, "
        "`token_revoked`)."
    ),
    "403": _("Not allowed (`role_required`, `token_read_only`, `csrf_failed`)."),
    "404": _("Not found, or not yours (`not_found`)."),
    "409": _(
        "Not possible in the current state (`stale_version`, `assessment_locked`, "
        "`workflow_refused`, `report_not_issued`, ...)."
    ),
    "429": _("Too many requests (`throttled`); see Retry-After."),
}
WRITE_ERRORS = {
    "413": _("The request or file is too large (`request_too_large`, `file_too_large`)."),
    "415": _("Unsupported media type (`unsupported_media_type`, `file_type_not_accepted`)."),
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "haip_...",
            "description": str(_("A personal access token, created on the API tokens page.")),
        }


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOK: the Error shape, and on every operation the error
    statuses it can answer with."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable snake_case code."},
                "message": {"type": "string"},
                "details": {"nullable": True},
            },
            "required": ["code", "message", "details"],
        },
    )
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            errors = dict(READ_ERRORS)
            if method != "get":
                errors |= WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": str(description),
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return result


@lru_cache(maxsize=1)
def generated_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        inner = _ref_name(schema.get("items"))
        return f"[{inner}]" if inner else "array"
    if "allOf" in schema:
        return " & ".join(_ref_name(part) for part in schema["allOf"])
    return schema.get("format") or schema.get("type") or ""


def _content(content: dict | None) -> list[tuple[str, str]]:
    return [(media, _ref_name(spec.get("schema"))) for media, spec in (content or {}).items()]


def _operations(schema: dict) -> list[dict]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            body = op.get("requestBody") or {}
            operations.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _ref_name(p.get("schema")),
                            "enum": (p.get("schema") or {}).get("enum"),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _content(body.get("content")),
                    "responses": [
                        {
                            "status": code,
                            "description": r.get("description", ""),
                            "content": _content(r.get("content")),
                        }
                        for code, r in sorted(op.get("responses", {}).items())
                    ],
                }
            )
    return operations


def _shapes(schema: dict) -> list[dict]:
    shapes = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        fields = [
            {
                "name": field,
                "type": _ref_name(prop) or ("enum" if "enum" in prop else "any"),
                "required": field in required,
                "read_only": prop.get("readOnly", False),
                "nullable": prop.get("nullable", False),
                "description": prop.get("description", ""),
            }
            for field, prop in spec.get("properties", {}).items()
        ]
        enum = spec.get("enum")
        shapes.append({"name": name, "fields": fields, "enum": enum})
    return shapes


@require_GET
def docs(request):
    """The API's documentation, from the generated schema, without any script."""
    schema = generated_schema()
    return render(
        request,
        "api/docs.html",
        {
            "info": schema.get("info", {}),
            "operations": _operations(schema),
            "shapes": _shapes(schema),
        },
    )


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
