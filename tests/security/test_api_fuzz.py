"""T13 of SECURITY.md: requests generated from our own OpenAPI document, sent with every persona's
token, never produce a server error, and no answer carries a record outside the caller's scope.
Runs in-process against the WSGI app, inside the test database, over tests/security/world.py's data
(rep_li of team North owns one record of every kind; rep_bob of team South owns "C-BOB-1").

The default run keeps two examples per operation, each sent with all seven tokens (83 operations); the exhaustive variant
is marked `slow` (kept out of `make test`): `.venv/bin/pytest -m slow tests/security/test_api_fuzz.py`."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.security.world import build_world
from veracity.accounts.services import api_token_create

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

# What must never appear in an answer to each persona. Reps see only their own customers (and what
# hangs off them); a manager sees the team's. Everyone else reads everything.
LI_RECORDS = ["C-LI-1", "SO-LI-1", "字节跳动(北京)科技有限公司", "+8613800138000", "li-customer@example.com",
              "Locks for HQ"]
BOB_RECORDS = ["C-BOB-1", "Bob's customer"]
OUT_OF_SCOPE = {
    "admin": [], "marketing_ana": [], "service_sam": [], "auditor_aud": [],
    "rep_li": BOB_RECORDS, "manager_mei": BOB_RECORDS,
    "rep_bob": LI_RECORDS, "rep_lin": LI_RECORDS + BOB_RECORDS,
}
PERSONAS = list(OUT_OF_SCOPE)
SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]


@pytest.fixture(autouse=True)
def keep_the_test_transaction_open():
    """The real WSGI handler closes the database connection after each request (as in production);
    inside a test that would end the test's transaction, so keep it open while fuzzing, as Django's
    own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db, request) -> dict[str, dict]:
    """{persona: auth headers}, over the world's data. Every generated request is sent once per persona
    (one test per operation keeps the set-up cost down)."""
    people = {name: request.getfixturevalue(name) for name in PERSONAS}
    build_world(owner=people["rep_li"], other_owner=people["rep_bob"])
    headers = {}
    for name, user in people.items():
        _token, raw = api_token_create(actor=None, user=user, name="fuzz")
        headers[name] = {"Authorization": f"Bearer {raw}"}
    return headers


def check_answers(case, callers) -> None:
    for persona, headers in callers.items():
        check_answer(case, persona, headers)


def check_answer(case, persona: str, headers: dict) -> None:
    response = case.call(headers=headers)
    where = f"{persona}: {case.method} {case.formatted_path}"
    body = response.content.decode("utf-8", "replace")  # exports may answer XLSX or Parquet bytes
    assert response.status_code < 500, f"{where} -> {response.status_code}: {body[:300]}"
    if "json" in response.headers.get("Content-Type", ""):
        try:
            body = json.dumps(response.json(), ensure_ascii=False)
        except ValueError:
            pass
    leaked = [marker for marker in OUT_OF_SCOPE[persona] if marker in body]
    assert not leaked, f"{where} -> {response.status_code} shows out-of-scope records {leaked}: {body[:300]}"


@pytest.mark.fuzz
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=SUPPRESSED)
def test_api_never_errs_nor_shows_records_outside_the_callers_scope(case, callers):
    check_answers(case, callers)


@pytest.mark.fuzz
@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=SUPPRESSED)
def test_api_never_errs_nor_leaks_exhaustive(case, callers):
    check_answers(case, callers)
