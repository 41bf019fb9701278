"""Reads for customers, contacts and tags, already limited to what the user may see."""

import re
from dataclasses import dataclass

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from veracity.accounts.access import access_require, scoped
from veracity.accounts.models import Action, Resource, User
from veracity.accounts.selectors import assignable_owners
from veracity.core.errors import NotFound
from veracity.core.normalisation import clean_text, normalise_phone, phone_digits, to_half_width
from veracity.customers.models import Contact, Customer, Tag

CUSTOMER_SORTS = {
    "name": "name", "code": "code", "lifecycle_status": "lifecycle_status", "city": "city",
    "owner": "owner__username", "created_at": "created_at", "updated_at": "updated_at",
}
TEXT_SORTS = {"name", "code", "lifecycle_status", "city", "owner__username"}
CONTACT_SORTS = {"name": "name", "customer": "customer__name", "title": "title", "created_at": "created_at"}
# A search term that is only digits and phone punctuation is (also) looked up as a phone number.
_PHONE_LIKE = re.compile(r"^[\d\s+\-().]+$")
_PINYIN_LIKE = re.compile(r"^[a-z0-9 ]+$")
MIN_PHONE_DIGITS = 3
# Customers found through contacts are listed by id up to this many (see _customer_search_q).
CONTACT_MATCHES_LISTED = 500


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    lifecycle_status: str = ""
    kind: str = ""
    owner: int | None = None
    industry: str = ""
    province: str = ""
    city: str = ""
    tag: str = ""
    sort: str = "name"


@dataclass(frozen=True)
class ContactFilters:
    q: str = ""
    customer: int | None = None
    sort: str = "name"


def _order(queryset: QuerySet, sort: str, allowed: dict[str, str], default: str, *, searched: bool = False
           ) -> QuerySet:
    descending = sort.startswith("-")
    field = allowed.get(sort.lstrip("-"))
    if field is None:
        field, descending = allowed[default], False
    if searched and field in TEXT_SORTS:
        # Sorting a search by the bare column lets PostgreSQL walk that column's B-tree and test every row
        # until a page is full: a bet on LIMIT that reads most of the table when the matches sort late
        # (11 s against 0.6 s at 1,000,000 customers, docs/scaling.md). The same order through an
        # expression no index offers makes it collect the matches through the search indexes, then sort.
        key = Concat(F(field), Value(""), output_field=CharField())
        return queryset.order_by(key.desc() if descending else key.asc(), "id")
    return queryset.order_by(f"-{field}" if descending else field, "id")


def phone_search_q(term: str, *fields: str) -> Q:
    """Matches a phone typed any way: the whole number in E.164 (138 0013 8000, +86 138…, 0086…)
    or any run of its digits (partial numbers). Empty when the term does not look like a phone."""
    text = to_half_width(term).strip()
    digits = phone_digits(text)
    if not _PHONE_LIKE.match(text) or len(digits) < MIN_PHONE_DIGITS:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    try:
        full = normalise_phone(text)
    except ValueError:
        full = ""
    for field in fields:
        condition |= Q(**{f"{field}__contains": digits})
        if full:
            condition |= Q(**{field: full})
    return condition


def _customer_search_q(raw: str) -> Q:
    term = clean_text(raw)
    condition = (
        Q(name__icontains=term) | Q(code__icontains=term) | Q(email__icontains=term)
        | Q(credit_code__icontains=term) | phone_search_q(term, "phone")
    )
    compact = term.lower().replace(" ", "")
    if _PINYIN_LIKE.match(term.lower()) and compact:
        condition |= Q(name_pinyin__contains=compact) | Q(name_initials__startswith=compact)
    # A customer is also found through its contacts' names and phones. Their customers are looked up
    # first (one indexed query) and added as a list of ids, so the condition stays an OR of terms that
    # each have an index (the pg_trgm ones, customers migration 0004): an OR with a correlated EXISTS
    # makes PostgreSQL read every customer whatever the indexes (docs/scaling.md). A term that matches
    # very many contacts keeps the EXISTS: it is broad enough that reading the table costs no more.
    contact_terms = Q(name__icontains=term) | phone_search_q(term, "phone", "mobile")
    customer_ids = list(Contact.objects.filter(contact_terms).order_by().values_list("customer_id", flat=True)
                        .distinct()[:CONTACT_MATCHES_LISTED + 1])
    if len(customer_ids) > CONTACT_MATCHES_LISTED:
        return condition | Q(Exists(Contact.objects.filter(contact_terms, customer=OuterRef("pk"))))
    return condition | Q(pk__in=customer_ids)


def customer_list(*, user, filters: CustomerFilters = CustomerFilters(), action: str = Action.VIEW
                  ) -> QuerySet[Customer]:
    queryset = scoped(
        Customer.objects.select_related("owner").prefetch_related("tags"),
        user=user, resource=Resource.CUSTOMER, action=action,
    )
    if filters.q and clean_text(filters.q):
        queryset = queryset.filter(_customer_search_q(filters.q))
    for field in ("lifecycle_status", "kind", "industry"):
        value = getattr(filters, field)
        if value:
            queryset = queryset.filter(**{field: value})
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.province:
        queryset = queryset.filter(province=clean_text(filters.province))
    if filters.city:
        queryset = queryset.filter(city=clean_text(filters.city))
    if filters.tag:
        queryset = queryset.filter(tags__name=clean_text(filters.tag))
    return _order(queryset, filters.sort or "name", CUSTOMER_SORTS, "name", searched=bool(clean_text(filters.q)))


def customer_get(*, user, pk: int, action: str = Action.VIEW) -> Customer:
    customer = customer_list(user=user, action=action).filter(pk=pk).first()
    if customer is None:
        raise NotFound()
    return customer


def customer_provinces(*, user) -> list[str]:
    """Provinces that occur among the customers the user sees, for the filter bar."""
    queryset = customer_list(user=user).exclude(province="").order_by("province")
    return list(queryset.values_list("province", flat=True).distinct())


def customer_owner_choices(*, user, action: str = Action.VIEW) -> QuerySet[User]:
    """People whose customers the user may filter by (view) or assign customers to (edit)."""
    scope = access_require(user, Resource.CUSTOMER, action)
    return assignable_owners(user=user, scope=scope)


def contact_list(*, user, filters: ContactFilters = ContactFilters(), action: str = Action.VIEW
                 ) -> QuerySet[Contact]:
    queryset = scoped(
        Contact.objects.select_related("customer", "customer__owner").filter(customer__deleted_at__isnull=True),
        user=user, resource=Resource.CONTACT, action=action,
    )
    if filters.q and clean_text(filters.q):
        term = clean_text(filters.q)
        condition = (
            Q(name__icontains=term) | Q(email__icontains=term) | Q(customer__name__icontains=term)
            | Q(title__icontains=term) | Q(wechat__icontains=term) | phone_search_q(term, "phone", "mobile")
        )
        compact = term.lower().replace(" ", "")
        if _PINYIN_LIKE.match(term.lower()) and compact:
            condition |= Q(name_pinyin__contains=compact) | Q(name_initials__startswith=compact)
        queryset = queryset.filter(condition)
    if filters.customer:
        queryset = queryset.filter(customer_id=filters.customer)
    return _order(queryset, filters.sort or "name", CONTACT_SORTS, "name")


def contact_get(*, user, pk: int, action: str = Action.VIEW) -> Contact:
    contact = contact_list(user=user, action=action).filter(pk=pk).first()
    if contact is None:
        raise NotFound()
    return contact


def customer_contacts(*, user, customer: Customer) -> QuerySet[Contact]:
    """The contacts shown on a customer's page, primary first."""
    return contact_list(user=user, filters=ContactFilters(customer=customer.pk)).order_by("-is_primary", "name", "id")


def tag_list(*, user) -> QuerySet[Tag]:
    access_require(user, Resource.CUSTOMER, Action.VIEW)
    return Tag.objects.order_by("name")


def transfer_candidate_get(*, user, pk: int) -> User | None:
    """The user a customer may be transferred to by `user`, or None when outside their reach."""
    return customer_owner_choices(user=user, action=Action.EDIT).filter(pk=pk).first()
