import json

import pytest

pytestmark = pytest.mark.django_db


def test_api_refuses_nul_characters_in_query_parameters(api_client_for, rep_li):
    response = api_client_for(rep_li).get("/api/v1/customers", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_api_refuses_nul_characters_in_json_bodies_and_writes_nothing(api_client_for, admin):
    from veracity.catalog.models import Product

    response = api_client_for(admin).post(
        "/api/v1/products", data=json.dumps({"sku": "A\u0000B", "name": "x", "list_price": "1"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Product.objects.exists()


def test_pages_refuse_nul_characters_in_forms(web_client_for, rep_li):
    response = web_client_for(rep_li).post("/customers/new/", {"name": "Evil\x00Corp"})
    assert response.status_code == 400


def test_out_of_range_ids_are_not_found_not_server_errors(web_client_for, api_client_for, rep_li):
    huge = 2**70
    assert web_client_for(rep_li).get(f"/customers/{huge}/").status_code == 404
    assert api_client_for(rep_li).get(f"/api/v1/customers/{huge}").status_code in (404, 422)
