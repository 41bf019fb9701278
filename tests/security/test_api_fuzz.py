"""T13 of SECURITY.md: requests generated from our own OpenAPI document never produce a server error,
whoever sends them. Runs in-process against the WSGI app, inside the test database."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from veracity.accounts.services import api_token_create

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


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


@pytest.fixture(params=["admin", "rep_li"])
def fuzz_headers(request, db):
    user = request.getfixturevalue(request.param)
    _token, raw = api_token_create(actor=None, user=user, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.fuzz
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_never_answers_with_a_server_error(case, fuzz_headers):
    response = case.call(headers=fuzz_headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
