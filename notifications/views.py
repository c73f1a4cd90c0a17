from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import MAILED_KINDS, EmailPreferenceForm
from .models import EmailPreference, Notification


@require_GET
@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, settings.NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required
def notification_open(request, notification_id):
    """Mark it read and go where it points (a form button, so nobody can do it for you)."""
    notification = services.mark_read(notification_id=notification_id, user=request.user)
    if notification is None:
        raise Http404(_("No such notification."))
    safe = url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.url if notification.url and safe else "notification_list")


@require_POST
@login_required
def notification_read(request, notification_id):
    if services.mark_read(notification_id=notification_id, user=request.user) is None:
        raise Http404(_("No such notification."))
    return redirect("notification_list")


@require_POST
@login_required
def notification_read_all(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
    return redirect("notification_list")


@require_http_methods(["GET", "POST"])
@login_required
def notification_preferences(request):
    preference = EmailPreference.objects.filter(user=request.user).first()
    initial = {
        "enabled": preference.enabled if preference else True,
        "kinds": [k for k, _l in MAILED_KINDS if not preference or k not in preference.muted_kinds],
    }
    form = EmailPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_email_preference(
            user=request.user, enabled=form.cleaned_data["enabled"], muted_kinds=form.muted_kinds()
        )
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form})
