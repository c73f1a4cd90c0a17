"""Starting a revision of an approved assessment, and copying answers between an
organization's assessments: the same services as the pages' buttons."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from assessments import answer_import, services
from assessments.forms import CopyAnswersForm

from . import serializers as s
from .views import (
    OFFICER,
    ApiView,
    _detail,
    _invalid,
    _valid,
    get_assessment,
    plan_data,
    require_role,
)


class RevisionView(ApiView):
    @extend_schema(
        summary="Start a revision of an approved assessment",
        description=(
            "Officers. Copies the approved assessment, answers and evidence included, into "
            "a new draft (its `predecessor` is this one), as the page's “Start a revision” "
            "does. 409 `workflow_refused` when it is not approved or a revision has been "
            "started already."
        ),
        request=None,
        responses={201: s.AssessmentDetailSerializer},
        tags=["assessments"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, OFFICER)
        revision = services.start_revision(assessment=assessment, by=request.user)
        return Response(
            _detail(get_assessment(request, revision.pk)), status=status.HTTP_201_CREATED
        )


class CopyAnswersView(ApiView):
    @extend_schema(
        summary="Copy answers from another assessment (dry run, or apply)",
        description=(
            "Officers, drafts only. Copies the answers of the chosen principles from "
            "another assessment of the same organization (levels, explanations, links; "
            "files are shared), as the page's copy does. Without `apply` only the dry run; "
            "with `apply=true` the copy, all or nothing. Send the dry run's `digest` with "
            "the apply to be sure nothing changed since (409 `stale_import` otherwise). "
            "Another organization's assessment is 404."
        ),
        request=s.CopyAnswersSerializer,
        responses=s.ImportResultSerializer,
        tags=["answers"],
    )
    def post(self, request, pk: int):
        assessment = get_assessment(request, pk)
        require_role(assessment, OFFICER)
        assessment.ensure_editable()
        data = _valid(s.CopyAnswersSerializer, request)
        source = get_object_or_404(answer_import.copy_sources(assessment), pk=data["source"])
        catalogue = services.catalogue_for(assessment)
        form = CopyAnswersForm(
            {"source": source.pk, "principles": data["principles"]},
            sources=answer_import.copy_sources(assessment),
            principle_choices=[(p.numeral, p.numeral) for p in catalogue.principles],
        )
        if not form.is_valid():
            raise _invalid(_("Nothing was copied: see details."), form.errors.get_json_data())
        numerals = form.cleaned_data["principles"]
        if not data["apply"]:
            plan = answer_import.plan_copy(assessment=assessment, source=source, numerals=numerals)
            return Response(plan_data(plan, applied=False))
        plan = answer_import.apply_copy(
            assessment=assessment,
            source=source,
            numerals=numerals,
            by=request.user,
            expected_digest=data.get("digest") or None,
        )
        return Response(plan_data(plan, applied=True, changed=len(plan.changes)))
