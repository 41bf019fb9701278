"""Canonical columns of each importable entity, their English and Chinese synonyms, and matching a
file's headers to them (case, spaces, punctuation and full-width forms do not matter)."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from veracity.core.normalisation import to_half_width
from veracity.imports.errors import ImportFileRejected


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = field(default_factory=tuple)


def _c(name, label, *synonyms, required=False) -> Column:
    return Column(name, label, required, synonyms)


_CUSTOMER_CODE = ("customer code", "customer id", "customer no", "客户编号", "客户编码", "客户代码", "客户号")
_CUSTOMER_NAME = ("customer", "customer name", "company", "company name", "客户名称", "客户", "客户名", "公司名称", "公司")
_PHONE = ("phone", "telephone", "tel", "mobile", "手机", "电话", "手机号", "手机号码", "联系电话", "电话号码")
_CAMPAIGN_CODE = ("campaign", "campaign id", "utm campaign", "活动编码", "活动代码", "活动编号", "营销活动", "营销活动编码")
_EMAIL = ("email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件", "邮件")

ENTITY_COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": (
        _c("customer_code", gettext_lazy("Customer code"), *_CUSTOMER_CODE, "code", "编号"),
        _c("name", gettext_lazy("Name"), *_CUSTOMER_NAME, "name", "名称", "姓名", required=True),
        _c("kind", gettext_lazy("Kind (company or person)"), "type", "customer type", "类型", "客户类型"),
        _c("phone", gettext_lazy("Phone"), *_PHONE),
        _c("email", gettext_lazy("Email"), *_EMAIL),
        _c("province", gettext_lazy("Province"), "state", "省份", "省"),
        _c("city", gettext_lazy("City"), "城市", "市"),
        _c("address", gettext_lazy("Address"), "address line", "street", "地址", "详细地址"),
        _c("industry", gettext_lazy("Industry"), "行业", "所属行业"),
        _c("owner", gettext_lazy("Owner"), "account owner", "负责人", "客户负责人", "归属人"),
        _c("credit_code", gettext_lazy("Unified social credit code"), "credit code", "uscc",
           "统一社会信用代码", "信用代码", "社会信用代码"),
        _c("campaign_code", gettext_lazy("Campaign code"), *_CAMPAIGN_CODE),
    ),
    "contacts": (
        _c("customer_code", gettext_lazy("Customer code"), *_CUSTOMER_CODE, required=True),
        _c("name", gettext_lazy("Name"), "contact", "contact name", "联系人", "姓名", "联系人姓名", required=True),
        _c("title", gettext_lazy("Job title"), "job title", "职位", "职务"),
        _c("department", gettext_lazy("Department"), "部门"),
        _c("phone", gettext_lazy("Phone"), "phone", "telephone", "tel", "电话", "座机"),
        _c("mobile", gettext_lazy("Mobile"), "mobile", "cell", "手机", "手机号", "手机号码"),
        _c("email", gettext_lazy("Email"), *_EMAIL),
        _c("wechat", gettext_lazy("WeChat ID"), "wechat", "weixin", "微信", "微信号"),
    ),
    "products": (
        _c("sku", gettext_lazy("SKU"), "sku", "product code", "item code", "产品编码", "产品编号", "商品编码", "物料编码",
           required=True),
        _c("name", gettext_lazy("Name"), "product", "product name", "产品名称", "商品名称", "品名", "名称", required=True),
        _c("list_price", gettext_lazy("List price"), "price", "list price", "unit price", "价格", "单价", "标价", "售价"),
        _c("currency", gettext_lazy("Currency"), "币种", "货币"),
        _c("unit", gettext_lazy("Unit"), "uom", "单位"),
        _c("category", gettext_lazy("Category"), "类别", "分类", "产品类别"),
        _c("description", gettext_lazy("Description"), "描述", "说明", "备注"),
    ),
    "orders": (
        _c("order_number", gettext_lazy("Order number"), "order no", "order id", "order", "订单号", "订单编号", "单号",
           required=True),
        _c("order_date", gettext_lazy("Order date"), "date", "下单日期", "订单日期", "日期", required=True),
        _c("customer_code", gettext_lazy("Customer code"), *_CUSTOMER_CODE),
        _c("customer_name", gettext_lazy("Customer name"), *_CUSTOMER_NAME),
        _c("phone", gettext_lazy("Phone"), *_PHONE),
        _c("email", gettext_lazy("Email"), *_EMAIL),
        _c("region", gettext_lazy("Region"), "区域", "大区", "地区"),
        _c("sku", gettext_lazy("SKU"), "product code", "产品编码", "产品编号", "商品编码", required=True),
        _c("product_name", gettext_lazy("Product name"), "product", "产品名称", "商品名称", "品名"),
        _c("quantity", gettext_lazy("Quantity"), "qty", "数量", required=True),
        _c("unit_price", gettext_lazy("Unit price"), "price", "单价", "价格"),
        _c("currency", gettext_lazy("Currency"), "币种", "货币"),
        _c("salesperson", gettext_lazy("Salesperson"), "sales rep", "sales", "销售员", "销售", "业务员", "销售人员"),
        _c("channel", gettext_lazy("Channel"), "渠道", "销售渠道"),
        _c("campaign_code", gettext_lazy("Campaign code"), *_CAMPAIGN_CODE),
        _c("discount", gettext_lazy("Discount %"), "discount percent", "折扣", "折扣率"),
    ),
    "opportunities": (
        _c("customer_code", gettext_lazy("Customer code"), *_CUSTOMER_CODE, required=True),
        _c("name", gettext_lazy("Name"), "opportunity", "opportunity name", "商机", "商机名称", "机会名称", required=True),
        _c("amount", gettext_lazy("Amount"), "value", "金额", "预计金额"),
        _c("currency", gettext_lazy("Currency"), "币种", "货币"),
        _c("expected_close_date", gettext_lazy("Expected close date"), "close date", "预计成交日期", "预计签单日期"),
        _c("description", gettext_lazy("Description"), "描述", "说明", "备注"),
        _c("campaign_code", gettext_lazy("Campaign code"), *_CAMPAIGN_CODE),
    ),
    "activities": (
        _c("customer_code", gettext_lazy("Customer code"), *_CUSTOMER_CODE, required=True),
        _c("kind", gettext_lazy("Kind"), "type", "activity type", "类型", "活动类型", required=True),
        _c("subject", gettext_lazy("Subject"), "title", "主题", "标题", required=True),
        _c("body", gettext_lazy("Notes"), "notes", "description", "内容", "备注", "详情"),
        _c("occurred_at", gettext_lazy("Date"), "date", "occurred", "日期", "时间", "发生时间"),
        _c("location", gettext_lazy("Location"), "地点"),
        _c("outcome", gettext_lazy("Outcome"), "result", "结果"),
    ),
}
ENTITY_LABELS = {
    "customers": gettext_lazy("Customers"),
    "contacts": gettext_lazy("Contacts"),
    "products": gettext_lazy("Products"),
    "orders": gettext_lazy("Order lines"),
    "opportunities": gettext_lazy("Opportunities"),
    "activities": gettext_lazy("Activities"),
}
ENTITIES = tuple(ENTITY_COLUMNS)
_NOISE = re.compile(r"[\s_\-.:：*（）()\[\]【】/\\#]+")


def header_key(text: str) -> str:
    """"  Customer_Name* ", "CUSTOMER NAME", "ｃｕｓｔｏｍｅｒ　ｎａｍｅ" -> "customername"."""
    return _NOISE.sub("", to_half_width(str(text or ""))).casefold()


def columns_for(entity: str) -> tuple[Column, ...]:
    return ENTITY_COLUMNS[entity]


def _synonym_index(entity: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in ENTITY_COLUMNS[entity]:
        for text in (column.name, *column.synonyms):
            index.setdefault(header_key(text), column.name)
    return index


def mapping_suggest(entity: str, headers: list[str], *, saved: dict[str, str] | None = None) -> dict[str, str]:
    """{header: canonical column or ""}. A saved mapping wins; each column is used at most once."""
    index = _synonym_index(entity)
    known = {column.name for column in ENTITY_COLUMNS[entity]}
    saved_by_key = {header_key(header): column for header, column in (saved or {}).items() if column in known}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        key = header_key(header)
        column = saved_by_key.get(key) or index.get(key, "")
        if column in used:
            column = ""
        mapping[header] = column
        if column:
            used.add(column)
    return mapping


def mapping_check(entity: str, headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """The mapping restricted to these headers, refused when a required column is missing or one column
    is chosen twice."""
    known = {column.name for column in ENTITY_COLUMNS[entity]}
    clean = {header: (mapping.get(header) or "") for header in headers}
    unknown = sorted({column for column in clean.values() if column and column not in known})
    if unknown:
        raise ImportFileRejected(_("Unknown columns in the mapping: %(names)s.") % {"names": ", ".join(unknown)},
                                 code="mapping_invalid")
    chosen = [column for column in clean.values() if column]
    twice = sorted({column for column in chosen if chosen.count(column) > 1})
    if twice:
        raise ImportFileRejected(
            _("Each column can be chosen once; chosen more than once: %(names)s.") % {"names": ", ".join(twice)},
            code="mapping_invalid")
    missing = [column for column in ENTITY_COLUMNS[entity] if column.required and column.name not in chosen]
    if missing:
        raise ImportFileRejected(
            _("Required columns are missing: %(names)s.") % {"names": ", ".join(str(c.label) for c in missing)},
            code="missing_headers", detail={"missing": [column.name for column in missing]})
    return clean
