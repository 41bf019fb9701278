"""Forecasting pages. Thin: parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_require, can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import ValidationFailed
from veracity.core.views import paginate
from veracity.forecasting import selectors, services
from veracity.forecasting.forms import AlertFilterForm, CustomerValueFilterForm, SeriesPickForm
from veracity.forecasting.models import Frequency, SeriesKind
from veracity.forecasting.periods import period_shift, period_start

OPENING_ORDER = [SeriesKind.COMPANY, SeriesKind.TEAM, SeriesKind.REP, SeriesKind.CATEGORY, SeriesKind.PRODUCT]
RISK_BANDS = {"high": (0.7, None), "medium": (0.3, 0.7), "low": (None, 0.3)}


def _chart_data(series) -> dict:
    points = list(series.points.all())
    return {
        "label": series.label,
        "history": series.history,
        "forecast": [[p.period.isoformat(), float(p.forecast), float(p.lo80), float(p.hi80), float(p.lo95),
                      float(p.hi95)] for p in points],
        "names": {"history": _("Actual"), "forecast": _("Forecast"), "band80": _("Interval (80 %)"),
                  "band95": _("Interval (95 %)")},
    }


@login_required
def overview(request):
    access_require(request.user, Resource.FORECAST, Action.VIEW)
    form = SeriesPickForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    freq = data.get("freq") or Frequency.MONTH
    kind = data.get("kind") or ""
    all_series = list(selectors.forecast_series_list(user=request.user, freq=freq))
    choices = [s for s in all_series if not kind or s.kind == kind]
    wanted = data.get("series") or ""
    # Without a choice, open the widest series the user may see (the company, else their team, …), not
    # whichever sorts first: a manager opening forecasts on a phone wants the big picture.
    widest = sorted(choices, key=lambda s: OPENING_ORDER.index(s.kind) if s.kind in OPENING_ORDER else len(OPENING_ORDER))
    key = wanted if any(s.key == wanted for s in choices) else (widest[0].key if widest else "")
    current = selectors.forecast_series_get(user=request.user, key=key, freq=freq) if key else None
    today = timezone.localdate()
    month = period_start(today, Frequency.MONTH)
    review = selectors.forecast_vs_actual(user=request.user, period_start=period_shift(month, Frequency.MONTH, -6),
                                          period_end=today)
    return render(request, "forecasting/overview.html", {
        "form": form, "freq": freq, "kind": kind, "series_choices": choices, "current": current,
        "chart": _chart_data(current) if current else None, "run": selectors.forecast_run_latest(freq=freq),
        "kinds": SeriesKind.choices, "review": review, "can_run": can(request.user, Resource.FORECAST, Action.CREATE),
        "pipeline": selectors.pipeline_forecast(user=request.user) if can(request.user, Resource.OPPORTUNITY, Action.VIEW)
        else None,
    })


@login_required
@require_POST
def run_create(request):
    try:
        services.forecast_run_request(actor=request.user, freq=request.POST.get("freq") or Frequency.MONTH)
    except ValidationFailed as error:
        messages.error(request, "; ".join(m for ms in error.detail.get("fields", {}).values() for m in ms))
    else:
        messages.success(request, _("A forecast run was queued: it appears here when the background job finishes."))
    return redirect("forecasting:overview")


@login_required
def customer_values(request):
    access_require(request.user, Resource.FORECAST, Action.VIEW)
    form = CustomerValueFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    low, high = RISK_BANDS.get(data.get("risk") or "", (None, None))
    filters = selectors.CustomerValueFilters(
        q=data.get("q") or "", min_churn=low, max_churn=high,
        min_clv=float(data["min_clv"]) if data.get("min_clv") is not None else None, sort=data.get("sort") or "-clv")
    return render(request, "forecasting/customer_values.html", {
        "form": form, "page_obj": paginate(request, selectors.customer_value_list(user=request.user, filters=filters)),
        "fit": selectors.clv_fit_latest(),
    })


@login_required
def customer_panel(request, customer_pk: int):
    """The value card on the customer page (loaded with htmx)."""
    value = selectors.customer_value_get(user=request.user, customer_id=customer_pk)
    return render(request, "forecasting/_customer_panel.html", {"value": value})


@login_required
def alert_list(request):
    access_require(request.user, Resource.FORECAST, Action.VIEW)
    form = AlertFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AlertFilters(open_only=bool(data.get("open_only")), severity=data.get("severity") or "",
                                     scope=data.get("scope") or "")
    return render(request, "forecasting/alert_list.html", {
        "form": form, "page_obj": paginate(request, selectors.anomaly_alert_list(user=request.user, filters=filters)),
    })


@login_required
def alert_panel(request):
    """Open alerts for the home page (loaded with htmx); empty for users without forecasts."""
    alerts = []
    if can(request.user, Resource.FORECAST, Action.VIEW):
        alerts = list(selectors.anomaly_alert_list(user=request.user, filters=selectors.AlertFilters(open_only=True))[:5])
    return render(request, "forecasting/_alert_panel.html", {"alerts": alerts})


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    services.anomaly_alert_acknowledge(actor=request.user, pk=pk)
    messages.success(request, _("Alert acknowledged."))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/forecasts/")
                    else "forecasting:alert_list")
