"""Import pages. Thin: parse the request, call a selector or service, render."""

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import DomainError, ValidationFailed
from veracity.core.forms import add_validation_errors
from veracity.core.views import paginate
from veracity.imports import downloads, selectors, services
from veracity.imports.errors import ImportFileRejected
from veracity.imports.forms import ImportMappingForm, ImportUploadForm
from veracity.imports.mapping import ENTITY_LABELS
from veracity.imports.models import ImportStatus
from veracity.imports.reading import table_open

PREVIEW_ROWS = 20
PREVIEW_ERRORS = 200


@login_required
def import_list(request):
    runs = selectors.import_run_list(user=request.user)
    services.import_runs_mark_interrupted(runs=runs.filter(status=ImportStatus.RUNNING))
    return render(request, "imports/import_list.html", {
        "page_obj": paginate(request, runs), "entity_labels": ENTITY_LABELS,
        "can_create": can(request.user, Resource.IMPORT, Action.CREATE),
        "resumable": (ImportStatus.FAILED, ImportStatus.INTERRUPTED),
        "restorations_pending": selectors.import_restorations_pending(user=request.user),
    })


@login_required
def import_create(request):
    selectors.import_run_list(user=request.user, action=Action.CREATE)  # permission check before the form
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_run_create(
                actor=request.user, stream=upload.file, name=upload.name, size=upload.size,
                entity=form.cleaned_data["entity"], mode=form.cleaned_data["mode"],
                policy=form.cleaned_data["policy"], sheet=form.cleaned_data["sheet"],
                mapping_name=form.cleaned_data["mapping_name"], one_pass=form.cleaned_data["one_pass"])
        except ImportFileRejected as error:
            form.add_error("file", error.message)
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            if run.status == ImportStatus.VALIDATED:
                return redirect("imports:preview", pk=run.pk)
            if services.one_pass(run) and services.mapping_complete(run):
                services.import_run_queue(actor=request.user, run=run)
                messages.success(request, _("The import has started."))
                return redirect("imports:detail", pk=run.pk)
            messages.info(request, _("Some required columns were not recognised: choose them below."))
            return redirect("imports:mapping", pk=run.pk)
    return render(request, "imports/import_form.html", {"form": form})


@login_required
def import_mapping(request, pk: int):
    run = selectors.import_run_get(user=request.user, pk=pk, action=Action.CREATE)
    form = ImportMappingForm(request.POST or None, run=run)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_run_map(actor=request.user, run=run, mapping=form.mapping(),
                                    save_as=form.cleaned_data["save_as"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("imports:preview", pk=run.pk)
    return render(request, "imports/import_mapping.html", {"run": run, "form": form})


def _sample_rows(run) -> tuple[list[str], list[list]]:
    try:
        with run.file.open("rb") as handle:
            table = table_open(handle, sheet=run.sheet or None)
            rows = [list(row.values) for row in itertools.islice(table.rows(), PREVIEW_ROWS)]
            return table.headers, rows
    except (ImportFileRejected, OSError, ValueError):
        return run.headers, []


@login_required
def import_preview(request, pk: int):
    """The dry-run result; POST starts the run."""
    run = selectors.import_run_get(user=request.user, pk=pk)
    if request.method == "POST":
        selectors.import_run_get(user=request.user, pk=pk, action=Action.CREATE)
        try:
            services.import_run_queue(actor=request.user, run=run)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("imports:preview", pk=run.pk)
        messages.success(request, _("The import has started."))
        return redirect("imports:detail", pk=run.pk)
    headers, rows = _sample_rows(run)
    errors = selectors.import_row_errors(run=run)
    return render(request, "imports/import_preview.html", {
        "run": run, "counts": run.counts.get("dry_run", {}), "headers": headers, "rows": rows,
        "errors": _named_as_in_file(run, errors[:PREVIEW_ERRORS]), "error_count": errors.count(),
        "can_run": can(request.user, Resource.IMPORT, Action.CREATE) and run.status == ImportStatus.VALIDATED,
        "entity_label": ENTITY_LABELS.get(run.entity, run.entity),
    })


def _named_as_in_file(run, errors) -> list:
    headers = selectors.file_headers_by_column(run)
    errors = list(errors)
    for error in errors:
        error.file_column = headers.get(error.column, error.column)
    return errors


@login_required
def import_detail(request, pk: int):
    run = selectors.import_run_get(user=request.user, pk=pk)
    if run.status == ImportStatus.RUNNING and services.import_runs_mark_interrupted(runs=[run]):
        run.refresh_from_db()
    context = {
        "run": run, "done": run.counts.get("done", {}), "dry": run.counts.get("dry_run", {}),
        "entity_label": ENTITY_LABELS.get(run.entity, run.entity),
        "polling": run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "can_revert": can(request.user, Resource.IMPORT, Action.EDIT)
        and run.status in (ImportStatus.COMPLETED, ImportStatus.FAILED),
        "can_resume": can(request.user, Resource.IMPORT, Action.CREATE)
        and run.status in (ImportStatus.FAILED, ImportStatus.INTERRUPTED),
        "error_count": selectors.import_row_errors(run=run).count(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "imports/_progress.html", context)
    return render(request, "imports/import_detail.html", context)


@login_required
def import_errors(request, pk: int):
    run = selectors.import_run_get(user=request.user, pk=pk)
    errors = selectors.import_row_errors(run=run)
    headers = selectors.file_headers_by_column(run)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            downloads.errors_xlsx(errors, headers),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        extension = "xlsx"
    else:
        response = HttpResponse(downloads.errors_csv(errors, headers), content_type="text/csv; charset=utf-8")
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.{extension}"'
    return response


@login_required
@require_POST
def import_revert(request, pk: int):
    run = selectors.import_run_get(user=request.user, pk=pk, action=Action.EDIT)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the revert."))
        return redirect("imports:detail", pk=run.pk)
    try:
        summary = services.import_run_revert(actor=request.user, run=run)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reverted: %(deleted)s records removed, %(restored)s restored, %(skipped)s "
                                    "left alone.") % summary)
    return redirect("imports:detail", pk=run.pk)


