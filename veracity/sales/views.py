"""Order and exchange-rate pages. Thin: parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound, ValidationFailed, VersionConflict
from veracity.core.forms import add_validation_errors
from veracity.core.money import reporting_currency
from veracity.core.views import paginate
from veracity.sales import selectors, services
from veracity.sales.forms import (
    ExchangeRateForm,
    OrderFilterForm,
    OrderForm,
    OrderLineFormSet,
    add_order_errors,
    order_line_formset,
)
from veracity.sales.models import OrderStatus

CUSTOMER_PANEL_ROWS = 10


@login_required
def order_list(request):
    form = OrderFilterForm(request.GET, user=request.user)
    orders = selectors.order_list(user=request.user, filters=form.filters())
    return render(request, "sales/order_list.html", {
        "page_obj": paginate(request, orders),
        "filter_form": form,
        "hidden": selectors.order_hidden_fields(user=request.user),
        "can_create": can(request.user, Resource.ORDER, Action.CREATE),
    })


@login_required
def order_detail(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk)
    can_edit = can(request.user, Resource.ORDER, Action.EDIT) and selectors.order_list(
        user=request.user, action=Action.EDIT).filter(pk=pk).exists()
    return render(request, "sales/order_detail.html", {
        "order": order,
        "lines": order.lines.all(),
        "hidden": selectors.order_hidden_fields(user=request.user),
        "reporting_currency": reporting_currency(),
        "can_edit": can_edit,
        "can_delete": can(request.user, Resource.ORDER, Action.DELETE) and can_edit,
        "transitions": [(status, OrderStatus(status).label) for status in services.allowed_transitions(order)]
        if can_edit else [],
    })


def _save_order(request, *, form: OrderForm, formset: OrderLineFormSet, order=None):
    """Run the service for a submitted order form; returns the order, or None with errors shown inline."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    rows = formset.live_forms()
    lines = [row.service_line() for row in rows]
    try:
        if order is None:
            return services.order_create(actor=request.user, values=form.service_values(), lines=lines)
        return services.order_update(actor=request.user, order=order, values=form.service_values(), lines=lines,
                                     expected_version=form.cleaned_data.get("version"))
    except VersionConflict:
        form.add_error(None, _("Someone else changed this order while you were editing. "
                               "Your changes were not saved: reload the page and apply them again."))
    except NotFound as error:
        if error.detail.get("field") != "customer":
            raise
        form.add_error("customer", _("Choose one of your customers."))
    except ValidationFailed as error:
        add_order_errors(form, formset, rows, error)
    return None


@login_required
def order_create(request):
    selectors.order_list(user=request.user, action=Action.CREATE)  # permission check before showing the form
    customer = request.GET.get("customer")
    customer = int(customer) if customer and customer.isdigit() else None
    form = OrderForm(request.POST or None, user=request.user, customer=customer,
                     initial={"customer": customer, "order_date": timezone.localdate()})
    formset = order_line_formset(user=request.user, data=request.POST or None)
    if request.method == "POST":
        order = _save_order(request, form=form, formset=formset)
        if order is not None:
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return redirect("sales:order_detail", pk=order.pk)
    return render(request, "sales/order_form.html", {"form": form, "formset": formset, "order": None})


@login_required
def order_edit(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk, action=Action.EDIT)
    form = OrderForm(request.POST or None, instance=order, user=request.user)
    formset = order_line_formset(user=request.user, data=request.POST or None, order=order)
    if request.method == "POST":
        if _save_order(request, form=form, formset=formset, order=order) is not None:
            messages.success(request, _("Order saved."))
            return redirect("sales:order_detail", pk=pk)
    return render(request, "sales/order_form.html", {"form": form, "formset": formset, "order": order})


@login_required
@require_POST
def order_status(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk, action=Action.EDIT)
    version = request.POST.get("version")
    try:
        services.order_status_change(actor=request.user, order=order, status=request.POST.get("status", ""),
                                     expected_version=int(version) if version and version.isdigit() else None)
    except VersionConflict:
        messages.error(request, _("Someone else changed this order in the meantime: check it and try again."))
    except ValidationFailed as error:
        messages.error(request, " ".join(message for texts in error.fields.values() for message in texts))
    else:
        messages.success(request, _("Order %(number)s is now %(status)s.") % {
            "number": order.number, "status": OrderStatus(order.status).label})
    return redirect("sales:order_detail", pk=pk)


@login_required
@require_POST
def order_delete(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk, action=Action.DELETE)
    services.order_delete(actor=request.user, order=order)
    messages.success(request, _("Order moved to the trash."))
    return redirect("sales:order_list")


@login_required
def customer_orders(request, customer_pk: int):
    """The customer page's orders panel (loaded with htmx): the customer's latest orders."""
    orders = selectors.customer_order_list(user=request.user, customer_pk=customer_pk)
    return render(request, "sales/customer_orders.html", {
        "orders": orders[:CUSTOMER_PANEL_ROWS],
        "total_count": orders.count(),
        "customer_pk": customer_pk,
        "can_create": can(request.user, Resource.ORDER, Action.CREATE)
        and selectors.order_customer_choices(user=request.user).filter(pk=customer_pk).exists(),
    })


@login_required
def rate_list(request):
    currency = request.GET.get("currency", "")
    return render(request, "sales/rate_list.html", {
        "page_obj": paginate(request, selectors.exchange_rate_list(user=request.user, currency=currency)),
        "currency": currency,
        "reporting_currency": reporting_currency(),
        "can_create": can(request.user, Resource.EXCHANGE_RATE, Action.CREATE),
        "can_edit": can(request.user, Resource.EXCHANGE_RATE, Action.EDIT),
        "can_delete": can(request.user, Resource.EXCHANGE_RATE, Action.DELETE),
    })


@login_required
def rate_create(request):
    selectors.exchange_rate_list(user=request.user, action=Action.CREATE)  # permission check before the form
    form = ExchangeRateForm(request.POST or None, initial={"rate_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            rate = services.exchange_rate_create(actor=request.user, values=form.service_values())
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Rate for %(currency)s on %(date)s added.") % {
                "currency": rate.currency, "date": rate.rate_date})
            return redirect("sales:rate_list")
    return render(request, "sales/rate_form.html", {"form": form, "rate": None,
                                                    "reporting_currency": reporting_currency()})


@login_required
def rate_edit(request, pk: int):
    rate = selectors.exchange_rate_get(user=request.user, pk=pk, action=Action.EDIT)
    form = ExchangeRateForm(request.POST or None, instance=rate)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_update(actor=request.user, rate=selectors.exchange_rate_get(
                user=request.user, pk=pk, action=Action.EDIT), values=form.service_values())
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("sales:rate_list")
    return render(request, "sales/rate_form.html", {"form": form, "rate": rate,
                                                    "reporting_currency": reporting_currency()})


@login_required
@require_POST
def rate_delete(request, pk: int):
    rate = selectors.exchange_rate_get(user=request.user, pk=pk, action=Action.DELETE)
    services.exchange_rate_delete(actor=request.user, rate=rate)
    messages.success(request, _("Exchange rate deleted."))
    return redirect("sales:rate_list")
