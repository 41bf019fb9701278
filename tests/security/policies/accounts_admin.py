"""Routes of the accounts app beyond login/profile/tokens: the two-factor and password pages of the
profile, and administration of access (/admin-access/… and the admin API).

Ids in URLs: `user`/`user_id` is a spare sales rep ("sweep_target", made by the sweep's world fixture,
so the administrator's successful writes never touch a persona); `team`/`team_id` is team North;
`{role}/{resource}/{action}` is the cell sales_rep/customer/view, set to the scope it already has."""

from tests.security.policy import login, perm, public

POLICY = {
    # --- login's second step and the profile's own pages -------------------------------------
    "accounts:login_verify": public(),
    "accounts:password_change": login(methods=("GET", "POST")),
    "accounts:two_factor": login(),
    "accounts:two_factor_setup": login(methods=("POST",)),
    "accounts:two_factor_confirm": login(methods=("POST",), body=lambda world: {"code": "000000"}),
    "accounts:two_factor_disable": login(methods=("POST",), body=lambda world: {"code": "000000"}),
    # --- administration of access --------------------------------------------------------------
    "accounts:admin_user_list": perm("user", "edit"),
    "accounts:admin_user_create": perm("user", "create", methods=("GET", "POST")),
    "accounts:admin_user_edit": perm("user", "edit", obj="user", methods=("GET", "POST"),
                                     body=lambda world: {"display_name": "Sweep", "roles": ["sales_rep"]}),
    "accounts:admin_user_deactivate": perm("user", "edit", obj="user", methods=("POST",)),
    "accounts:admin_user_reactivate": perm("user", "edit", obj="user", methods=("POST",)),
    "accounts:admin_user_end_sessions": perm("user", "edit", obj="user", methods=("POST",)),
    "accounts:admin_team_list": perm("team", "edit"),
    "accounts:admin_team_create": perm("team", "create", methods=("GET", "POST")),
    "accounts:admin_team_edit": perm("team", "edit", obj="team", methods=("GET", "POST")),
    "accounts:admin_permissions": perm("user", "edit", methods=("GET", "POST")),
    "accounts:admin_security": perm("user", "edit", methods=("GET", "POST")),
    "POST /api/v1/users": perm("user", "create",
                               body=lambda world: {"username": "sweep_new", "password": "a-long-sweep-passphrase-1"}),
    "PATCH /api/v1/users/{user_id}": perm("user", "edit", body=lambda world: {"display_name": "Sweep"}),
    "POST /api/v1/teams": perm("team", "create", body=lambda world: {"name": "Sweep team"}),
    "PATCH /api/v1/teams/{team_id}": perm("team", "edit", body=lambda world: {"name": "North"}),
    "GET /api/v1/permissions": perm("user", "edit"),
    "PUT /api/v1/permissions/{role}/{resource}/{action}": perm("user", "edit", body=lambda world: {"scope": "own"}),
}
