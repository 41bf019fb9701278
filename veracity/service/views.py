"""Ticket pages and the service home. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_require, access_scope, can
from veracity.accounts.models import Action, Resource
from veracity.accounts.selectors import assignable_owners
from veracity.core.errors import ValidationFailed, VersionConflict
from veracity.core.forms import form_save
from veracity.core.views import paginate
from veracity.customers.selectors import customer_list
from veracity.service import selectors, services
from veracity.service.forms import SlaPolicyForm, TicketFilterForm, TicketForm, TicketMessageForm
from veracity.service.models import STATUS_CHOICES_AFTER, TicketStatus


def _assignees(user, action):
    scope = access_scope(user, Resource.TICKET, action)
    return assignable_owners(user=user, scope=scope) if scope else None


@login_required
def service_home(request):
    home = selectors.service_home(user=request.user)
    return render(request, "service/home.html", {
        "home": home, "can_create": can(request.user, Resource.TICKET, Action.CREATE),
    })


@login_required
def ticket_list(request):
    form = TicketFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.TicketFilters(
        q=data.get("q") or "", status=data.get("status") or "", priority=data.get("priority") or "",
        type=data.get("type") or "", sla=data.get("sla") or "", assignee=data.get("assignee"),
        customer=data.get("customer"), sort=data.get("sort") or "-created_at",
    )
    return render(request, "service/ticket_list.html", {
        "page_obj": paginate(request, selectors.ticket_list(user=request.user, filters=filters)),
        "filter_form": form,
        "can_create": can(request.user, Resource.TICKET, Action.CREATE),
    })


@login_required
def ticket_create(request):
    access_require(request.user, Resource.TICKET, Action.CREATE)
    customers = customer_list(user=request.user)
    initial = {key: request.GET[key] for key in ("customer", "order", "product") if request.GET.get(key, "").isdigit()}
    form = TicketForm(request.POST or None, initial=initial, customers=customers,
                      assignees=_assignees(request.user, Action.CREATE))
    if request.method == "POST" and form.is_valid():
        ticket = form_save(form, lambda: services.ticket_create(actor=request.user, values=form.service_values()))
        if ticket is not None:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect("service:ticket_detail", pk=ticket.pk)
    return render(request, "service/ticket_form.html", {"form": form, "ticket": None})


@login_required
def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    can_edit = can(request.user, Resource.TICKET, Action.EDIT)
    return render(request, "service/ticket_detail.html", {
        "ticket": ticket,
        "ticket_messages": selectors.ticket_messages(user=request.user, ticket=ticket),
        "message_form": TicketMessageForm() if can_edit and ticket.status != TicketStatus.CLOSED else None,
        "can_edit": can_edit,
        "can_delete": can(request.user, Resource.TICKET, Action.DELETE),
        "next_statuses": [(status, TicketStatus(status).label) for status in STATUS_CHOICES_AFTER[ticket.status]],
    })


@login_required
def ticket_edit(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk, action=Action.EDIT)
    form = TicketForm(request.POST or None, instance=ticket, assignees=_assignees(request.user, Action.EDIT))
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.ticket_update(
            actor=request.user, ticket=selectors.ticket_get(user=request.user, pk=pk),
            values=form.service_values(), expected_version=form.cleaned_data.get("version")),
            conflict_message=_("Someone else changed this ticket while you were editing. Your changes were not "
                               "saved: reload the page and apply them again."))
        if saved is not None:
            messages.success(request, _("Ticket saved."))
            return redirect("service:ticket_detail", pk=pk)
    return render(request, "service/ticket_form.html", {"form": form, "ticket": ticket})


@login_required
@require_POST
def ticket_status(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk, action=Action.EDIT)
    version = request.POST.get("version")
    try:
        services.ticket_status_change(actor=request.user, ticket=ticket, status=request.POST.get("status", ""),
                                      expected_version=int(version) if str(version).isdigit() else None)
    except VersionConflict:
        messages.error(request, _("Someone else changed this ticket first; nothing was changed. Try again."))
    except ValidationFailed as error:
        for problems in error.fields.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Status changed."))
    return redirect("service:ticket_detail", pk=pk)


@login_required
@require_POST
def ticket_message(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk, action=Action.EDIT)
    form = TicketMessageForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_message_add(actor=request.user, ticket=ticket, kind=form.cleaned_data["kind"],
                                        body=form.cleaned_data["body"])
        except ValidationFailed as error:
            for problems in error.fields.values():
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(request, _("Added, and logged on the customer's timeline."))
    else:
        messages.error(request, _("Write a message first."))
    return redirect("service:ticket_detail", pk=pk)


@login_required
@require_POST
def ticket_delete(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk, action=Action.DELETE)
    services.ticket_delete(actor=request.user, ticket=ticket)
    messages.success(request, _("Ticket moved to the trash."))
    return redirect("service:ticket_list")


@login_required
def sla_policies(request):
    rows = selectors.sla_policy_rows(user=request.user)
    can_edit = can(request.user, Resource.USER, Action.EDIT)
    if request.method == "POST":
        access_require(request.user, Resource.USER, Action.EDIT)
        priority = request.POST.get("priority", "")
        form = SlaPolicyForm(request.POST)
        if form.is_valid():
            try:
                services.sla_policy_set(actor=request.user, priority=priority, **form.cleaned_data)
            except ValidationFailed as error:
                for problems in error.fields.values():
                    for problem in problems:
                        messages.error(request, problem)
            else:
                messages.success(request, _("SLA targets saved. New tickets get them."))
                return redirect("service:sla")
        else:
            messages.error(request, _("Enter whole minutes between 1 and 525600."))
    return render(request, "service/sla.html", {"rows": rows, "can_edit": can_edit})
