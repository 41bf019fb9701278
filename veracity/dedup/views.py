"""The duplicates review list, the side-by-side merge page, and the customer form's live check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_require, can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import DomainError, ValidationFailed
from veracity.core.views import paginate
from veracity.customers import selectors as customer_selectors
from veracity.customers.models import Contact, CustomerKind
from veracity.dedup import selectors, services
from veracity.dedup.errors import MergeAlreadyUndone, MergeUndoConflict
from veracity.dedup.forms import ClusterFilterForm, MergeForm
from veracity.dedup.models import Entity, ScanStatus


@login_required
def cluster_list(request):
    form = ClusterFilterForm(request.GET or {"status": "open", "sort": "score"})
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ClusterFilters(status=data.get("status", "open"), entity=data.get("entity") or "",
                                       sort=data.get("sort") or "score")
    page = paginate(request, selectors.cluster_list(user=request.user, filters=filters))
    scans = selectors.scan_list(user=request.user)
    return render(request, "dedup/cluster_list.html", {
        "page_obj": page, "views": selectors.cluster_views(user=request.user, clusters=page.object_list),
        "filter_form": form, "can_edit": can(request.user, Resource.DUPLICATE, Action.EDIT),
        "can_scan": can(request.user, Resource.DUPLICATE, Action.CREATE),
        "last_scan": scans.first(), "running": scans.filter(status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING]).exists(),
        "recent_merges": selectors.merge_list(user=request.user).filter(undone_at__isnull=True)[:5],
    })


def _decide(request, pk: int, service, message: str):
    cluster = selectors.cluster_get(user=request.user, pk=pk, action=Action.EDIT)
    service(actor=request.user, cluster=cluster)
    messages.success(request, message)
    return redirect("dedup:cluster_list")


@login_required
@require_POST
def cluster_confirm(request, pk: int):
    return _decide(request, pk, services.cluster_confirm, _("Marked as duplicates."))


@login_required
@require_POST
def cluster_dismiss(request, pk: int):
    return _decide(request, pk, services.cluster_dismiss, _("Dismissed: these records will not be proposed again."))


def _records(request, cluster) -> list:
    """The cluster's records the user may edit and that are still alive (merged ones are in the trash)."""
    ids = [member.record_id for member in cluster.members.all()]
    if cluster.entity == Entity.CONTACT:
        records = customer_selectors.contact_list(user=request.user, action=Action.EDIT)
    else:
        records = customer_selectors.customer_list(user=request.user, action=Action.EDIT)
    return list(records.filter(pk__in=ids).order_by("pk"))


@login_required
def cluster_merge(request, pk: int):
    """Side by side: pick the survivor and, field by field, which value to keep."""
    access_require(request.user, Resource.DUPLICATE, Action.EDIT)
    cluster = selectors.cluster_get(user=request.user, pk=pk, action=Action.EDIT)
    records = _records(request, cluster)
    if len(records) < 2:
        messages.info(request, _("Nothing left to merge in this group."))
        return redirect("dedup:cluster_list")
    by_pk = {record.pk: record for record in records}
    model = type(records[0])
    fields = services.MERGEABLE_FIELDS[model]
    survivor_pk = int(request.GET.get("survivor") or request.POST.get("survivor") or records[0].pk)
    survivor = by_pk.get(survivor_pk, records[0])
    loser_pk = int(request.GET.get("loser") or request.POST.get("loser") or next(r.pk for r in records if r is not survivor))
    loser = by_pk.get(loser_pk) if loser_pk != survivor.pk else None
    loser = loser or next(r for r in records if r is not survivor)
    form = MergeForm(request.POST or None, fields=fields,
                     initial={"survivor": survivor.pk, "loser": loser.pk})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                merge = services.record_merge(actor=request.user, survivor=survivor, loser=loser,
                                              field_choices=form.field_choices(), cluster=cluster)
        except ValidationFailed as error:
            for name, problems in error.fields.items():
                for problem in problems:
                    form.add_error(None, f"{name}: {problem}" if name != "__all__" else problem)
        else:
            messages.success(request, _("Merged. Everything now belongs to %(name)s.") % {"name": survivor.name})
            request.session["dedup_last_merge"] = merge.pk
            return redirect(survivor.get_absolute_url() if model is not Contact else "dedup:cluster_list")
    rows = []
    for name in fields:
        field = model._meta.get_field(name)
        display = f"get_{name}_display"
        left = getattr(survivor, display)() if hasattr(survivor, display) else getattr(survivor, name)
        right = getattr(loser, display)() if hasattr(loser, display) else getattr(loser, name)
        rows.append({"name": name, "label": field.verbose_name, "survivor": left, "loser": right,
                     "differs": left != right, "keep_loser": not left and bool(right)})
    return render(request, "dedup/merge.html", {
        "cluster": cluster, "records": records, "survivor": survivor, "loser": loser, "rows": rows, "form": form,
        "pair": cluster.pairs.filter(left_id=min(survivor.pk, loser.pk), right_id=max(survivor.pk, loser.pk)).first(),
    })


@login_required
@require_POST
def merge_undo(request, pk: int):
    merge = selectors.merge_get(user=request.user, pk=pk)
    try:
        services.merge_undo(actor=request.user, merge=merge)
    except (MergeUndoConflict, MergeAlreadyUndone) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Merge undone: both records are back as they were."))
    return redirect("dedup:cluster_list")


@login_required
@require_POST
def scan_start(request):
    try:
        services.scan_run_start(actor=request.user)
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Scan started. It runs in the background; reload this page to see the results."))
    return redirect("dedup:cluster_list")


@login_required
def customer_check(request):
    """htmx: the customer form asks, as the user types, which existing customers this one may be."""
    values = {name: request.GET.get(name, "") for name in ("name", "phone", "email", "credit_code", "city",
                                                            "address_line", "country")}
    kind = request.GET.get("kind") or CustomerKind.COMPANY
    exclude = request.GET.get("exclude") or ""
    found = selectors.likely_duplicates(user=request.user, values=values, kind=kind,
                                        exclude_pk=int(exclude) if exclude.isdigit() else None)
    return render(request, "dedup/_customer_check.html", {"found": found})
