from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import PasswordResetView

from .health import health

admin.site.site_header = _("Hiroshima AI Process self-assessment: administration")
admin.site.site_title = _("HAIP self-assessment admin")

urlpatterns = [
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
    # The reset e-mail in plain text and HTML, and a limit on requests (accounts/views.py).
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("", include("members.urls")),
    path("", include("api.urls")),
    path("", include("principles.urls")),
    path("", include("reports.urls")),
    path("", include("frameworks.urls")),
    path("", include("assessments.urls")),
    path("", include("notifications.urls")),
]
