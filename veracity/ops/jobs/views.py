"""The jobs pages: recent background jobs (with errors, arguments, progress and retry) and the schedule."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource
from veracity.core.views import paginate
from veracity.ops.jobs import selectors, services
from veracity.ops.jobs.errors import JobNotRetryable, TaskUnavailable

STATUS_LABELS = {
    TaskResultStatus.READY: gettext_lazy("Queued"),
    TaskResultStatus.RUNNING: gettext_lazy("Running"),
    TaskResultStatus.SUCCESSFUL: gettext_lazy("Succeeded"),
    TaskResultStatus.FAILED: gettext_lazy("Failed"),
}
STATUS_BADGES = {TaskResultStatus.READY: "text-bg-secondary", TaskResultStatus.RUNNING: "text-bg-info",
                 TaskResultStatus.SUCCESSFUL: "text-bg-success", TaskResultStatus.FAILED: "text-bg-danger"}


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Any status")), *STATUS_LABELS.items()],
                               widget=forms.Select(attrs={"class": "form-select"}))
    task = forms.CharField(label=gettext_lazy("Task"), required=False, max_length=200,
                           widget=forms.TextInput(attrs={"class": "form-control", "list": "task-names"}))


def _decorate(job, progress: dict) -> dict:
    return {
        "job": job,
        "name": selectors.task_name(job),
        "status_label": STATUS_LABELS.get(job.status, job.status),
        "status_badge": STATUS_BADGES.get(job.status, "text-bg-light"),
        "duration": selectors.duration_seconds(job),
        "error": selectors.exception_message(job) if job.status == TaskResultStatus.FAILED else "",
        "progress": progress.get(str(job.pk)),
    }


@login_required
def job_list(request):
    form = JobFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    jobs = selectors.job_list(user=request.user, filters=selectors.JobFilters(
        status=data.get("status", ""), task=data.get("task", "")))
    page_obj = paginate(request, jobs)
    progress = selectors.progress_for(job.pk for job in page_obj)
    return render(request, "ops/job_list.html", {
        "page_obj": page_obj,
        "rows": [_decorate(job, progress) for job in page_obj],
        "filter_form": form,
        "task_names": selectors.job_task_names(user=request.user),
        "can_retry": can(request.user, Resource.JOB, Action.EDIT),
    })


@login_required
def job_detail(request, pk):
    job = selectors.job_get(user=request.user, pk=pk)
    return render(request, "ops/job_detail.html", {
        **_decorate(job, selectors.progress_for([job.pk])),
        "arguments": selectors.arguments_text(job),
        "can_retry": can(request.user, Resource.JOB, Action.EDIT),
    })


@login_required
def job_progress(request, pk):
    """The progress fragment, polled by htmx while the job is queued or running."""
    job = selectors.job_get(user=request.user, pk=pk)
    return render(request, "ops/job_progress.html", _decorate(job, selectors.progress_for([job.pk])))


@login_required
@require_POST
def job_retry(request, pk):
    try:
        new_id = services.job_retry(actor=request.user, job_id=pk)
    except (JobNotRetryable, TaskUnavailable) as error:
        messages.error(request, _("This job cannot be retried: %(reason)s") % {"reason": error.message})
        return redirect("ops:job_detail", pk=pk)
    messages.success(request, _("The job was queued again."))
    return redirect("ops:job_detail", pk=new_id) if new_id else redirect("ops:job_list")


@login_required
def schedule_list(request):
    return render(request, "ops/job_schedule.html", {
        "rows": selectors.schedule_list(user=request.user),
        "can_edit": can(request.user, Resource.JOB, Action.EDIT),
        "time_zone": settings.TIME_ZONE,
    })


@login_required
@require_POST
def schedule_toggle(request, name):
    enabled = request.POST.get("enabled") == "1"
    row = services.schedule_set_enabled(actor=request.user, name=name, enabled=enabled)
    if row.job.enabled:
        messages.success(request, _("“%(name)s” is enabled.") % {"name": row.job.name})
    else:
        messages.success(request, _("“%(name)s” is disabled.") % {"name": row.job.name})
    return redirect("ops:schedule_list")
