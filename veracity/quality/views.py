"""Pages of the quality app. Thin: each reads through selectors and writes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_require, can
from veracity.accounts.models import Action, Resource, RoleCode
from veracity.core.errors import DomainError, ValidationFailed
from veracity.quality import selectors
from veracity.quality.forms import AwardRuleForm, QualitySettingsForm, RejectForm
from veracity.quality.models import AuditItemOutcome
from veracity.quality.rules import RULES
from veracity.quality.scorecards import current_period, period_bounds
from veracity.quality.services import approvals, incentives, issues, reviews, settings


def _ids(request) -> list[int]:
    return [int(value) for value in request.POST.getlist("issue") if value.isdigit()][:500]


def _period(request) -> str:
    period = request.GET.get("period") or current_period()
    try:
        period_bounds(period)
    except ValueError:
        period = current_period()
    return period


@login_required
def dashboard(request):
    access_require(request.user, Resource.QUALITY_ISSUE, Action.VIEW)
    return render(request, "quality/dashboard.html", {
        "counts": selectors.issue_counts(user=request.user), "rollup": selectors.quality_rollup(user=request.user)})


@login_required
def trend_data(request):
    days = int(request.GET.get("days", "90")) if request.GET.get("days", "90").isdigit() else 90
    points = selectors.quality_trend(user=request.user, days=max(1, min(days, 730)))
    return JsonResponse({"points": [{**point, "day": point["day"].isoformat()} for point in points]})


@login_required
def issue_list(request):
    filters = selectors.IssueFilters(rule=request.GET.get("rule", ""), entity=request.GET.get("entity", ""),
                                     status=request.GET.get("status", "open") or "open",
                                     fixable=request.GET.get("fixable") == "1")
    page = Paginator(selectors.issue_list(user=request.user, filters=filters), 100).get_page(request.GET.get("page"))
    return render(request, "quality/issue_list.html", {
        "page": page, "filters": filters, "rules": RULES,
        "can_fix": can(request.user, Resource.QUALITY_ISSUE, Action.EDIT)})


@login_required
@require_POST
def issue_fix_preview(request):
    previews = issues.issue_fix_preview(actor=request.user, issue_ids=_ids(request))
    return render(request, "quality/fix_preview.html", {"previews": previews})


@login_required
@require_POST
def issue_fix_apply(request):
    result = issues.issue_fix_apply(actor=request.user, issue_ids=_ids(request))
    messages.success(request, _("%(fixed)d fixed, %(failed)d not fixed.") % {
        "fixed": len(result["fixed"]), "failed": len(result["failed"])})
    for message in list(result["failed"].values())[:5]:
        messages.warning(request, message)
    return redirect("quality:issue_list")


@login_required
@require_POST
def issue_dismiss(request, pk: int):
    issues.issue_dismiss(actor=request.user, issue_id=pk)
    messages.success(request, _("Problem dismissed."))
    return redirect("quality:issue_list")


@login_required
def rule_list(request):
    access_require(request.user, Resource.ENTRY_RULE, Action.EDIT)
    current = settings.quality_settings_get()
    form = QualitySettingsForm(initial={
        "review_sla_hours": current.review_sla_hours, "audit_top_accounts": current.audit_top_accounts,
        "audit_days_to_complete": current.audit_days_to_complete, "approval_fields": current.approval_fields})
    return render(request, "quality/rule_list.html", {"rules": selectors.rule_rows(), "form": form})


@login_required
@require_POST
def rule_edit(request, rule: str):
    values = {"enabled": request.POST.get("enabled") == "1"}
    if "threshold" in request.POST:
        values["threshold"] = request.POST.get("threshold") or None
    try:
        settings.rule_setting_update(actor=request.user, rule=rule, values=values)
    except ValidationFailed as error:
        for field_errors in error.fields.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.success(request, _("Rule saved. It applies from the next scan."))
    return redirect("quality:rule_list")


@login_required
@require_POST
def settings_edit(request):
    access_require(request.user, Resource.ENTRY_RULE, Action.EDIT)
    form = QualitySettingsForm(request.POST)
    if form.is_valid():
        try:
            settings.quality_settings_update(actor=request.user, values=form.cleaned_data)
        except ValidationFailed as error:
            for field_errors in error.fields.values():
                for message in field_errors:
                    messages.error(request, message)
        else:
            messages.success(request, _("Settings saved."))
    else:
        messages.error(request, _("Check the settings: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("quality:rule_list")


@login_required
def review_queue(request):
    status = request.GET.get("status", "pending")
    requests = selectors.change_request_list(user=request.user, status=status if status != "all" else "")
    rows = [{"request": item, **selectors.review_sla_state(item)} for item in requests.order_by("created_at")[:200]]
    return render(request, "quality/review_queue.html", {
        "rows": rows, "status": status, "reject_form": RejectForm(),
        "can_review": can(request.user, Resource.CHANGE_REQUEST, Action.EDIT)})


@login_required
@require_POST
def change_request_approve(request, pk: int):
    try:
        approvals.change_request_approve(actor=request.user, change_request_id=pk)
    except ValidationFailed as error:
        messages.error(request, "; ".join(m for ms in error.fields.values() for m in ms))
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Change approved and applied."))
    return redirect("quality:review_queue")


@login_required
@require_POST
def change_request_reject(request, pk: int):
    try:
        approvals.change_request_reject(actor=request.user, change_request_id=pk, reason=request.POST.get("reason", ""))
    except ValidationFailed as error:
        messages.error(request, "; ".join(m for ms in error.fields.values() for m in ms))
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Change rejected; the rep has been told why."))
    return redirect("quality:review_queue")


@login_required
def audit_list(request):
    return render(request, "quality/audit_list.html", {"audits": selectors.data_audit_list(user=request.user)[:200]})


@login_required
def audit_detail(request, pk: int):
    audit = selectors.data_audit_get(user=request.user, pk=pk)
    return render(request, "quality/audit_detail.html", {
        "audit": audit, "items": audit.items.select_related("customer"),
        "can_check": audit.rep_id == request.user.pk or can(request.user, Resource.DATA_AUDIT, Action.EDIT),
        "outcomes": AuditItemOutcome})


@login_required
@require_POST
def audit_item_check(request, pk: int):
    try:
        item = reviews.data_audit_item_check(actor=request.user, item_id=pk, outcome=request.POST.get("outcome", ""),
                                             note=request.POST.get("note", ""))
    except ValidationFailed as error:
        messages.error(request, "; ".join(m for ms in error.fields.values() for m in ms))
        return redirect("quality:audit_list")
    return redirect("quality:audit_detail", pk=item.audit_id)


@login_required
def scorecards(request):
    period = _period(request)
    return render(request, "quality/scorecards.html", {
        "period": period, "cards": selectors.scorecard_list(user=request.user, period=period)})


@login_required
def leaderboard(request):
    period = _period(request)
    return render(request, "quality/leaderboard.html", {
        "period": period, "rows": selectors.leaderboard(user=request.user, period=period)})


@login_required
def award_rules(request):
    rules = selectors.award_rule_list(user=request.user)
    form = AwardRuleForm(request.POST or None)
    if request.method == "POST":
        access_require(request.user, Resource.AWARD, Action.CREATE)
        if form.is_valid():
            try:
                incentives.award_rule_create(actor=request.user, values=form.cleaned_data)
            except ValidationFailed as error:
                for field, field_errors in error.fields.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                messages.success(request, _("Badge rule added."))
                return redirect("quality:award_rules")
    return render(request, "quality/award_rules.html", {
        "rules": rules, "form": form, "can_create": can(request.user, Resource.AWARD, Action.CREATE)})


@login_required
def home_panel(request):
    """The rep's part of the home page (loaded by htmx): onboarding checklist, badges, scorecard."""
    user = request.user
    context = {"is_rep": user.roles.filter(code=RoleCode.SALES_REP).exists()}
    if context["is_rep"]:
        status = incentives.onboarding_status(user)
        context["onboarding"] = status
        context["onboarding_done"] = all(status.values())
        if can(user, Resource.AWARD, Action.VIEW):
            context["awards"] = selectors.award_list(user=user, rep=user)[:12]
        if can(user, Resource.SCORECARD, Action.VIEW):
            cards = [card for card in selectors.scorecard_list(user=user, period=current_period())
                     if card.rep_id == user.pk]
            context["card"] = cards[0] if cards else None
    return render(request, "quality/_home_panel.html", context)


@login_required
@require_POST
def onboarding_entry_guide(request):
    incentives.onboarding_step_done(actor=request.user, step="entry_guide")
    return redirect("standards:guide")
