"""Customer and contact pages. Thin: parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_scope, can
from veracity.accounts.models import Action, Resource, Scope
from veracity.core.forms import form_save
from veracity.core.views import paginate
from veracity.customers import selectors, services
from veracity.customers.forms import (
    ContactFilterForm,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    CustomerTransferForm,
)
from veracity.customers.models import CustomerKind


def _customer_conflict() -> str:
    return _("Someone else changed this customer while you were editing. Your changes were not "
             "saved: reload the page and apply them again.")


def _contact_conflict() -> str:
    return _("Someone else changed this contact while you were editing. Your changes were not "
             "saved: reload the page and apply them again.")


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def customer_list(request):
    scope = access_scope(request.user, Resource.CUSTOMER, Action.VIEW)
    owners = selectors.customer_owner_choices(user=request.user) if scope and scope > Scope.OWN else ()
    form = CustomerFilterForm(
        request.GET, owners=owners, provinces=selectors.customer_provinces(user=request.user),
        tags=selectors.tag_list(user=request.user),
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.CustomerFilters(
        q=data.get("q") or "", lifecycle_status=data.get("lifecycle_status") or "", kind=data.get("kind") or "",
        owner=data.get("owner"), industry=data.get("industry") or "", province=data.get("province") or "",
        tag=data.get("tag") or "", sort=data.get("sort") or "name",
    )
    return render(request, "customers/customer_list.html", {
        "page_obj": paginate(request, selectors.customer_list(user=request.user, filters=filters)),
        "filter_form": form,
        "show_owner_filter": bool(owners),
        "can_create": can(request.user, Resource.CUSTOMER, Action.CREATE),
    })


@login_required
def customer_detail(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk)
    can_edit = can(request.user, Resource.CUSTOMER, Action.EDIT)
    can_add_contact = (can_edit and customer.kind == CustomerKind.COMPANY
                       and can(request.user, Resource.CONTACT, Action.CREATE))
    contact_form = None
    if can_add_contact:
        contact_form = ContactForm(initial={"customer": customer.pk},
                                   companies=selectors.customer_list(user=request.user).filter(pk=customer.pk))
    return render(request, "customers/customer_detail.html", {
        "customer": customer,
        "contacts": selectors.customer_contacts(user=request.user, customer=customer),
        "contact_form": contact_form,
        "can_edit": can_edit,
        "can_delete": can(request.user, Resource.CUSTOMER, Action.DELETE),
        "can_edit_contacts": can(request.user, Resource.CONTACT, Action.EDIT),
    })


@login_required
def customer_create(request):
    selectors.customer_list(user=request.user, action=Action.CREATE)  # permission check before showing the form
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = form_save(form, lambda: services.customer_create(actor=request.user, values=form.service_values()))
        if customer is not None:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk, action=Action.EDIT)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.customer_update(
            actor=request.user, customer=selectors.customer_get(user=request.user, pk=pk),
            values=form.service_values(), expected_version=form.cleaned_data.get("version")),
            conflict_message=_customer_conflict())
        if saved is not None:
            messages.success(request, _("Customer saved."))
            return redirect("customers:detail", pk=pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def customer_delete(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk, action=Action.DELETE)
    services.customer_delete(actor=request.user, customer=customer)
    messages.success(request, _("Customer moved to the trash with its contacts, opportunities, orders and "
                                "activities."))
    return redirect("customers:list")


@login_required
def customer_transfer(request, pk: int):
    customer = selectors.customer_get(user=request.user, pk=pk, action=Action.EDIT)
    candidates = selectors.customer_owner_choices(user=request.user, action=Action.EDIT).exclude(pk=customer.owner_id)
    form = CustomerTransferForm(request.POST or None, candidates=candidates,
                                initial={"version": customer.version})
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.customer_transfer(
            actor=request.user, customer=customer, new_owner=form.cleaned_data["owner"],
            expected_version=form.cleaned_data.get("version")), conflict_message=_customer_conflict())
        if saved is not None:
            messages.success(request, _("%(name)s now belongs to %(owner)s.")
                             % {"name": customer.name, "owner": form.cleaned_data["owner"]})
            return redirect("customers:detail", pk=pk)
    return render(request, "customers/customer_transfer.html", {"form": form, "customer": customer})


@login_required
def contact_list(request):
    form = ContactFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ContactFilters(q=data.get("q") or "", customer=data.get("customer"),
                                       sort=data.get("sort") or "name")
    return render(request, "customers/contact_list.html", {
        "page_obj": paginate(request, selectors.contact_list(user=request.user, filters=filters)),
        "filter_form": form,
        "can_create": can(request.user, Resource.CONTACT, Action.CREATE),
    })


def _editable_companies(user):
    return selectors.customer_list(user=user, action=Action.EDIT).filter(kind=CustomerKind.COMPANY)


@login_required
def contact_create(request):
    selectors.contact_list(user=request.user, action=Action.CREATE)  # permission check before showing the form
    form = ContactForm(request.POST or None, initial={"customer": request.GET.get("customer")},
                       companies=_editable_companies(request.user))
    if request.method == "POST" and form.is_valid():
        contact = form_save(form, lambda: services.contact_create(actor=request.user, values=form.service_values()))
        if contact is not None:
            messages.success(request, _("Contact %(name)s added.") % {"name": contact.name})
            return redirect(_safe_next(request, contact.customer.get_absolute_url()))
    return render(request, "customers/contact_form.html", {"form": form, "contact": None,
                                                            "next": _safe_next(request, "")})


@login_required
def contact_edit(request, pk: int):
    contact = selectors.contact_get(user=request.user, pk=pk, action=Action.EDIT)
    form = ContactForm(request.POST or None, instance=contact, companies=_editable_companies(request.user))
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.contact_update(
            actor=request.user, contact=contact, values=form.service_values(),
            expected_version=form.cleaned_data.get("version")), conflict_message=_contact_conflict())
        if saved is not None:
            contact = saved
            messages.success(request, _("Contact saved."))
            return redirect(_safe_next(request, contact.customer.get_absolute_url()))
    return render(request, "customers/contact_form.html", {
        "form": form, "contact": contact, "next": _safe_next(request, ""),
        "can_delete": can(request.user, Resource.CONTACT, Action.DELETE),
    })


@login_required
@require_POST
def contact_delete(request, pk: int):
    contact = selectors.contact_get(user=request.user, pk=pk, action=Action.DELETE)
    services.contact_delete(actor=request.user, contact=contact)
    messages.success(request, _("Contact moved to the trash."))
    return redirect(_safe_next(request, contact.customer.get_absolute_url()))
