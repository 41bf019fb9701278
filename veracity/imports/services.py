"""Import runs: upload, map, dry run, execute in batches (resumable), revert. Every path — page, API,
task, command — calls these; each is audited."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import IO, Any

import polars as pl
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import DomainError, ValidationFailed
from veracity.imports import mapping as mapping_module
from veracity.imports.bulk import indexes as bulk_indexes
from veracity.imports.bulk import prepared as bulk_prepared
from veracity.imports.bulk import runner as bulk
from veracity.imports.entities import HANDLERS_BY_MODEL, Context, Issue
from veracity.imports.errors import ImportFileRejected, ImportStateInvalid
from veracity.imports.models import (
    ImportBatch,
    ImportedRecord,
    ImportMapping,
    ImportMethod,
    ImportMode,
    ImportPolicy,
    ImportRowError,
    ImportRun,
    ImportStatus,
    RecordAction,
)
from veracity.imports.pipeline import VALUE_PREVIEW_CHARS, Batch, UnitResult, read_batches, unit_apply
from veracity.imports.reading import check_size, rows_estimate, table_open

DEFAULT_BATCH_SIZE = 1000
DEFAULT_STALE_SECONDS = 300


def _require(actor, action: str) -> None:
    if actor is not None:
        access_require(actor, Resource.IMPORT, action)


def _audit(actor, run: ImportRun, action: AuditAction, event: str, **extra) -> None:
    audit_event_record(actor=actor, action=action, obj=run, extra={"event": event, "entity": run.entity,
                                                                   "file": run.original_name, **extra})


def _safe_name(name: str) -> str:
    base = os.path.basename(str(name or "upload")).replace("\x00", "")
    return base[:200] or "upload"


def import_run_create(
    *, actor, stream: IO[bytes], name: str, size: int, entity: str, mode: str = ImportMode.CREATE,
    policy: str = ImportPolicy.ALL_OR_NOTHING, sheet: str = "", mapping_name: str = "",
    batch_size: int | None = None, one_pass: bool = False,
) -> ImportRun:
    """Check and store an uploaded file, suggest a mapping and, when every required column is mapped,
    run the dry run. A file that cannot be used is refused (ImportFileRejected) and nothing is stored.

    `one_pass` (only with the "load the valid rows" policy): no dry run; the run waits to be loaded in
    one pass (import_run_execute), which checks every batch as it loads it, exactly as the dry run
    would, and keeps the rejects in the error file. About a fifth less time for a large file, for someone
    who has no decision to take from a preview. "Load nothing if any row is invalid" needs every row
    checked before the first is loaded, so it always has its dry run."""
    _require(actor, Action.CREATE)
    errors = {}
    if entity not in mapping_module.ENTITIES:
        errors["entity"] = [_("Choose what the file contains.")]
    if mode not in ImportMode.values:
        errors["mode"] = [_("Choose create or upsert.")]
    if policy not in ImportPolicy.values:
        errors["policy"] = [_("Choose what happens to invalid rows.")]
    elif one_pass and policy != ImportPolicy.LOAD_VALID:
        errors["policy"] = [_("Loading in one pass, without a dry run, needs \"load the valid rows\": loading "
                              "nothing when a row is invalid needs every row checked first.")]
    if errors:
        raise ValidationFailed(errors)
    check_size(size)
    table = table_open(stream, sheet=sheet or None)
    saved = None
    if mapping_name:
        saved = ImportMapping.objects.filter(entity=entity, name=mapping_name).first()
        if saved is None:
            raise ValidationFailed({"mapping": [_("No saved mapping has this name.")]})
    suggested = mapping_module.mapping_suggest(entity, table.headers, saved=saved.mapping if saved else None)
    stream.seek(0)
    method = ImportMethod.BULK if bulk.bulk_eligible(entity=entity, file_kind=table.kind, size=size, actor=actor) \
        else ImportMethod.ROWS
    if batch_size is None:
        batch_size = bulk.BULK_BATCH_SIZE if method == ImportMethod.BULK else DEFAULT_BATCH_SIZE
    run = ImportRun(
        entity=entity, original_name=_safe_name(name), size=size, file_kind=table.kind, encoding=table.encoding,
        sheet=sheet or "", headers=table.headers, mapping=suggested, mode=mode, policy=policy,
        batch_size=max(1, int(batch_size)), method=method, created_by=actor if getattr(actor, "pk", None) else None,
    )
    run.file.save(f"{timezone.now():%Y%m%d%H%M%S}.{table.kind}", File(stream), save=False)
    run.save()
    _audit(actor, run, AuditAction.CREATE, "import_upload", encoding=run.encoding, size=size)
    try:
        mapping_module.mapping_check(entity, table.headers, suggested)
    except ImportFileRejected:
        return run  # the user completes the mapping first (then import_run_map runs the dry run)
    if one_pass:
        # No dry run counts the rows: an estimate serves the progress bar and the choice of how to load
        # until the load has read them all (_completed).
        stream.seek(0)
        run.rows_total = rows_estimate(stream, kind=run.file_kind, sheet=run.sheet)
        run.save(update_fields=["rows_total", "updated_at"])
        return run
    return import_run_validate(actor=actor, run=run)


def import_run_map(*, actor, run: ImportRun, mapping: dict[str, str], save_as: str = "") -> ImportRun:
    """Set the header mapping (optionally saving it by name) and run the dry run again."""
    _require(actor, Action.CREATE)
    _editable(run)
    run.mapping = mapping_module.mapping_check(run.entity, run.headers, mapping)
    run.save(update_fields=["mapping", "updated_at"])
    if save_as.strip():
        ImportMapping.objects.update_or_create(
            entity=run.entity, name=save_as.strip()[:100],
            defaults={"mapping": run.mapping, "created_by": run.created_by})
    return import_run_validate(actor=actor, run=run)


def _editable(run: ImportRun) -> None:
    if run.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.REJECTED):
        raise ImportStateInvalid(_("This import has already been started."))


def _actor_of(run: ImportRun):
    """Rows are written as the person who uploaded the file (or the system for a command without --as)."""
    return run.created_by


def _batches(run: ImportRun):
    run.file.open("rb")
    return run.file, read_batches(run.file, entity=run.entity, sheet=run.sheet, mapping=run.mapping,
                                  batch_size=run.batch_size)


def _error_rows(run: ImportRun, result: UnitResult) -> list[ImportRowError]:
    rows = []
    for level, issues in ((ImportRowError.Level.ERROR, result.issues), (ImportRowError.Level.WARNING, result.warnings)):
        rows.extend(ImportRowError(run=run, row_number=issue.row, column=issue.column[:100],
                                   value=str(issue.value)[:VALUE_PREVIEW_CHARS], message=issue.message, level=level)
                    for issue in issues)
    return rows


def _empty_counts() -> dict[str, Any]:
    return {"rows": 0, "valid": 0, "invalid": 0, "created": 0, "updated": 0, "unchanged": 0, "related": {}}


def _count(counts: dict[str, Any], result: UnitResult) -> None:
    rows = len(result.unit.rows)
    counts["rows"] += rows
    if result.status == "invalid":
        counts["invalid"] += rows
        return
    counts["valid"] += rows
    counts[result.status] += 1
    for written in result.outcome.writes:
        if not written.main:
            label = written.obj._meta.model_name
            related = counts["related"].setdefault(label, {"created": 0, "updated": 0})
            related[written.action] += 1


def import_run_validate(*, actor, run: ImportRun, progress=None) -> ImportRun:
    """The dry run: every row goes through the services inside a transaction that is rolled back, so
    the counts (to create / update / unchanged) and the errors are exactly what running would give."""
    _require(actor, Action.CREATE)
    _editable(run)
    ctx = Context(actor=_actor_of(run), mode=run.mode)
    counts = _empty_counts()
    errors: list[ImportRowError] = []
    if run.method == ImportMethod.BULK:
        try:
            counts, errors = bulk.bulk_validate(run, ctx, progress=progress)
        except ImportFileRejected as error:  # the reader's words for what Polars could not read
            _reject(actor, run, error)
        except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError) as error:
            _reject(actor, run, ImportFileRejected(_("The CSV file is malformed: %(error)s") % {"error": error},
                                                   code="file_unreadable"))
        return _validated(actor, run, counts, errors)
    handle, batches = _batches(run)
    try:
        with transaction.atomic():
            for batch in batches:
                for unit in batch.units:
                    result = unit_apply(unit, ctx, entity=run.entity, with_warnings=True)
                    _count(counts, result)
                    errors.extend(_error_rows(run, result))
                if progress:
                    progress(counts["rows"])
            transaction.set_rollback(True)
    except ImportFileRejected as error:
        _reject(actor, run, error)
    finally:
        handle.close()
    return _validated(actor, run, counts, errors)


def _reject(actor, run: ImportRun, error: ImportFileRejected):
    run.status, run.message = ImportStatus.REJECTED, error.message
    run.save(update_fields=["status", "message", "updated_at"])
    _audit(actor, run, AuditAction.UPDATE, "import_rejected", message=error.message)
    raise error


def _validated(actor, run: ImportRun, counts: dict, errors: list[ImportRowError]) -> ImportRun:
    with transaction.atomic():
        ImportRowError.objects.filter(run=run).delete()
        ImportRowError.objects.bulk_create(errors, batch_size=1000)
        run.counts = {"dry_run": counts}
        run.rows_total = counts["rows"]
        run.status = ImportStatus.VALIDATED
        run.message = ""
        run.validated_at = timezone.now()
        run.save()
        _audit(actor, run, AuditAction.UPDATE, "import_dry_run", counts=counts)
    return run


def import_run_queue(*, actor, run: ImportRun) -> ImportRun:
    """Check the run may start and enqueue the task (after the transaction commits)."""
    _require(actor, Action.CREATE)
    _check_startable(run)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.QUEUED, message="")
    run.status = ImportStatus.QUEUED
    _audit(actor, run, AuditAction.UPDATE, "import_queued")
    from veracity.imports.tasks import import_run_execute_task

    transaction.on_commit(lambda: import_run_execute_task.enqueue(run.pk))
    return run


def mapping_complete(run: ImportRun) -> bool:
    try:
        mapping_module.mapping_check(run.entity, run.headers, run.mapping)
    except ImportFileRejected:
        return False
    return True


def one_pass(run: ImportRun) -> bool:
    """Whether the run loads without a dry run (import_run_create's `one_pass`)."""
    return run.policy == ImportPolicy.LOAD_VALID and "dry_run" not in run.counts


def _check_startable(run: ImportRun) -> None:
    if one_pass(run) and run.status in (ImportStatus.UPLOADED, ImportStatus.QUEUED, ImportStatus.FAILED,
                                        ImportStatus.RUNNING, ImportStatus.INTERRUPTED):
        mapping_module.mapping_check(run.entity, run.headers, run.mapping)  # every required column mapped
        return
    if run.status not in (ImportStatus.VALIDATED, ImportStatus.QUEUED, ImportStatus.FAILED, ImportStatus.RUNNING,
                          ImportStatus.INTERRUPTED):
        raise ImportStateInvalid(_("Only a checked import that has not finished can be run."))
    dry = run.counts.get("dry_run", {})
    if run.policy == ImportPolicy.ALL_OR_NOTHING and dry.get("invalid"):
        raise ImportStateInvalid(_("Some rows are invalid: fix the file, or choose to load only the valid rows."))
    if not dry.get("valid"):
        raise ImportStateInvalid(_("No row is valid: there is nothing to load."))


def batch_commit(run: ImportRun, batch: Batch, results: list[UnitResult]) -> None:
    """Write the batch's bookkeeping in the transaction that holds its data."""
    committed = ImportBatch.objects.create(run=run, number=batch.number, row_start=batch.row_start,
                                           row_end=batch.row_end, rows=batch.row_count, committed_at=timezone.now())
    records, errors = [], []
    counts = _empty_counts()
    for result in results:
        _count(counts, result)
        errors.extend(_error_rows(run, result)[:len(result.issues)])
        if result.outcome is None:
            continue
        for written in result.outcome.writes:
            records.append(ImportedRecord(
                run=run, batch=committed, content_type=ContentType.objects.get_for_model(written.obj),
                object_id=written.obj.pk, action=written.action, previous=written.previous,
                version_after=written.obj.version))
    ImportedRecord.objects.bulk_create(records, batch_size=1000)
    ImportRowError.objects.bulk_create(errors, batch_size=1000)
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    done = locked.counts.get("done") or _empty_counts()
    for key in ("rows", "valid", "invalid", "created", "updated", "unchanged"):
        done[key] += counts[key]
    for label, related in counts["related"].items():
        target = done["related"].setdefault(label, {"created": 0, "updated": 0})
        for key, value in related.items():
            target[key] += value
    locked.counts = {**locked.counts, "done": done}
    locked.save(update_fields=["counts", "updated_at"])
    ImportRun.objects.filter(pk=run.pk).update(rows_done=F("rows_done") + batch.row_count,
                                               batches_done=batch.number)
    run.counts = locked.counts


def import_run_execute(*, actor, run_id: int, progress=None) -> ImportRun:
    """Load the rows, one transaction per batch with its ImportBatch row. Run again after a crash, it
    continues after the last committed batch, so no row is written twice."""
    _require(actor, Action.CREATE)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        _check_startable(run)
        if run.status == ImportStatus.RUNNING and not _worker_gone(run):
            raise ImportStateInvalid(_("This import is running (process %(pid)s on %(host)s).") % {
                "pid": run.worker_pid, "host": run.worker_host})
        last = ImportBatch.objects.filter(run=run).aggregate(last=Max("number"))["last"] or 0
        if last == 0:
            ImportRowError.objects.filter(run=run, level=ImportRowError.Level.ERROR).delete()
            ImportRun.objects.filter(pk=run.pk).update(rows_done=0, batches_done=0)
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.RUNNING, started_at=run.started_at or timezone.now(), message="",
            worker_host=socket.gethostname()[:255], worker_pid=os.getpid(), heartbeat_at=timezone.now())
        _audit(actor, run, AuditAction.UPDATE, "import_execute", resume_after_batch=last, method=run.method,
               one_pass=one_pass(run))
    ctx = Context(actor=_actor_of(run), mode=run.mode)
    all_or_nothing = run.policy == ImportPolicy.ALL_OR_NOTHING
    if run.method == ImportMethod.BULK:
        try:
            message = bulk.bulk_execute(run, ctx, last=last, all_or_nothing=all_or_nothing, actor=actor,
                                        progress=progress)
        except Exception as error:  # committed batches stay; the run is left resumable, and says why
            import_run_mark_failed(run_id=run.pk, message=str(error) or error.__class__.__name__)
            raise
        if message:
            ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, message=message)
            _audit(actor, run, AuditAction.UPDATE, "import_failed", message=message)
            run.refresh_from_db()
            return run
        return _completed(actor, run)
    bulk_indexes.indexes_restore()  # indexes a killed bulk load left dropped (the bulk path does this itself)
    handle, batches = _batches(run)
    try:
        for batch in batches:
            if batch.number <= last:
                continue
            with transaction.atomic():
                results = [unit_apply(unit, ctx, entity=run.entity) for unit in batch.units]
                invalid = [result for result in results if result.status == "invalid"]
                if invalid and all_or_nothing:
                    transaction.set_rollback(True)
                    failed = invalid[0].issues[0] if invalid[0].issues else Issue(batch.row_start, "", "", "")
                    message = _("Row %(row)s became invalid since the dry run (%(reason)s); batch %(batch)s was "
                                "not loaded. Revert or fix and resume.") % {
                        "row": failed.row, "reason": failed.message, "batch": batch.number}
                else:
                    batch_commit(run, batch, results)
                    message = ""
            if message:
                ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, message=message)
                _audit(actor, run, AuditAction.UPDATE, "import_failed", message=message)
                run.refresh_from_db()
                return run
            if progress:
                progress(batch.row_count)
    except ImportFileRejected as error:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, message=error.message)
        raise
    except Exception as error:  # committed batches stay; the run is left resumable, and says why
        import_run_mark_failed(run_id=run.pk, message=str(error) or error.__class__.__name__)
        raise
    finally:
        handle.close()
    return _completed(actor, run)


def _completed(actor, run: ImportRun) -> ImportRun:
    exact = {"rows_total": F("rows_done")} if one_pass(run) else {}  # the estimate gives way to the rows read
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.COMPLETED, finished_at=timezone.now(), message="",
                                               **exact)
    run.refresh_from_db()
    _audit(actor, run, AuditAction.UPDATE, "import_completed", counts=run.counts.get("done", {}))
    return run


def import_indexes_restore(*, actor) -> list[str]:
    """Recreate the secondary indexes a bulk load dropped and could not rebuild (its process was
    killed); audited when there was anything to do. Returns the names recreated."""
    restored = bulk_indexes.indexes_restore()
    if restored:
        audit_event_record(actor=actor, action=AuditAction.UPDATE, object_type="imports.deferredindex",
                           extra={"event": "import_indexes_restored", "indexes": restored})
    return restored


def import_run_mark_failed(*, run_id: int, message: str) -> None:
    """Used by the task when execution stopped on an unexpected error: committed batches stay, the
    run can be resumed."""
    ImportRun.objects.filter(pk=run_id, status=ImportStatus.RUNNING).update(status=ImportStatus.FAILED,
                                                                           message=message[:2000])


def stale_seconds() -> int:
    return int(getattr(settings, "VERACITY_IMPORT_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_gone(run: ImportRun) -> bool:
    """A running run whose executing process is known dead (same machine, pid gone), or whose
    heartbeat (written with every committed batch) is older than VERACITY_IMPORT_STALE_SECONDS."""
    if run.worker_pid and run.worker_host == socket.gethostname()[:255] and not _pid_alive(run.worker_pid):
        return True
    beat = run.heartbeat_at or run.started_at
    return beat is None or beat < timezone.now() - timedelta(seconds=stale_seconds())


def import_runs_mark_interrupted(*, runs=None) -> list[int]:
    """Mark running runs whose process died as `interrupted` (resumable), audited. Returns their ids."""
    queryset = ImportRun.objects.filter(status=ImportStatus.RUNNING)
    if runs is not None:
        queryset = queryset.filter(pk__in=[run.pk for run in runs])
    marked = []
    for run in queryset:
        if not _worker_gone(run):
            continue
        message = _("The process running this import stopped after %(batches)s batches. Resume it to finish.") % {
            "batches": run.batches_done}
        if ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).update(
                status=ImportStatus.INTERRUPTED, message=message):
            audit_event_record(actor=None, action=AuditAction.UPDATE, obj=run,
                               extra={"event": "import_interrupted", "pid": run.worker_pid, "host": run.worker_host,
                                      "batches_done": run.batches_done})
            marked.append(run.pk)
    return marked


def _records_newest_first(run: ImportRun):
    """(ImportedRecord, object id) in the reverse of the order they were written, ranges expanded."""
    for record in run.records.select_related("content_type").order_by("-id"):
        for object_id in reversed(record.object_ids):
            yield record, object_id


@transaction.atomic
def import_run_revert(*, actor, run: ImportRun) -> dict[str, int]:
    """Undo a run: records it created go to the trash, records it updated get their previous values
    back — unless someone changed them since, in which case they are left alone and reported."""
    _require(actor, Action.EDIT)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in (ImportStatus.COMPLETED, ImportStatus.FAILED, ImportStatus.INTERRUPTED):
        raise ImportStateInvalid(_("Only a completed, failed or interrupted import can be reverted."))
    summary = {"deleted": 0, "restored": 0, "skipped": 0}
    skipped: list[str] = []
    for record, object_id in _records_newest_first(run):
        model = record.content_type.model_class()
        handler = HANDLERS_BY_MODEL[model._meta.label_lower]
        obj = model.objects.filter(pk=object_id).first()
        if obj is None:
            summary["skipped"] += 1
            continue
        try:
            if record.action == RecordAction.CREATED:
                handler.delete(actor=actor, obj=obj)
                summary["deleted"] += 1
            elif record.version_after is not None and obj.version != record.version_after:
                summary["skipped"] += 1
                skipped.append(f"{model._meta.model_name} {obj.pk}")
            else:
                handler.restore(actor=actor, obj=obj, previous=record.previous)
                summary["restored"] += 1
        except DomainError as error:
            raise ImportStateInvalid(_("Could not revert %(record)s: %(reason)s") % {
                "record": f"{model._meta.model_name} {obj.pk}", "reason": error.message}) from error
    run.status = ImportStatus.REVERTED
    transaction.on_commit(lambda: bulk_prepared.prepared_discard(run))  # a reverted run is never loaded again
    run.reverted_at = timezone.now()
    run.reverted_by = actor if getattr(actor, "pk", None) else None
    run.message = (_("Left alone because they changed after the import: %(records)s") % {
        "records": ", ".join(skipped[:50])}) if skipped else ""
    run.save()
    _audit(actor, run, AuditAction.UPDATE, "import_revert", **summary)
    return summary


def import_prepared_sweep() -> list[str]:
    """Delete the dry-run frames (bulk.prepared) no load will read: of finished, reverted or refused runs,
    of files no run names, and of runs checked or stopped but left alone for a week. Returns their files."""
    return bulk_prepared.prepared_sweep()
