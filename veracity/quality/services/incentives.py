"""Awards (badges given by the rules an administrator configures) and the onboarding checklist."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.activities.models import Activity
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, ValidationFailed
from veracity.customers.models import Customer
from veracity.notifications.services import notify, recipient_language
from veracity.quality.models import Award, AwardMetric, AwardOperator, AwardRule, OnboardingStepDone
from veracity.quality.scorecards import period_bounds, ranked, scorecard_compute
from veracity.quality.services.reviews import reps

AWARD_RULE_WRITABLE = ("name", "icon", "metric", "operator", "value", "active")


def _clean_award_rule(values: dict[str, Any], instance: AwardRule | None) -> dict[str, Any]:
    unknown = set(values) - set(AWARD_RULE_WRITABLE)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "name" in values or instance is None:
        name = " ".join(str(values.get("name") or "").split())
        if not name or len(name) > 100:
            errors["name"] = [_("Give the badge a name of 1 to 100 characters.")]
        cleaned["name"] = name
    if "icon" in values:
        icon = str(values["icon"] or "award")
        if not icon.replace("-", "").isalnum() or len(icon) > 32:
            errors["icon"] = [_("Use a Bootstrap icon name such as award or trophy.")]
        cleaned["icon"] = icon
    if "metric" in values or instance is None:
        if values.get("metric") not in AwardMetric.values:
            errors["metric"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(AwardMetric.values)}]
        cleaned["metric"] = values.get("metric")
    if "operator" in values or instance is None:
        if values.get("operator") not in AwardOperator.values:
            errors["operator"] = [_("Choose gte (at least) or lte (at most).")]
        cleaned["operator"] = values.get("operator")
    if "value" in values or instance is None:
        try:
            cleaned["value"] = Decimal(str(values.get("value"))).quantize(Decimal("0.1"))
            if not Decimal("0") <= cleaned["value"] <= Decimal("100000"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["value"] = [_("Enter a number from 0 to 100000.")]
    if "active" in values:
        cleaned["active"] = bool(values["active"])
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def award_rule_create(*, actor, values: dict[str, Any]) -> AwardRule:
    if actor is not None:
        access_require(actor, Resource.AWARD, Action.CREATE)
    rule = AwardRule.objects.create(**_clean_award_rule(values, None))
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=rule,
                       changes={name: [None, str(getattr(rule, name))] for name in AWARD_RULE_WRITABLE})
    return rule


@transaction.atomic
def award_rule_update(*, actor, rule_id: int, values: dict[str, Any]) -> AwardRule:
    if actor is not None:
        access_require(actor, Resource.AWARD, Action.EDIT)
    rule = AwardRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    changes = {}
    for name, new in _clean_award_rule(values, rule).items():
        if getattr(rule, name) != new:
            changes[name] = [str(getattr(rule, name)), str(new)]
            setattr(rule, name, new)
    if changes:
        rule.save()
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=rule, changes=changes)
    return rule


def _earned(rule: AwardRule, value) -> bool:
    if value is None:
        return False
    value = Decimal(str(value))
    return value >= rule.value if rule.operator == AwardOperator.AT_LEAST else value <= rule.value


def awards_give(*, period: str) -> list[Award]:
    """Give every active rule's badge to each rep who earned it in `period` (once), and announce it
    to the rep and their team. Returns the new awards."""
    period_bounds(period)
    cards = ranked([scorecard_compute(rep, period) for rep in reps()])
    people = {rep.pk: rep for rep in reps()}
    new = []
    for rule in AwardRule.objects.filter(active=True):
        for card in cards:
            if not _earned(rule, getattr(card, rule.metric)):
                continue
            try:
                with transaction.atomic():
                    award = Award.objects.create(rule=rule, rep_id=card.rep_id, period=period)
            except IntegrityError:  # already given for this period
                continue
            audit_event_record(actor=None, action=AuditAction.CREATE, obj=award,
                               changes={"rep": [None, card.rep_id], "period": [None, period]})
            new.append(award)
            rep = people[card.rep_id]
            teammates = [rep, *[person for person in people.values() if person.team_id and
                                person.team_id == rep.team_id and person.pk != rep.pk]]
            if rep.team_id and rep.team.manager_id and rep.team.manager not in teammates:
                teammates.append(rep.team.manager)
            for person in teammates:
                with recipient_language(person):
                    title = (_("You earned the badge %(badge)s for %(period)s") if person.pk == rep.pk
                             else _("%(rep)s earned the badge %(badge)s for %(period)s")) % {
                        "rep": rep, "badge": rule.name, "period": period}
                    notify(person, kind="quality.award", title=title, url=reverse("quality:leaderboard"))
    return new


# ---------------------------------------------------------------------------------------------
# Onboarding

ONBOARDING_STEPS = ("first_customer", "first_activity", "profile", "entry_guide")


def onboarding_status(user) -> dict[str, bool]:
    done = set(OnboardingStepDone.objects.filter(user=user).values_list("step", flat=True))
    return {
        "first_customer": Customer.all_objects.filter(created_by=user).exists(),
        "first_activity": Activity.all_objects.filter(owner=user).exists(),
        "profile": bool(user.email and user.phone and (user.display_name or user.get_full_name())),
        "entry_guide": "entry_guide" in done,
    }


def onboarding_step_done(*, actor, step: str) -> None:
    if step not in ("entry_guide",):
        raise ValidationFailed({"step": [_("This step is checked from your data.")]})
    OnboardingStepDone.objects.get_or_create(user=actor, step=step)
