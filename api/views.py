"""The REST API's endpoints: short views over the same selectors, forms and services
as the pages. Membership decides what a caller sees (others' ids are 404, as on the
pages); a token narrows that to its one organization."""

from __future__ import annotations

import logging
from dataclasses import asdict
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import answer_data, answer_import, services
from assessments.forms import AnswerForm, ApproveForm, ReviewForm
from assessments.history import answer_changes
from assessments.models import Answer, Assessment, Comment, Evidence, Membership
from assessments.questionnaire import inputs_from_forms
from assessments.uploads import ALLOWED, check_evidence_file
from principles import oscal
from principles.catalogue import live_catalogue
from principles.models import LifecycleRole
from principles.translations import SOURCE_LANGUAGE
from reports import services as report_services
from reports.exports import canonical_json, render_csv
from reports.models import IssuedReport, ReportRender
from reports.oscal import assessment_results_json
from reports.progress import progress_message

from . import serializers as s
from .errors import ApiError
from .language import asked_language, profile_language
from .models import ApiToken

logger = logging.getLogger("api")
OFFICER = Membership.Role.OFFICER
AUDITOR = Membership.Role.AUDITOR
UPLOAD_ERRORS = {
    "too_large": (status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "file_too_large"),
    "type": (status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "file_type_not_accepted"),
    "content": (status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "file_type_not_accepted"),
    "empty": (status.HTTP_400_BAD_REQUEST, "file_empty"),
}


def _binary(description: str, media_type: str) -> dict:
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)}


def _document(description: str, media_type: str = "application/json") -> dict:
    """A download that is a JSON or YAML document (free-form object)."""
    return {(200, media_type): OpenApiResponse(OpenApiTypes.OBJECT, description=description)}


class ApiView(APIView):
    # Every endpoint: JSON out whatever Accept says (downloads aside), and one log
    # record per call naming the token. (A comment: a docstring would become every
    # operation's description in the schema.)

    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        # The language asked for speaks already in authentication's refusals; the
        # profile's is known only once the caller is.
        asked = asked_language(request)
        translation.activate(asked or SOURCE_LANGUAGE)
        super().initial(request, *args, **kwargs)
        if asked is None and (chosen := profile_language(request)):
            translation.activate(chosen)

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):  # not downloads: a document has its own language
            response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language"])
        # Not request.auth/.user: those would authenticate a request refused before that.
        token = getattr(request, "_auth", None)
        user = getattr(request, "_user", None)
        logger.info(
            "API %s %s %s token=%s user=%s",
            request.method,
            request.path,
            response.status_code,
            token.name if isinstance(token, ApiToken) else "-",
            user.get_username() if user is not None and user.is_authenticated else "-",
            extra={
                "api_token": token.name if isinstance(token, ApiToken) else None,
                "api_token_id": token.pk if isinstance(token, ApiToken) else None,
                "status_code": response.status_code,
            },
        )
        return response


# --- access ----------------------------------------------------------------------


def token_of(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def scoped_assessments(request):
    """The assessments the caller may see, annotated with ``member_role``."""
    queryset = Assessment.objects.with_member_role(request.user)
    if token := token_of(request):
        queryset = queryset.filter(organization_id=token.organization_id)
    return queryset.select_related("organization").prefetch_related("roles")


def get_assessment(request, pk: int) -> Assessment:
    """One visible assessment; 404 for anyone else's, exactly as the pages."""
    return get_object_or_404(scoped_assessments(request), pk=pk)


def require_role(assessment: Assessment, role: str) -> None:
    if assessment.member_role != role:
        raise ApiError(
            _("Only the organization's %(role)ss can do this.")
            % {"role": Membership.Role(role).label.lower()},
            code="role_required",
            status_code=status.HTTP_403_FORBIDDEN,
        )


def _invalid(message: str, details, code: str = "invalid") -> ApiError:
    return ApiError(message, code=code, details=details)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    textual = content_type.startswith("text/") or content_type.endswith(("json", "yaml"))
    charset = "; charset=utf-8" if textual else ""
    response = HttpResponse(content, content_type=content_type + charset)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _result(assessment: Assessment) -> dict:
    result = services.result_for(assessment)
    return {
        "score": result.score,
        "band": result.band.key if result.band else None,
        "band_label": str(result.band.label) if result.band else None,
        "applicable": result.applicable,
        "answered": result.answered,
        "provisional": result.provisional,
    }


def _detail(assessment: Assessment) -> dict:
    data = s.AssessmentSerializer(assessment).data
    return {**data, "result": _result(assessment)}


def _fresh(request, pk: int) -> Assessment:
    return get_assessment(request, pk)


# --- who, catalogue, organizations ----------------------------------------------------


class WhoAmIView(ApiView):
    @extend_schema(
        summary="Who is calling",
        description="The user and token of this request; the cheapest authenticated call.",
        responses=s.WhoAmISerializer,
        tags=["account"],
    )
    def get(self, request):
        token = token_of(request)
        return Response(
            {
                "username": request.user.get_username(),
                "token": token.name if token else None,
                "organization": token.organization_id if token else None,
                "access": token.access if token else "session",
                "expires_at": token.expires_at if token else None,
            }
        )


class CatalogueView(ApiView):
    @extend_schema(
        summary="The catalogue",
        description=(
            "Principles, their questions with per-role weights, guidance and expected "
            "evidence, and the lifecycle roles, in the caller's language: `?lang=`, else "
            "`Accept-Language`, else the language on the caller's profile, else English "
            "(also for a language the site does not have). Wording not translated is "
            "English. `Content-Language` and `language` say which language was used."
        ),
        parameters=[
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="A language code, e.g. `ja`; wins over Accept-Language.",
            )
        ],
        responses=s.CatalogueSerializer,
        tags=["catalogue"],
    )
    def get(self, request):
        language = translation.get_language()
        catalogue = live_catalogue().localized(language)
        return Response(s.CatalogueSerializer({**asdict(catalogue), "language": language}).data)


class OscalCatalogView(ApiView):
    @extend_schema(
        summary="The catalogue as an OSCAL catalog",
        description=(
            f"OSCAL {oscal.OSCAL_VERSION}: principles as groups, questions as controls, "
            "guidance and expected evidence as parts (the catalogue's source wording)."
        ),
        responses=_document("OSCAL JSON."),
        tags=["catalogue"],
    )
    def get(self, request):
        catalog = oscal.build_catalog(
            live_catalogue(), last_modified=oscal.catalogue_last_modified()
        )
        return _download(oscal.serialize(catalog), "application/json", "haip-catalog.oscal.json")


class OscalProfileView(ApiView):
    @extend_schema(
        summary="One lifecycle role's OSCAL profile",
        description=(
            f"OSCAL {oscal.OSCAL_VERSION}: the questions that apply to the role, with their "
            "weights as properties. An unknown role is 404."
        ),
        responses=_document("OSCAL JSON."),
        tags=["catalogue"],
    )
    def get(self, request, role: str):
        try:
            profile = oscal.build_profile(
                live_catalogue(), role, last_modified=oscal.catalogue_last_modified()
            )
        except oscal.UnknownRole as exc:
            message = _("No lifecycle role has the code “%(role)s”.") % {"role": role}
            raise ApiError(message, code="not_found", status_code=404) from exc
        return _download(
            oscal.serialize(profile), "application/json", f"haip-profile-{role}.oscal.json"
        )


class OrganizationsView(ApiView):
    @extend_schema(
        summary="Your organizations",
        description="With a token: its one organization.",
        responses=s.OrganizationSerializer(many=True),
        tags=["organizations"],
    )
    def get(self, request):
        memberships = Membership.objects.filter(user=request.user).select_related("organization")
        if token := token_of(request):
            memberships = memberships.filter(organization_id=token.organization_id)
        memberships = memberships.prefetch_related("organization__roles")
        data = [
            {
                "id": m.organization_id,
                "name": m.organization.name,
                "slug": m.organization.slug,
                "role": m.role,
                "roles": [r.code for r in m.organization.roles.all()],
            }
            for m in memberships
        ]
        return Response(s.OrganizationSerializer(data, many=True).data)


# --- assessments -----------------------------------------------------------------------


def _roles_from_codes(codes: list[str]):
    roles = list(LifecycleRole.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {r.code for r in roles})
    if unknown:
        raise _invalid(
            _("Unknown lifecycle roles: %(codes)s.") % {"codes": ", ".join(unknown)},
            {"roles": unknown},
        )
    return roles


class AssessmentsView(ApiView):
    @extend_schema(
        summary="Your assessments",
        responses=s.AssessmentSerializer(many=True),
        tags=["assessments"],
    )
    def get(self, request):
        assessments = scoped_assessments(request).order_by("-updated_at", "-pk")
        return Response(s.AssessmentSerializer(assessments, many=True).data)

    @extend_schema(
        summary="Start an assessment",
        description="Officers only. Starts a draft; roles default to the organization's.",
        request=s.AssessmentCreateSerializer,
        responses={201: s.AssessmentDetailSerializer},
        tags=["assessments"],
    )
    def post(self, request):
        data = _valid(s.AssessmentCreateSerializer, request)
        token = token_of(request)
        organization_id = data.get("organization") or (token.organization_id if token else None)
        if organization_id is None:
            raise _invalid(_("Name the organization."), {"organization": [_("Required.")]})
        membership = Membership.objects.filter(
            user=request.user, organization_id=organization_id
        ).select_related("organization")
        if token and organization_id != token.organization_id:
            membership = membership.none()
        membership = get_object_or_404(membership)
        if membership.role != OFFICER:
            raise ApiError(
                _("Only compliance officers can start an assessment."),
                code="role_required",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        roles = _roles_from_codes(data["roles"]) if data.get("roles") else None
        assessment = services.create_assessment(
            organization=membership.organization,
            title=data["title"],
            scope=data["scope"],
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            roles=roles,
            by=request.user,
        )
        return Response(_detail(_fresh(request, assessment.pk)), status=status.HTTP_201_CREATED)


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AssessmentView(ApiView):
    @extend_schema(
        summary="One assessment", responses=s.AssessmentDetailSerializer, tags=["assessments"]
    )
    def get(self, request, pk: int):
        return Response(_detail(get_assessment(request, pk)))

    @extend_schema(
        summary="Change its details and declared roles",
        description="Officers, drafts only. Answers already given are kept.",
        request=s.AssessmentUpdateSerializer,
        responses=s.AssessmentDetailSerializer,
        tags=["assessments"],
    )
    def patch(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, OFFICER)
        data = _valid(s.AssessmentUpdateSerializer, request)
        roles = (
            _roles_from_codes(data["roles"]) if "roles" in data else list(assessment.roles.all())
        )
        services.update_assessment_details(
            assessment=assessment,
            title=data.get("title", assessment.title),
            scope=data.get("scope", assessment.scope),
            period_start=data.get("period_start", assessment.period_start),
            period_end=data.get("period_end", assessment.period_end),
            roles=roles,
            by=request.user,
        )
        return Response(_detail(_fresh(request, pk)))


# --- answers and evidence ----------------------------------------------------------------


def _answers(assessment: Assessment):
    evidence = Evidence.objects.select_related("added_by").order_by("added_at", "pk")
    return assessment.answers.select_related("updated_by", "reviewed_by").prefetch_related(
        Prefetch("evidence", queryset=evidence)
    )


def answer_rows(assessment: Assessment, *, codes=None, catalogue=None) -> list[dict]:
    """Every question that applies to the declared roles (answered or not), or those
    of ``codes``, in catalogue order, in a fixed number of queries."""
    catalogue = catalogue or services.catalogue_for(assessment)
    roles = services.role_codes(assessment)
    answers = _answers(assessment)
    if codes is not None:
        answers = answers.filter(question_id__in=_ids(catalogue, codes))
    by_code = services.answers_by_code(assessment, catalogue, answers)
    return [
        s.answer_row(
            code=q.code,
            principle=p.numeral,
            question_id=q.id,
            answer=by_code.get(q.code),
            assessment_id=assessment.pk,
        )
        for p in catalogue.principles
        for q in p.questions
        if q.effective_weight(roles) > 0 and (codes is None or q.code in codes)
    ]


def _ids(catalogue, codes) -> list[int]:
    return [q.id for q in catalogue.questions() if q.code in codes]


def _applicable_questions(assessment: Assessment, catalogue=None) -> dict:
    catalogue = catalogue or services.catalogue_for(assessment)
    roles = services.role_codes(assessment)
    return {q.code: q for q in catalogue.questions() if q.effective_weight(roles) > 0}


def _response_of(change: dict, answer: Answer | None) -> str:
    """The questionnaire's "response" field for a change: what was sent, else as stored."""
    if change.get("not_applicable"):
        return "na"
    if "level" in change:
        return "" if change["level"] is None else str(change["level"])
    if "not_applicable" in change or answer is None:
        return ""
    if answer.not_applicable:
        return "na"
    return "" if answer.level is None else str(answer.level)


def _answer_form(change: dict, answer: Answer | None) -> AnswerForm:
    link = change.get("add_link") or {}
    data = {
        "response": _response_of(change, answer),
        "explanation": change.get("explanation", answer.explanation if answer else ""),
        "version": change["version"],
        "evidence_description": link.get("description", ""),
        "evidence_url": link.get("url", ""),
        "remove_evidence": [str(pk) for pk in change.get("remove_evidence", [])],
    }
    return AnswerForm(
        data,
        evidence=answer.evidence.all() if answer else (),
        had_answer=answer is not None and answer.is_answered,
    )


class AnswersView(ApiView):
    @extend_schema(
        summary="Its answers, with versions and evidence",
        description="One row per applicable question, answered or not (version 0).",
        responses=s.AnswerSerializer(many=True),
        tags=["answers"],
    )
    def get(self, request, pk: int):
        return Response(answer_rows(get_assessment(request, pk)))

    @extend_schema(
        summary="Save answers (all or none)",
        description=(
            "Officers, drafts only. Each change carries the version it was read at; if "
            "any answer changed since, nothing is saved and the answer is 409 "
            "`stale_version` with the current answers in `details`. Fields left out "
            "keep their value. Validated as the questionnaire page validates."
        ),
        request=s.AnswersChangeSerializer,
        responses={200: s.SavedSerializer},
        tags=["answers"],
    )
    def patch(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, OFFICER)
        assessment.ensure_editable()
        changes = _valid(s.AnswersChangeSerializer, request)["answers"]
        catalogue = services.catalogue_for(assessment)
        questions = _applicable_questions(assessment, catalogue)
        sent = [questions[c["code"]].id for c in changes if c["code"] in questions]
        existing = {a.question_id: a for a in _answers(assessment).filter(question_id__in=sent)}
        errors, rows = {}, []
        for change in changes:
            code = change["code"]
            question = questions.get(code)
            if question is None:
                errors[code] = [_("No question with this code applies to this assessment.")]
                continue
            if any(row.code == code for row in rows):
                errors[code] = [_("This question is given twice.")]
                continue
            form = _answer_form(change, existing.get(question.id))
            if not form.is_valid():
                errors[code] = form.errors.get_json_data()
            # Every answer a caller sends is one it means to save (a page saves only
            # the questions its user changed: Page.classify_posted).
            rows.append(SimpleNamespace(code=code, form=form, question=question, touched=True))
        if errors:
            raise _invalid(_("Nothing was saved: correct the answers in details."), errors)
        changed = services.save_answers(
            assessment=assessment, inputs=inputs_from_forms(rows), by=request.user
        )
        codes = {row.code for row in rows}
        rows = answer_rows(assessment, codes=codes, catalogue=catalogue)
        return Response({"changed": changed, "answers": rows})


class EvidenceView(ApiView):
    @extend_schema(
        summary="Its evidence (metadata)",
        responses=s.EvidenceSerializer(many=True),
        tags=["answers"],
    )
    def get(self, request, pk: int):
        assessment = get_assessment(request, pk)
        rows = answer_rows(assessment)
        return Response([ev for row in rows for ev in row["evidence"]])


class EvidenceUploadView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Add an evidence file to an answer",
        description=(
            "Officers, drafts only; multipart/form-data. The same size and content checks "
            "as the questionnaire page: too large is 413 `file_too_large`, a type not "
            "accepted or content not matching the name is 415 `file_type_not_accepted`."
        ),
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.AnswerSerializer},
        tags=["answers"],
    )
    def post(self, request, pk: int, code: str):
        assessment = get_assessment(request, pk)
        require_role(assessment, OFFICER)
        assessment.ensure_editable()
        question = _applicable_questions(assessment).get(code)
        if question is None:
            raise ApiError(
                _("No question with this code applies."), code="not_found", status_code=404
            )
        data = _valid(s.EvidenceUploadSerializer, request)
        upload = data["file"]
        try:
            checked = check_evidence_file(upload)
        except ValidationError as exc:
            status_code, error = UPLOAD_ERRORS.get(exc.code, (400, "file_rejected"))
            raise ApiError(exc.messages[0], code=error, status_code=status_code) from exc
        answer = Answer.objects.filter(assessment=assessment, question_id=question.id).first()
        services.save_answers(
            assessment=assessment,
            inputs=[
                services.AnswerInput(
                    question_id=question.id,
                    seen_version=data["version"],
                    level=answer.level if answer else None,
                    not_applicable=answer.not_applicable if answer else False,
                    explanation=answer.explanation if answer else "",
                    new_evidence=services.NewEvidence(
                        description=data.get("description", ""), upload=upload, checked=checked
                    ),
                )
            ],
            by=request.user,
        )
        row = answer_rows(assessment, codes={code})[0]
        return Response(row, status=status.HTTP_201_CREATED)


class EvidenceFileView(ApiView):
    @extend_schema(
        summary="Download an evidence file",
        responses={
            k: v
            for media in dict.fromkeys(ct for _, ct in ALLOWED.values())
            for k, v in _binary("The file as uploaded.", media).items()
        },
        tags=["answers"],
    )
    def get(self, request, pk: int, evidence_id: int):
        assessment = get_assessment(request, pk)
        evidence = get_object_or_404(
            Evidence, pk=evidence_id, answer__assessment=assessment, file__gt=""
        )
        with evidence.file.open("rb") as handle:
            content = handle.read()
        return _download(
            content, evidence.content_type or "application/octet-stream", evidence.file_name
        )


# --- review --------------------------------------------------------------------------------


def _comments(assessment: Assessment):
    """Every comment of the assessment, threads and replies, oldest first; the people
    come with them (no query per row)."""
    return Comment.objects.filter(answer__assessment=assessment).select_related(
        "author", "resolved_by", "answer__question"
    )


class SubmitView(ApiView):
    @extend_schema(
        summary="Submit for review",
        description=(
            "Officers. Refused (409 `workflow_refused`, the missing codes in details) "
            "while an applicable question is unanswered."
        ),
        request=None,
        responses=s.AssessmentDetailSerializer,
        tags=["review"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, OFFICER)
        services.submit_assessment(assessment=assessment, by=request.user)
        return Response(_detail(_fresh(request, pk)))


class ReturnView(ApiView):
    @extend_schema(
        summary="Return to the officers",
        description="Auditors; the comment (the reason) is required.",
        request=s.ReviewSerializer,
        responses=s.AssessmentDetailSerializer,
        tags=["review"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, AUDITOR)
        data = _valid(s.ReviewSerializer, request)
        form = ReviewForm({"comment": data.get("comment", "")})
        if not form.is_valid():
            raise _invalid(_("Not returned."), form.errors.get_json_data())
        services.return_assessment(
            assessment=assessment, by=request.user, comment=form.cleaned_data["comment"]
        )
        return Response(_detail(_fresh(request, pk)))


class ApproveView(ApiView):
    @extend_schema(
        summary="Approve, with the auditor's opinion",
        description=(
            "Auditors. The same opinion as the page asks for: review scope, sampling, "
            "opinion, affiliation and independence; without it 400 `opinion_required`. "
            "Every “not applicable” answer must be accepted first and no blocking comment "
            "thread may be open (409 `workflow_refused`, the codes in details). Answers not "
            "marked reviewed need `confirm_unreviewed: true` (409 `unreviewed_answers`, the "
            "codes in details). The report is issued in the background."
        ),
        request=s.ApproveSerializer,
        responses=s.AssessmentDetailSerializer,
        tags=["review"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, AUDITOR)
        data = _valid(s.ApproveSerializer, request)
        independent = data.get("independent")
        form = ApproveForm(
            {
                **{k: data.get(k, "") for k in ("review_scope", "sampling", "opinion")},
                "affiliation": data.get("affiliation", ""),
                "independent": "" if independent is None else ("yes" if independent else "no"),
                "include_comments": "on" if data.get("include_comments", True) else "",
                "report_language": data.get("report_language", ""),
                "comment": data.get("comment", ""),
            }
        )
        if not form.is_valid():
            raise _invalid(
                _("Not approved: give your opinion in full (see details)."),
                form.errors.get_json_data(),
                code="opinion_required",
            )
        services.approve_assessment(
            assessment=assessment,
            by=request.user,
            opinion=form.opinion_input(),
            comment=form.cleaned_data["comment"],
            confirm_unreviewed=data["confirm_unreviewed"],
        )
        return Response(_detail(_fresh(request, pk)))


class AcceptNotApplicableView(ApiView):
    @extend_schema(
        summary="Accept “not applicable” answers",
        description="Auditors, under review: the given codes, or every one of a principle.",
        request=s.AcceptNotApplicableSerializer,
        responses=s.AcceptedSerializer,
        tags=["review"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, AUDITOR)
        data = _valid(s.AcceptNotApplicableSerializer, request)
        accepted = services.accept_not_applicable(
            assessment=assessment,
            by=request.user,
            codes=data.get("codes") or None,
            numeral=data.get("principle") or None,
        )
        return Response({"accepted": accepted})


class ReviewedView(ApiView):
    @extend_schema(
        summary="Mark answers reviewed (or remove the mark)",
        description=(
            "Auditors, under review: the given codes, or every answered one of a principle. "
            "A later change to an answer clears its mark."
        ),
        request=s.ReviewedSerializer,
        responses=s.MarkedSerializer,
        tags=["review"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, AUDITOR)
        data = _valid(s.ReviewedSerializer, request)
        changed = services.mark_reviewed(
            assessment=assessment,
            by=request.user,
            codes=data.get("codes") or None,
            numeral=data.get("principle") or None,
            reviewed=data["reviewed"],
        )
        return Response({"changed": changed})


class HistoryView(ApiView):
    @extend_schema(
        summary="Its history: workflow steps, answer changes, comments",
        responses=s.HistorySerializer,
        tags=["review"],
    )
    def get(self, request, pk: int):
        assessment = get_assessment(request, pk)
        events = [
            {"action": e.action, "by": e.by.get_username(), "at": e.at, "comment": e.comment}
            for e in assessment.events.select_related("by")
        ]
        changes = [asdict(change) for change in answer_changes(assessment)]
        comments = [s.comment_data(c) for c in _comments(assessment)]
        return Response({"events": events, "changes": changes, "comments": comments})


# --- answers as data ---------------------------------------------------------------------------


class AnswersExportView(ApiView):
    @extend_schema(
        summary="Export its answers as CSV, XLSX or YAML",
        parameters=[
            OpenApiParameter(
                "fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(answer_data.FORMATS)
            )
        ],
        responses={
            **_binary("CSV", answer_data.FORMATS["csv"]),
            **_binary("XLSX workbook", answer_data.FORMATS["xlsx"]),
            **_document("YAML document", answer_data.FORMATS["yaml"]),
        },
        tags=["answers"],
    )
    def get(self, request, pk: int, fmt: str):
        assessment = get_assessment(request, pk)
        if fmt not in answer_data.FORMATS:
            raise ApiError(_("No such format."), code="not_found", status_code=404)
        content, content_type, filename = answer_import.export_answers(
            assessment=assessment, fmt=fmt
        )
        return _download(content, content_type, filename)


class AnswersImportView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import answers from a file (dry run, or apply)",
        description=(
            "Officers, drafts only. Without `apply` (or false) only the dry run: what "
            "would change. With `apply=true` the import, all or nothing: any rejected row "
            "refuses it (400 `import_rejected`)."
        ),
        request={"multipart/form-data": s.ImportSerializer},
        responses=s.ImportResultSerializer,
        tags=["answers"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, OFFICER)
        assessment.ensure_editable()
        data = _valid(s.ImportSerializer, request)
        upload = data["file"]
        content = upload.read(settings.ANSWERS_IMPORT_MAX_BYTES + 1)
        rows = answer_data.read_answers(name=upload.name, content=content)
        if not data["apply"]:
            plan = answer_import.plan_import(assessment=assessment, rows=rows)
            return Response(plan_data(plan, applied=False))
        plan = answer_import.apply_import(
            assessment=assessment,
            rows=rows,
            by=request.user,
            expected_digest=data.get("digest") or None,
        )
        return Response(plan_data(plan, applied=True, changed=len(plan.changes)))


def plan_data(plan, *, applied: bool, changed: int = 0) -> dict:
    """A dry run or an applied import/copy as the API shows it."""
    return {
        "applied": applied,
        "changed": changed,
        "counts": plan.counts,
        "digest": plan.digest,
        "notes": [str(note) for note in plan.notes],
        "rows": [
            {
                "line": row.line,
                "code": row.code,
                "status": row.status,
                "before": row.before,
                "after": row.after,
                "reasons": row.reasons,
            }
            for row in plan.rows
        ],
    }


# --- reports ----------------------------------------------------------------------------------


def _issued(assessment: Assessment) -> IssuedReport:
    issued = IssuedReport.objects.filter(assessment=assessment).first()
    if issued is None:
        raise ApiError(
            _("The report is being issued; it can be downloaded once it is ready."),
            code="report_not_issued",
            status_code=status.HTTP_409_CONFLICT,
        )
    return issued


class ReportJsonView(ApiView):
    @extend_schema(
        summary="The report document (JSON)",
        description=(
            "As issued for an approved assessment (the signed report's embedded document); "
            "otherwise a draft built now."
        ),
        responses=_document("The canonical JSON document."),
        tags=["reports"],
    )
    def get(self, request, pk: int):
        assessment = get_assessment(request, pk)
        if assessment.is_locked:
            issued = _issued(assessment)
            return _download(issued.document_bytes, "application/json", f"{issued.report_id}.json")
        doc = report_services.report_document(assessment=assessment)
        return _download(canonical_json(doc), "application/json", f"{doc['report_id']}-DRAFT.json")


class ReportCsvView(ApiView):
    @extend_schema(
        summary="The report's results (CSV)",
        responses=_binary("One row per question.", "text/csv"),
        tags=["reports"],
    )
    def get(self, request, pk: int):
        assessment = get_assessment(request, pk)
        doc = report_services.report_document(assessment=assessment)
        suffix = "-DRAFT" if doc["draft"] else ""
        return _download(render_csv(doc), "text/csv", f"{doc['report_id']}{suffix}.csv")


class ReportPdfView(ApiView):
    @extend_schema(
        summary="The report (PDF)",
        description=(
            "The signed, issued PDF of an approved assessment. For a draft, a draft PDF is "
            "rendered in the background: 202 with the render's status until it is ready, "
            "then 200 with the PDF (ask again)."
        ),
        responses={
            **_binary("The PDF.", "application/pdf"),
            202: s.RenderSerializer,
        },
        tags=["reports"],
    )
    def get(self, request, pk: int):
        assessment = get_assessment(request, pk)
        if assessment.is_locked:
            issued = _issued(assessment)
            return _download(bytes(issued.pdf), "application/pdf", issued.pdf_filename)
        job = report_services.request_draft_pdf(assessment=assessment, by=request.user)
        if job.status == ReportRender.Status.DONE:
            return _download(bytes(job.pdf), "application/pdf", f"{assessment.report_id}-DRAFT.pdf")
        ahead = report_services.queue_position(job) if job.status == "queued" else 0
        return Response(
            {"render": job.pk, "status": job.status, "message": progress_message(job, ahead=ahead)},
            status=status.HTTP_202_ACCEPTED,
        )


class OscalResultsView(ApiView):
    @extend_schema(
        summary="OSCAL assessment-results of an approved assessment",
        responses=_document("OSCAL JSON."),
        tags=["reports"],
    )
    def get(self, request, pk: int):
        assessment = get_assessment(request, pk)
        if not assessment.is_locked:
            raise ApiError(
                _("Only an approved assessment has OSCAL assessment results."),
                code="not_approved",
                status_code=status.HTTP_409_CONFLICT,
            )
        issued = _issued(assessment)
        content = assessment_results_json(assessment=assessment)
        return _download(
            content, "application/json", f"{issued.report_id}-assessment-results.oscal.json"
        )
