"""Writes for customers, contacts and tags. Every path (page, API, CLI, import) calls these."""

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, can, user_can_reach_owner
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, PermissionDenied, ValidationFailed
from veracity.core.normalisation import clean_text, name_pinyin
from veracity.core.services import (
    check_version,
    record_create,
    record_soft_delete,
    record_update,
    reference_resolve,
)
from veracity.customers.errors import ContactNeedsCompany, CustomerCodeTaken, TransferTargetInvalid
from veracity.customers.models import Contact, Customer, CustomerKind, Tag
from veracity.matching.canonical import stored_match_keys
from veracity.standards.services import validate_record

# The only fields a client may set: never owner (see customer_transfer), version or bookkeeping.
CUSTOMER_WRITABLE_FIELDS = (
    "code", "kind", "name", "credit_code", "industry", "size", "source", "lifecycle_status",
    "phone", "email", "website", "country", "province", "city", "district", "address_line",
    "postal_code", "notes", "tags", "campaign",
)
CONTACT_WRITABLE_FIELDS = (
    "customer", "name", "title", "department", "phone", "mobile", "email", "wechat", "is_primary", "notes",
)
GENERATED_CODE_PREFIX = "C"

# The change gate: a higher app (quality) may hold back changes to key fields for a manager's approval.
# It registers from its AppConfig.ready(), so customers never imports it (docs/decisions/).
# gate(*, actor, entity, record, values) -> (held values, change request or None); held values are
# not applied now.
_change_gate = None


def change_gate_register(gate) -> None:
    global _change_gate
    _change_gate = gate


def _hold_for_approval(*, actor, record, values: dict[str, Any], entity: str = "customer") -> dict[str, Any]:
    """`values` without those the gate held for approval; the change request rides on the record
    (`record.pending_change_request`) so pages and the API can say so."""
    record.pending_change_request = None
    if _change_gate is None or actor is None or not values:
        return values
    held, change_request = _change_gate(actor=actor, entity=entity, record=record, values=values)
    record.pending_change_request = change_request
    return {name: value for name, value in values.items() if name not in held}

GENERATED_CODE_DIGITS = 6
TAG_SEPARATORS = re.compile(r"[,，;；、\n]")


def _reject_unknown(values: dict[str, Any], writable: tuple[str, ...]) -> None:
    unknown = set(values) - set(writable)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})


def _require_reach(actor, resource: str, action: str, owner) -> None:
    """Object-level check: the record (owned by `owner`) must be inside the actor's scope. A record
    outside it is reported as missing, exactly as the selectors would."""
    if actor is None:
        return
    scope = access_require(actor, resource, action)
    if not user_can_reach_owner(actor, scope, owner):
        raise NotFound()


# ---------------------------------------------------------------------------------------------
# Tags

def tag_names_parse(raw: str | Iterable[str] | None) -> list[str]:
    """"VIP, 华东；重点客户" or ["VIP", "华东"] -> distinct, cleaned tag names in the given order."""
    if raw is None:
        return []
    parts = TAG_SEPARATORS.split(raw) if isinstance(raw, str) else [str(part) for part in raw]
    names: list[str] = []
    for part in parts:
        name = clean_text(str(part))
        if name and name.casefold() not in {existing.casefold() for existing in names}:
            names.append(name)
    return names


def tags_get_or_create(*, actor, names: Iterable[str]) -> list[Tag]:
    """The tags with these names, creating missing ones. Matching ignores case, so "vip" reuses "VIP"."""
    if actor is not None:
        access_require(actor, Resource.CUSTOMER, Action.EDIT)
    tags = []
    for name in tag_names_parse(list(names)):
        if len(name) > Tag._meta.get_field("name").max_length:
            raise ValidationFailed({"tags": [_("Tag %(name)s is longer than 50 characters.") % {"name": name}]})
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags


def _customer_tags_apply(*, actor, customer: Customer, names: list[str], fields_changed: bool) -> None:
    """Set a customer's tags and audit the change. When no other field changed in the same write,
    the tag change carries its own version bump so ETags still move."""
    old = sorted(customer.tags.values_list("name", flat=True))
    tags = tags_get_or_create(actor=actor, names=names)
    new = sorted(tag.name for tag in tags)
    if old == new:
        return
    if not fields_changed:
        user = actor if getattr(actor, "pk", None) else None
        now = timezone.now()
        Customer.objects.filter(pk=customer.pk).update(version=F("version") + 1, updated_at=now, updated_by=user)
        customer.version += 1
        customer.updated_at, customer.updated_by = now, user
    customer.tags.set(tags)
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=customer, changes={"tags": [old, new]})


# ---------------------------------------------------------------------------------------------
# Customers

def customer_code_generate() -> str:
    """The next free code of the form C000123. Trashed customers count, so a restore never clashes."""
    pattern = rf"^{GENERATED_CODE_PREFIX}[0-9]{{{GENERATED_CODE_DIGITS}}}$"
    last = (
        Customer.all_objects.filter(code__regex=pattern).order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[len(GENERATED_CODE_PREFIX):]) + 1 if last else 1
    while True:
        code = f"{GENERATED_CODE_PREFIX}{number:0{GENERATED_CODE_DIGITS}d}"
        if not Customer.all_objects.filter(code=code).exists():
            return code
        number += 1


def _clean_customer_values(values: dict[str, Any], *, instance: Customer | None) -> dict[str, Any]:
    _reject_unknown(values, CUSTOMER_WRITABLE_FIELDS)
    errors: dict[str, list[str]] = {}
    try:
        cleaned = validate_record("customer", values, partial=instance is not None, instance=instance)
    except ValidationFailed as error:  # still report a taken code alongside the field errors
        errors, cleaned = dict(error.fields), error.cleaned
    if "tags" in cleaned:
        cleaned["tags"] = tag_names_parse(cleaned["tags"])
    if "campaign" in cleaned:
        try:
            cleaned["campaign"] = reference_resolve(model=Customer, field="campaign", value=cleaned["campaign"])
        except LookupError:
            errors["campaign"] = [_("Choose an existing campaign.")]
    if cleaned.get("code") and "code" not in errors:
        clash = Customer.objects.filter(code=cleaned["code"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            if not errors:
                raise CustomerCodeTaken(cleaned["code"])
            errors.update(CustomerCodeTaken(cleaned["code"]).fields)
    if errors:
        raise ValidationFailed(errors)
    view = {name: getattr(instance, name) for name in CUSTOMER_WRITABLE_FIELDS if name != "tags"} if instance else {}
    view.update(cleaned)
    if instance is None or "name" in cleaned or "kind" in cleaned:
        # Derived keys change only with the name or kind; recomputing them on every save would count
        # as a change (a new version) for records whose keys predate a newer key column.
        cleaned.update(customer_derived_fields(view))
    return cleaned


def customer_derived_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The fields computed from what was entered (search keys beside the name), from a customer's
    cleaned values. The one place they are computed: customer_create/update and bulk imports
    (imports.bulk) call it, so a field added here reaches every path."""
    kind = values.get("kind") or CustomerKind.COMPANY
    name = values.get("name") or ""
    pinyin, initials = name_pinyin(name, person=kind == CustomerKind.PERSON)
    # Duplicate-matching keys (veracity.matching), indexed for the entry-time duplicate check.
    return {"name_pinyin": pinyin, "name_initials": initials,
            **stored_match_keys(name, company=kind == CustomerKind.COMPANY)}


@transaction.atomic
def customer_create(*, actor, values: dict[str, Any], owner=None) -> Customer:
    """Create a customer owned by the actor. Only the system (actor=None) or a user whose scope reaches
    `owner` may create it for someone else."""
    if actor is not None:
        scope = access_require(actor, Resource.CUSTOMER, Action.CREATE)
        if owner is not None and not user_can_reach_owner(actor, scope, owner):
            raise PermissionDenied(_("You may not create customers for that owner."), detail={"field": "owner"})
    owner = owner or actor
    if owner is None:
        raise ValidationFailed({"owner": [_("A customer needs an owner.")]})
    cleaned = _clean_customer_values(values, instance=None)
    tag_names = cleaned.pop("tags", [])
    if not cleaned.get("code"):
        cleaned["code"] = customer_code_generate()
    customer = record_create(instance=Customer(owner=owner, **cleaned), actor=actor)
    if tag_names:
        customer.tags.set(tags_get_or_create(actor=actor, names=tag_names))
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=customer,
                           changes={"tags": [[], sorted(tag_names)]})
    return customer


@transaction.atomic
def customer_update(
    *, actor, customer: Customer, values: dict[str, Any], expected_version: int | None,
    from_if_match: bool = False,
) -> Customer:
    _require_reach(actor, Resource.CUSTOMER, Action.EDIT, customer.owner)
    check_version(customer, expected_version, from_if_match=from_if_match)
    cleaned = _clean_customer_values(values, instance=customer)
    tag_names = cleaned.pop("tags", None)
    if not cleaned.get("code", customer.code):
        cleaned["code"] = customer.code  # an emptied code keeps the old one rather than losing the external id
    name_given = "name" in cleaned
    cleaned = _hold_for_approval(actor=actor, record=customer, values=cleaned)
    if name_given and "name" not in cleaned:  # a held name keeps its pinyin until approved
        cleaned.pop("name_pinyin", None)
        cleaned.pop("name_initials", None)
    version_before = customer.version
    customer = record_update(
        instance=customer, actor=actor, values=cleaned, expected_version=expected_version,
        from_if_match=from_if_match,
    )
    if tag_names is not None:
        _customer_tags_apply(actor=actor, customer=customer, names=tag_names,
                             fields_changed=customer.version != version_before)
    return customer


@transaction.atomic
def customer_delete(*, actor, customer: Customer):
    """Move the customer to the trash with its contacts, opportunities, orders and activities, all under
    one deletion id so a restore brings them back together."""
    _require_reach(actor, Resource.CUSTOMER, Action.DELETE, customer.owner)
    return record_soft_delete(
        instance=customer, actor=actor,
        cascade=[customer.contacts.all(), customer.opportunities.all(), customer.orders.all(),
                 customer.activities.all()],
    )


@transaction.atomic
def customer_transfer(
    *, actor, customer: Customer, new_owner, expected_version: int | None = None, from_if_match: bool = False,
) -> Customer:
    """Give the customer (and so its contacts) to another owner. A separate, audited action: the new
    owner must be an active user within the actor's own scope who may work on customers."""
    if actor is not None:
        scope = access_require(actor, Resource.CUSTOMER, Action.EDIT)
        if not user_can_reach_owner(actor, scope, customer.owner):
            raise NotFound()
        if new_owner is None or not user_can_reach_owner(actor, scope, new_owner):
            raise TransferTargetInvalid(_("You can only transfer customers to people within your scope."))
    if new_owner is None or not new_owner.is_active:
        raise TransferTargetInvalid(_("The new owner must be an active user."))
    if not can(new_owner, Resource.CUSTOMER, Action.EDIT):
        raise TransferTargetInvalid(_("%(user)s may not own customers.") % {"user": new_owner})
    if new_owner.pk == customer.owner_id:
        return customer
    if not _hold_for_approval(actor=actor, record=customer, values={"owner": new_owner}):
        return customer
    return record_update(
        instance=customer, actor=actor, values={"owner": new_owner},
        expected_version=customer.version if expected_version is None else expected_version,
        from_if_match=from_if_match, audit_action=AuditAction.TRANSFER,
    )


# ---------------------------------------------------------------------------------------------
# Contacts

def _contact_customer(*, actor, customer) -> Customer:
    """The company a contact belongs to; the actor must be able to edit it."""
    if customer is None or customer == "":
        raise ValidationFailed({"customer": [_("Choose the company this contact works for.")]})
    pk = customer.pk if isinstance(customer, Customer) else customer
    found = Customer.objects.select_related("owner").filter(pk=pk).first()
    if found is None:
        raise ValidationFailed({"customer": [_("No such customer.")]})
    if actor is not None:
        scope = access_require(actor, Resource.CUSTOMER, Action.EDIT)
        if not user_can_reach_owner(actor, scope, found.owner):
            raise ValidationFailed({"customer": [_("No such customer.")]})
    if found.kind != CustomerKind.COMPANY:
        raise ContactNeedsCompany()
    return found


def _clean_contact_values(*, actor, values: dict[str, Any], instance: Contact | None) -> dict[str, Any]:
    _reject_unknown(values, CONTACT_WRITABLE_FIELDS)
    cleaned = dict(values)
    requested = cleaned.get("customer")
    if instance is None or ("customer" in cleaned and getattr(requested, "pk", requested) != instance.customer_id):
        cleaned["customer"] = _contact_customer(actor=actor, customer=requested)
    elif "customer" in cleaned:
        cleaned["customer"] = instance.customer
    customer = cleaned.get("customer") or instance.customer
    cleaned = validate_record("contact", cleaned, partial=instance is not None, instance=instance,
                              phone_region=customer.country)
    if "name" in cleaned:
        cleaned["name_pinyin"], cleaned["name_initials"] = name_pinyin(cleaned["name"], person=True)
        cleaned.update(stored_match_keys(cleaned["name"], company=False))
    return cleaned


def _primary_contact_clear(*, actor, customer: Customer, keep: Contact | None) -> None:
    """At most one primary contact per customer: demote the others (each demotion is audited)."""
    others = Contact.objects.filter(customer=customer, is_primary=True)
    if keep is not None and keep.pk:
        others = others.exclude(pk=keep.pk)
    for other in others:
        record_update(instance=other, actor=actor, values={"is_primary": False}, expected_version=other.version)


@transaction.atomic
def contact_create(*, actor, values: dict[str, Any]) -> Contact:
    if actor is not None:
        access_require(actor, Resource.CONTACT, Action.CREATE)
    cleaned = _clean_contact_values(actor=actor, values=values, instance=None)
    if cleaned.get("is_primary"):
        _primary_contact_clear(actor=actor, customer=cleaned["customer"], keep=None)
    return record_create(instance=Contact(**cleaned), actor=actor)


@transaction.atomic
def contact_update(
    *, actor, contact: Contact, values: dict[str, Any], expected_version: int | None,
    from_if_match: bool = False,
) -> Contact:
    _require_reach(actor, Resource.CONTACT, Action.EDIT, contact.customer.owner)
    check_version(contact, expected_version, from_if_match=from_if_match)
    cleaned = _clean_contact_values(actor=actor, values=values, instance=contact)
    name_given = "name" in cleaned
    cleaned = _hold_for_approval(actor=actor, record=contact, values=cleaned, entity="contact")
    if name_given and "name" not in cleaned:  # a held name keeps its derived keys until approved
        for derived in ("name_pinyin", "name_initials", "match_name", "match_name_pinyin", "match_brand"):
            cleaned.pop(derived, None)
    if cleaned.get("is_primary", contact.is_primary):
        _primary_contact_clear(actor=actor, customer=cleaned.get("customer", contact.customer), keep=contact)
    return record_update(
        instance=contact, actor=actor, values=cleaned, expected_version=expected_version,
        from_if_match=from_if_match,
    )


@transaction.atomic
def contact_delete(*, actor, contact: Contact):
    _require_reach(actor, Resource.CONTACT, Action.DELETE, contact.customer.owner)
    return record_soft_delete(instance=contact, actor=actor)
