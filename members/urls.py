from django.urls import path

from . import views

urlpatterns = [
    path("members/", views.members_index, name="members_index"),
    path(
        "organizations/<slug:slug>/members/",
        views.organization_members,
        name="organization_members",
    ),
    path("organizations/<slug:slug>/members/invite/", views.member_invite, name="member_invite"),
    path("organizations/<slug:slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path(
        "organizations/<slug:slug>/members/<int:pk>/affiliation/",
        views.member_affiliation,
        name="member_affiliation",
    ),
    path(
        "organizations/<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "organizations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organizations/<slug:slug>/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
