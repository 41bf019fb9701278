"""Marketing pages and the public web-to-lead form. Thin: parse, call a selector or service, render."""

import datetime as dt

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import ValidationFailed, VersionConflict
from veracity.core.forms import add_validation_errors, form_save
from veracity.core.views import paginate
from veracity.customers.selectors import customer_get
from veracity.marketing import criteria, reports, selectors, services
from veracity.marketing.errors import LeadOwnerNotConfigured, RateLimited, SubmissionRejected
from veracity.marketing.forms import (
    CampaignFilterForm,
    CampaignForm,
    CampaignReportForm,
    DemandForm,
    SegmentForm,
    WebLeadForm,
)
from veracity.sales.selectors import order_list


def _conflict_message() -> str:
    return _("Someone else changed this record while you were editing. Your changes were not saved: "
             "reload the page and apply them again.")


# --- campaigns -----------------------------------------------------------------------------------

@login_required
def campaign_list(request):
    form = CampaignFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.CampaignFilters(q=data.get("q") or "", channel=data.get("channel") or "",
                                        active_on=data.get("active_on"), sort=data.get("sort") or "-start_date")
    return render(request, "marketing/campaign_list.html", {
        "page_obj": paginate(request, selectors.campaign_list(user=request.user, filters=filters)),
        "filter_form": form,
        "can_create": can(request.user, Resource.CAMPAIGN, Action.CREATE),
    })


def _segments_for(user):
    return selectors.segment_list(user=user) if can(user, Resource.SEGMENT, Action.VIEW) else \
        selectors.Segment.objects.none()


@login_required
def campaign_create(request):
    selectors.campaign_list(user=request.user, action=Action.CREATE)
    form = CampaignForm(request.POST or None, segments=_segments_for(request.user))
    if request.method == "POST" and form.is_valid():
        campaign = form_save(form, lambda: services.campaign_create(actor=request.user, values=form.service_values()))
        if campaign is not None:
            messages.success(request, _("Campaign %(code)s created.") % {"code": campaign.code})
            return redirect("marketing:campaign_detail", pk=campaign.pk)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_detail(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    member_count = None
    if campaign.target_segment_id and can(request.user, Resource.SEGMENT, Action.VIEW):
        try:
            member_count = selectors.segment_members(user=request.user, segment=campaign.target_segment).count()
        except ValidationFailed:
            member_count = None
    return render(request, "marketing/campaign_detail.html", {
        "campaign": campaign,
        "counts": selectors.campaign_attributed_counts(user=request.user, campaign=campaign),
        "member_count": member_count,
        "can_edit": can(request.user, Resource.CAMPAIGN, Action.EDIT),
        "can_delete": can(request.user, Resource.CAMPAIGN, Action.DELETE),
        "lead_form_url": request.build_absolute_uri(f"/forms/lead/?utm_campaign={campaign.code}"),
    })


@login_required
def campaign_edit(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk, action=Action.EDIT)
    form = CampaignForm(request.POST or None, instance=campaign, segments=_segments_for(request.user))
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.campaign_update(
            actor=request.user, campaign=campaign, values=form.service_values(),
            expected_version=form.cleaned_data.get("version")), conflict_message=_conflict_message())
        if saved is not None:
            messages.success(request, _("Campaign saved."))
            return redirect("marketing:campaign_detail", pk=pk)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_POST
def campaign_delete(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk, action=Action.DELETE)
    services.campaign_delete(actor=request.user, campaign=campaign)
    messages.success(request, _("Campaign moved to the trash."))
    return redirect("marketing:campaign_list")


# --- segments ------------------------------------------------------------------------------------

@login_required
def segment_list(request):
    return render(request, "marketing/segment_list.html", {
        "page_obj": paginate(request, selectors.segment_list(user=request.user, q=request.GET.get("q", ""))),
        "can_create": can(request.user, Resource.SEGMENT, Action.CREATE),
    })


def _segment_form_page(request, segment):
    initial = {"name": segment.name, "description": segment.description, "version": segment.version,
               **segment.criteria} if segment else {}
    form = SegmentForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            if "preview" in request.POST:
                preview = selectors.criteria_members(user=request.user, criteria_values=values["criteria"]).count()
            elif segment is None:
                segment = services.segment_create(actor=request.user, values=values)
                messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
                return redirect("marketing:segment_detail", pk=segment.pk)
            else:
                services.segment_update(actor=request.user, segment=segment, values=values,
                                        expected_version=form.cleaned_data.get("version"))
                messages.success(request, _("Segment saved."))
                return redirect("marketing:segment_detail", pk=segment.pk)
        except VersionConflict:
            form.add_error(None, _conflict_message())
        except ValidationFailed as error:
            add_validation_errors(form, ValidationFailed({name.removeprefix("criteria."): messages_
                                                          for name, messages_ in error.fields.items()}))
    return render(request, "marketing/segment_form.html", {"form": form, "segment": segment, "preview": preview})


@login_required
def segment_create(request):
    selectors.segment_list(user=request.user, action=Action.CREATE)
    return _segment_form_page(request, None)


@login_required
def segment_edit(request, pk: int):
    return _segment_form_page(request, selectors.segment_get(user=request.user, pk=pk, action=Action.EDIT))


@login_required
def segment_detail(request, pk: int):
    segment = selectors.segment_get(user=request.user, pk=pk)
    error = None
    try:
        members = selectors.segment_members(user=request.user, segment=segment)
        summary = criteria.criteria_describe(criteria.criteria_clean(segment.criteria))
    except ValidationFailed as failure:
        members, summary = selectors.Customer.objects.none(), []
        error = "; ".join(f"{name}: {' '.join(text)}" for name, text in failure.fields.items())
    return render(request, "marketing/segment_detail.html", {
        "segment": segment, "summary": summary, "criteria_error": error,
        "page_obj": paginate(request, members), "member_count": members.count(),
        "campaigns": selectors.campaign_list(user=request.user, filters=selectors.CampaignFilters(segment=segment.pk))
        if can(request.user, Resource.CAMPAIGN, Action.VIEW) else [],
        "can_edit": can(request.user, Resource.SEGMENT, Action.EDIT),
        "can_delete": can(request.user, Resource.SEGMENT, Action.DELETE),
        "can_export": can(request.user, Resource.SEGMENT, Action.EXPORT),
    })


@login_required
@require_POST
def segment_delete(request, pk: int):
    segment = selectors.segment_get(user=request.user, pk=pk, action=Action.DELETE)
    services.segment_delete(actor=request.user, segment=segment)
    messages.success(request, _("Segment moved to the trash."))
    return redirect("marketing:segment_list")


# --- reports -------------------------------------------------------------------------------------

def _period(form) -> tuple[dt.date, dt.date]:
    if form.is_bound and form.is_valid():
        return form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return reports.last_quarter()


@login_required
def campaign_report(request):
    start, end = reports.last_quarter()
    form = CampaignReportForm(request.GET or None, initial={"date_from": start, "date_to": end})
    date_from, date_to = _period(form)
    model = (form.cleaned_data.get("model") if form.is_bound and form.is_valid() else "") or "last"
    report = None
    try:
        report = reports.campaign_report(user=request.user, date_from=date_from, date_to=date_to, model=model)
    except ValidationFailed as error:
        add_validation_errors(form, error)
    chart = None
    if report is not None:
        chart = {
            "campaigns": [line.key for line in report.campaigns],
            "revenue": [float(line.revenue) for line in report.campaigns],
            "cost": [float(line.cost) for line in report.campaigns],
            "roi": [float(line.return_on_spend * 100) if line.return_on_spend is not None else None
                    for line in report.campaigns],
            "labels": {"revenue": _("Revenue"), "cost": _("Cost"), "roi": _("Return on spend (%)")},
        }
    return render(request, "marketing/campaign_report.html", {
        "form": form, "report": report, "chart": chart, "date_from": date_from, "date_to": date_to, "model": model,
        "can_export": can(request.user, Resource.REPORT, Action.EXPORT),
        "reporting_currency": settings.REPORTING_CURRENCY,
    })


@login_required
def campaign_report_export(request):
    form = CampaignReportForm(request.GET or None)
    date_from, date_to = _period(form)
    model = (form.cleaned_data.get("model") if form.is_bound and form.is_valid() else "") or "last"
    name, content_type, body = services.campaign_report_export(
        actor=request.user, date_from=date_from, date_to=date_to, model=model, fmt=request.GET.get("format") or "csv")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def attribution_list(request):
    customers = selectors.attributed_customers(user=request.user)
    page_obj = paginate(request, customers)
    return render(request, "marketing/attribution_list.html", {
        "page_obj": page_obj, "rows": selectors.attribution_overview(user=request.user, customers=page_obj),
    })


@login_required
def customer_touches(request, pk: int):
    customer = customer_get(user=request.user, pk=pk)
    return render(request, "marketing/customer_touches.html", {
        "touches": selectors.customer_touches(user=request.user, customer=customer)})


@login_required
def market_demand(request):
    start, end = reports.last_quarter()
    segments = _segments_for(request.user)
    form = DemandForm(request.GET or None, segments=segments, initial={"date_from": start, "date_to": end})
    date_from, date_to = _period(form)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows, columns = data.get("rows") or "region", data.get("columns") or "category"
    demand = reports.market_demand(user=request.user, date_from=date_from, date_to=date_to, rows=rows,
                                   columns=columns, segment=data.get("segment"))
    table = [(value, label, [(pk, demand.cell(value, pk)) for pk, _name in demand.columns])
             for value, label in demand.rows]
    chart = {
        "rows": [label for _value, label in demand.rows], "columns": [name for _pk, name in demand.columns],
        "cells": [[c, r, float(cell.growth * 100) if cell.growth is not None else None]
                  for r, (_v, _l, cells) in enumerate(table) for c, (_pk, cell) in enumerate(cells)
                  if cell.current or cell.previous],
        "label": _("Growth (%)"),
    }
    return render(request, "marketing/market_demand.html", {
        "form": form, "demand": demand, "table": table, "chart": chart, "rows": rows, "columns": columns,
        "reporting_currency": settings.REPORTING_CURRENCY,
    })


@login_required
def demand_orders(request):
    form = DemandForm(request.GET or None, segments=_segments_for(request.user))
    date_from, date_to = _period(form)
    column = request.GET.get("column") or ""
    orders = reports.demand_orders(
        user=request.user, orders=order_list(user=request.user), date_from=date_from, date_to=date_to,
        rows=request.GET.get("rows") or "region", row=request.GET.get("row") or "",
        columns=request.GET.get("columns") or "category", column=int(column) if column.isdigit() else None)
    return render(request, "marketing/demand_orders.html", {"page_obj": paginate(request, orders),
                                                           "date_from": date_from, "date_to": date_to})


# --- the public web-to-lead form -----------------------------------------------------------------

# The only pages another site may frame: the configured origins (and this site) as frame-ancestors.
LEAD_FORM_CSP = {"frame-ancestors": [SELF, *settings.LEAD_FORM_FRAME_ANCESTORS]}


def _client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _lead_form_render(request, form, status=200):
    return render(request, "marketing/lead_form.html", {"form": form}, status=status)


@xframe_options_exempt
@csp_replace(LEAD_FORM_CSP)
def web_lead_form(request):
    """Anonymous, write-only: answers a new lead, a known email and a honeypot hit with the same page."""
    if request.method != "POST":
        initial = {name: request.GET.get(name, "")[:100] for name in (*services.UTM_FIELDS, "campaign")}
        initial["token"] = services.form_token_issue()
        return _lead_form_render(request, WebLeadForm(initial=initial))
    try:
        services.rate_limit_hit(form=services.LEAD_FORM, address=_client_address(request),
                                limit=settings.LEAD_FORM_RATE_LIMIT, window=dt.timedelta(hours=1))
    except RateLimited as error:
        return render(request, "marketing/lead_form_refused.html", {"message": error.message}, status=429)
    form = WebLeadForm(request.POST)
    if request.POST.get("website"):
        return redirect("marketing:web_lead_thanks")  # a bot: pretend it worked, keep nothing
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.form_token_check(data.get("token") or "")
            services.web_lead_submit(data=services.WebLeadInput(
                name=data["name"], email=data["email"], company=data["company"], phone=data["phone"],
                province=data["province"], city=data["city"], message=data["message"], campaign=data["campaign"],
                utm={name: data[name] for name in services.UTM_FIELDS},
                referrer=request.META.get("HTTP_REFERER", "")))
        except SubmissionRejected as error:
            form.add_error(None, error.message)
        except LeadOwnerNotConfigured as error:
            return render(request, "marketing/lead_form_refused.html", {"message": _(
                "This form is not accepting submissions at the moment.")}, status=error.status)
        except ValidationFailed as error:
            add_validation_errors(form, ValidationFailed({
                ("company" if name == "name" and data["company"] else name): text
                for name, text in error.fields.items()}))
        else:
            return redirect("marketing:web_lead_thanks")
    fresh = form.data.copy()
    fresh["token"] = services.form_token_issue()
    form.data = fresh
    return _lead_form_render(request, form, status=400)


@xframe_options_exempt
@csp_replace(LEAD_FORM_CSP)
def web_lead_thanks(request):
    return render(request, "marketing/lead_form_thanks.html")
