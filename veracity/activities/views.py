"""Activity pages and the customer timeline panel. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_require, can, scoped
from veracity.accounts.models import Action, Resource
from veracity.activities import selectors, services
from veracity.activities.forms import ActivityFilterForm, ActivityForm, QuickLogForm
from veracity.activities.models import ActivityKind
from veracity.core.errors import ValidationFailed
from veracity.core.forms import add_validation_errors, form_save
from veracity.core.views import paginate
from veracity.customers.models import Customer


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def activity_list(request):
    form = ActivityFilterForm(request.GET, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    done = {"1": True, "0": False}.get(data.get("done") or "")
    assignee = data.get("assignee")
    filters = selectors.ActivityFilters(
        q=data.get("q") or "", kind=data.get("kind") or "", customer=data.get("customer"),
        assignee=assignee.pk if assignee else None, done=done, due=data.get("due") or "",
        sort=data.get("sort") or "-occurred_at",
    )
    activities = selectors.activity_list(user=request.user, filters=filters)
    return render(request, "activities/activity_list.html", {
        "page_obj": paginate(request, activities),
        "filter_form": form,
        "can_create": can(request.user, Resource.ACTIVITY, Action.CREATE),
    })


@login_required
def activity_detail(request, pk: int):
    activity = selectors.activity_get(user=request.user, pk=pk)
    return render(request, "activities/activity_detail.html", {
        "activity": activity,
        "can_edit": can(request.user, Resource.ACTIVITY, Action.EDIT),
        "can_delete": can(request.user, Resource.ACTIVITY, Action.DELETE),
    })


def _customer_from_query(request):
    raw = request.GET.get("customer") or request.POST.get("customer")
    if not raw or not str(raw).isdigit():
        return None
    return scoped(Customer.objects.all(), user=request.user, resource=Resource.CUSTOMER).filter(pk=raw).first()


@login_required
def activity_create(request):
    selectors.activity_list(user=request.user, action=Action.CREATE)  # permission check before the form
    customer = _customer_from_query(request)
    initial = {}
    if request.GET.get("kind") in ActivityKind.values:
        initial["kind"] = request.GET["kind"]
    form = ActivityForm(request.POST or None, user=request.user, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = form_save(form, lambda: services.activity_create(actor=request.user, values=form.service_values()))
        if activity is not None:
            messages.success(request, _("Activity saved."))
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": None, "customer": customer})


@login_required
def activity_edit(request, pk: int):
    activity = selectors.activity_get(user=request.user, pk=pk, action=Action.EDIT)
    form = ActivityForm(request.POST or None, instance=activity, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.activity_update(
            actor=request.user, activity=selectors.activity_get(user=request.user, pk=pk),
            values=form.service_values(), expected_version=form.cleaned_data.get("version")),
            conflict_message=_("Someone else changed this activity while you were editing. "
                               "Your changes were not saved: reload the page and apply them again."))
        if saved is not None:
            messages.success(request, _("Activity saved."))
            return redirect("activities:detail", pk=pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity, "customer": None})


@login_required
@require_POST
def activity_delete(request, pk: int):
    activity = selectors.activity_get(user=request.user, pk=pk, action=Action.DELETE)
    services.activity_delete(actor=request.user, activity=activity)
    messages.success(request, _("Activity moved to the trash."))
    return redirect("activities:list")


@login_required
@require_POST
def activity_complete(request, pk: int):
    """Tick a task off (done=1) or reopen it (no done field: an unticked checkbox sends nothing)."""
    activity = selectors.activity_get(user=request.user, pk=pk, action=Action.EDIT)
    if request.POST.get("done") in ("1", "on", "true"):
        activity = services.activity_complete(actor=request.user, activity=activity)
    else:
        activity = services.activity_reopen(actor=request.user, activity=activity)
    if _is_htmx(request):
        return render(request, "activities/_activity_row.html", {"activity": activity})
    messages.success(request, _("Marked as done.") if activity.done else _("Reopened."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "activities:list"
    return redirect(target)


@login_required
def customer_timeline(request, customer_pk: int):
    """The customer page's timeline panel (htmx fragment): a quick-log form and the history."""
    form = QuickLogForm(request.POST or None)
    can_log = can(request.user, Resource.ACTIVITY, Action.CREATE)
    if request.method == "POST":
        access_require(request.user, Resource.ACTIVITY, Action.CREATE)
        if form.is_valid():
            try:
                services.activity_create(actor=request.user, values={**form.cleaned_data, "customer": customer_pk})
            except ValidationFailed as error:
                add_validation_errors(form, error)
            else:
                form = QuickLogForm()
    entries = selectors.customer_timeline(user=request.user, customer_pk=customer_pk)
    return render(request, "activities/_customer_timeline.html", {
        "entries": entries, "form": form, "customer_pk": customer_pk, "can_log": can_log,
    })
