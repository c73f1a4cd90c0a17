"""Reads about people for the members page."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assessments.models import Membership, Organization

from .models import Invitation


def get_organization_for_user(user, slug: str) -> tuple[Organization, str]:
    """The organization and the user's role in it; 404 for people outside it."""
    membership = get_object_or_404(
        Membership.objects.select_related("organization"),
        user_id=user.pk,
        organization__slug=slug,
    )
    return membership.organization, membership.role


def members_of(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user__username")
    )


def open_invitations(organization: Organization) -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked: pending, and expired ones to send again."""
    return organization.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def owned_organizations(user) -> QuerySet[Organization]:
    return Organization.objects.filter(
        memberships__user_id=user.pk, memberships__role=Membership.Role.OWNER
    )
