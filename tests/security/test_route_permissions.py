"""T6 of SECURITY.md: walk every URL and API operation; each must have a policy, refuse anonymous
callers, refuse users without the permission, hide records outside the caller's scope, and change
nothing when it refuses."""

import json

import pytest

from tests.security.policy import POLICY, Rule
from tests.security.routes import Route, all_routes
from tests.security.world import World, build_world, data_fingerprint
from veracity.accounts.access import access_scope, forget_cached_access
from veracity.accounts.services import api_token_create

ROUTES = all_routes()
PERSONAS = ["admin", "manager_mei", "rep_li", "rep_lin", "rep_bob", "marketing_ana", "service_sam", "auditor_aud"]
# The API's own documentation pages are public by design (they describe, they hold no data).
DOCUMENTATION = {"api:openapi-json", "api:openapi-view"}
ALIASES = {"view_id": "saved_view", "name": "schedule"}
# Ids for the accounts administration routes (tests/security/policies/accounts_admin.py).
ACCOUNT_IDS = {"role": "sales_rep", "resource": "customer", "action": "view"}


def test_every_route_has_a_permission_policy():
    missing = sorted(route.key for route in ROUTES if route.key not in POLICY and route.key not in DOCUMENTATION)
    assert missing == [], "Routes without a permission policy in tests/security/policy.py"


def test_policy_names_no_route_that_does_not_exist():
    keys = {route.key for route in ROUTES}
    assert sorted(set(POLICY) - keys) == []


def _url(route: Route, rule: Rule, world: World) -> str:
    ids = {**world.ids(), **ACCOUNT_IDS, "user": world.sweep_target.pk, "team": world.sweep_target.team_id,
           **(rule.path_params or {})}
    values = {}
    for name in route.params:
        if name == "pk":
            values[name] = ids[rule.obj]
        else:
            values[name] = ids[ALIASES.get(name, name.removesuffix("_pk").removesuffix("_id"))]
    return route.path.format(**values)


def _methods(route: Route, rule: Rule) -> tuple[str, ...]:
    return (route.method,) if route.kind == "api" else rule.methods


def _request(client, route: Route, rule: Rule, world: World, method: str):
    url = _url(route, rule, world)
    if route.kind == "api":
        body = rule.body(world) if rule.body else None
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        return getattr(client, method.lower())(url, **kwargs)
    return getattr(client, method.lower())(url, rule.body(world) if rule.body else {})


@pytest.fixture
def personas(request, admin, manager_mei, rep_li, rep_lin, rep_bob, marketing_ana, service_sam, auditor_aud):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def world(personas) -> World:
    world = build_world(owner=personas["rep_li"], other_owner=personas["rep_bob"])
    # A spare user for the administration routes to change, so no persona is deactivated mid-sweep.
    from veracity.accounts.tests.factories import UserFactory

    world.sweep_target = UserFactory(username="sweep_target", team=personas["rep_li"].team)
    return world


def _client(kind, user, web_client_for):
    if kind == "api":
        _token, raw = api_token_create(actor=None, user=user, name="sweep")
        from django.test import Client

        return Client(headers={"Authorization": f"Bearer {raw}"})
    return web_client_for(user)


def _allowed(user, rule: Rule) -> bool:
    if rule.kind in ("public", "login"):
        return True
    forget_cached_access(user)
    return access_scope(user, rule.resource, rule.action) is not None


def _reaches_owned_object(name: str, user, rule: Rule) -> bool:
    """Whether `user` may reach a record owned by rep_li (team North) under this rule."""
    if not rule.owned:
        return True
    if rule.kind == "login":  # personal things (tokens, saved views): only their owner
        return name == "rep_li"
    scope = access_scope(user, rule.resource, rule.action)
    if scope is None:
        return False
    if scope == 3:
        return True
    if scope == 2:
        return name in ("rep_li", "rep_lin", "manager_mei")
    return name == "rep_li"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.key in POLICY and POLICY[r.key].kind != "public"],
                         ids=lambda r: r.key)
def test_anonymous_callers_are_refused(route, world, client):
    rule = POLICY[route.key]
    before = data_fingerprint()
    for method in _methods(route, rule):
        response = _request(client, route, rule, world, method)
        if route.kind == "api":
            assert response.status_code == 401, (method, response.status_code)
        else:
            assert response.status_code == 302 and "/login/" in response["Location"], (method, response.status_code)
    assert data_fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.key in POLICY and POLICY[r.key].kind != "public"],
                         ids=lambda r: r.key)
def test_each_persona_gets_exactly_what_the_matrix_grants(route, world, personas, web_client_for):
    rule = POLICY[route.key]
    for name, user in personas.items():
        client = _client(route.kind, user, web_client_for)
        allowed = _allowed(user, rule) and _reaches_owned_object(name, user, rule)
        for method in _methods(route, rule):
            before = data_fingerprint()
            response = _request(client, route, rule, world, method)
            if not allowed:
                # A record named in the body (not the URL) may be refused as an invalid choice.
                refused = (403, 404, 422) if rule.owned and not route.params else (403, 404)
                assert response.status_code in refused, (name, method, response.status_code)
                assert data_fingerprint() == before, (name, method, "a refused request changed data")
            elif method == "GET":
                assert response.status_code < 400, (name, method, response.status_code)
