"""Reads for products. Products are shared by everyone who may view them (they have no owner)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from veracity.accounts.access import hidden_fields, scoped
from veracity.accounts.models import Action, Resource
from veracity.catalog.models import Product, ProductCategory
from veracity.core.errors import NotFound

PRODUCT_SORTS = {"sku", "-sku", "name", "-name", "list_price", "-list_price", "created_at", "-created_at"}


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: int | None = None
    active: bool | None = None
    sort: str = "sku"


def product_list(*, user, filters: ProductFilters = ProductFilters(), action: str = Action.VIEW) -> QuerySet[Product]:
    queryset = scoped(Product.objects.select_related("category"), user=user, resource=Resource.PRODUCT, action=action)
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(Q(sku__icontains=term) | Q(name__icontains=term))
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.active is not None:
        queryset = queryset.filter(is_active=filters.active)
    sort = filters.sort if filters.sort in PRODUCT_SORTS else "sku"
    return queryset.order_by(sort, "id")


def product_get(*, user, pk: int, action: str = Action.VIEW) -> Product:
    product = product_list(user=user, action=action).filter(pk=pk).first()
    if product is None:
        raise NotFound()
    return product


def product_hidden_fields(*, user) -> frozenset[str]:
    return hidden_fields(user, Resource.PRODUCT)


def category_list() -> QuerySet[ProductCategory]:
    return ProductCategory.objects.order_by("name")
