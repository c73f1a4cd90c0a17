from django.urls import path

from . import views

urlpatterns = [
    path("catalogue/oscal/catalog.json", views.oscal_catalog, name="oscal_catalog"),
    path("catalogue/oscal/profile-<slug:role>.json", views.oscal_profile, name="oscal_profile"),
]
