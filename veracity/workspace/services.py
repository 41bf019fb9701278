"""Writes of the workspace: restoring and purging the trash, saving list views."""

import datetime as dt
import uuid
from collections import defaultdict
from urllib.parse import parse_qsl, urlencode

from django.db import models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.catalog.models import Product
from veracity.core.errors import NotFound, ValidationFailed
from veracity.customers.models import Customer
from veracity.sales.models import Order
from veracity.workspace.errors import RestoreConflict, UnknownSavedViewList
from veracity.workspace.models import SavedView
from veracity.workspace.selectors import SAVED_VIEW_LISTS, retention_cutoff, trash_entry_get
from veracity.workspace.selectors.trash import TRASH_MODELS, TrashEntry

# Unique keys that a live record may have taken while the deleted one sat in the trash.
UNIQUE_KEYS: dict[type[models.Model], str] = {Customer: "code", Product: "sku", Order: "number"}


def _restore_problems(entry: TrashEntry) -> list[str]:
    problems: list[str] = []
    merged_into = entry.merged_into
    if merged_into is not None:
        # A merge moved this record's contacts, orders, … to the survivor and recorded how to put
        # them back; a plain restore would bring the record back empty. Only the merge's undo is exact.
        return [_("%(name)s was merged into %(survivor)s: use Undo on the merge (Duplicates page) to bring it "
                  "back with its related records.") % {"name": entry.root, "survivor": merged_into}]
    for model, field_name in UNIQUE_KEYS.items():
        values = [getattr(record, field_name) for record in entry.records.get(model, [])]
        if not values:
            continue
        taken = model.objects.filter(**{f"{field_name}__in": values}).values_list(field_name, flat=True)
        for value in sorted(taken):
            problems.append(_("%(type)s %(value)s is now used by another record; rename or delete that one first.")
                            % {"type": str(model._meta.verbose_name).capitalize(), "value": value})
    restoring_customers = {record.pk for record in entry.records.get(Customer, [])}
    for model, rows in entry.records.items():
        if model is Customer or not any(f.name == "customer" for f in model._meta.fields):
            continue
        for record in rows:
            if record.customer.deleted_at is not None and record.customer_id not in restoring_customers:
                problems.append(_("Customer %(name)s is still in the trash: restore it first.")
                                % {"name": record.customer.name})
                break
    return list(dict.fromkeys(problems))


@transaction.atomic
def trash_restore(*, actor, deletion_id) -> TrashEntry:
    """Put back every record deleted together under `deletion_id`, or nothing if any clashes."""
    entry = trash_entry_get(user=actor, deletion_id=deletion_id, action=Action.EDIT)
    problems = _restore_problems(entry)
    if problems:
        raise RestoreConflict(problems)
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    counts: dict[str, int] = {}
    for model, _resource in TRASH_MODELS:
        restored = model.all_objects.filter(deletion_id=entry.deletion_id).update(
            deleted_at=None, deleted_by=None, deletion_id=None, version=F("version") + 1,
            updated_at=now, updated_by=user,
        )
        if restored:
            counts[model._meta.label_lower] = restored
    audit_event_record(actor=actor, action=AuditAction.RESTORE, obj=entry.root,
                       extra={"deletion_id": str(entry.deletion_id), "records": counts})
    return entry


def trash_purge(*, actor=None, older_than: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Hard-delete trash older than the retention window, one deletion at a time (each audited as
    PURGE). A record something live still points at (a product on an order line) is kept."""
    if actor is not None:
        access_require(actor, Resource.TRASH, Action.DELETE)
    cutoff = older_than or retention_cutoff()
    groups: dict[uuid.UUID | None, list[models.Model]] = defaultdict(list)
    for model, _resource in TRASH_MODELS:
        for record in model.all_objects.filter(deleted_at__isnull=False, deleted_at__lt=cutoff):
            groups[record.deletion_id].append(record)
    purged: dict[str, int] = defaultdict(int)
    for deletion_id, records in groups.items():
        if dry_run:
            for record in records:
                purged[record._meta.label_lower] += 1
            continue
        root = records[0]
        removed: dict[str, int] = defaultdict(int)
        with transaction.atomic():
            for record in reversed(records):  # children (activities, …) before their customer
                try:
                    with transaction.atomic():
                        type(record).all_objects.filter(pk=record.pk).delete()
                except ProtectedError:
                    continue
                removed[record._meta.label_lower] += 1
            if removed:
                audit_event_record(actor=actor, action=AuditAction.PURGE, object_type=root._meta.label_lower,
                                   object_id=root.pk, object_repr=str(root),
                                   extra={"deletion_id": str(deletion_id) if deletion_id else None,
                                          "records": dict(removed)})
        for label, count in removed.items():
            purged[label] += count
    return dict(purged)


def _clean_query(query: str) -> str:
    """The list's query string without the page number (a saved view starts on page 1)."""
    pairs = [(key, value) for key, value in parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
             if key not in ("page", "csrfmiddlewaretoken")]
    return urlencode(pairs)


@transaction.atomic
def saved_view_create(*, actor, list_name: str, name: str, query: str) -> SavedView:
    """Save (or overwrite, for the same name) a list's filters and sort under a name."""
    if list_name not in SAVED_VIEW_LISTS:
        raise UnknownSavedViewList(list_name)
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = [_("Give the view a name.")]
    elif len(name) > 80:
        errors["name"] = [_("At most 80 characters.")]
    query = _clean_query(query)
    if len(query) > 1000:
        errors["query"] = [_("This view has too many filters to save.")]
    if errors:
        raise ValidationFailed(errors)
    view, created = SavedView.objects.update_or_create(
        user=actor, list_name=list_name, name=name, defaults={"query": query})
    audit_event_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=view,
                       changes={"query": [None, query]})
    return view


@transaction.atomic
def saved_view_delete(*, actor, saved_view: SavedView) -> None:
    if saved_view.user_id != actor.pk:  # selectors only hand out the user's own; belt and braces
        raise NotFound()
    audit_event_record(actor=actor, action=AuditAction.DELETE, obj=saved_view)
    saved_view.delete()
