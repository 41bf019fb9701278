"""The default entry standards, as data: for each entity, each field's type, whether it is required,
its limits, how it is normalised and what help people see; and the rules that span fields.

Administrators can override `required`, the picklist and the help text (`FieldRule` rows); everything
else lives here. Lengths and the default picklists come from the model field (looked up by name
through the app registry, so no import goes upward), so a rule never disagrees with the database."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Field types. Each has one cleaner in standards.validation.
TEXT, MULTILINE, PHONE, EMAIL, DATE, DATETIME = "text", "multiline", "phone", "email", "date", "datetime"
MONEY, DECIMAL, INTEGER, CHOICE, CREDIT_CODE = "money", "decimal", "integer", "choice", "credit_code"
CURRENCY, URL, COUNTRY, BOOLEAN = "currency", "url", "country", "boolean"

TYPE_LABELS: dict[str, Promise] = {
    TEXT: _("text"), MULTILINE: _("text (several lines)"), PHONE: _("phone number"), EMAIL: _("email address"),
    DATE: _("date"), DATETIME: _("date and time"), MONEY: _("amount"), DECIMAL: _("number"),
    INTEGER: _("whole number"), CHOICE: _("one of a list"), CREDIT_CODE: _("unified social credit code"),
    CURRENCY: _("currency code"), URL: _("web address"), COUNTRY: _("country code"), BOOLEAN: _("yes / no"),
}
# What the normaliser does, shown on the guide: (what people type, what is stored).
NORMALISATION_EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    TEXT: (("ＡＢＣ１２３  有限公司", "ABC123 有限公司"),),
    PHONE: (("138 0013 8000", "+8613800138000"), ("0086-138-0013-8000", "+8613800138000"),
            ("+1 (415) 555-2671", "+14155552671")),
    EMAIL: ((" Wang.Fang@Example.COM ", "wang.fang@example.com"),),
    DATE: (("2026/3/5", "2026-03-05"), ("2026年3月5日", "2026-03-05"), ("2026.3.5", "2026-03-05"),
           ("46086", "2026-03-05"), ("05/03/2026", "2026-03-05")),
    DATETIME: (("2026-03-05 14:30", "2026-03-05 14:30"), ("2026年3月5日", "2026-03-05 00:00")),
    MONEY: (("¥1,234.50", "1234.50 CNY"), ("￥1，234.50", "1234.50 CNY"), ("US$12", "12.00 USD"),
            ("1234.5元", "1234.50 CNY")),
    DECIMAL: (("１２.５", "12.5"),),
    INTEGER: (("1,200", "1200"),),
    CREDIT_CODE: (("9111 0000 6000 3729 14", "911100006000372914"),),
    CURRENCY: (("rmb", "CNY"), ("usd", "USD")),
    URL: (("www.example.com", "https://www.example.com"),),
    COUNTRY: (("cn", "CN"),),
}


@dataclass(frozen=True)
class FieldSpec:
    """One field's default standard."""

    name: str
    type: str
    required: bool = False
    help_text: Promise | str = ""
    example: str = ""
    upper: bool = False               # text stored in capitals (codes, SKUs)
    half_width: bool = True           # False for prose: keep Chinese punctuation such as ： and （）
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    min_exclusive: bool = False       # quantity > 0 rather than >= 0
    decimal_places: int | None = None
    default: Any = None               # stored when the field is given empty
    auto: bool = False                # the service fills it in when it is empty (codes, numbers)


@dataclass(frozen=True)
class CrossRule:
    """A rule over several fields. `check(view)` gets the record as it would be after the write (the
    instance's values overlaid with the cleaned input, plus `context`) and returns {field: message}."""

    code: str
    fields: tuple[str, ...]
    description: Promise
    check: Callable[[Mapping[str, Any]], dict[str, str]]


@dataclass(frozen=True)
class EntitySpec:
    name: str
    label: Promise
    model: str                        # "app_label.ModelName"
    fields: tuple[FieldSpec, ...]
    cross_rules: tuple[CrossRule, ...] = field(default=())

    def field(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)


# --- cross-field rules ------------------------------------------------------------------------

def _individual_has_no_credit_code(view: Mapping[str, Any]) -> dict[str, str]:
    if view.get("kind") == "person" and view.get("credit_code"):
        return {"credit_code": _("Only companies have a unified social credit code; leave it empty for an "
                                 "individual.")}
    return {}


def _closed_opportunity_has_close_date(view: Mapping[str, Any]) -> dict[str, str]:
    if view.get("stage_kind") in ("won", "lost") and not view.get("closed_on"):
        return {"closed_on": _("A won or lost opportunity needs a close date.")}
    return {}


def _task_has_due_date(view: Mapping[str, Any]) -> dict[str, str]:
    if view.get("kind") == "task" and not view.get("due_at"):
        return {"due_at": _("A task needs a due date.")}
    return {}


_MONEY_MAX = Decimal("999999999999.99")
ZERO = Decimal("0")

ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec for spec in (
        EntitySpec("customer", _("Customer"), "customers.Customer", (
            FieldSpec("code", TEXT, upper=True, auto=True, example="C000123",
                      help_text=_("Leave empty to generate one such as C000123. It survives imports and merges.")),
            FieldSpec("kind", CHOICE, required=True, default="company"),
            FieldSpec("name", TEXT, required=True, example="字节跳动(北京)科技有限公司",
                      help_text=_("The registered company name, or the person's full name.")),
            FieldSpec("credit_code", CREDIT_CODE, example="911100006000372914",
                      help_text=_("统一社会信用代码: 18 characters, for companies registered in China. Checked.")),
            FieldSpec("industry", CHOICE),
            FieldSpec("size", CHOICE),
            FieldSpec("source", CHOICE),
            FieldSpec("lifecycle_status", CHOICE, default="lead"),
            FieldSpec("phone", PHONE, example="+8610 8888 6666",
                      help_text=_("Any usual format: 138 0013 8000, +86 138-0013-8000, (010) 6255 1234.")),
            FieldSpec("email", EMAIL, example="info@example.com"),
            FieldSpec("website", URL, example="www.example.com"),
            FieldSpec("country", COUNTRY, default="CN", example="CN",
                      help_text=_("Two-letter country code, e.g. CN. Phone numbers without +country use it.")),
            FieldSpec("province", TEXT, example="北京市"),
            FieldSpec("city", TEXT, example="北京市"),
            FieldSpec("district", TEXT, example="海淀区"),
            FieldSpec("address_line", TEXT, example="中关村大街1号"),
            FieldSpec("postal_code", TEXT, example="100080"),
            FieldSpec("notes", MULTILINE),
        ), (
            CrossRule("credit_code_company_only", ("kind", "credit_code"),
                      _("Only companies have a unified social credit code (18 characters, checked)."),
                      _individual_has_no_credit_code),
        )),
        EntitySpec("contact", _("Contact"), "customers.Contact", (
            FieldSpec("name", TEXT, required=True, example="王芳"),
            FieldSpec("title", TEXT, example="采购经理"),
            FieldSpec("department", TEXT, example="采购部"),
            FieldSpec("phone", PHONE, example="010-8888 6666"),
            FieldSpec("mobile", PHONE, example="138 0013 8000"),
            FieldSpec("email", EMAIL, example="wang.fang@example.com"),
            FieldSpec("wechat", TEXT, example="wangfang_88"),
            FieldSpec("is_primary", BOOLEAN, default=False),
            FieldSpec("notes", MULTILINE),
        )),
        EntitySpec("product", _("Product"), "catalog.Product", (
            FieldSpec("sku", TEXT, required=True, upper=True, example="PRD-001"),
            FieldSpec("name", TEXT, required=True, half_width=False, example="工业传感器 S1"),
            FieldSpec("unit", CHOICE, default="pcs"),
            FieldSpec("list_price", MONEY, required=True, min_value=ZERO, max_value=_MONEY_MAX, decimal_places=2,
                      example="¥1,299.00"),
            FieldSpec("cost_price", MONEY, min_value=ZERO, max_value=_MONEY_MAX, decimal_places=2, example="860.00"),
            FieldSpec("currency", CURRENCY, default="CNY", example="CNY"),
            FieldSpec("is_active", BOOLEAN, default=True),
            FieldSpec("description", MULTILINE),
        )),
        EntitySpec("order", _("Order"), "sales.Order", (
            FieldSpec("number", TEXT, upper=True, auto=True, example="SO-2026-0001",
                      help_text=_("Leave empty to number it automatically (SO-YYYYMM-NNNNN).")),
            FieldSpec("order_date", DATE, required=True, example="2026-03-05"),
            FieldSpec("status", CHOICE),
            FieldSpec("channel", CHOICE, default="direct"),
            FieldSpec("region", CHOICE),
            FieldSpec("currency", CURRENCY, default="CNY", example="CNY"),
            FieldSpec("notes", MULTILINE),
        )),
        EntitySpec("order_line", _("Order line"), "sales.OrderLine", (
            FieldSpec("quantity", DECIMAL, required=True, min_value=ZERO, min_exclusive=True,
                      max_value=Decimal("99999999999.999"), decimal_places=3, example="2"),
            FieldSpec("unit_price", MONEY, auto=True, min_value=ZERO, max_value=_MONEY_MAX, decimal_places=2, example="1299.00",
                      help_text=_("Left empty, the product's list price is used.")),
            FieldSpec("discount_percent", DECIMAL, min_value=ZERO, max_value=Decimal("100"), decimal_places=2,
                      default=Decimal("0"), example="5", help_text=_("Between 0 and 100.")),
            FieldSpec("description", TEXT, half_width=False),
            FieldSpec("currency", CURRENCY, auto=True, example="CNY", help_text=_("Must be the order's currency.")),
        )),
        EntitySpec("opportunity", _("Opportunity"), "pipeline.Opportunity", (
            FieldSpec("name", TEXT, required=True, half_width=False, example="2026 年度传感器采购"),
            FieldSpec("amount", MONEY, min_value=ZERO, max_value=Decimal("99999999999999.99"), decimal_places=2,
                      default=Decimal("0"), example="¥250,000"),
            FieldSpec("currency", CURRENCY, default="CNY", example="CNY"),
            FieldSpec("expected_close_date", DATE, example="2026-06-30"),
            FieldSpec("closed_on", DATE, example="2026-06-30"),
            FieldSpec("lost_reason", CHOICE),
            FieldSpec("lost_note", TEXT, half_width=False),
            FieldSpec("description", MULTILINE),
        ), (
            CrossRule("close_date_required", ("closed_on",),
                      _("A won or lost opportunity needs a close date."), _closed_opportunity_has_close_date),
        )),
        EntitySpec("activity", _("Activity"), "activities.Activity", (
            FieldSpec("kind", CHOICE, required=True),
            FieldSpec("subject", TEXT, required=True, half_width=False, example="拜访：采购部"),
            FieldSpec("body", MULTILINE),
            FieldSpec("occurred_at", DATETIME, example="2026-03-05 14:30"),
            FieldSpec("due_at", DATETIME, example="2026-03-12 10:00", help_text=_("Required for tasks.")),
            FieldSpec("duration_minutes", INTEGER, min_value=ZERO, max_value=Decimal(24 * 60), example="45"),
            FieldSpec("location", TEXT, half_width=False, example="北京市海淀区"),
            FieldSpec("outcome", TEXT, half_width=False),
        ), (
            CrossRule("task_needs_due_date", ("kind", "due_at"), _("A task needs a due date."), _task_has_due_date),
        )),
    )
}
