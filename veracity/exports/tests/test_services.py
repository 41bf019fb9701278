import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import polars as pl
import pytest

from veracity.audit.models import AuditAction, AuditEvent
from veracity.catalog.models import Product
from veracity.core.errors import NotFound, PermissionDenied, ValidationFailed
from veracity.customers.models import Customer
from veracity.exports.services import export_create
from veracity.exports.tests.helpers import csv_rows, read
from veracity.sales.tests.factories import customer_for

pytestmark = pytest.mark.django_db


def _codes(user, entity="customers", **filters) -> list[str]:
    rows = csv_rows(read(export_create(actor=user, entity=entity, filters=filters, fmt="csv")))
    index = rows[0].index("Customer code")
    return sorted(row[index] for row in rows[1:])


def test_rep_exports_only_her_own_customers(book, rep_li):
    assert _codes(rep_li) == ["LI-1", "LI-2"]


def test_export_applies_the_lists_filters(book, rep_li):
    assert _codes(rep_li, lifecycle_status="lead") == ["LI-1"]
    assert _codes(rep_li, q="Li Customer") == ["LI-2"]
    assert _codes(rep_li, q="Bob") == []  # searching cannot reach outside her scope


def test_rep_cannot_widen_her_scope_with_an_owner_filter(book, rep_li, rep_bob):
    assert _codes(rep_li, owner=str(rep_bob.pk)) == []


def test_marketing_exports_everyone_s_customers(book, marketing_ana):
    assert _codes(marketing_ana) == ["BOB-1", "BOB-2", "LI-1", "LI-2"]


def test_manager_exports_her_team_only(book, manager_mei):
    assert _codes(manager_mei) == ["LI-1", "LI-2"]


def test_service_has_no_export_permission_and_nothing_is_audited(book, service_sam):
    for entity in ("customers", "contacts", "products", "orders", "order_lines", "opportunities", "activities"):
        with pytest.raises(PermissionDenied):
            export_create(actor=service_sam, entity=entity, filters={}, fmt="csv")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_is_audited_with_entity_format_filters_and_row_count(book, rep_li):
    export = export_create(actor=rep_li, entity="customers", filters={"lifecycle_status": "lead", "page": "3"},
                           fmt="xlsx")
    read(export)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == rep_li
    assert event.object_type == "customers.customer"
    assert event.extra["entity"] == "customers"
    assert event.extra["format"] == "xlsx"
    assert event.extra["filters"] == {"lifecycle_status": "lead"}
    assert event.extra["row_count"] == 1
    assert export.stream.rows_written == 1


@pytest.mark.parametrize("entity, hidden, without_grant", [
    ("orders", {"Cost", "Margin"}, "rep_li"),
    ("order_lines", {"Unit cost"}, "rep_li"),
    ("products", {"Cost price", "Margin"}, "marketing_ana"),  # reps may not export products at all
])
def test_rep_never_sees_cost_or_margin_columns_but_a_manager_does(request, book, manager_mei, entity, hidden,
                                                                   without_grant):
    user = request.getfixturevalue(without_grant)
    rep_header = csv_rows(read(export_create(actor=user, entity=entity, filters={}, fmt="csv")))[0]
    manager_rows = csv_rows(read(export_create(actor=manager_mei, entity=entity, filters={}, fmt="csv")))
    assert hidden.isdisjoint(rep_header)
    assert hidden <= set(manager_rows[0])
    if entity == "orders":
        row = dict(zip(manager_rows[0], manager_rows[1], strict=True))
        assert (row["Cost"], row["Margin"]) == ("120.00", "80.00")


def test_rep_cost_fields_are_absent_from_every_format(book, rep_li):
    raw_keys = set()
    for fmt in ("xlsx", "parquet"):
        data = read(export_create(actor=rep_li, entity="orders", filters={}, fmt=fmt))
        if fmt == "parquet":
            raw_keys = set(pl.read_parquet(io.BytesIO(data)).columns)
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(data)).active
            assert not {"Cost", "Margin"} & {cell.value for cell in sheet[1]}
    assert raw_keys and not {"cost_total", "margin"} & raw_keys


def test_order_lines_follow_the_orders_scope_and_filters(book, rep_li, marketing_ana):
    rows = csv_rows(read(export_create(actor=rep_li, entity="order_lines", filters={}, fmt="csv")))
    assert [row[0] for row in rows[1:]] == ["SO-LI-1"]
    rows = csv_rows(read(export_create(actor=marketing_ana, entity="order_lines", filters={"q": "SO-BOB"},
                                       fmt="csv")))
    assert [row[0] for row in rows[1:]] == ["SO-BOB-1"]


def test_raw_format_is_for_administrators_only(book, rep_li, marketing_ana, manager_mei):
    for user in (rep_li, marketing_ana, manager_mei):
        with pytest.raises(PermissionDenied):
            export_create(actor=user, entity="customers", filters={}, fmt="raw")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_raw_format_round_trips_values_exactly(admin, rep_li):
    tricky = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tTAB", "\rCR", "  spaced  ", "北京 \"引号\""]
    for number, text in enumerate(tricky):
        customer_for(rep_li, code=f"R-{number}", name=text, notes=text)
    Product.objects.create(sku="P-1", name="=1+1", list_price=Decimal("1234567.89"), cost_price=Decimal("0.10"))
    data = read(export_create(actor=admin, entity="customers", filters={"sort": "code"}, fmt="raw"))
    records = [json.loads(line) for line in data.decode().splitlines()]
    assert [record["name"] for record in records] == tricky
    assert [record["notes"] for record in records] == tricky
    stored = Customer.objects.get(code="R-0")
    assert records[0]["id"] == stored.pk
    assert records[0]["lifecycle_status"] == stored.lifecycle_status  # the code, not its label
    assert dt.datetime.fromisoformat(records[0]["created_at"]) == stored.created_at
    product = json.loads(read(export_create(actor=admin, entity="products", filters={}, fmt="raw")).decode())
    assert (product["name"], product["list_price"], product["cost_price"]) == ("=1+1", "1234567.89", "0.10")


def test_malformed_filters_are_refused_not_ignored(book, rep_li):
    for filters in ({"owner": "abc"}, {"owner": "99999999999999999999999"}, {"owner": "-1"}):
        with pytest.raises(ValidationFailed) as error:
            export_create(actor=rep_li, entity="customers", filters=filters, fmt="csv")
        assert "owner" in error.value.fields
    with pytest.raises(ValidationFailed):
        export_create(actor=rep_li, entity="orders", filters={"date_from": "yesterday"}, fmt="csv")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_unknown_entity_or_format_is_refused(rep_li):
    with pytest.raises(NotFound):
        export_create(actor=rep_li, entity="users", filters={}, fmt="csv")
    with pytest.raises(ValidationFailed):
        export_create(actor=rep_li, entity="customers", filters={}, fmt="pdf")


def test_file_name_is_an_ascii_slug_with_the_date(rep_li):
    filename, _stream = export_create(actor=rep_li, entity="order_lines", filters={"q": "../../etc"}, fmt="xlsx")
    _stream.close()
    assert filename.startswith("veracity-order-lines-") and filename.endswith(".xlsx")
    assert filename.isascii() and "/" not in filename and ".." not in filename


def test_a_large_export_streams_in_a_bounded_number_of_queries(rep_li, django_assert_max_num_queries):
    Customer.objects.bulk_create([
        Customer(code=f"BULK-{n:05d}", name=f"客户{n}", owner=rep_li) for n in range(5000)
    ])
    with django_assert_max_num_queries(12):
        export = export_create(actor=rep_li, entity="customers", filters={}, fmt="csv")
        first = next(iter(export.stream))
        data = first + read(export)
    assert len(csv_rows(data)) == 5001
    assert export.stream.rows_written == 5000
