from django.urls import path

from . import views

app_name = "workspaces"
urlpatterns = [
    path("", views.workspace_list, name="list"),
    path("new/", views.workspace_create, name="create"),
    path("<int:ws>/settings/", views.workspace_settings, name="settings"),
    path("<int:ws>/members/", views.members, name="members"),
    path("<int:ws>/members/invite/", views.invite, name="invite"),
    path("<int:ws>/members/<int:member>/remove/", views.remove_member, name="remove"),
    path("<int:ws>/members/invitations/<int:invitation>/revoke/", views.revoke_invitation, name="revoke"),
    path("<int:ws>/members/invitations/<int:invitation>/resend/", views.resend_invitation, name="resend"),
]
