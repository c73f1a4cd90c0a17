from django.urls import path

from . import views

BASE = "assessments/<int:pk>/"

urlpatterns = [
    path(BASE + "haip-report/", views.haip_draft, name="haip_draft"),
    path(BASE + "haip-report/draft.md", views.haip_draft_markdown, name="haip_draft_markdown"),
    path(BASE + "haip-report/draft.docx", views.haip_draft_docx, name="haip_draft_docx"),
    path(BASE + "haip-report/items/<str:item>/edit/", views.haip_item_edit, name="haip_item_edit"),
    path(BASE + "frameworks/", views.framework_index, name="framework_index"),
    path(BASE + "frameworks/<slug:code>/", views.framework_coverage, name="framework_coverage"),
]
