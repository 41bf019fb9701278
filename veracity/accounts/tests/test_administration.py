"""Administration of access: users, teams, the matrix; audited, effective on the next request, with
guard rails; non-admins get 403 on every page and API and nothing changes."""

import pytest

from veracity.accounts.models import RoleCode, RolePermission, User
from veracity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_matrix_change_is_audited_and_effective_on_the_next_request(admin, rep_li, api_client_for):
    rep_api = api_client_for(rep_li)
    admin_api = api_client_for(admin)
    assert rep_api.get("/api/v1/products").status_code == 200
    response = admin_api.put("/api/v1/permissions/sales_rep/product/view", {"scope": "none"},
                             content_type="application/json")
    assert response.status_code == 200
    assert rep_api.get("/api/v1/products").status_code == 403
    event = AuditEvent.objects.get(action="permission_change", object_id="sales_rep:product:view")
    assert event.actor == admin and event.changes == {"scope": ["all", "none"]}
    admin_api.put("/api/v1/permissions/sales_rep/product/view", {"scope": "all"}, content_type="application/json")
    assert rep_api.get("/api/v1/products").status_code == 200


def test_matrix_page_edits_a_cell_and_a_field_grant(admin, rep_li, web_client_for):
    client = web_client_for(admin)
    assert client.get("/admin-access/permissions/").status_code == 200
    client.post("/admin-access/permissions/", {"perm:sales_rep:customer:delete": "2", "fields_submitted": "1",
                                               "field:sales_rep:product:cost_price": "on"})
    assert RolePermission.objects.get(role__code="sales_rep", resource="customer", action="delete").scope == 2
    assert AuditEvent.objects.filter(object_type="accounts.fieldpermission", action="permission_change").exists()


def test_role_change_through_the_api_is_audited_old_to_new(admin, rep_li, api_client_for):
    response = api_client_for(admin).patch(f"/api/v1/users/{rep_li.pk}", {"roles": ["sales_rep", "marketing"]},
                                           content_type="application/json")
    assert response.status_code == 200 and response.json()["roles"] == ["marketing", "sales_rep"]
    event = AuditEvent.objects.get(action="permission_change", object_id=str(rep_li.pk))
    assert event.changes["roles"] == [["sales_rep"], ["marketing", "sales_rep"]]


def test_fields_outside_the_allow_list_are_refused(admin, rep_li, api_client_for):
    response = api_client_for(admin).patch(f"/api/v1/users/{rep_li.pk}", {"is_superuser": True},
                                           content_type="application/json")
    assert response.status_code == 422
    assert not User.objects.get(pk=rep_li.pk).is_superuser


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(admin, manager_mei, web_client_for, api_client_for):
    api = api_client_for(manager_mei)  # anyone's client; the admin acts below
    from veracity.accounts.services import user_deactivate, user_update
    from veracity.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        user_deactivate(actor=None, user=admin)
    with pytest.raises(ValidationFailed):
        user_update(actor=None, user=admin, changes={"roles": [RoleCode.SALES_REP]})
    assert User.objects.get(pk=admin.pk).is_active
    assert api.get("/api/v1/me").status_code == 200


def test_users_cannot_change_their_own_roles(admin, api_client_for):
    other = User.objects.create(username="admin2")
    other.roles.set(admin.roles.all())
    response = api_client_for(admin).patch(f"/api/v1/users/{admin.pk}", {"roles": ["sales_rep"]},
                                           content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "own_roles"
    assert list(User.objects.get(pk=admin.pk).roles.values_list("code", flat=True)) == ["admin"]


def test_deactivating_through_the_api_stops_the_token_within_the_same_second(admin, rep_li, api_client_for):
    rep_api = api_client_for(rep_li)
    assert rep_api.get("/api/v1/me").status_code == 200
    assert api_client_for(admin).patch(f"/api/v1/users/{rep_li.pk}", {"is_active": False},
                                       content_type="application/json").status_code == 200
    assert rep_api.get("/api/v1/me").status_code == 401
    assert not rep_li.api_tokens.filter(revoked_at__isnull=True).exists()


def test_admin_creates_a_user_and_a_team_in_the_ui(admin, team_north, web_client_for):
    client = web_client_for(admin)
    response = client.post("/admin-access/users/new/", {"username": "new_rep", "password": "a-long-passphrase-9",
                                                        "roles": ["sales_rep"], "team": team_north.pk})
    assert response.status_code == 302
    assert User.objects.get(username="new_rep").team == team_north
    client.post("/admin-access/teams/new/", {"name": "East"})
    team = team_north.__class__.objects.get(name="East")
    client.post(f"/admin-access/teams/{team.pk}/", {"name": "East China", "manager": admin.pk})
    team.refresh_from_db()
    assert team.name == "East China" and team.manager == admin
    assert client.get("/admin-access/users/?role=sales_rep&active=1").status_code == 200


def test_existing_user_list_keeps_its_scope_for_others(manager_mei, rep_li, rep_bob, api_client_for):
    names = {row["username"] for row in api_client_for(manager_mei).get("/api/v1/users").json()["items"]}
    assert "rep_li" in names and "rep_bob" not in names


ADMIN_PAGES = ["/admin-access/users/", "/admin-access/users/new/", "/admin-access/teams/",
               "/admin-access/teams/new/", "/admin-access/permissions/", "/admin-access/security/"]


@pytest.mark.parametrize("persona", ["manager_mei", "rep_li", "marketing_ana", "service_sam", "auditor_aud"])
def test_non_admins_get_403_everywhere_and_nothing_changes(persona, request, rep_lin, team_north, web_client_for,
                                                           api_client_for):
    user = request.getfixturevalue(persona)
    client, api = web_client_for(user), api_client_for(user)
    before = (list(RolePermission.objects.values_list("role__code", "resource", "action", "scope").order_by("pk")),
              list(User.objects.values_list("pk", "is_active", "team_id", "display_name").order_by("pk")))
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x", "username": "x", "password": "a-long-passphrase-9",
                                 "perm:sales_rep:customer:view": "3", "require_two_factor": "everyone"}).status_code == 403
    for url in (f"/admin-access/users/{rep_lin.pk}/", f"/admin-access/users/{rep_lin.pk}/deactivate/",
                f"/admin-access/teams/{team_north.pk}/"):
        assert client.post(url, {"display_name": "hacked", "name": "hacked"}).status_code == 403
    json = "application/json"
    assert api.post("/api/v1/users", {"username": "x", "password": "a-long-passphrase-9"}, content_type=json).status_code == 403
    assert api.patch(f"/api/v1/users/{rep_lin.pk}", {"is_active": False}, content_type=json).status_code == 403
    assert api.post("/api/v1/teams", {"name": "x"}, content_type=json).status_code == 403
    assert api.patch(f"/api/v1/teams/{team_north.pk}", {"name": "x"}, content_type=json).status_code == 403
    assert api.get("/api/v1/permissions").status_code == 403
    assert api.put("/api/v1/permissions/sales_rep/customer/view", {"scope": "all"}, content_type=json).status_code == 403
    after = (list(RolePermission.objects.values_list("role__code", "resource", "action", "scope").order_by("pk")),
             list(User.objects.values_list("pk", "is_active", "team_id", "display_name").order_by("pk")))
    assert after == before
    assert team_north.__class__.objects.get(pk=team_north.pk).name == "North"
