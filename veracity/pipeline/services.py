"""Writes for opportunities and pipeline stages. Every path (page, board, API, CLI, import) calls these."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, scoped, user_can_reach_owner
from veracity.accounts.models import Action, Resource, User
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, PermissionDenied, ValidationFailed
from veracity.core.services import (
    audit_value,
    check_version,
    record_create,
    record_soft_delete,
    record_update,
    reference_resolve,
)
from veracity.customers.models import Contact, Customer
from veracity.pipeline.errors import LostReasonRequired, StageInUse, StageSetInvalid
from veracity.pipeline.models import LostReason, Opportunity, OpportunityStageChange, PipelineStage, StageKind
from veracity.standards.services import validate_record

# The only fields a client may set (SECURITY.md R3). The stage changes only through
# `opportunity_move`, the owner only through `opportunity_transfer`.
OPPORTUNITY_WRITABLE_FIELDS = (
    "name", "customer", "contact", "amount", "currency", "expected_close_date", "closed_on",
    "lost_reason", "lost_note", "description", "campaign",
)
STAGE_WRITABLE_FIELDS = ("name", "name_zh", "probability", "kind", "is_active")


def _require(actor, resource: str, action: str):
    if actor is not None:
        return access_require(actor, resource, action)
    return None


# --- Opportunities ---------------------------------------------------------------------------


def _editable_customer(*, actor, customer) -> Customer | None:
    """The customer if the actor may add opportunities to it (edit it), else None."""
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        return None
    queryset = Customer.objects.all()
    if actor is not None:
        queryset = scoped(queryset, user=actor, resource=Resource.CUSTOMER, action=Action.EDIT)
    return queryset.filter(pk=customer_id).first()


def _clean_opportunity_values(*, actor, values: dict[str, Any], instance: Opportunity | None) -> dict[str, Any]:
    unknown = set(values) - set(OPPORTUNITY_WRITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    context = {"stage_kind": instance.stage.kind} if instance is not None else None
    try:
        cleaned = validate_record("opportunity", values, partial=instance is not None, instance=instance,
                                  context=context)
    except ValidationFailed as error:  # reported together with the checks below
        errors, cleaned = dict(error.fields), error.cleaned
    if "customer" in cleaned:
        current = instance.customer_id if instance is not None else None
        raw = cleaned["customer"]
        raw_id = raw.pk if isinstance(raw, Customer) else raw
        if instance is not None and raw_id is not None and str(raw_id) == str(current):
            cleaned["customer"] = instance.customer
        else:
            customer = _editable_customer(actor=actor, customer=raw) if raw is not None else None
            if customer is None:
                errors["customer"] = [_("Choose a customer you may add opportunities to.")]
            cleaned["customer"] = customer
    if "contact" in cleaned and cleaned["contact"] is not None:
        contact_id = cleaned["contact"].pk if isinstance(cleaned["contact"], Contact) else cleaned["contact"]
        customer = cleaned.get("customer") or (instance.customer if instance is not None else None)
        contact = Contact.objects.filter(pk=contact_id, customer=customer).first() if customer else None
        if contact is None:
            errors["contact"] = [_("The contact must belong to the opportunity's customer.")]
        cleaned["contact"] = contact
    if "campaign" in cleaned:
        try:
            cleaned["campaign"] = reference_resolve(model=Opportunity, field="campaign", value=cleaned["campaign"])
        except LookupError:
            errors["campaign"] = [_("Choose an existing campaign.")]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _closing_values(*, stage: PipelineStage, closed_on: dt.date | None, lost_reason: str, lost_note: str,
                    today: dt.date) -> dict[str, Any]:
    """The cross-field rules of a stage: a won or lost opportunity has a close date, a lost one a
    reason; an open one has neither."""
    if stage.kind == StageKind.OPEN:
        return {"closed_on": None, "lost_reason": "", "lost_note": ""}
    if stage.kind == StageKind.LOST:
        if not lost_reason:
            raise LostReasonRequired()
        if lost_reason not in LostReason.values:
            raise ValidationFailed({"lost_reason": [_("Choose one of the listed reasons.")]})
        return {"closed_on": closed_on or today, "lost_reason": lost_reason, "lost_note": lost_note}
    return {"closed_on": closed_on or today, "lost_reason": "", "lost_note": ""}


def _check_closing_fields(*, stage: PipelineStage, closed_on, lost_reason: str) -> None:
    """The same rules when an edit touches the closing fields without moving the opportunity."""
    errors: dict[str, list[str]] = {}
    if stage.kind == StageKind.OPEN:
        if closed_on:
            errors["closed_on"] = [_("Only a won or lost opportunity has a close date.")]
        if lost_reason:
            errors["lost_reason"] = [_("Only a lost opportunity has a lost reason.")]
    else:  # a missing close date is an entry rule (standards: close_date_required)
        if stage.kind == StageKind.LOST and not lost_reason:
            raise LostReasonRequired()
        if stage.kind == StageKind.WON and lost_reason:
            errors["lost_reason"] = [_("Only a lost opportunity has a lost reason.")]
    if errors:
        raise ValidationFailed(errors)


def default_stage() -> PipelineStage:
    stage = PipelineStage.objects.filter(is_active=True, kind=StageKind.OPEN).order_by("position", "id").first()
    if stage is None:
        raise ValidationFailed({"stage": [_("The pipeline has no open stage. Ask an administrator to add one.")]})
    return stage


def _stage_from(value) -> PipelineStage:
    if isinstance(value, PipelineStage):
        value = value.pk
    stage = PipelineStage.objects.filter(pk=value, is_active=True).first() if value is not None else None
    if stage is None:
        raise ValidationFailed({"stage": [_("Choose an active pipeline stage.")]})
    return stage


def _next_position(stage: PipelineStage) -> int:
    highest = Opportunity.all_objects.filter(stage=stage).aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def opportunity_create(*, actor, values: dict[str, Any], stage: PipelineStage | int | None = None,
                       owner: User | None = None) -> Opportunity:
    """Create an opportunity owned by the actor (or, for the system, by `owner` or the customer's owner).

    The stage defaults to the first open stage; the first stage-history row is written too."""
    _require(actor, Resource.OPPORTUNITY, Action.CREATE)
    if "customer" not in values:
        raise ValidationFailed({"customer": [_("Choose a customer.")]})
    cleaned = _clean_opportunity_values(actor=actor, values=values, instance=None)
    target = default_stage() if stage is None else _stage_from(stage)
    closing = _closing_values(stage=target, closed_on=cleaned.get("closed_on"),
                              lost_reason=cleaned.get("lost_reason", ""), lost_note=cleaned.get("lost_note", ""),
                              today=timezone.localdate())
    cleaned.update(closing)
    if actor is not None:
        cleaned["owner"] = actor
    else:
        cleaned["owner"] = owner or cleaned["customer"].owner
    now = timezone.now()
    opportunity = Opportunity(**cleaned, stage=target, stage_changed_at=now, position=_next_position(target))
    record_create(instance=opportunity, actor=actor)
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage=None, to_stage=target, changed_at=now,
        changed_by=actor if getattr(actor, "pk", None) else None,
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *, actor, opportunity: Opportunity, values: dict[str, Any], expected_version: int | None,
    from_if_match: bool = False,
) -> Opportunity:
    """Change the writable fields. Stage changes go through `opportunity_move`, owner changes through
    `opportunity_transfer`."""
    _require(actor, Resource.OPPORTUNITY, Action.EDIT)
    cleaned = _clean_opportunity_values(actor=actor, values=values, instance=opportunity)
    if {"closed_on", "lost_reason"} & set(cleaned):
        _check_closing_fields(
            stage=opportunity.stage,
            closed_on=cleaned.get("closed_on", opportunity.closed_on),
            lost_reason=cleaned.get("lost_reason", opportunity.lost_reason),
        )
    return record_update(instance=opportunity, actor=actor, values=cleaned, expected_version=expected_version,
                         from_if_match=from_if_match)


def _visible_column(*, actor, stage: PipelineStage, exclude_pk: int):
    queryset = Opportunity.objects.filter(stage=stage).exclude(pk=exclude_pk)
    if actor is not None:
        queryset = scoped(queryset, user=actor, resource=Resource.OPPORTUNITY, action=Action.VIEW)
    return queryset.order_by("position", "-id")


def _reorder_column(*, actor, stage: PipelineStage, opportunity: Opportunity, index: int | None) -> int:
    """Renumber the cards of `stage` with `opportunity` at `index` among the cards the actor sees, and
    return its new position. Cards the actor cannot see keep their relative order; the other cards'
    versions are not bumped (their position is layout, not data)."""
    everyone = list(
        Opportunity.objects.select_for_update().filter(stage=stage).exclude(pk=opportunity.pk)
        .order_by("position", "-id").values_list("pk", "position")
    )
    order = [pk for pk, _position in everyone]
    if index is None:
        insert_at = len(order)
    else:
        visible = list(_visible_column(actor=actor, stage=stage, exclude_pk=opportunity.pk).values_list("pk", flat=True))
        index = max(0, int(index))
        if index < len(visible):
            insert_at = order.index(visible[index])
        elif visible:
            insert_at = order.index(visible[-1]) + 1
        else:
            insert_at = len(order)
    order.insert(insert_at, opportunity.pk)
    current = dict(everyone)
    for new_position, pk in enumerate(order):
        if pk != opportunity.pk and current.get(pk) != new_position:
            Opportunity.objects.filter(pk=pk).update(position=new_position)
    return insert_at


@transaction.atomic
def opportunity_move(
    *, actor, opportunity: Opportunity, stage: PipelineStage | int, position: int | None,
    expected_version: int | None, from_if_match: bool = False, lost_reason: str = "", lost_note: str = "",
    closed_on: dt.date | None = None,
) -> Opportunity:
    """Move an opportunity to `stage` (and to `position` among the cards the actor sees there).

    A stage change writes a history row and a `stage_change` audit event (from → to); moving into a
    won or lost stage sets `closed_on` (today unless given), a lost stage needs a reason, and moving
    back to an open stage clears them. A move inside one column only reorders."""
    _require(actor, Resource.OPPORTUNITY, Action.EDIT)
    target = _stage_from(stage)
    source = opportunity.stage
    values: dict[str, Any] = {}
    changed_stage = target.pk != source.pk
    if changed_stage:
        values.update(_closing_values(
            stage=target, closed_on=closed_on, lost_reason=lost_reason or "",
            lost_note=" ".join((lost_note or "").split()), today=timezone.localdate(),
        ))
        values["stage"] = target
        values["stage_changed_at"] = timezone.now()
    # Check the version before touching any other card.
    check_version(opportunity, expected_version, from_if_match=from_if_match)
    values["position"] = _reorder_column(actor=actor, stage=target, opportunity=opportunity, index=position)
    extra = {"from_stage": source.pk, "to_stage": target.pk,
             "from": source.name, "to": target.name} if changed_stage else None
    opportunity = record_update(
        instance=opportunity, actor=actor, values=values, expected_version=expected_version,
        from_if_match=from_if_match,
        audit_action=AuditAction.STAGE_CHANGE if changed_stage else AuditAction.UPDATE, extra=extra,
    )
    if changed_stage:
        OpportunityStageChange.objects.create(
            opportunity=opportunity, from_stage=source, to_stage=target, changed_at=values["stage_changed_at"],
            changed_by=actor if getattr(actor, "pk", None) else None,
        )
    return opportunity


@transaction.atomic
def opportunity_transfer(*, actor, opportunity: Opportunity, owner: User | int, expected_version: int | None,
                         from_if_match: bool = False) -> Opportunity:
    """Give the opportunity to another active user within the actor's reach (audited as a transfer)."""
    scope = _require(actor, Resource.OPPORTUNITY, Action.EDIT)
    owner_id = owner.pk if isinstance(owner, User) else owner
    new_owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id is not None else None
    if new_owner is None:
        raise ValidationFailed({"owner": [_("Choose an active user.")]})
    if scope is not None and not user_can_reach_owner(actor, scope, new_owner):
        raise PermissionDenied(_("You may only transfer opportunities to people in your scope."),
                               detail={"field": "owner"})
    return record_update(instance=opportunity, actor=actor, values={"owner": new_owner},
                         expected_version=expected_version, from_if_match=from_if_match,
                         audit_action=AuditAction.TRANSFER)


@transaction.atomic
def opportunity_delete(*, actor, opportunity: Opportunity) -> None:
    _require(actor, Resource.OPPORTUNITY, Action.DELETE)
    record_soft_delete(instance=opportunity, actor=actor)


# --- Stages ----------------------------------------------------------------------------------


def _clean_stage_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(STAGE_WRITABLE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    cleaned = dict(values)
    errors: dict[str, list[str]] = {}
    for text_field in ("name", "name_zh"):
        if text_field in cleaned:
            cleaned[text_field] = " ".join(str(cleaned[text_field] or "").split())
            if len(cleaned[text_field]) > 60:
                errors[text_field] = [_("At most 60 characters.")]
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = [_("A name is required.")]
    if "probability" in cleaned:
        try:
            probability = int(cleaned["probability"])
        except (TypeError, ValueError):
            probability = -1
        if not 0 <= probability <= 100:
            errors["probability"] = [_("Enter a whole number from 0 to 100.")]
        cleaned["probability"] = probability
    if "kind" in cleaned and cleaned["kind"] not in StageKind.values:
        errors["kind"] = [_("Choose open, won or lost.")]
    if "is_active" in cleaned:
        cleaned["is_active"] = bool(cleaned["is_active"])
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _check_stage_set(stages: list[tuple[str, bool]]) -> None:
    """Across the active stages: exactly one won stage, at least one lost and one open stage."""
    kinds = [kind for kind, active in stages if active]
    if kinds.count(StageKind.WON) != 1:
        raise StageSetInvalid(_("The pipeline needs exactly one active won stage."))
    if StageKind.LOST not in kinds:
        raise StageSetInvalid(_("The pipeline needs at least one active lost stage."))
    if StageKind.OPEN not in kinds:
        raise StageSetInvalid(_("The pipeline needs at least one active open stage."))


def _stage_set_after(change: PipelineStage | None, *, removed_pk: int | None = None) -> list[tuple[str, bool]]:
    rows = []
    for stage in PipelineStage.objects.select_for_update().order_by("position", "id"):
        if stage.pk == removed_pk:
            continue
        if change is not None and stage.pk == change.pk:
            rows.append((change.kind, change.is_active))
        else:
            rows.append((stage.kind, stage.is_active))
    if change is not None and change.pk is None:
        rows.append((change.kind, change.is_active))
    return rows


def _stage_audit(*, actor, action: AuditAction, stage: PipelineStage, changes: dict | None = None,
                 extra: dict | None = None) -> None:
    audit_event_record(actor=actor, action=action, obj=stage, changes=changes, extra=extra)


def _opportunities_in(stage: PipelineStage) -> int:
    return Opportunity.all_objects.filter(stage=stage).count()


@transaction.atomic
def stage_create(*, actor, values: dict[str, Any]) -> PipelineStage:
    _require(actor, Resource.PIPELINE_STAGE, Action.CREATE)
    cleaned = _clean_stage_values(values)
    if "name" not in cleaned or "probability" not in cleaned:
        raise ValidationFailed({
            name: [_("This field is required.")] for name in ("name", "probability") if name not in cleaned
        })
    highest = PipelineStage.objects.aggregate(top=Max("position"))["top"] or 0
    stage = PipelineStage(**cleaned, position=highest + 10)
    _check_stage_set(_stage_set_after(stage))
    stage.save()
    _stage_audit(actor=actor, action=AuditAction.CREATE, stage=stage,
                 changes={name: [None, audit_value(getattr(stage, name))] for name in (*cleaned, "position")})
    return stage


@transaction.atomic
def stage_update(*, actor, stage: PipelineStage, values: dict[str, Any]) -> PipelineStage:
    _require(actor, Resource.PIPELINE_STAGE, Action.EDIT)
    cleaned = _clean_stage_values(values)
    stage = PipelineStage.objects.select_for_update().get(pk=stage.pk)
    diffs = {name: [audit_value(getattr(stage, name)), audit_value(value)]
             for name, value in cleaned.items() if getattr(stage, name) != value}
    if not diffs:
        return stage
    held = _opportunities_in(stage) if ("kind" in diffs or "is_active" in diffs) else 0
    if held and "kind" in diffs:
        raise StageInUse(held)
    if held and "is_active" in diffs and not cleaned["is_active"]:
        raise StageInUse(held)
    for name, value in cleaned.items():
        setattr(stage, name, value)
    _check_stage_set(_stage_set_after(stage))
    stage.save()
    _stage_audit(actor=actor, action=AuditAction.UPDATE, stage=stage, changes=diffs)
    return stage


@transaction.atomic
def stage_delete(*, actor, stage: PipelineStage) -> bool:
    """Delete a stage that holds no opportunity. A stage named in some opportunity's history is
    deactivated instead, so the history stays readable. Returns True when the row was deleted."""
    _require(actor, Resource.PIPELINE_STAGE, Action.DELETE)
    stage = PipelineStage.objects.select_for_update().filter(pk=stage.pk).first()
    if stage is None:
        raise NotFound()
    held = _opportunities_in(stage)
    if held:
        raise StageInUse(held)
    _check_stage_set(_stage_set_after(None, removed_pk=stage.pk))
    in_history = OpportunityStageChange.objects.filter(from_stage=stage).exists() or \
        OpportunityStageChange.objects.filter(to_stage=stage).exists()
    if in_history:
        if stage.is_active:
            stage.is_active = False
            stage.save(update_fields=["is_active"])
            _stage_audit(actor=actor, action=AuditAction.UPDATE, stage=stage, changes={"is_active": [True, False]},
                         extra={"reason": "deleted stage kept for history"})
        return False
    _stage_audit(actor=actor, action=AuditAction.DELETE, stage=stage,
                 extra={"name": stage.name, "kind": stage.kind, "probability": stage.probability})
    stage.delete()
    return True


@transaction.atomic
def stage_reorder(*, actor, stage_ids: list[int]) -> list[PipelineStage]:
    """Put the stages in the given order (every stage exactly once); positions become 10, 20, …"""
    _require(actor, Resource.PIPELINE_STAGE, Action.EDIT)
    stages = {stage.pk: stage for stage in PipelineStage.objects.select_for_update()}
    try:
        ids = [int(pk) for pk in stage_ids]
    except (TypeError, ValueError):
        ids = []
    if sorted(ids) != sorted(stages):
        raise ValidationFailed({"stage_ids": [_("List every stage exactly once.")]})
    before = [pk for pk, _stage in sorted(stages.items(), key=lambda item: (item[1].position, item[0]))]
    changed = []
    for index, pk in enumerate(ids, start=1):
        stage = stages[pk]
        if stage.position != index * 10:
            stage.position = index * 10
            changed.append(stage)
    if changed:
        PipelineStage.objects.bulk_update(changed, ["position"])
        audit_event_record(actor=actor, action=AuditAction.UPDATE, object_type="pipeline.pipelinestage",
                           object_id="order", object_repr="pipeline stage order",
                           changes={"order": [before, ids]})
    return [stages[pk] for pk in ids]


def stage_shift(*, actor, stage: PipelineStage, offset: int) -> list[PipelineStage]:
    """Move one stage up (offset -1) or down (+1) in the order: the up/down buttons."""
    order = list(PipelineStage.objects.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(stage.pk)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return stage_reorder(actor=actor, stage_ids=order)
