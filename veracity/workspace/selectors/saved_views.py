"""Reads of a person's saved list views. Everyone sees only their own."""

from django.db.models import QuerySet

from veracity.core.errors import NotFound
from veracity.workspace.models import SavedView

# The lists that can have saved views, and the page each one lives on.
SAVED_VIEW_LISTS = {
    "customers": "customers:list",
    "contacts": "customers:contact_list",
    "orders": "sales:order_list",
    "opportunities": "pipeline:list",
    "activities": "activities:list",
    "products": "catalog:product_list",
}


def saved_view_list(*, user, list_name: str | None = None) -> QuerySet[SavedView]:
    if not getattr(user, "is_authenticated", False):
        return SavedView.objects.none()
    queryset = SavedView.objects.filter(user=user)
    if list_name:
        queryset = queryset.filter(list_name=list_name)
    return queryset.order_by("list_name", "name")


def saved_view_get(*, user, pk: int) -> SavedView:
    view = saved_view_list(user=user).filter(pk=pk).first()
    if view is None:
        raise NotFound()
    return view
