"""veracity import <entity> FILE: check and load a CSV or XLSX file from the command line."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from veracity.core.errors import DomainError
from veracity.imports import selectors, services
from veracity.imports.mapping import ENTITIES
from veracity.imports.models import ImportMode, ImportPolicy, ImportRun, ImportStatus

RESTORED_KINDS = "index(es), foreign key(s) or autovacuum setting(s)"  # what --restore-indexes puts back


class Command(BaseCommand):
    help = ("Import customers, contacts, products, order lines, opportunities or activities from a CSV (UTF-8 or "
            "GBK) or XLSX file: dry run first, then load in batches (with --load-valid --one-pass: in one pass, "
            "checking each batch as it loads it). Exits non-zero when the file is refused. "
            "--resume RUN_ID finishes an interrupted or failed run after its last committed batch.")

    def add_arguments(self, parser):
        parser.add_argument("entity", nargs="?", choices=ENTITIES)
        parser.add_argument("file", nargs="?")
        parser.add_argument("--resume", type=int, metavar="RUN_ID",
                            help="resume this run (interrupted, failed, or running in a process that died)")
        parser.add_argument("--restore-indexes", action="store_true",
                            help="restore the indexes, foreign keys and autovacuum settings a killed bulk import "
                                 "left out, then exit")
        parser.add_argument("--sweep-prepared", action="store_true",
                            help="delete the checked batches of dry runs no load will use (finished, reverted, "
                                 "or left alone for a week), then exit")
        parser.add_argument("--mapping", default="", help="a saved column mapping to use, by name")
        parser.add_argument("--dry-run", action="store_true", help="check only; load nothing")
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.CREATE,
                            help="create only, or update-or-create keyed on the external id")
        parser.add_argument("--load-valid", action="store_true",
                            help="load the valid rows even when some are invalid")
        parser.add_argument("--one-pass", action="store_true",
                            help="with --load-valid: no dry run first; check each batch as it is loaded (faster "
                                 "for a large file); the problems are listed at the end")
        parser.add_argument("--sheet", default="", help="XLSX sheet name (default: the first)")
        parser.add_argument("--batch-size", type=int, default=None,
                            help=f"lines per batch (default {services.DEFAULT_BATCH_SIZE:,}; "
                                 "50,000 for large order files loaded in bulk)")
        parser.add_argument("--as", dest="username", default="",
                            help="import as this user (their permissions apply); default: the system")

    def handle(self, *args, **options):
        console = Console(file=self.stdout, highlight=False)
        actor = None
        if options["username"]:
            actor = get_user_model().objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {options['username']!r}.")
        if options["restore_indexes"]:
            restored = services.import_indexes_restore(actor=actor)
            console.print(f"Restored {len(restored)} {RESTORED_KINDS}: {', '.join(restored)}" if restored
                          else "Every index is present.", markup=False)
            return None
        if options["sweep_prepared"]:
            swept = services.import_prepared_sweep()
            console.print(f"Deleted the checked batches of {len(swept)} file(s)." if swept
                          else "No checked batches to delete.", markup=False)
            return None
        if options["resume"] is not None:
            return self._resume(console, actor, options["resume"])
        if not options["entity"] or not options["file"]:
            raise CommandError("Give the entity and the file, or --resume RUN_ID.")
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        policy = ImportPolicy.LOAD_VALID if options["load_valid"] else ImportPolicy.ALL_OR_NOTHING
        if options["one_pass"] and (options["dry_run"] or not options["load_valid"]):
            raise CommandError("--one-pass loads without a dry run: give it with --load-valid, without --dry-run.")
        try:
            with open(path, "rb") as handle:
                run = services.import_run_create(
                    actor=actor, stream=handle, name=os.path.basename(path), size=os.path.getsize(path),
                    entity=options["entity"], mode=options["mode"], policy=policy, sheet=options["sheet"],
                    mapping_name=options["mapping"], batch_size=options["batch_size"], one_pass=options["one_pass"])
        except DomainError as error:
            raise CommandError(f"File refused: {error.message}") from error
        if options["one_pass"] and services.mapping_complete(run):
            self._load(console, actor, run, problems=True)
            return
        if run.status != ImportStatus.VALIDATED:
            unmatched = ", ".join(header for header, column in run.mapping.items() if not column)
            raise CommandError(f"Required columns are missing (unrecognised: {unmatched}). "
                               "Save a mapping in the web page and pass --mapping NAME.")
        self._summary(console, run, "dry_run")
        self._problems(console, run)
        if options["dry_run"]:
            return
        self._load(console, actor, run)

    def _resume(self, console, actor, run_id):
        run = ImportRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No import {run_id}.")
        services.import_runs_mark_interrupted(runs=[run])
        run.refresh_from_db()
        restored = services.import_indexes_restore(actor=actor)  # the bulk load drops them again if worth it
        if restored:
            console.print(f"Restored {len(restored)} {RESTORED_KINDS} an interrupted bulk import had left out.",
                          markup=False)
        console.print(f"Resuming import {run.pk} ({run.entity}, {run.original_name}): {run.get_status_display()}, "
                      f"{run.batches_done} batches ({run.rows_done} rows) already committed.", markup=False)
        self._load(console, actor, run)

    def _load(self, console, actor, run, *, problems: bool = False):
        total = run.rows_total
        try:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console) as progress:
                task = progress.add_task("Importing", total=total, completed=run.rows_done)
                run = services.import_run_execute(actor=actor, run_id=run.pk,
                                                  progress=lambda rows: progress.advance(task, rows))
        except DomainError as error:
            raise CommandError(f"Not loaded: {error.message}") from error
        self._summary(console, run, "done")
        if problems:  # a load in one pass: nothing listed them before
            self._problems(console, run)
        if run.status != ImportStatus.COMPLETED:
            raise CommandError(run.message or "The import did not complete.")
        console.print(f"Import {run.pk} completed. Undo it with the revert button on /imports/{run.pk}/.")

    def _summary(self, console, run, key):
        counts = run.counts.get(key, {})
        table = Table(title=f"Import {run.pk} ({'dry run' if key == 'dry_run' else 'loaded'})")
        table.add_column("")
        table.add_column("count", justify="right")
        for name in ("rows", "valid", "invalid", "created", "updated", "unchanged"):
            table.add_row(name, str(counts.get(name, 0)))
        for model, related in counts.get("related", {}).items():
            table.add_row(f"{model} created / updated", f"{related['created']} / {related['updated']}")
        console.print(table)

    def _problems(self, console, run):
        errors = list(selectors.import_row_errors(run=run)[:20])
        for error in errors:
            console.print(f"row {error.row_number} {error.column}: {error.message}", markup=False)
