"""Backup pages: the list (admins and auditors), a backup's manifest and drill history, and the admin's
buttons to take a backup or run a drill now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource
from veracity.core.views import paginate
from veracity.ops.backups import selectors, services
from veracity.ops.backups.errors import BackupError


@login_required
def backup_list(request):
    backups = selectors.backup_list(user=request.user)
    return render(request, "ops/backup_list.html", {
        "page_obj": paginate(request, backups),
        "can_create": can(request.user, Resource.BACKUP, Action.CREATE),
        "can_drill": can(request.user, Resource.BACKUP, Action.EDIT),
    })


@login_required
def backup_detail(request, pk: int):
    backup = selectors.backup_get(user=request.user, pk=pk)
    return render(request, "ops/backup_detail.html", {
        "backup": backup,
        "drills": backup.drills.all(),
        "pending_drills": selectors.backup_drill_jobs_pending(user=request.user, backup=backup),
        "can_view_jobs": can(request.user, Resource.JOB, Action.VIEW),
        "tables": sorted(backup.manifest.get("tables", {}).items()),
        "can_drill": can(request.user, Resource.BACKUP, Action.EDIT),
    })


@login_required
@require_POST
def backup_create(request):
    try:
        backup = services.backup_create(actor=request.user, label=request.POST.get("label", "") or _("manual"))
    except BackupError as error:
        messages.error(request, _("The backup failed: %(error)s") % {"error": error.message})
    else:
        messages.success(request, _("Backup %(name)s created.") % {"name": backup.name})
    return redirect("ops:backup_list")


@login_required
@require_POST
def backup_drill(request, pk: int):
    """Queues the drill as a background job: a restore can take minutes, far longer than a request."""
    backup = selectors.backup_get(user=request.user, pk=pk, action=Action.EDIT)
    services.backup_drill_enqueue(actor=request.user, backup=backup)
    messages.success(request, _("The restore drill is queued as a background job; its progress shows below."))
    return redirect("ops:backup_detail", pk=backup.pk)
