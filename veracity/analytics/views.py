"""Dashboard, target, review and subscription pages. Thin: selectors compute, services write."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from veracity.accounts.access import access_require, can, user_can_reach_owner
from veracity.accounts.models import Action, Resource
from veracity.analytics import selectors, services
from veracity.analytics.errors import InvalidReportFilter
from veracity.analytics.exporting import FORMATS, table_stream
from veracity.analytics.forms import ReviewSubscribeForm, SalesTargetForm
from veracity.analytics.models import RfmSegment
from veracity.analytics.selectors import reviews as review_selectors
from veracity.analytics.services import reviews as review_services
from veracity.analytics.services.stored_figures import stored_figures_ensure, stored_figures_ensure_current
from veracity.catalog.models import ProductCategory
from veracity.core.errors import ValidationFailed
from veracity.core.forms import form_save
from veracity.core.money import reporting_currency
from veracity.core.views import paginate
from veracity.customers.models import Customer
from veracity.sales.models import Channel, Region

DASHBOARD_TITLES = {
    "overview": gettext_lazy("Sales overview"), "pipeline": gettext_lazy("Pipeline"),
    "people": gettext_lazy("People"), "products": gettext_lazy("Products"), "customers": gettext_lazy("Customers"),
}


def period_presets(filters, today: dt.date) -> list[dict]:
    """One-tap date ranges (the other filters kept): each is a link whose URL carries the range."""
    return [{"key": key, "label": label, "query": filters.query(date_from=start, date_to=end),
             "active": (filters.date_from, filters.date_to) == (start, end)}
            for key, label, start, end in selectors.preset_ranges(today)]


def _filters(request):
    try:
        return selectors.dashboard_filters_parse(request.GET), None
    except InvalidReportFilter as error:
        return selectors.dashboard_filters_parse({}), error.message


def _dashboard(request, name: str):
    selectors.report_scope(request.user)  # function-level check before any work
    refreshed = services.rollups_refresh()
    filters, error = _filters(request)
    stored_figures_ensure(user=request.user, dashboard=name, filters=filters)
    tables = selectors.DASHBOARDS[name](user=request.user, filters=filters)
    # Filters beyond the dates, counted on the phone's "Filters" button (the panel starts closed there).
    narrowing = sum(1 for value in (filters.team, filters.rep, filters.region, filters.category, filters.channel,
                                    filters.currency) if value)
    return render(request, f"analytics/{name}.html", {
        "name": name, "title": DASHBOARD_TITLES[name], "tables": tables, "filters": filters, "filter_error": error,
        "rollups_incomplete": refreshed.incomplete,
        "presets": period_presets(filters, timezone.localdate()), "narrowing": narrowing,
        "previous_period": filters.previous(), "last_year_period": filters.last_year(),
        "can_forecast": can(request.user, Resource.FORECAST, Action.VIEW),
        "query": filters.query(), "dashboards": [(key, str(title)) for key, title in DASHBOARD_TITLES.items()],
        "teams": selectors.team_choices(user=request.user), "reps": selectors.rep_choices(user=request.user),
        "regions": Region.choices, "channels": Channel.choices,
        "categories": ProductCategory.objects.order_by("name"), "reporting_currency": reporting_currency(),
        "can_export": can(request.user, Resource.REPORT, Action.EXPORT),
        "margin_visible": selectors.margin_visible(request.user),
    })


@login_required
@require_GET
def overview(request):
    return _dashboard(request, "overview")


@login_required
@require_GET
def pipeline(request):
    return _dashboard(request, "pipeline")


@login_required
@require_GET
def people(request):
    return _dashboard(request, "people")


@login_required
@require_GET
def products(request):
    return _dashboard(request, "products")


@login_required
@require_GET
def customers(request):
    return _dashboard(request, "customers")


@login_required
@require_GET
def export(request, dashboard: str, block: str):
    """One chart's or table's data as CSV or XLSX, with the dashboard's filters from the URL."""
    access_require(request.user, Resource.REPORT, Action.EXPORT)
    if dashboard not in selectors.DASHBOARDS:
        raise Http404
    fmt = request.GET.get("format") or "csv"
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [_("Choose csv or xlsx.")]})
    services.rollups_refresh()
    filters = selectors.dashboard_filters_parse(request.GET)
    stored_figures_ensure_current(user=request.user, dashboard=dashboard, filters=filters)
    tables = selectors.DASHBOARDS[dashboard](user=request.user, filters=filters)
    if block not in tables:
        raise Http404
    response = StreamingHttpResponse(table_stream(tables[block], fmt), content_type=FORMATS[fmt])
    filename = f"{dashboard}-{block}-{filters.date_from}-{filters.date_to}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def customer_drill(request):
    """The customers behind a customers-dashboard figure (segment, cohort, size, source, industry)."""
    selectors.report_scope(request.user)
    customers_qs = selectors.customer_drill_list(user=request.user, params=request.GET).select_related("owner")
    return render(request, "analytics/customer_drill.html", {
        "page_obj": paginate(request, customers_qs.order_by("name", "id")), "params": request.GET,
        "criteria": _drill_criteria(request.GET)})


def _drill_criteria(params) -> list[tuple[str, str]]:
    """The figure's criteria in words (e.g. "Segment: At risk"), not as raw query keys."""
    criteria = []
    for key in ("segment", "cohort", "size", "source", "industry"):
        value = params.get(key) or ""
        if not value:
            continue
        if key == "segment":
            criteria.append((_("Segment"), str(dict(RfmSegment.choices).get(value, value))))
        elif key == "cohort":
            criteria.append((_("First purchase month"), value))
        else:
            field = Customer._meta.get_field(key)
            label = _("Unknown") if value == "-" else str(dict(field.choices).get(value, value))
            criteria.append((str(field.verbose_name).capitalize(), label))
    return criteria


# --- sales targets ---------------------------------------------------------------------------------

@login_required
def target_list(request):
    targets = selectors.sales_target_list(user=request.user)
    return render(request, "analytics/target_list.html", {
        "page_obj": paginate(request, targets),
        "can_create": can(request.user, Resource.SALES_TARGET, Action.CREATE),
        "can_edit": can(request.user, Resource.SALES_TARGET, Action.EDIT),
        "can_delete": can(request.user, Resource.SALES_TARGET, Action.DELETE),
    })


def _target_people(user, action):
    scope = access_require(user, Resource.SALES_TARGET, action)
    people = get_user_model().objects.filter(is_active=True).select_related("team").order_by("username")
    return get_user_model().objects.filter(pk__in=[p.pk for p in people if user_can_reach_owner(user, scope, p)])


@login_required
def target_create(request):
    people = _target_people(request.user, Action.CREATE)
    form = SalesTargetForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        if form_save(form, lambda: services.sales_target_create(actor=request.user,
                                                                values=form.service_values())) is not None:
            messages.success(request, _("Target saved."))
            return redirect("analytics:target_list")
    return render(request, "analytics/target_form.html", {"form": form})


@login_required
def target_edit(request, pk: int):
    target = selectors.sales_target_get(user=request.user, pk=pk, action=Action.EDIT)
    people = _target_people(request.user, Action.EDIT)
    form = SalesTargetForm(request.POST or None, instance=target, people=people,
                           initial={"version": target.version})
    if request.method == "POST" and form.is_valid():
        target.refresh_from_db()
        saved = form_save(form, lambda: services.sales_target_update(
            actor=request.user, target=target, values=form.service_values(),
            expected_version=form.cleaned_data.get("version")),
            conflict_message=_("Someone else changed this target while you were editing: reload and try again."))
        if saved is not None:
            messages.success(request, _("Target saved."))
            return redirect("analytics:target_list")
    return render(request, "analytics/target_form.html", {"form": form, "target": target})


@login_required
@require_POST
def target_delete(request, pk: int):
    target = selectors.sales_target_get(user=request.user, pk=pk, action=Action.DELETE)
    services.sales_target_delete(actor=request.user, target=target)
    messages.success(request, _("Target moved to the trash."))
    return redirect("analytics:target_list")


# --- periodic reviews ------------------------------------------------------------------------------

@login_required
def review_list(request):
    reviews = review_selectors.periodic_review_list(user=request.user)
    teams = review_selectors.review_team_choices(user=request.user)
    return render(request, "analytics/review_list.html", {
        "page_obj": paginate(request, reviews),
        "subscriptions": review_selectors.review_subscription_list(user=request.user),
        "form": ReviewSubscribeForm(teams=teams),
    })


@login_required
def review_detail(request, pk: int):
    review = review_selectors.periodic_review_get(user=request.user, pk=pk)
    return render(request, "analytics/review_detail.html", {"review": review})


@login_required
def review_pdf(request, pk: int):
    review = review_selectors.periodic_review_get(user=request.user, pk=pk)
    response = HttpResponse(bytes(review.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"review-{review.pk}.pdf")
    return response


@login_required
@require_POST
def review_subscribe(request):
    teams = review_selectors.review_team_choices(user=request.user)
    form = ReviewSubscribeForm(request.POST, teams=teams)
    if form.is_valid():
        review_services.review_subscription_create(actor=request.user, period=form.cleaned_data["period"],
                                                   team=form.cleaned_data["team"])
        messages.success(request, _("You will receive this review by email."))
    else:
        messages.error(request, _("Choose a period and one of the listed teams."))
    return redirect("analytics:review_list")


@login_required
@require_POST
def review_unsubscribe(request, pk: int):
    review_services.review_subscription_delete(actor=request.user, pk=pk)
    messages.success(request, _("Subscription removed."))
    return redirect("analytics:review_list")
