"""Writes for products and categories. Every path (page, API, CLI, import) calls these."""

from typing import Any

from django.db import transaction

from veracity.accounts.access import access_require, field_visible
from veracity.accounts.models import Action, Resource
from veracity.catalog.errors import SkuTaken
from veracity.catalog.models import Product, ProductCategory
from veracity.core.errors import PermissionDenied, ValidationFailed
from veracity.core.services import record_create, record_soft_delete, record_update
from veracity.standards.services import validate_record

# The only fields a client may set (SECURITY.md R3): no owner, version or bookkeeping fields.
PRODUCT_WRITABLE_FIELDS = (
    "sku", "name", "category", "unit", "list_price", "cost_price", "currency", "is_active", "description",
)


def _require(actor, action: str) -> None:
    if actor is not None:
        access_require(actor, Resource.PRODUCT, action)


def _clean_product_values(*, actor, values: dict[str, Any], instance: Product | None) -> dict[str, Any]:
    unknown = set(values) - set(PRODUCT_WRITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["This field cannot be set."] for name in sorted(unknown)})
    if actor is not None and "cost_price" in values and not field_visible(actor, Resource.PRODUCT, "cost_price"):
        current = instance.cost_price if instance else None
        if values["cost_price"] != current:
            raise PermissionDenied("You may not see or set cost prices.", detail={"field": "cost_price"})
        values = {k: v for k, v in values.items() if k != "cost_price"}
    cleaned = validate_record("product", values, partial=instance is not None, instance=instance)
    errors: dict[str, list[str]] = {}
    if "category" in cleaned and isinstance(cleaned["category"], int):
        category = ProductCategory.objects.filter(pk=cleaned["category"]).first()
        if category is None:
            errors["category"] = ["No such category."]
        cleaned["category"] = category
    if errors:
        raise ValidationFailed(errors)
    if "sku" in cleaned:
        clash = Product.objects.filter(sku=cleaned["sku"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise SkuTaken(cleaned["sku"])
    return cleaned


@transaction.atomic
def product_create(*, actor, values: dict[str, Any]) -> Product:
    _require(actor, Action.CREATE)
    cleaned = _clean_product_values(actor=actor, values=values, instance=None)
    return record_create(instance=Product(**cleaned), actor=actor)


@transaction.atomic
def product_update(
    *, actor, product: Product, values: dict[str, Any], expected_version: int | None, from_if_match: bool = False
) -> Product:
    _require(actor, Action.EDIT)
    cleaned = _clean_product_values(actor=actor, values=values, instance=product)
    return record_update(
        instance=product, actor=actor, values=cleaned, expected_version=expected_version, from_if_match=from_if_match
    )


@transaction.atomic
def product_delete(*, actor, product: Product) -> None:
    _require(actor, Action.DELETE)
    record_soft_delete(instance=product, actor=actor)


@transaction.atomic
def category_get_or_create(*, actor, name: str) -> ProductCategory:
    _require(actor, Action.CREATE)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed({"category": ["A category name is required."]})
    category, _created = ProductCategory.objects.get_or_create(name=name)
    return category
