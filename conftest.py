"""Shared test personas and clients. Named people make ownership tests read like the rules:

- admin          — administrator
- manager_mei    — sales manager of team North
- rep_li         — sales rep in team North (reports to Mei)
- rep_lin        — another sales rep in team North
- rep_bob        — sales rep in team South (must never see North's records)
- marketing_ana  — marketing (reads everything, writes nothing)
- service_sam    — customer service (reads everything, logs activities, cannot edit orders)
- auditor_aud    — auditor (reads everything including the audit trail)
"""

import pytest
from django.test import Client
from django.utils import translation

from veracity.accounts.models import RoleCode
from veracity.accounts.services import api_token_create
from veracity.accounts.tests.factories import TEST_PASSWORD, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def english_unless_a_test_asks_otherwise():
    """LocaleMiddleware leaves the last request's language active in the thread; start each test in
    English and restore afterwards, so a Chinese-page test cannot change later tests' messages."""
    with translation.override("en"):
        yield


# Reference data that migrations seed: the roles and permission matrix, and the pipeline stages.
REFERENCE_DATA_MIGRATIONS = [
    "veracity.accounts.migrations.0002_default_roles_and_permissions",
    "veracity.accounts.migrations.0004_grants_for_standards_imports_backups_jobs",
    "veracity.accounts.migrations.0007_grants_for_quality_analytics_marketing_service",
    "veracity.pipeline.migrations.0002_default_stages",
]


def _uses_transactions(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    return bool((marker and marker.kwargs.get("transaction")) or "transactional_db" in names or "live_server" in names)


def _uses_database(request) -> bool:
    names = request.fixturenames
    return bool(request.node.get_closest_marker("django_db") or "db" in names or _uses_transactions(request))


@pytest.fixture(autouse=True)
def reference_data(request):
    """Tests that run with real transactions (the browser tests' live server) flush the database
    afterwards, taking the migration-seeded reference data with it for whatever runs next on that
    worker. Seed it again, with the migrations' own functions, whenever it is missing."""
    if not _uses_database(request):
        return
    request.getfixturevalue("transactional_db" if _uses_transactions(request) else "db")
    from importlib import import_module

    from django.apps import apps

    from veracity.accounts.models import RolePermission

    if RolePermission.objects.exists():
        return
    for module in REFERENCE_DATA_MIGRATIONS:
        migration = import_module(module)
        (getattr(migration, "seed", None) or migration.grant)(apps, None)


@pytest.fixture
def team_north(db):
    return TeamFactory(name="North")


@pytest.fixture
def team_south(db):
    return TeamFactory(name="South")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", roles=[RoleCode.ADMIN])


@pytest.fixture
def manager_mei(db, team_north):
    user = UserFactory(username="manager_mei", display_name="Mei Wang", roles=[RoleCode.SALES_MANAGER], team=team_north)
    team_north.manager = user
    team_north.save()
    return user


@pytest.fixture
def rep_li(db, team_north, manager_mei):
    return UserFactory(username="rep_li", display_name="李雷", roles=[RoleCode.SALES_REP], team=team_north)


@pytest.fixture
def rep_lin(db, team_north):
    return UserFactory(username="rep_lin", display_name="林芳", roles=[RoleCode.SALES_REP], team=team_north)


@pytest.fixture
def rep_bob(db, team_south):
    return UserFactory(username="rep_bob", display_name="Bob Smith", roles=[RoleCode.SALES_REP], team=team_south)


@pytest.fixture
def marketing_ana(db):
    return UserFactory(username="marketing_ana", roles=[RoleCode.MARKETING])


@pytest.fixture
def service_sam(db):
    return UserFactory(username="service_sam", roles=[RoleCode.SERVICE])


@pytest.fixture
def auditor_aud(db):
    return UserFactory(username="auditor_aud", roles=[RoleCode.AUDITOR])


@pytest.fixture
def web_client_for():
    """web_client_for(user) -> a Django test client logged in as `user` (CSRF checks on)."""

    def make(user) -> Client:
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client_for():
    """api_client_for(user) -> a client sending `user`'s bearer token on every request."""

    def make(user) -> Client:
        _token, raw = api_token_create(actor=None, user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


@pytest.fixture
def password():
    return TEST_PASSWORD
