from django.contrib import admin
from django.urls import include, path

from .health import health

admin.site.site_header = "Hiroshima AI Process self-assessment: administration"
admin.site.site_title = "HAIP self-assessment admin"

urlpatterns = [
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("principles.urls")),
    path("", include("reports.urls")),
    path("", include("frameworks.urls")),
    path("", include("assessments.urls")),
]
