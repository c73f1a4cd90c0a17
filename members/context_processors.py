from django.utils.functional import SimpleLazyObject

from assessments.models import Membership


def membership(request):
    """``owns_organization``: whether to show "Members" in the navbar (one query, and
    only on pages that render the navbar for a signed-in user)."""
    user = getattr(request, "user", None)

    def owns() -> bool:
        if user is None or not user.is_authenticated:
            return False
        return Membership.objects.filter(user=user, role=Membership.Role.OWNER).exists()

    return {"owns_organization": SimpleLazyObject(owns)}
