"""Product pages. Thin: parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource
from veracity.catalog import selectors, services
from veracity.catalog.forms import ProductFilterForm, ProductForm
from veracity.core.forms import form_save
from veracity.core.views import paginate


@login_required
def product_list(request):
    form = ProductFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if form.is_valid() else {}
    active = {"1": True, "0": False}.get(data.get("active") or "")
    filters = selectors.ProductFilters(q=data.get("q") or "", category=data.get("category"), active=active,
                                       sort=data.get("sort") or "sku")
    products = selectors.product_list(user=request.user, filters=filters)
    return render(request, "catalog/product_list.html", {
        "page_obj": paginate(request, products),
        "filter_form": form,
        "hidden": selectors.product_hidden_fields(user=request.user),
        "can_create": can(request.user, Resource.PRODUCT, Action.CREATE),
    })


@login_required
def product_detail(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk)
    return render(request, "catalog/product_detail.html", {
        "product": product,
        "hidden": selectors.product_hidden_fields(user=request.user),
        "can_edit": can(request.user, Resource.PRODUCT, Action.EDIT),
        "can_delete": can(request.user, Resource.PRODUCT, Action.DELETE),
    })


@login_required
def product_create(request):
    hidden = selectors.product_hidden_fields(user=request.user)
    selectors.product_list(user=request.user, action=Action.CREATE)  # permission check before showing the form
    form = ProductForm(request.POST or None, hidden_fields=hidden)
    if request.method == "POST" and form.is_valid():
        product = form_save(form, lambda: services.product_create(actor=request.user, values=form.service_values()))
        if product is not None:
            messages.success(request, _("Product %(sku)s created.") % {"sku": product.sku})
            return redirect("catalog:product_detail", pk=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": None})


@login_required
def product_edit(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk, action=Action.EDIT)
    hidden = selectors.product_hidden_fields(user=request.user)
    form = ProductForm(request.POST or None, instance=product, hidden_fields=hidden)
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.product_update(
            actor=request.user, product=selectors.product_get(user=request.user, pk=pk),
            values=form.service_values(), expected_version=form.cleaned_data.get("version")),
            conflict_message=_("Someone else changed this product while you were editing. "
                               "Your changes were not saved: reload the page and apply them again."))
        if saved is not None:
            messages.success(request, _("Product saved."))
            return redirect("catalog:product_detail", pk=pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


@login_required
@require_POST
def product_delete(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk, action=Action.DELETE)
    services.product_delete(actor=request.user, product=product)
    messages.success(request, _("Product moved to the trash."))
    return redirect("catalog:product_list")
