"""Writes for activities (calls, visits, meetings, emails, notes, tasks). Every path — page, API,
quick-log form on the customer timeline, demo loader — calls these."""

from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, access_scope, scoped, user_can_reach_owner
from veracity.accounts.models import Action, Resource, Scope, User
from veracity.activities.errors import TaskNeedsDueDate, UnknownActivityField
from veracity.activities.models import Activity, ActivityKind
from veracity.core.errors import ValidationFailed
from veracity.core.services import record_create, record_soft_delete, record_update
from veracity.customers.models import Contact, Customer
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order
from veracity.standards.services import validate_record

# The only fields a client may set (SECURITY.md R3). Owner is the actor; done/done_at change only
# through activity_complete / activity_reopen.
ACTIVITY_WRITABLE_FIELDS = (
    "kind", "subject", "body", "customer", "contact", "opportunity", "order", "assignee",
    "occurred_at", "due_at", "duration_minutes", "location", "outcome",
)
_RELATED = {"contact": Contact, "opportunity": Opportunity, "order": Order}


def _pk_of(value) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _customer_action(create_scope: Scope) -> str:
    """Which right on the customer logging an activity needs. Staff whose activity grant reaches all
    records (service, admin) may log on any customer they can view; reps and managers must be able
    to edit the customer (their own / their team's)."""
    return Action.VIEW if create_scope == Scope.ALL else Action.EDIT


def _logging_scope(actor, *, editing: bool) -> Scope:
    """Checks the actor may create (or edit) activities and returns how far their logging reaches:
    the create grant decides which customers and assignees are in reach, for edits too."""
    if actor is None:
        return Scope.ALL
    required = access_require(actor, Resource.ACTIVITY, Action.EDIT if editing else Action.CREATE)
    return access_scope(actor, Resource.ACTIVITY, Action.CREATE) or required


def _clean_activity_values(*, actor, values: dict[str, Any], instance: Activity | None) -> dict[str, Any]:
    unknown = set(values) - set(ACTIVITY_WRITABLE_FIELDS)
    if unknown:
        raise UnknownActivityField(unknown)
    scope = _logging_scope(actor, editing=instance is not None)
    errors: dict[str, list[str]] = {}
    try:
        cleaned = validate_record("activity", values, partial=instance is not None, instance=instance)
    except ValidationFailed as error:
        if error.code == TaskNeedsDueDate.code:
            raise TaskNeedsDueDate() from error
        errors, cleaned = dict(error.fields), error.cleaned
    if "occurred_at" in values and cleaned.get("occurred_at") is None and "occurred_at" not in errors:
        cleaned["occurred_at"] = timezone.now()

    # The customer: must be one the actor may work with.
    customer = instance.customer if instance is not None else None
    if "customer" in cleaned or instance is None:
        pk = _pk_of(cleaned.get("customer"))
        customers = Customer.objects.all()
        if actor is not None:
            customers = scoped(customers, user=actor, resource=Resource.CUSTOMER, action=_customer_action(scope))
        customer = customers.filter(pk=pk).first() if pk else None
        if customer is None:
            errors["customer"] = [_("Choose a customer you may work with.")]
        cleaned["customer"] = customer

    # Contact, opportunity and order must belong to that customer.
    for name, model in _RELATED.items():
        if name in cleaned or ("customer" in cleaned and instance is not None):
            value = cleaned.get(name, getattr(instance, name) if instance is not None else None)
            pk = _pk_of(value)
            if not pk:
                cleaned[name] = None
                continue
            related = model.objects.filter(pk=pk, customer=customer).first() if customer else None
            if related is None:
                errors[name] = [_("This does not belong to the chosen customer.")]
            cleaned[name] = related

    kind = cleaned.get("kind", instance.kind if instance else None)
    if "assignee" in cleaned or ("kind" in cleaned and instance is not None):
        pk = _pk_of(cleaned.get("assignee", instance.assignee if instance else None))
        assignee = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if pk and assignee is None:
            errors["assignee"] = [_("No such user.")]
        elif assignee is not None and kind != ActivityKind.TASK:
            errors["assignee"] = [_("Only tasks can be assigned.")]
        elif assignee is not None and actor is not None and not user_can_reach_owner(actor, scope, assignee):
            errors["assignee"] = [_("You may only assign tasks to people in your scope.")]
        cleaned["assignee"] = assignee
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def activity_create(*, actor, values: dict[str, Any], owner=None) -> Activity:
    """Log an activity (or schedule a task) on a customer. The actor becomes its owner; `owner` is
    only for system loaders (actor=None)."""
    cleaned = _clean_activity_values(actor=actor, values=values, instance=None)
    activity_owner = actor if actor is not None else owner
    if activity_owner is None:
        raise ValidationFailed({"owner": [_("An activity needs an owner.")]})
    activity = Activity(owner=activity_owner, **cleaned)
    return record_create(instance=activity, actor=actor)


@transaction.atomic
def activity_update(
    *, actor, activity: Activity, values: dict[str, Any], expected_version: int | None, from_if_match: bool = False
) -> Activity:
    cleaned = _clean_activity_values(actor=actor, values=values, instance=activity)
    return record_update(
        instance=activity, actor=actor, values=cleaned, expected_version=expected_version,
        from_if_match=from_if_match,
    )


def _set_done(*, actor, activity: Activity, done: bool, expected_version: int | None) -> Activity:
    if actor is not None:
        access_require(actor, Resource.ACTIVITY, Action.EDIT)
    if activity.done == done:
        return activity
    version = activity.version if expected_version is None else expected_version
    return record_update(
        instance=activity, actor=actor, values={"done": done, "done_at": timezone.now() if done else None},
        expected_version=version,
    )


@transaction.atomic
def activity_complete(*, actor, activity: Activity, expected_version: int | None = None) -> Activity:
    """Mark done (a task ticked off, a scheduled call held). Without expected_version the version
    just read is used: completing twice is harmless."""
    return _set_done(actor=actor, activity=activity, done=True, expected_version=expected_version)


@transaction.atomic
def activity_reopen(*, actor, activity: Activity, expected_version: int | None = None) -> Activity:
    return _set_done(actor=actor, activity=activity, done=False, expected_version=expected_version)


@transaction.atomic
def activity_delete(*, actor, activity: Activity) -> None:
    if actor is not None:
        access_require(actor, Resource.ACTIVITY, Action.DELETE)
    record_soft_delete(instance=activity, actor=actor)
