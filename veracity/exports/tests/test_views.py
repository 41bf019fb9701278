"""The Export dropdown, GET /exports/<entity>/ and GET /api/v1/exports/{entity}."""

import io
import json

import openpyxl
import polars as pl
import pytest

from veracity.audit.models import AuditAction, AuditEvent
from veracity.exports.tests.helpers import csv_rows, read

pytestmark = pytest.mark.django_db


def test_page_download_streams_the_lists_filtered_records_as_an_attachment(book, rep_li, web_client_for):
    response = web_client_for(rep_li).get("/exports/customers/?format=csv&lifecycle_status=lead&page=2")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="veracity-customers-')
    rows = csv_rows(read(response))
    assert [row[rows[0].index("Customer code")] for row in rows[1:]] == ["LI-1"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.extra["row_count"] == 1 and event.ip_address == "127.0.0.1"


def test_page_download_refuses_a_role_without_export_permission(book, service_sam, web_client_for):
    response = web_client_for(service_sam).get("/exports/customers/?format=csv")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor=service_sam).exists()


def test_unknown_entity_is_not_found_and_bad_filters_are_refused(rep_li, web_client_for):
    client = web_client_for(rep_li)
    assert client.get("/exports/users/").status_code == 404
    assert client.get("/exports/customers/?owner=x").status_code == 422


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/exports/customers/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_page_offers_export_with_the_current_filters(book, rep_li, web_client_for):
    page = web_client_for(rep_li).get("/customers/?lifecycle_status=lead&page=1").text
    assert "export-menu" in page
    assert "/exports/customers/?lifecycle_status=lead&amp;format=xlsx" in page
    assert "page=1&amp;format" not in page


def test_orders_page_offers_orders_and_order_lines(book, rep_li, web_client_for):
    page = web_client_for(rep_li).get("/orders/?status=confirmed").text
    assert "/exports/orders/?status=confirmed&amp;format=csv" in page
    assert "/exports/order_lines/?status=confirmed&amp;format=parquet" in page


def test_export_menu_is_hidden_without_export_permission(book, service_sam, marketing_ana, rep_li, web_client_for):
    for url in ("/customers/", "/contacts/", "/products/", "/orders/", "/opportunities/", "/activities/"):
        assert "export-menu" not in web_client_for(service_sam).get(url).text, url
        assert "export-menu" in web_client_for(marketing_ana).get(url).text, url
    assert "export-menu" not in web_client_for(rep_li).get("/products/").text  # reps may not export products


def test_api_streams_the_same_file(book, rep_li, api_client_for):
    response = api_client_for(rep_li).get("/api/v1/exports/customers?format=xlsx&q=Customer%20Ltd")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = list(openpyxl.load_workbook(io.BytesIO(read(response))).active.iter_rows(values_only=True))
    assert [row[rows[0].index("Customer code")] for row in rows[1:]] == ["LI-2"]


def test_api_parquet(book, marketing_ana, api_client_for):
    response = api_client_for(marketing_ana).get("/api/v1/exports/orders?format=parquet")
    assert response.status_code == 200
    assert pl.read_parquet(io.BytesIO(read(response))).height == 2


def test_api_refuses_without_permission_and_raw_to_non_admins(book, service_sam, marketing_ana, admin,
                                                             api_client_for):
    response = api_client_for(service_sam).get("/api/v1/exports/customers?format=csv")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = api_client_for(marketing_ana).get("/api/v1/exports/customers?format=raw")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    response = api_client_for(admin).get("/api/v1/exports/customers?format=raw")
    assert response.status_code == 200
    assert len([json.loads(line) for line in read(response).decode().splitlines()]) == 4


def test_api_refuses_unknown_entities_formats_and_filters(rep_li, api_client_for):
    client = api_client_for(rep_li)
    assert client.get("/api/v1/exports/users").status_code == 422
    assert client.get("/api/v1/exports/customers?format=pdf").status_code == 422
    response = client.get("/api/v1/exports/orders?date_from=soon")
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
