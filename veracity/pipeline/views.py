"""Pipeline pages: the kanban board, opportunity list/detail/forms and stage administration.
Thin: parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from veracity.core.forms import add_validation_errors, form_save
from veracity.core.views import paginate
from veracity.pipeline import selectors, services
from veracity.pipeline.errors import StageInUse
from veracity.pipeline.forms import (
    BoardFilterForm,
    MoveForm,
    OpportunityFilterForm,
    OpportunityForm,
    StageForm,
)
from veracity.pipeline.models import LostReason


def _conflict_text() -> str:
    return _("Someone else changed this opportunity while you were working on it. "
             "Nothing was saved: the page shows the current state, apply your change again.")


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _board_context(request, data) -> dict:
    form = BoardFilterForm(data, user=request.user)
    filters = form.filters()
    return {
        "columns": selectors.board(user=request.user, filters=filters),
        "filter_form": form,
        "filters": filters,
        "today": timezone.localdate(),
        "can_move": can(request.user, Resource.OPPORTUNITY, Action.EDIT),
        "next_url": reverse("pipeline:board") + "?" + urlencode(
            {key: value for key, value in {"q": filters.q, "owner": filters.owner}.items() if value}),
    }


@login_required
def board(request):
    context = _board_context(request, request.GET)
    context.update({
        "can_create": can(request.user, Resource.OPPORTUNITY, Action.CREATE),
        "lost_reasons": LostReason.choices,
    })
    return render(request, "pipeline/board.html", context)


@login_required
def opportunity_list(request):
    form = OpportunityFilterForm(request.GET, user=request.user)
    opportunities = selectors.opportunity_list(user=request.user, filters=form.filters())
    return render(request, "pipeline/opportunity_list.html", {
        "page_obj": paginate(request, opportunities),
        "filter_form": form,
        "today": timezone.localdate(),
        "can_create": can(request.user, Resource.OPPORTUNITY, Action.CREATE),
    })


@login_required
def opportunity_detail(request, pk: int):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    can_edit = can(request.user, Resource.OPPORTUNITY, Action.EDIT)
    return render(request, "pipeline/opportunity_detail.html", {
        "opportunity": opportunity,
        "weighted_amount": selectors.weighted_amount(opportunity),
        "history": selectors.stage_history(opportunity=opportunity),
        "overdue": selectors.is_overdue(opportunity),
        "move_form": MoveForm(initial={"stage": opportunity.stage_id, "version": opportunity.version},
                              user=request.user) if can_edit else None,
        "can_edit": can_edit,
        "can_delete": can(request.user, Resource.OPPORTUNITY, Action.DELETE),
    })


@login_required
def opportunity_create(request):
    selectors.opportunity_list(user=request.user, action=Action.CREATE)  # permission check before the form
    initial = {}
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = int(request.GET["customer"])
    form = OpportunityForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        opportunity = form_save(form, lambda: services.opportunity_create(
            actor=request.user, values=form.service_values(), stage=form.cleaned_data.get("stage")))
        if opportunity is not None:
            messages.success(request, _("Opportunity %(name)s created.") % {"name": opportunity.name})
            return redirect("pipeline:detail", pk=opportunity.pk)
    return render(request, "pipeline/opportunity_form.html", {"form": form, "opportunity": None})


@login_required
def opportunity_edit(request, pk: int):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk, action=Action.EDIT)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form_save(form, lambda: services.opportunity_update(
            actor=request.user, opportunity=selectors.opportunity_get(user=request.user, pk=pk, action=Action.EDIT),
            values=form.service_values(), expected_version=form.cleaned_data.get("version"),
        ), conflict_message=_("Someone else changed this opportunity while you were editing. "
                              "Your changes were not saved: reload the page and apply them again."))
        if saved is not None:
            messages.success(request, _("Opportunity saved."))
            return redirect("pipeline:detail", pk=pk)
    return render(request, "pipeline/opportunity_form.html", {"form": form, "opportunity": opportunity})


@login_required
@require_POST
def opportunity_delete(request, pk: int):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk, action=Action.DELETE)
    services.opportunity_delete(actor=request.user, opportunity=opportunity)
    messages.success(request, _("Opportunity moved to the trash."))
    return redirect("pipeline:list")


def _board_error(error, status: int) -> JsonResponse:
    return JsonResponse({"code": error.code, "message": error.message, "detail": error.detail}, status=status)


@login_required
def opportunity_move(request, pk: int):
    """Move a card: from the board's drag and drop (X-Board-Request: answers the board's columns, or a
    JSON error) or from the "Move to…" forms (redirects back, or shows this page to ask for what is
    missing, such as a lost reason)."""
    opportunity = selectors.opportunity_get(user=request.user, pk=pk, action=Action.EDIT)
    from_board = request.headers.get("X-Board-Request") == "1"
    fallback = _safe_next(request, reverse("pipeline:detail", args=[pk]))
    form = MoveForm(request.POST or None, user=request.user,
                    initial={"stage": opportunity.stage_id, "version": opportunity.version})
    if request.method == "POST":
        if not form.is_valid():
            if from_board:
                return JsonResponse({"code": "invalid_request", "message": _("The move is not valid."),
                                     "detail": {"fields": form.errors}}, status=422)
        else:
            data = form.cleaned_data
            try:
                services.opportunity_move(
                    actor=request.user, opportunity=opportunity, stage=data["stage"], position=data.get("position"),
                    expected_version=data.get("version"), lost_reason=data.get("lost_reason") or "",
                    lost_note=data.get("lost_note") or "", closed_on=data.get("closed_on"),
                )
            except VersionConflict as error:
                messages.error(request, _conflict_text())
                if from_board:
                    return _board_error(error, 409)
                return redirect(fallback)
            except ValidationFailed as error:
                if from_board:
                    if error.code != "lost_reason_required":
                        messages.error(request, " ".join(m for ms in error.fields.values() for m in ms))
                    return _board_error(error, 422)
                add_validation_errors(form, error)
            else:
                if from_board:
                    return render(request, "pipeline/_board_columns.html", _board_context(request, request.POST))
                messages.success(request, _("%(name)s moved to %(stage)s.") % {
                    "name": opportunity.name, "stage": data["stage"].display_name})
                return redirect(fallback)
    return render(request, "pipeline/opportunity_move.html", {
        "opportunity": opportunity, "form": form, "next_url": _safe_next(request, ""),
    })


@login_required
def customer_opportunities(request, customer_pk: int):
    """The customer page's opportunities panel (an htmx fragment)."""
    customer = selectors.customer_get_visible(user=request.user, pk=customer_pk)
    opportunities = selectors.customer_opportunity_list(user=request.user, customer_id=customer_pk)
    return render(request, "pipeline/customer_opportunities.html", {
        "customer": customer,
        "opportunities": opportunities,
        "today": timezone.localdate(),
        "can_create": selectors.customer_can_add_opportunity(user=request.user, customer=customer),
    })


# --- Stage administration -------------------------------------------------------------------


@login_required
def stage_list(request):
    stages = list(selectors.stage_list(user=request.user))
    return render(request, "pipeline/stage_list.html", {
        "stages": stages,
        "can_create": can(request.user, Resource.PIPELINE_STAGE, Action.CREATE),
        "can_edit": can(request.user, Resource.PIPELINE_STAGE, Action.EDIT),
        "can_delete": can(request.user, Resource.PIPELINE_STAGE, Action.DELETE),
    })


@login_required
def stage_create(request):
    if not can(request.user, Resource.PIPELINE_STAGE, Action.CREATE):  # before showing the form
        raise PermissionDenied(_("Only administrators configure the pipeline."))
    form = StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_create(actor=request.user, values=form.cleaned_data)
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Stage %(name)s added.") % {"name": stage.display_name})
            return redirect("pipeline:stage_list")
    return render(request, "pipeline/stage_form.html", {"form": form, "stage": None})


@login_required
def stage_edit(request, pk: int):
    stage = selectors.stage_get(user=request.user, pk=pk, action=Action.EDIT)
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(actor=request.user, stage=stage, values=form.cleaned_data)
        except StageInUse as error:
            form.add_error(None, error.message)
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Stage saved."))
            return redirect("pipeline:stage_list")
    return render(request, "pipeline/stage_form.html", {"form": form, "stage": stage})


@login_required
@require_POST
def stage_delete(request, pk: int):
    stage = selectors.stage_get(user=request.user, pk=pk, action=Action.DELETE)
    try:
        deleted = services.stage_delete(actor=request.user, stage=stage)
    except (StageInUse, ValidationFailed) as error:
        messages.error(request, error.message if isinstance(error, StageInUse)
                       else " ".join(m for ms in error.fields.values() for m in ms))
    else:
        if deleted:
            messages.success(request, _("Stage deleted."))
        else:
            messages.success(request, _("The stage appears in opportunities' history, so it was deactivated "
                                        "instead of deleted."))
    return redirect("pipeline:stage_list")


@login_required
@require_POST
def stage_move(request, pk: int):
    stage = selectors.stage_get(user=request.user, pk=pk, action=Action.EDIT)
    services.stage_shift(actor=request.user, stage=stage, offset=-1 if request.POST.get("direction") == "up" else 1)
    return redirect("pipeline:stage_list")
