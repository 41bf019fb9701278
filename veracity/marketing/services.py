"""Writes for campaigns, segments and the public web-to-lead form. Every path (page, API, CLI) calls these."""

import csv
import datetime as dt
import hashlib
import io
import json
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require, can
from veracity.accounts.models import Action, Resource, Team
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import ValidationFailed
from veracity.core.normalisation import clean_text
from veracity.core.services import check_version, record_create, record_soft_delete, record_update
from veracity.customers import services as customer_services
from veracity.customers.models import Customer, CustomerKind, CustomerSource, LifecycleStatus
from veracity.marketing import criteria
from veracity.marketing.errors import (
    CampaignCodeTaken,
    LeadOwnerNotConfigured,
    RateLimited,
    SegmentNameTaken,
    SubmissionRejected,
)
from veracity.marketing.models import Campaign, CampaignChannel, FormSubmissionHit, Segment, WebLead
from veracity.marketing.reports import campaign_report
from veracity.marketing.selectors import campaign_code_resolve
from veracity.standards.services import validate_record

CAMPAIGN_WRITABLE_FIELDS = ("code", "name", "channel", "start_date", "end_date", "budget", "actual_cost",
                            "target_segment", "description")
SEGMENT_WRITABLE_FIELDS = ("name", "description", "criteria")


def _require(actor, resource: str, action: str):
    if actor is not None:
        return access_require(actor, resource, action)
    return None


def _reject_unknown(values: dict[str, Any], writable: tuple[str, ...]) -> None:
    unknown = set(values) - set(writable)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})


# --- campaigns -----------------------------------------------------------------------------------

def _date(raw, errors: dict, key: str) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[key] = [_("Enter a date such as 2026-03-05.")]
        return None


def _money(raw, errors: dict, key: str) -> Decimal:
    if raw in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(raw).strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        errors[key] = [_("Enter an amount such as 12000.00.")]
        return Decimal("0")
    if amount < 0:
        errors[key] = [_("The amount cannot be negative.")]
    elif amount != amount.quantize(Decimal("0.01")):
        errors[key] = [_("Use at most two decimal places.")]
    return amount.quantize(Decimal("0.01")) if key not in errors else amount


def _clean_campaign_values(*, actor, values: dict[str, Any], instance: Campaign | None) -> dict[str, Any]:
    _reject_unknown(values, CAMPAIGN_WRITABLE_FIELDS)
    cleaned = dict(values)
    errors: dict[str, list[str]] = {}
    for name in ("code", "name", "description"):
        if name in cleaned:
            cleaned[name] = clean_text(str(cleaned[name] or "")) if name != "description" else \
                str(cleaned[name] or "").strip()
    if "code" in cleaned:
        cleaned["code"] = cleaned["code"].upper().replace(" ", "-")
    for name in ("code", "name"):
        if (instance is None or name in cleaned) and not cleaned.get(name):
            errors[name] = [_("This field is required.")]
    if "channel" in cleaned or instance is None:
        if cleaned.get("channel") not in CampaignChannel.values:
            errors["channel"] = [_("Choose one of the listed channels.")]
    for name in ("start_date", "end_date"):
        if name in cleaned:
            cleaned[name] = _date(cleaned[name], errors, name)
    if instance is None and not cleaned.get("start_date") and "start_date" not in errors:
        errors["start_date"] = [_("This field is required.")]
    for name in ("budget", "actual_cost"):
        if name in cleaned:
            cleaned[name] = _money(cleaned[name], errors, name)
    if "target_segment" in cleaned:
        raw = cleaned["target_segment"]
        if raw in (None, ""):
            cleaned["target_segment"] = None
        else:
            segment = Segment.objects.filter(pk=getattr(raw, "pk", raw)).first() if str(
                getattr(raw, "pk", raw)).isdigit() else None
            if segment is None or (actor is not None and not can(actor, Resource.SEGMENT, Action.VIEW)):
                errors["target_segment"] = [_("Choose an existing segment.")]
            cleaned["target_segment"] = segment
    start = cleaned.get("start_date", instance.start_date if instance else None)
    end = cleaned.get("end_date", instance.end_date if instance else None)
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = [_("The campaign cannot end before it starts.")]
    if errors:
        raise ValidationFailed(errors)
    if cleaned.get("code"):
        clash = Campaign.objects.filter(code__iexact=cleaned["code"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise CampaignCodeTaken(cleaned["code"])
    return cleaned


@transaction.atomic
def campaign_create(*, actor, values: dict[str, Any], owner=None) -> Campaign:
    _require(actor, Resource.CAMPAIGN, Action.CREATE)
    owner = owner or actor
    if owner is None:
        raise ValidationFailed({"owner": [_("A campaign needs an owner.")]})
    cleaned = _clean_campaign_values(actor=actor, values=values, instance=None)
    return record_create(instance=Campaign(owner=owner, **cleaned), actor=actor)


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, values: dict[str, Any], expected_version: int | None,
                    from_if_match: bool = False) -> Campaign:
    _require(actor, Resource.CAMPAIGN, Action.EDIT)
    check_version(campaign, expected_version, from_if_match=from_if_match)
    cleaned = _clean_campaign_values(actor=actor, values=values, instance=campaign)
    return record_update(instance=campaign, actor=actor, values=cleaned, expected_version=expected_version,
                         from_if_match=from_if_match)


@transaction.atomic
def campaign_delete(*, actor, campaign: Campaign):
    """To the trash. Leads, opportunities and orders keep pointing at it, so a restore loses nothing."""
    _require(actor, Resource.CAMPAIGN, Action.DELETE)
    return record_soft_delete(instance=campaign, actor=actor)


# --- segments ------------------------------------------------------------------------------------

def _clean_segment_values(values: dict[str, Any], *, instance: Segment | None) -> dict[str, Any]:
    _reject_unknown(values, SEGMENT_WRITABLE_FIELDS)
    cleaned = dict(values)
    errors: dict[str, list[str]] = {}
    if "name" in cleaned or instance is None:
        cleaned["name"] = clean_text(str(cleaned.get("name") or ""))
        if not cleaned["name"]:
            errors["name"] = [_("This field is required.")]
        elif len(cleaned["name"]) > Segment._meta.get_field("name").max_length:
            errors["name"] = [_("Use at most 120 characters.")]
    if "description" in cleaned:
        cleaned["description"] = str(cleaned["description"] or "").strip()
    if "criteria" in cleaned:
        raw = cleaned["criteria"] or {}
        if not isinstance(raw, dict):
            errors["criteria"] = [_("Criteria must be an object of field names and values.")]
        else:
            try:
                criteria.criteria_clean(raw)
            except ValidationFailed as error:
                errors.update({f"criteria.{name}": messages for name, messages in error.fields.items()})
            cleaned["criteria"] = criteria.criteria_data(raw)
    if errors:
        raise ValidationFailed(errors)
    if cleaned.get("name"):
        clash = Segment.objects.filter(name=cleaned["name"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise SegmentNameTaken(cleaned["name"])
    return cleaned


@transaction.atomic
def segment_create(*, actor, values: dict[str, Any]) -> Segment:
    _require(actor, Resource.SEGMENT, Action.CREATE)
    owner = actor if getattr(actor, "pk", None) else get_user_model().objects.filter(is_superuser=True).first()
    cleaned = _clean_segment_values(values, instance=None)
    return record_create(instance=Segment(owner=owner, **cleaned), actor=actor)


@transaction.atomic
def segment_update(*, actor, segment: Segment, values: dict[str, Any], expected_version: int | None,
                   from_if_match: bool = False) -> Segment:
    _require(actor, Resource.SEGMENT, Action.EDIT)
    check_version(segment, expected_version, from_if_match=from_if_match)
    cleaned = _clean_segment_values(values, instance=segment)
    return record_update(instance=segment, actor=actor, values=cleaned, expected_version=expected_version,
                         from_if_match=from_if_match)


@transaction.atomic
def segment_delete(*, actor, segment: Segment):
    _require(actor, Resource.SEGMENT, Action.DELETE)
    return record_soft_delete(instance=segment, actor=actor)


# --- the public web-to-lead form -------------------------------------------------------------------

LEAD_FORM = "web_lead"
TOKEN_SALT = "veracity.marketing.lead-form"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def form_token_issue(*, now: float | None = None) -> str:
    """A signed timestamp put in the form when it is shown; the submit checks how long ago that was."""
    issued = int(now if now is not None else time.time())
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(issued))


def form_token_check(token: str, *, now: float | None = None) -> None:
    """Refuses a missing, forged or expired token, and a form sent back faster than a person types."""
    now = now if now is not None else time.time()
    try:
        issued = int(signing.TimestampSigner(salt=TOKEN_SALT).unsign(
            token or "", max_age=settings.LEAD_FORM_MAX_AGE_SECONDS))
    except (signing.BadSignature, ValueError):
        raise SubmissionRejected("token", _("This form has expired. Please fill it in again.")) from None
    if now - issued < settings.LEAD_FORM_MIN_SECONDS:
        raise SubmissionRejected("too_fast", _("That was very quick. Please check your details and send the form "
                                               "again."))


def client_key(address: str | None) -> str:
    """The rate limiter's key for a client address: a salted hash, so addresses are not stored."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address or 'unknown'}".encode()).hexdigest()


def rate_limit_hit(*, form: str, address: str | None, limit: int, window: dt.timedelta) -> None:
    """Count one submission from `address`; raise RateLimited when it is over `limit` in `window`."""
    now = timezone.now()
    key = client_key(address)
    FormSubmissionHit.objects.filter(form=form, created_at__lt=now - window).delete()
    recent = FormSubmissionHit.objects.filter(form=form, client_key=key, created_at__gte=now - window).count()
    if recent >= limit:
        raise RateLimited()
    FormSubmissionHit.objects.create(form=form, client_key=key, created_at=now)


def lead_owner_pick():
    """Who a web lead belongs to: the next member of the configured team in turn (round robin, after
    the owner of the latest web lead), else the configured default owner."""
    users = get_user_model().objects.filter(is_active=True)
    team_name = settings.LEAD_OWNER_TEAM
    if team_name:
        team = Team.objects.filter(name=team_name).first()
        members = [user for user in users.filter(team=team).order_by("pk")
                   if can(user, Resource.CUSTOMER, Action.EDIT)] if team else []
        if members:
            last = WebLead.objects.filter(customer__owner__in=members, created_new=True).order_by("-pk") \
                .values_list("customer__owner_id", flat=True).first()
            ids = [member.pk for member in members]
            return members[(ids.index(last) + 1) % len(members)] if last in ids else members[0]
    if settings.LEAD_OWNER:
        owner = users.filter(username=settings.LEAD_OWNER).first()
        if owner is not None:
            return owner
    raise LeadOwnerNotConfigured()


@dataclass(frozen=True)
class WebLeadInput:
    name: str
    email: str
    company: str = ""
    phone: str = ""
    province: str = ""
    city: str = ""
    message: str = ""
    campaign: str = ""          # hidden field: a campaign code
    utm: dict | None = None
    referrer: str = ""


@transaction.atomic
def web_lead_submit(*, data: WebLeadInput) -> WebLead | None:
    """Create a lead from the public form: a Customer (lifecycle lead, source website, the campaign from
    the hidden field or utm_campaign) owned by the configured owner, through the customers service, so
    the entry standards apply. A known email creates nothing new and answers exactly as a new one
    would (the form is write-only); the submission is still recorded against that customer.
    Spam checks (honeypot, time to submit, rate limit) run before this, in the view."""
    utm = {name: clean_text(str((data.utm or {}).get(name) or ""))[:100] for name in UTM_FIELDS}
    campaign = campaign_code_resolve(data.campaign) or campaign_code_resolve(utm["utm_campaign"])
    email = (data.email or "").strip()
    values: dict[str, Any] = {
        "name": data.company or data.name, "kind": CustomerKind.COMPANY if data.company else CustomerKind.PERSON,
        "email": email, "phone": data.phone, "province": data.province, "city": data.city,
        "lifecycle_status": LifecycleStatus.LEAD, "source": CustomerSource.WEBSITE,
        "notes": _lead_notes(data), "campaign": campaign.pk if campaign else None,
    }
    values = {name: value for name, value in values.items() if value not in ("", None)}
    existing = Customer.objects.filter(email__iexact=email).first() if email else None
    if existing is not None:
        # Validate anyway, so a bad phone gets the same answer whether or not the email is known.
        validate_record("customer", {name: value for name, value in values.items() if name != "campaign"})
        created, customer = False, existing
    else:
        customer = customer_services.customer_create(actor=None, values=values, owner=lead_owner_pick())
        created = True
        if data.company and data.name:
            customer_services.contact_create(actor=None, values={
                "customer": customer, "name": data.name, "email": email, "phone": data.phone, "is_primary": True})
    return WebLead.objects.create(customer=customer, campaign=campaign, created_new=created,
                                  referrer=(data.referrer or "")[:500], **utm)


def _lead_notes(data: WebLeadInput) -> str:
    lines = [_("Sent through the web form.")]
    if data.company and data.name:
        lines.append(_("Contact: %(name)s") % {"name": data.name})
    if data.message:
        lines.append(data.message.strip())
    return "\n".join(lines)


# --- report files ----------------------------------------------------------------------------------

REPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (SECURITY.md R11); numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def campaign_report_export(*, actor, date_from: dt.date, date_to: dt.date, model: str = "last",
                           fmt: str = "csv") -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of the campaign report; needs `report` export and is audited."""
    if fmt not in REPORT_FORMATS:
        raise ValidationFailed({"format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(REPORT_FORMATS)}]})
    report = campaign_report(user=actor, date_from=date_from, date_to=date_to, model=model, action=Action.EXPORT)
    rows = [{"level": "campaign", **line.as_dict()} for line in report.campaigns]
    rows += [{"level": "channel", **line.as_dict()} for line in report.channels]
    audit_event_record(actor=actor, action=AuditAction.EXPORT, object_type="marketing.campaign_report",
                       object_repr=f"campaign report ({fmt})",
                       extra={"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "model": model,
                              "format": fmt, "row_count": len(rows)})
    name = f"veracity-campaign-report-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}"
    if fmt == "json":
        payload = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "model": model,
                   "reporting_currency": settings.REPORTING_CURRENCY, "rows": rows}
        return name, REPORT_FORMATS[fmt], json.dumps(payload, default=str, ensure_ascii=False, indent=2).encode()
    buffer = io.StringIO()
    columns = ["level", "key", "label", "channel", "leads", "conversions", "cost", "revenue", "revenue_first_touch",
               "revenue_last_touch", "cost_per_acquisition", "return_on_spend"]
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    return name, REPORT_FORMATS[fmt], ("\ufeff" + buffer.getvalue()).encode()
