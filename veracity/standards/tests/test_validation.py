import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from veracity.core.errors import ValidationFailed
from veracity.standards.services import field_rule_update, settings_update, validate_frame, validate_record

pytestmark = pytest.mark.django_db


def test_customer_values_are_normalised_before_validation():
    cleaned = validate_record("customer", {
        "name": "  字节跳动(北京)科技有限公司 ", "kind": "company", "phone": "0086 138-0013-8000",
        "email": " Info@ByteDance.COM ", "credit_code": "9111 0000 6000 3729 14", "code": "ｃ０１",
        "website": "www.bytedance.com", "country": "cn",
    })
    assert cleaned == {
        "name": "字节跳动(北京)科技有限公司", "kind": "company", "phone": "+8613800138000",
        "email": "info@bytedance.com", "credit_code": "911100006000372914", "code": "C01",
        "website": "https://www.bytedance.com", "country": "CN",
    }


def test_phones_use_the_default_country_setting_and_the_record_country():
    assert validate_record("contact", {"name": "Bob", "mobile": "(415) 555-2671"}, phone_region="US")["mobile"] \
        == "+14155552671"
    settings_update(actor=None, values={"default_region": "US"})
    assert validate_record("contact", {"name": "Bob", "mobile": "415 555 2671"})["mobile"] == "+14155552671"
    assert validate_record("customer", {"name": "X", "country": "CN", "phone": "138 0013 8000"})["phone"] \
        == "+8613800138000"


def test_year_20260_is_refused_with_a_clear_message():
    with pytest.raises(ValidationFailed) as caught:
        validate_record("order", {"order_date": "20260-03-05"}, partial=True)
    assert "1900–2100" in caught.value.fields["order_date"][0]


def test_ambiguous_dates_follow_the_setting():
    assert validate_record("order", {"order_date": "05/03/2026"}, partial=True)["order_date"] == dt.date(2026, 3, 5)
    settings_update(actor=None, values={"date_order": "MDY"})
    assert validate_record("order", {"order_date": "05/03/2026"}, partial=True)["order_date"] == dt.date(2026, 5, 3)


def test_required_fields_and_partial_updates():
    with pytest.raises(ValidationFailed) as caught:
        validate_record("product", {"name": "Sensor"})
    assert set(caught.value.fields) == {"sku", "list_price"}
    assert validate_record("product", {"name": "Sensor"}, partial=True) == {"name": "Sensor"}


def test_amount_written_with_currency_sets_or_must_match_the_record_currency():
    cleaned = validate_record("product", {"sku": "s1", "name": "S", "list_price": "US$1,299.00"})
    assert (cleaned["list_price"], cleaned["currency"]) == (Decimal("1299.00"), "USD")
    with pytest.raises(ValidationFailed) as caught:
        validate_record("product", {"sku": "s1", "name": "S", "list_price": "¥12", "currency": "USD"})
    assert "CNY" in caught.value.fields["list_price"][0]


def test_order_line_discount_must_be_between_0_and_100():
    assert validate_record("order_line", {"quantity": "2", "discount_percent": "5%"})["discount_percent"] == 5
    for bad in ("150", "-1", "5.555"):
        with pytest.raises(ValidationFailed) as caught:
            validate_record("order_line", {"quantity": "1", "discount_percent": bad})
        assert "discount_percent" in caught.value.fields


def test_task_needs_a_due_date_with_its_own_code():
    with pytest.raises(ValidationFailed) as caught:
        validate_record("activity", {"kind": "task", "subject": "Call back"})
    assert caught.value.code == "task_needs_due_date"
    assert validate_record("activity", {"kind": "task", "subject": "Call back", "due_at": "2026/3/12"})["due_at"]


def test_won_opportunity_needs_a_close_date():
    with pytest.raises(ValidationFailed) as caught:
        validate_record("opportunity", {"closed_on": ""}, partial=True, context={"stage_kind": "won"})
    assert caught.value.code == "close_date_required"
    assert validate_record("opportunity", {"closed_on": ""}, partial=True, context={"stage_kind": "open"}) == {
        "closed_on": None}


def test_company_credit_code_is_checked_and_individuals_have_none():
    with pytest.raises(ValidationFailed) as caught:
        validate_record("customer", {"name": "X", "credit_code": "91110000600037291"})
    assert "18 characters" in caught.value.fields["credit_code"][0]
    with pytest.raises(ValidationFailed) as caught:
        validate_record("customer", {"name": "王芳", "kind": "person", "credit_code": "911100006000372914"})
    assert caught.value.code == "credit_code_company_only"


def test_admin_picklist_and_required_overrides_take_effect(admin):
    field_rule_update(actor=admin, entity="contact", field="department",
                      values={"picklist_values": "purchasing | 采购部\nfinance | 财务部", "required": True})
    with pytest.raises(ValidationFailed) as caught:
        validate_record("contact", {"name": "王芳"})
    assert "department" in caught.value.fields
    with pytest.raises(ValidationFailed):
        validate_record("contact", {"name": "王芳", "department": "Marketing"})
    assert validate_record("contact", {"name": "王芳", "department": "采购部"})["department"] == "purchasing"


# --- validate_frame agrees with validate_record ----------------------------------------------------

GOOD_AND_BAD = [
    ("order_date", "2026年3月5日"), ("order_date", "20260-03-05"), ("order_date", 46086), ("order_date", "05/03/2026"),
    ("order_date", "2026-02-30"), ("currency", "rmb"), ("currency", "XXX"), ("channel", "direct"),
    ("channel", "telepathy"), ("number", "so-１"), ("notes", "  hello  "),
]


@pytest.mark.parametrize(("column", "raw"), GOOD_AND_BAD)
def test_validate_frame_agrees_with_validate_record(column, raw):
    values = {"order_date": "2026-03-05", column: raw}
    try:
        expected, expected_errors = validate_record("order", values), {}
    except ValidationFailed as error:
        expected, expected_errors = None, error.fields
    cleaned, errors = validate_frame("order", pl.DataFrame({name: [value] for name, value in values.items()},
                                                            strict=False))
    frame_errors = {}
    for row in errors.iter_rows(named=True):
        frame_errors.setdefault(row["column"], []).append(row["message"])
    assert frame_errors == expected_errors
    if expected is not None:
        assert {name: cleaned.get_column(name)[0] for name in values} == expected


def test_validate_frame_reports_row_column_value_and_message():
    frame = pl.DataFrame({"name": ["张伟", "", "李娜"], "mobile": ["138 0013 8000", "13800138000", "12345"],
                          "email": ["A@B.CN", None, "bad"]})
    cleaned, errors = validate_frame("contact", frame)
    assert cleaned.get_column("mobile").to_list() == ["+8613800138000", "+8613800138000", None]
    assert cleaned.get_column("email").to_list() == ["a@b.cn", "", None]
    assert errors.columns == ["row", "column", "value", "message"]
    assert [(row["row"], row["column"], row["value"]) for row in errors.iter_rows(named=True)] == [
        (1, "name", ""), (2, "mobile", "12345"), (2, "email", "bad")]


def test_validate_frame_checks_missing_required_columns_and_cross_rules():
    _cleaned, errors = validate_frame("activity", pl.DataFrame({"kind": ["task", "call"]}))
    assert errors.get_column("column").to_list() == ["subject", "subject"]
    _cleaned, errors = validate_frame("activity", pl.DataFrame({"kind": ["task", "call"], "subject": ["a", "b"]}))
    assert errors.rows() == [(0, "due_at", "", "A task needs a due date.")]


def test_prose_keeps_chinese_punctuation_while_names_and_codes_become_half_width():
    assert validate_record("activity", {"subject": " 首次拜访：介绍智能锁 "}, partial=True) == {"subject": "首次拜访：介绍智能锁"}
    assert validate_record("customer", {"name": "字节跳动（北京）科技有限公司"}, partial=True) == {
        "name": "字节跳动(北京)科技有限公司"}


def test_validate_frame_with_a_cache_kept_across_batches_cleans_as_a_fresh_call_does():
    """An import keeps one cache for all its batches: a value cleaned in an earlier batch is joined
    from the cache, and must come out exactly as cleaning it afresh would."""
    batches = [
        pl.DataFrame({"name": ["张伟", "", "李娜"], "mobile": ["138 0013 8000", "13800138000", "12345"],
                      "email": ["A@B.CN", None, "bad"]}),
        pl.DataFrame({"name": ["李娜", "王芳", ""], "mobile": ["12345", "138 0013 8000", None],
                      "email": ["bad", "A@B.CN", "c@d.cn"]}),
    ]
    cache = {}
    for frame in batches:
        cached = validate_frame("contact", frame, cache=cache)
        fresh = validate_frame("contact", frame)
        assert cached[0].rows() == fresh[0].rows()
        assert cached[1].rows() == fresh[1].rows()
    assert validate_frame("contact", batches[1], cache=cache)[0].get_column("mobile").to_list() == [
        None, "+8613800138000", ""]
