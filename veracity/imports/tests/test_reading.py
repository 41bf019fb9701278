import io

import pytest
from django.test import override_settings

from veracity.imports.errors import ImportFileRejected
from veracity.imports.mapping import header_key, mapping_check, mapping_suggest
from veracity.imports.reading import check_size, rows_estimate, table_open
from veracity.imports.tests.helpers import csv_bytes, xlsx_bytes

ROWS = [["客户名称", "手机"], ["华为技术有限公司", "13800138000"], ["字节跳动", "13900139000"]]


@pytest.mark.parametrize(("encoding", "detected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                    ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_chinese_csv_is_read_without_garbling_in_every_encoding(encoding, detected):
    table = table_open(io.BytesIO(csv_bytes(ROWS, encoding)))
    assert table.encoding == detected
    assert table.headers == ["客户名称", "手机"]
    assert [list(row.values) for row in table.rows()] == ROWS[1:]


def test_xlsx_first_or_chosen_sheet_with_dates_as_dates():
    import datetime as dt

    data = xlsx_bytes([["x"], ["1"]], extra_sheets={"订单": [["下单日期", "数量"], [dt.datetime(2026, 3, 5), 2.0]]})
    table = table_open(io.BytesIO(data), sheet="订单")
    assert [row.values for row in table.rows()] == [(dt.date(2026, 3, 5), 2)]
    assert table_open(io.BytesIO(data)).headers == ["x"]


@pytest.mark.parametrize(("data", "code"), [
    (b"", "file_empty"),
    (csv_bytes([["name", "phone"]]), "file_header_only"),
    (b"\x00\x01\x02binary\xff\xfe\x00garbage" * 10, "file_unreadable"),
    (b"PK\x03\x04not really a zip", "file_unreadable"),
    (csv_bytes([["name", "Name"], ["a", "b"]]), "duplicate_headers"),
])
def test_unusable_files_are_refused_with_a_clear_code(data, code):
    with pytest.raises(ImportFileRejected) as caught:
        table_open(io.BytesIO(data))
    assert caught.value.code == code


@override_settings(VERACITY_IMPORT_MAX_BYTES=1024 * 1024)
def test_files_over_the_size_limit_are_refused():
    with pytest.raises(ImportFileRejected) as caught:
        check_size(2 * 1024 * 1024)
    assert caught.value.code == "file_too_large" and "1.0 MB" in caught.value.message


def test_headers_match_in_chinese_english_full_width_and_any_case():
    headers = ["客户编号", "CUSTOMER NAME", "ｅｍａｉｌ", "手机", "统一社会信用代码", "Unknown"]
    mapping = mapping_suggest("customers", headers)
    assert mapping == {"客户编号": "customer_code", "CUSTOMER NAME": "name", "ｅｍａｉｌ": "email", "手机": "phone",
                       "统一社会信用代码": "credit_code", "Unknown": ""}
    assert header_key(" Customer_Name* ") == "customername"


def test_missing_required_columns_are_refused():
    with pytest.raises(ImportFileRejected) as caught:
        mapping_check("orders", ["订单号", "数量"], mapping_suggest("orders", ["订单号", "数量"]))
    assert caught.value.code == "missing_headers"
    assert set(caught.value.detail["missing"]) == {"order_date", "sku"}


@pytest.mark.parametrize(("data", "expected"), [
    ("客户编号,客户名称\r\nC-1,华为\r\nC-2,字节跳动\r\n".encode("gbk"), 2),
    (b"code,name\nC-1,A\nC-2,B", 2),  # no line break after the last row
    (b"code,name\n", 0),
    (b"", 0),
], ids=["gbk-crlf", "no-final-break", "header-only", "empty"])
def test_the_row_estimate_counts_line_breaks_less_the_header(data, expected):
    stream = io.BytesIO(data)
    stream.seek(5 if data else 0)
    assert rows_estimate(stream, kind="csv") == expected
    assert stream.tell() == 0  # rewound for whoever reads it next


def test_the_row_estimate_of_a_workbook_is_its_sheets_size_less_the_header():
    data = xlsx_bytes([["code", "name"], ["C-1", "A"], ["C-2", "B"], ["C-3", "C"]], extra_sheets={"Other": [["x"]]})
    assert rows_estimate(io.BytesIO(data), kind="xlsx") == 3
    assert rows_estimate(io.BytesIO(data), kind="xlsx", sheet="Other") == 0
