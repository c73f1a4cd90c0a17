from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_notifications(request):
    """The bell's count: one query, and only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }
