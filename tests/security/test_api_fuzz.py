"""T13 of SECURITY.md: requests generated from our own OpenAPI document never produce a server error,
whoever sends them. Runs in-process against the WSGI app, inside the test database."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from veracity.accounts.services import api_token_create

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


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
