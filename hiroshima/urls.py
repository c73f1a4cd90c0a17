from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .health import health

admin.site.site_header = _("Hiroshima AI Process self-assessment: administration")
admin.site.site_title = _("HAIP self-assessment admin")

urlpatterns = [
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("", include("principles.urls")),
    path("", include("reports.urls")),
    path("", include("assessments.urls")),
]
