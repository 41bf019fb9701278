"""The trash: soft-deleted records within the retention window, one entry per deletion (a customer
deleted with its contacts, orders, … is one entry). Scoped by the `trash` permission: a rep sees
only deletions whose main record was within their own scope."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.accounts.access import OWNER_PATHS, access_require, scope_q
from veracity.accounts.models import Action, Resource, Scope
from veracity.activities.models import Activity
from veracity.catalog.models import Product
from veracity.core.errors import NotFound
from veracity.customers.models import Contact, Customer
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order

# Trashable models, most important first: the first model present in a deletion is its main record
# (deleting a customer takes its contacts, opportunities, orders and activities with it).
TRASH_MODELS: tuple[tuple[type[models.Model], str], ...] = (
    (Customer, Resource.CUSTOMER),
    (Opportunity, Resource.OPPORTUNITY),
    (Order, Resource.ORDER),
    (Contact, Resource.CONTACT),
    (Product, Resource.PRODUCT),
    (Activity, Resource.ACTIVITY),
)
TYPE_LABELS = {
    Customer: _("Customer"), Opportunity: _("Opportunity"), Order: _("Order"), Contact: _("Contact"),
    Product: _("Product"), Activity: _("Activity"),
}


@dataclass
class TrashEntry:
    deletion_id: uuid.UUID
    deleted_at: dt.datetime
    deleted_by: object
    root: models.Model
    records: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS[type(self.root)])

    @property
    def child_counts(self) -> list[tuple[str, int]]:
        return [(str(model._meta.verbose_name_plural), len(rows)) for model, rows in self.records.items()
                if rows and not (model is type(self.root) and len(rows) == 1)]

    @property
    def merged_into(self):
        """The record a merge folded the main record into (dedup), or None for an ordinary deletion."""
        if getattr(self.root, "merged_into_id", None) is None:
            return None
        return type(self.root).all_objects.filter(pk=self.root.merged_into_id).first()

    @property
    def record_count(self) -> int:
        return sum(len(rows) for rows in self.records.values())


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.TRASH_RETENTION_DAYS)


def _in_scope(model, resource: str, user, scope: Scope) -> models.QuerySet:
    queryset = model.all_objects.in_trash()
    if scope == Scope.ALL:
        return queryset
    owner_paths = OWNER_PATHS.get(str(resource))
    if owner_paths is None:  # ownerless records (products) belong to whoever may see all the trash
        return queryset.none()
    return queryset.filter(scope_q(user, scope, owner_paths))


def trash_entries(*, user, action: str = Action.VIEW, deletion_id: uuid.UUID | None = None) -> list[TrashEntry]:
    """Deletions within the retention window the user may see (or, with action=edit, restore),
    newest first."""
    scope = access_require(user, Resource.TRASH, action)
    cutoff = retention_cutoff()
    visible: dict[type, set[int]] = {}
    deletion_ids: set[uuid.UUID] = set()
    for model, resource in TRASH_MODELS:
        queryset = _in_scope(model, resource, user, scope).filter(deleted_at__gte=cutoff)
        if deletion_id is not None:
            queryset = queryset.filter(deletion_id=deletion_id)
        rows = list(queryset.values_list("pk", "deletion_id"))
        visible[model] = {pk for pk, _deletion in rows}
        deletion_ids.update(deletion for _pk, deletion in rows if deletion is not None)
    if not deletion_ids:
        return []
    entries: dict[uuid.UUID, TrashEntry] = {}
    for model, _resource in TRASH_MODELS:
        related = ("customer",) if any(f.name == "customer" for f in model._meta.fields) else ()
        for record in model.all_objects.filter(deletion_id__in=deletion_ids).select_related("deleted_by", *related):
            entry = entries.get(record.deletion_id)
            if entry is None:  # models come most-important first, so the first record seen is the root
                entry = entries[record.deletion_id] = TrashEntry(
                    record.deletion_id, record.deleted_at, record.deleted_by, record)
            entry.records.setdefault(model, []).append(record)
    # The main record decides who sees the entry: a child in scope does not expose its parent.
    result = [entry for entry in entries.values() if entry.root.pk in visible[type(entry.root)]]
    result.sort(key=lambda entry: entry.deleted_at, reverse=True)
    return result


def trash_entry_get(*, user, deletion_id, action: str = Action.VIEW) -> TrashEntry:
    try:
        key = uuid.UUID(str(deletion_id))
    except ValueError as error:
        raise NotFound() from error
    entries = trash_entries(user=user, action=action, deletion_id=key)
    if not entries:
        raise NotFound()
    return entries[0]
