"""Global search: one box that finds customers, contacts, orders, opportunities and products by
what people actually type — a name in Chinese or pinyin (full or initials), a code, an email or a
phone number in any format. Every group is permission-scoped; a group the user may not view is
left out entirely."""

import re
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import can, scoped
from veracity.accounts.models import Action, Resource
from veracity.catalog.models import Product
from veracity.customers.models import Contact, Customer
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order

MIN_DIGITS = 3
_PHONE_LIKE = re.compile(r"^[\d\s+\-().]+$")
_LATIN = re.compile(r"^[A-Za-z\s']+$")
_PHONE_PUNCTUATION = (" ", "-", "+", "(", ")", ".")


@dataclass
class SearchHit:
    label: str
    sublabel: str = ""
    url: str | None = None


@dataclass
class SearchGroup:
    key: str
    label: str
    items: list[SearchHit] = field(default_factory=list)


def reverse_or_none(name: str, *args) -> str | None:
    """A URL, or None while the page it names is not installed (other apps land independently)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def phone_digit_variants(query: str) -> list[str]:
    """The digit strings to look for when the query looks like (part of) a phone number:
    "+86 138-0013-8000", "0086 13800138000" and "13800138000" all find "+8613800138000"."""
    text = query.strip()
    if not _PHONE_LIKE.match(text):
        return []
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_DIGITS:
        return []
    variants = [digits]
    if digits.startswith("00") and len(digits) > 11:  # international prefix: 0086 138…
        digits = digits[2:]
        variants.append(digits)
    if digits.startswith("86") and len(digits) > 11:
        variants.append(digits[2:])  # stored without the country code
    return variants


def _digits_only(field_name: str):
    expression = F(field_name)
    for character in _PHONE_PUNCTUATION:
        expression = Replace(expression, Value(character), Value(""))
    return expression


def _phone_q(queryset: QuerySet, fields: tuple[str, ...], variants: list[str]) -> tuple[QuerySet, Q]:
    condition = Q(pk__in=[])
    for name in fields:
        alias = f"{name}_digits"
        queryset = queryset.alias(**{alias: _digits_only(name)})
        for digits in variants:
            condition |= Q(**{f"{alias}__contains": digits})
    return queryset, condition


def _people_q(term: str) -> Q:
    """Name, email and pinyin: "zjtd" and "zijie" both find 字节跳动."""
    condition = Q(name__icontains=term) | Q(email__icontains=term)
    if _LATIN.match(term):
        compact = re.sub(r"[\s']", "", term).lower()
        condition |= Q(name_pinyin__icontains=compact) | Q(name_initials__istartswith=compact)
    return condition


def search_customers(*, user, query: str) -> QuerySet[Customer]:
    term = query.strip()
    queryset = scoped(Customer.objects.all(), user=user, resource=Resource.CUSTOMER)
    condition = _people_q(term) | Q(code__icontains=term)
    variants = phone_digit_variants(term)
    if variants:
        queryset, phone = _phone_q(queryset, ("phone",), variants)
        condition |= phone
    return queryset.filter(condition).order_by("name", "id")


def search_contacts(*, user, query: str) -> QuerySet[Contact]:
    term = query.strip()
    queryset = scoped(Contact.objects.select_related("customer"), user=user, resource=Resource.CONTACT)
    condition = _people_q(term)
    variants = phone_digit_variants(term)
    if variants:
        queryset, phone = _phone_q(queryset, ("phone", "mobile"), variants)
        condition |= phone
    return queryset.filter(condition).order_by("name", "id")


def _searchable(query: str) -> bool:
    text = query.strip()
    return len(text) >= 2 or any(ord(character) > 127 for character in text)


def global_search(*, user, query: str, limit: int = 5) -> list[SearchGroup]:
    """Grouped results, at most `limit` per group; groups the user may not view are skipped."""
    if not _searchable(query):
        return []
    term = query.strip()
    groups: list[SearchGroup] = []
    if can(user, Resource.CUSTOMER, Action.VIEW):
        group = SearchGroup("customers", str(_("Customers")))
        for customer in search_customers(user=user, query=term)[:limit]:
            group.items.append(SearchHit(customer.name, " · ".join(filter(None, [customer.code, customer.phone])),
                                         reverse_or_none("customers:detail", customer.pk)))
        groups.append(group)
    if can(user, Resource.CONTACT, Action.VIEW):
        group = SearchGroup("contacts", str(_("Contacts")))
        for contact in search_contacts(user=user, query=term)[:limit]:
            url = reverse_or_none("customers:contact_edit", contact.pk) or reverse_or_none(
                "customers:detail", contact.customer_id)
            group.items.append(SearchHit(contact.name, " · ".join(filter(None, [
                contact.customer.name, contact.mobile or contact.phone])), url))
        groups.append(group)
    if can(user, Resource.ORDER, Action.VIEW):
        group = SearchGroup("orders", str(_("Orders")))
        orders = scoped(Order.objects.select_related("customer"), user=user, resource=Resource.ORDER)
        for order in orders.filter(number__icontains=term).order_by("-order_date", "-id")[:limit]:
            group.items.append(SearchHit(order.number, order.customer.name, reverse_or_none("sales:order_detail", order.pk)))
        groups.append(group)
    if can(user, Resource.OPPORTUNITY, Action.VIEW):
        group = SearchGroup("opportunities", str(_("Opportunities")))
        opportunities = scoped(Opportunity.objects.select_related("customer"), user=user, resource=Resource.OPPORTUNITY)
        for opportunity in opportunities.filter(name__icontains=term).order_by("name", "id")[:limit]:
            group.items.append(SearchHit(opportunity.name, opportunity.customer.name,
                                         reverse_or_none("pipeline:detail", opportunity.pk)))
        groups.append(group)
    if can(user, Resource.PRODUCT, Action.VIEW):
        group = SearchGroup("products", str(_("Products")))
        products = scoped(Product.objects.all(), user=user, resource=Resource.PRODUCT)
        for product in products.filter(Q(sku__icontains=term) | Q(name__icontains=term)).order_by("sku")[:limit]:
            group.items.append(SearchHit(product.name, product.sku, reverse_or_none("catalog:product_detail", product.pk)))
        groups.append(group)
    return [group for group in groups if group.items]
