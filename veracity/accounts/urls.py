from django.urls import path

from veracity.accounts import views
from veracity.accounts.views import administration

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.password_change, name="password_change"),
    path("profile/two-factor/", views.two_factor, name="two_factor"),
    path("profile/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("profile/two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("profile/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # Administration of access (not the Django admin): users, teams, the permission matrix, policy.
    path("admin-access/users/", administration.user_list, name="admin_user_list"),
    path("admin-access/users/new/", administration.user_create, name="admin_user_create"),
    path("admin-access/users/<int:pk>/", administration.user_edit, name="admin_user_edit"),
    path("admin-access/users/<int:pk>/deactivate/", administration.user_deactivate, name="admin_user_deactivate"),
    path("admin-access/users/<int:pk>/reactivate/", administration.user_reactivate, name="admin_user_reactivate"),
    path("admin-access/users/<int:pk>/end-sessions/", administration.user_end_sessions,
         name="admin_user_end_sessions"),
    path("admin-access/teams/", administration.team_list, name="admin_team_list"),
    path("admin-access/teams/new/", administration.team_create, name="admin_team_create"),
    path("admin-access/teams/<int:pk>/", administration.team_edit, name="admin_team_edit"),
    path("admin-access/permissions/", administration.permission_matrix, name="admin_permissions"),
    path("admin-access/security/", administration.security_policy, name="admin_security"),
]
