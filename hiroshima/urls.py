from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .health import health

admin.site.site_header = _("Hiroshima AI Process self-assessment: administration")
admin.site.site_title = _("HAIP self-assessment admin")

urlpatterns = [
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
    # The reset e-mail in plain text and HTML (Django's default is plain text only).
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
        ),
        name="password_reset",
    ),
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
