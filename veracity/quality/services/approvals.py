"""Change approvals (审核): key-field changes by people who may not approve changes themselves are held
as a ChangeRequest; a manager approves (the change is applied through the customers service, audited)
or rejects it with a reason. Either way the rep is told.

`change_gate` is what customers.services calls (registered in QualityConfig.ready())."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import can, scoped
from veracity.accounts.models import Action, Resource, User
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound
from veracity.core.normalisation import normalise_credit_code, normalise_email, normalise_phone
from veracity.core.services import audit_value
from veracity.customers import services as customer_services
from veracity.customers.models import Contact, Customer
from veracity.notifications.services import notify, recipient_language
from veracity.quality.errors import (
    ChangeRequestDecided,
    ChangeRequestStale,
    OwnChangeRequest,
    RejectionNeedsReason,
)
from veracity.quality.models import ChangeRequest, ChangeStatus
from veracity.quality.services.settings import approval_fields

# A new value that only re-formats the old one (138 0013 8000 -> +8613800138000) is no real change.
_FORMAT_ONLY = {"phone": normalise_phone, "mobile": normalise_phone, "email": normalise_email,
                "credit_code": normalise_credit_code}


def _is_real_change(field: str, old: Any, new: Any) -> bool:
    if old == new:
        return False
    normalise = _FORMAT_ONLY.get(field)
    if normalise and old and new:
        try:
            return normalise(str(old)) != new
        except ValueError:
            return True
    return True


def _current(record, name: str):
    """A field's value as compared and shown: a related record (a contact's company) by its key."""
    field = record._meta.get_field(name)
    return getattr(record, field.attname)


def _current_value(value):
    return getattr(value, "pk", value)


def reviewers_of(user) -> list[User]:
    """Who reviews `user`'s changes: the manager of their team (none: the active administrators)."""
    manager = user.team.manager if user.team_id and user.team and user.team.manager_id else None
    if manager is not None and manager.is_active and manager.pk != user.pk:
        return [manager]
    return list(User.objects.filter(is_active=True, roles__code="admin").exclude(pk=user.pk).distinct())


def change_gate(*, actor, entity: str, record, values: dict[str, Any]) -> tuple[dict[str, Any], ChangeRequest | None]:
    """Hold the key-field changes in `values` that need approval. People who may approve changes
    (change_request edit) need no approval for their own."""
    if can(actor, Resource.CHANGE_REQUEST, Action.EDIT):
        return {}, None
    watched = approval_fields(entity)
    held = {name: new for name, new in values.items()
            if name in watched and _is_real_change(name, _current(record, name), _current_value(new))}
    if not held:
        return {}, None
    changes = {name: [audit_value(_current(record, name)), audit_value(_current_value(new))]
               for name, new in held.items()}
    change_request = ChangeRequest.objects.create(
        entity=entity, content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk,
        record_label=str(record)[:200], changes=changes, base_version=record.version, requested_by=actor,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=change_request, changes=changes,
                       extra={"record": f"{entity}:{record.pk}"})
    url = reverse("quality:review_queue")
    for reviewer in reviewers_of(actor):
        with recipient_language(reviewer):
            notify(reviewer, kind="quality.review", url=url,
                   title=_("%(user)s asks to change %(record)s") % {"user": actor, "record": change_request.record_label},
                   body=_("Fields: %(fields)s") % {"fields": ", ".join(changes)})
    return held, change_request


def _reviewable(*, actor, pk: int) -> ChangeRequest:
    change_request = (scoped(ChangeRequest.objects.select_for_update().filter(pk=pk), user=actor,
                             resource=Resource.CHANGE_REQUEST, action=Action.EDIT)
                      .select_related("requested_by").first())
    if change_request is None:
        raise NotFound()
    if change_request.requested_by_id == actor.pk:
        raise OwnChangeRequest()
    if change_request.status != ChangeStatus.PENDING:
        raise ChangeRequestDecided()
    return change_request


def _decided(*, actor, change_request: ChangeRequest, status: str, reason: str = "") -> ChangeRequest:
    change_request.status, change_request.decided_at = status, timezone.now()
    change_request.decided_by, change_request.reason = actor, reason
    change_request.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=change_request,
                       changes={"status": [ChangeStatus.PENDING, status], **({"reason": ["", reason]} if reason else {})})
    rep = change_request.requested_by
    with recipient_language(rep):
        if status == ChangeStatus.APPROVED:
            title = _("Your change to %(record)s was approved") % {"record": change_request.record_label}
        else:
            title = _("Your change to %(record)s was rejected") % {"record": change_request.record_label}
        notify(rep, kind="quality.review", title=title, body=reason,
               url=reverse("customers:detail", args=[change_request.object_id]) if change_request.entity == "customer" else "")
    return change_request


@transaction.atomic
def change_request_approve(*, actor, change_request_id: int) -> ChangeRequest:
    """Apply the held change through the customers service (with the reviewer as the actor, so the
    audit trail says who approved), if the fields still hold the values the rep saw."""
    change_request = _reviewable(actor=actor, pk=change_request_id)
    if change_request.entity == "contact":
        _contact_change_apply(actor=actor, change_request=change_request)
        return _decided(actor=actor, change_request=change_request, status=ChangeStatus.APPROVED)
    customer = Customer.objects.select_related("owner").filter(pk=change_request.object_id).first()
    if customer is None:
        raise NotFound(_("The customer no longer exists."))
    stale = [name for name, (old, _new) in change_request.changes.items()
             if audit_value(getattr(customer, name)) != old]
    if stale:
        raise ChangeRequestStale(detail={"fields": stale})
    values = {name: new for name, (_old, new) in change_request.changes.items() if name != "owner"}
    if values:
        customer = customer_services.customer_update(actor=actor, customer=customer, values=values,
                                                     expected_version=customer.version)
    if "owner" in change_request.changes:
        new_owner = User.objects.filter(pk=change_request.changes["owner"][1]).first()
        customer_services.customer_transfer(actor=actor, customer=customer, new_owner=new_owner,
                                            expected_version=customer.version)
    return _decided(actor=actor, change_request=change_request, status=ChangeStatus.APPROVED)


def _contact_change_apply(*, actor, change_request: ChangeRequest) -> None:
    """A contact's held change, applied through the customers service as the reviewer."""
    contact = Contact.objects.select_related("customer__owner").filter(pk=change_request.object_id).first()
    if contact is None:
        raise NotFound(_("The contact no longer exists."))
    stale = [name for name, (old, _new) in change_request.changes.items()
             if audit_value(_current(contact, name)) != old]
    if stale:
        raise ChangeRequestStale(detail={"fields": stale})
    values = {name: new for name, (_old, new) in change_request.changes.items()}
    customer_services.contact_update(actor=actor, contact=contact, values=values, expected_version=contact.version)


@transaction.atomic
def change_request_reject(*, actor, change_request_id: int, reason: str) -> ChangeRequest:
    reason = " ".join((reason or "").split())
    if not reason:
        raise RejectionNeedsReason({"reason": [_("Say why, so the rep can correct it.")]})
    if len(reason) > 500:
        raise RejectionNeedsReason({"reason": [_("At most 500 characters.")]})
    change_request = _reviewable(actor=actor, pk=change_request_id)
    return _decided(actor=actor, change_request=change_request, status=ChangeStatus.REJECTED, reason=reason)
