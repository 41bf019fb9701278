"""Merging two customers (or two contacts), and undoing a merge exactly.

A merge keeps the survivor, takes the chosen field values from the loser, moves every related record
of the loser to the survivor and puts the loser in the trash with `merged_into` pointing at the survivor.
Related records are found through `Model._meta.related_objects`, so relations added by other apps
(tickets, survey responses, …) move too without this code knowing them.

Everything the merge changes is written down first (`Merge.undo`): both records' full rows, each moved
row's foreign key and bookkeeping (version, updated_at, updated_by), many-to-many rows added or
re-pointed, and rows changed to resolve a clash (a second primary contact demoted). `merge_undo` writes
all of it back, so the database is as it was — versions included — provided nobody changed these
records since (otherwise it refuses with `merge_undo_conflict`)."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, user_can_reach_owner
from veracity.accounts.models import Action, Resource
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound
from veracity.core.models import CrmRecord
from veracity.customers.models import Contact, Customer
from veracity.dedup.errors import MergeAlreadyUndone, MergeNotAllowed, MergeUndoConflict
from veracity.dedup.models import ClusterStatus, DuplicateCluster, Entity, Merge

# Fields a reviewer may take from either record, per model. Derived columns follow their source field.
MERGEABLE_FIELDS: dict[type, tuple[str, ...]] = {
    Customer: ("code", "name", "credit_code", "industry", "size", "source", "lifecycle_status", "owner",
               "phone", "email", "website", "country", "province", "city", "district", "address_line",
               "postal_code", "notes"),
    Contact: ("name", "title", "department", "phone", "mobile", "email", "wechat", "is_primary", "notes"),
}
DERIVED_FIELDS = {"name": ("name_pinyin", "name_initials", "match_name", "match_name_pinyin", "match_brand")}
# Relations of these apps are bookkeeping about the records, not data that belongs to them.
SKIPPED_APPS = frozenset({"dedup", "audit"})


def _resource(model) -> str:
    return Resource.CUSTOMER if model is Customer else Resource.CONTACT


def _owner(record):
    return record.owner if isinstance(record, Customer) else record.customer.owner


def _entity(record) -> str:
    if isinstance(record, Contact):
        return Entity.CONTACT
    return Entity.COMPANY if record.kind == "company" else Entity.PERSON


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _snapshot(model, pk) -> dict[str, Any]:
    """The row as stored: every concrete column by attname."""
    names = [field.attname for field in model._meta.concrete_fields]
    row = model._base_manager.filter(pk=pk).values(*names).get()
    return {name: _json(value) for name, value in row.items()}


def _restore_row(model, pk, snapshot: dict[str, Any]) -> None:
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname not in snapshot:
            continue
        raw = snapshot[field.attname]
        values[field.attname] = None if raw is None else field.to_python(raw)
    model._base_manager.filter(pk=pk).update(**values)


def _bookkeeping(model) -> list[str]:
    return ["version", "updated_at", "updated_by_id"] if issubclass(model, CrmRecord) else []


def _check_unique_clashes(relation, loser, survivor) -> None:
    """A moved row must not break a unique constraint of its own model that includes the moved foreign
    key (e.g. one survey response per customer and survey): say which, and merge nothing."""
    related = relation.related_model
    field_name = relation.field.name
    groups = [tuple(group) for group in related._meta.unique_together]
    groups += [tuple(c.fields) for c in related._meta.constraints
               if isinstance(c, models.UniqueConstraint) and c.fields]
    for group in groups:
        if field_name not in group:
            continue
        others = [name for name in group if name != field_name]
        loser_rows = related._base_manager.filter(**{field_name: loser}).values_list(*others) if others else [()]
        survivor_rows = set(related._base_manager.filter(**{field_name: survivor}).values_list(*others)) if others \
            else ({()} if related._base_manager.filter(**{field_name: survivor}).exists() else set())
        if any(tuple(row) in survivor_rows for row in loser_rows):
            raise MergeNotAllowed({"__all__": [
                _("Both records have a %(model)s with the same %(fields)s; resolve that first.")
                % {"model": related._meta.verbose_name, "fields": ", ".join(group)}]})


def _move_relations(*, survivor, loser, user, now) -> dict[str, list]:
    moved, through_moved, through_dropped = [], [], []
    for relation in type(survivor)._meta.related_objects:
        related = relation.related_model
        if related._meta.app_label in SKIPPED_APPS:
            continue
        if relation.many_to_many:
            field = relation.field  # the M2M on the other model pointing at ours
            through = field.remote_field.through
            ours = field.m2m_reverse_field_name()
            theirs = field.m2m_field_name()
            _move_through_rows(through, ours, theirs, survivor, loser, through_moved, through_dropped)
            continue
        if relation.one_to_one and related._base_manager.filter(**{relation.field.name: survivor}).exists() \
                and related._base_manager.filter(**{relation.field.name: loser}).exists():
            raise MergeNotAllowed({"__all__": [
                _("Both records have a %(model)s; only one can stay.") % {"model": related._meta.verbose_name}]})
        _check_unique_clashes(relation, loser, survivor)
        field_name = relation.field.name
        keep = _bookkeeping(related)
        rows = related._base_manager.filter(**{field_name: loser})
        for row in rows.values("pk", *keep):
            moved.append({"model": related._meta.label_lower, "field": relation.field.attname, "pk": row["pk"],
                          "before": {name: _json(row[name]) for name in keep}})
        if issubclass(related, CrmRecord):
            rows.update(**{field_name: survivor}, version=F("version") + 1, updated_at=now, updated_by=user)
        else:
            rows.update(**{field_name: survivor})
    # Forward many-to-many fields of the model itself (customer tags): the survivor gets the union.
    for field in type(survivor)._meta.many_to_many:
        through = field.remote_field.through
        _move_through_rows(through, field.m2m_field_name(), field.m2m_reverse_field_name(), survivor, loser,
                           through_moved, through_dropped, copy=True)
    return {"moved": moved, "through_moved": through_moved, "through_dropped": through_dropped}


def _move_through_rows(through, ours: str, theirs: str, survivor, loser, moved: list, dropped: list,
                       copy: bool = False) -> None:
    """Re-point the loser's many-to-many rows to the survivor; a row the survivor already has is dropped
    (recorded, so undo puts it back). With `copy` the loser keeps its rows and the survivor gets copies."""
    label = through._meta.label_lower
    survivor_has = set(through.objects.filter(**{ours: survivor}).values_list(f"{theirs}_id", flat=True))
    for row in through.objects.filter(**{ours: loser}).values():
        other = row[f"{theirs}_id"]
        if other in survivor_has:
            if not copy:
                dropped.append({"model": label, "row": {k: _json(v) for k, v in row.items()}})
                through.objects.filter(pk=row["id"]).delete()
            continue
        if copy:
            created = through.objects.create(**{f"{ours}_id": survivor.pk, f"{theirs}_id": other})
            moved.append({"model": label, "pk": created.pk, "created": True})
        else:
            through.objects.filter(pk=row["id"]).update(**{f"{ours}_id": survivor.pk})
            moved.append({"model": label, "pk": row["id"], "field": f"{ours}_id", "before": loser.pk})


def _resolve_primary_contacts(*, survivor, moved: list, user, now) -> list[dict]:
    """Both customers had a primary contact: the survivor's stays primary, the loser's is demoted."""
    if not isinstance(survivor, Customer):
        return []
    moved_contacts = {item["pk"] for item in moved if item["model"] == "customers.contact"}
    primaries = list(Contact.objects.filter(customer=survivor, is_primary=True).order_by("pk"))
    keep = [contact for contact in primaries if contact.pk not in moved_contacts] or primaries[:1]
    demoted = []
    for contact in primaries:
        if contact in keep[:1]:
            continue
        demoted.append({"model": "customers.contact", "pk": contact.pk,
                        "before": _snapshot(Contact, contact.pk)})
        Contact.objects.filter(pk=contact.pk).update(is_primary=False, version=F("version") + 1,
                                                     updated_at=now, updated_by=user)
    return demoted


@transaction.atomic
def record_merge(*, actor, survivor, loser, field_choices: dict[str, str] | None = None,
                 cluster: DuplicateCluster | None = None) -> Merge:
    """Merge `loser` into `survivor` (two customers or two contacts). `field_choices` maps a field of
    MERGEABLE_FIELDS to "loser" to take the loser's value; every other field keeps the survivor's."""
    model = type(survivor)
    if model not in MERGEABLE_FIELDS or type(loser) is not model:
        raise MergeNotAllowed({"__all__": [_("Only two customers or two contacts can be merged.")]})
    if actor is not None:
        access_require(actor, Resource.DUPLICATE, Action.EDIT)
        scope = access_require(actor, _resource(model), Action.EDIT)
        for record in (survivor, loser):
            if not user_can_reach_owner(actor, scope, _owner(record)):
                raise NotFound()
    survivor = model.objects.select_for_update().filter(pk=survivor.pk).first()
    loser = model.objects.select_for_update().filter(pk=loser.pk).first()
    if survivor is None or loser is None:
        raise NotFound()
    if survivor.pk == loser.pk:
        raise MergeNotAllowed({"__all__": [_("A record cannot be merged into itself.")]})
    if model is Customer and survivor.kind != loser.kind:
        raise MergeNotAllowed({"kind": [_("A company and an individual cannot be merged.")]})
    choices = {name: side for name, side in (field_choices or {}).items() if side in ("survivor", "loser")}
    unknown = sorted(set(choices) - set(MERGEABLE_FIELDS[model]))
    if unknown:
        raise MergeNotAllowed({name: [_("This field cannot be merged.")] for name in unknown})
    if model is Customer and choices.get("owner") == "loser" and actor is not None:
        access_require(actor, Resource.CUSTOMER, Action.EDIT)

    user = actor if getattr(actor, "pk", None) else None
    now = timezone.now()
    undo: dict[str, Any] = {
        "survivor": _snapshot(model, survivor.pk), "loser": _snapshot(model, loser.pk),
        "cluster_status": cluster.status if cluster else None,
    }
    # 1. The loser goes to the trash first, so its unique values (the customer code) are free to take.
    deletion_id = uuid.uuid4()
    model._base_manager.filter(pk=loser.pk).update(
        deleted_at=now, deleted_by=user, deletion_id=deletion_id, merged_into=survivor,
        version=F("version") + 1, updated_at=now, updated_by=user)
    # 2. Every related record follows.
    undo.update(_move_relations(survivor=survivor, loser=loser, user=user, now=now))
    undo["demoted"] = _resolve_primary_contacts(survivor=survivor, moved=undo["moved"], user=user, now=now)
    # 3. The chosen values.
    values = {}
    for name, side in choices.items():
        if side != "loser":
            continue
        field = model._meta.get_field(name)
        values[field.attname] = getattr(loser, field.attname)
        for derived in DERIVED_FIELDS.get(name, ()):
            values[derived] = getattr(loser, derived)
    changes = {name: [_json(getattr(survivor, name)), _json(value)] for name, value in values.items()
               if getattr(survivor, name) != value}
    model._base_manager.filter(pk=survivor.pk).update(**values, version=F("version") + 1, updated_at=now,
                                                      updated_by=user)
    undo["survivor_version_after"] = undo["survivor"]["version"] + 1
    undo["loser_version_after"] = undo["loser"]["version"] + 1
    if isinstance(survivor, Contact) and values.get("is_primary"):
        undo["demoted"] += _resolve_primary_contacts(survivor=survivor.customer, moved=[], user=user, now=now)
    merge = Merge.objects.create(entity=_entity(survivor), model=model._meta.label_lower, survivor_id=survivor.pk,
                                 loser_id=loser.pk, cluster=cluster, field_choices=choices, undo=undo,
                                 created_by=user)
    if cluster is not None:
        alive = model.objects.filter(pk__in=[m.record_id for m in cluster.members.all()]).count()
        if alive <= 1:
            DuplicateCluster.objects.filter(pk=cluster.pk).update(status=ClusterStatus.MERGED, decided_by=user,
                                                                  decided_at=now)
    moved_counts: dict[str, int] = {}
    for item in undo["moved"]:
        moved_counts[item["model"]] = moved_counts.get(item["model"], 0) + 1
    audit_event_record(actor=actor, action="merge", obj=survivor, changes=changes,
                       extra={"merge_id": merge.pk, "loser": loser.pk, "loser_repr": str(loser),
                              "moved": moved_counts})
    audit_event_record(actor=actor, action="delete", obj=loser,
                       extra={"merge_id": merge.pk, "merged_into": survivor.pk, "deletion_id": str(deletion_id)})
    return merge


@transaction.atomic
def merge_undo(*, actor, merge: Merge) -> Merge:
    """Put everything back as it was before the merge: both rows (every field, version included), the
    moved related rows, the many-to-many rows, the demoted primary contact; the loser is alive again."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeAlreadyUndone()
    model = Customer if merge.model == "customers.customer" else Contact
    survivor = model._base_manager.filter(pk=merge.survivor_id).first()
    loser = model._base_manager.filter(pk=merge.loser_id).first()
    if survivor is None or loser is None:
        raise MergeUndoConflict()
    if actor is not None:
        access_require(actor, Resource.DUPLICATE, Action.EDIT)
        scope = access_require(actor, _resource(model), Action.EDIT)
        if not user_can_reach_owner(actor, scope, _owner(survivor)):
            raise NotFound()
    undo = merge.undo
    if survivor.version != undo["survivor_version_after"] or loser.version != undo["loser_version_after"] \
            or survivor.deleted_at is not None:
        raise MergeUndoConflict()
    from django.apps import apps

    for item in undo["moved"]:
        related = apps.get_model(item["model"])
        current = related._base_manager.filter(pk=item["pk"]).values_list(item["field"], flat=True).first()
        if current != survivor.pk:
            raise MergeUndoConflict()
        values = {item["field"]: loser.pk}
        for name, raw in item["before"].items():
            values[name] = None if raw is None else related._meta.get_field(
                "updated_by" if name == "updated_by_id" else name).to_python(raw)
        related._base_manager.filter(pk=item["pk"]).update(**values)
    for item in undo["through_moved"]:
        through = apps.get_model(item["model"])
        if item.get("created"):
            through.objects.filter(pk=item["pk"]).delete()
        else:
            through.objects.filter(pk=item["pk"]).update(**{item["field"]: item["before"]})
    for item in undo["through_dropped"]:
        apps.get_model(item["model"]).objects.create(**item["row"])
    for item in undo["demoted"]:
        _restore_row(Contact, item["pk"], item["before"])
    # The survivor first: it may hold the loser's unique code, which the revived loser takes back.
    _restore_row(model, survivor.pk, undo["survivor"])
    _restore_row(model, loser.pk, undo["loser"])
    user = actor if getattr(actor, "pk", None) else None
    merge.undone_at, merge.undone_by = timezone.now(), user
    merge.save(update_fields=["undone_at", "undone_by"])
    if merge.cluster_id and undo.get("cluster_status"):
        DuplicateCluster.objects.filter(pk=merge.cluster_id).update(status=undo["cluster_status"])
    audit_event_record(actor=actor, action="restore", obj=loser,
                       extra={"merge_id": merge.pk, "undo_merge_into": survivor.pk})
    audit_event_record(actor=actor, action="update", obj=survivor,
                       extra={"merge_id": merge.pk, "undo_merge": True})
    return merge
