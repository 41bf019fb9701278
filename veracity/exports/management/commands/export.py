"""`veracity export ENTITY --format csv -o FILE --as USERNAME [--q TEXT --status …]`."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from veracity.accounts.models import User
from veracity.core.errors import DomainError, ValidationFailed
from veracity.exports.registry import ENTITIES, filter_names
from veracity.exports.services import FORMATS, export_create


def _filter_users() -> dict[str, list[str]]:
    """{filter name: the entities that take it}, in the order the entities declare them."""
    users: dict[str, list[str]] = {}
    for entity in ENTITIES.values():
        for name in filter_names(entity):
            users.setdefault(name, []).append(entity.name)
    return users


class Command(BaseCommand):
    help = (
        "Export a list to a file, exactly as the list page would show it to the user named by --as "
        "(their scope, their hidden fields, the same filters), and record the export in the audit "
        "trail. --as is required so every export is attributed and scoped. Formats: csv, xlsx and "
        "parquet; raw (JSON Lines, round-trip exact, formulas not neutralised) for administrators only. "
        "Filters use the list page's names, e.g. --q, --status, --owner, --date-from; each entity "
        "accepts only its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=list(ENTITIES), help="What to export.")
        parser.add_argument("--format", dest="fmt", choices=list(FORMATS), default="csv",
                            help="File format (default: csv).")
        parser.add_argument("-o", "--output", required=True, help="The file to write (replaced if it exists).")
        parser.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                            help="Export as this user: their permissions and scope apply, and the audit "
                                 "trail names them.")
        filters = parser.add_argument_group("filters (as on the list page)")
        for name, entities in _filter_users().items():
            filters.add_argument(f"--{name.replace('_', '-')}", dest=f"filter_{name}", metavar="VALUE",
                                 help=f"({', '.join(entities)})")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["as_user"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user named {options['as_user']!r}.")
        entity = ENTITIES[options["entity"]]
        allowed = set(filter_names(entity))
        params = {key.removeprefix("filter_"): value for key, value in options.items()
                  if key.startswith("filter_") and value is not None}
        wrong = sorted(set(params) - allowed)
        if wrong:
            raise CommandError(f"{entity.name} cannot be filtered by "
                               f"{', '.join('--' + name.replace('_', '-') for name in wrong)}; it takes "
                               f"{', '.join('--' + name.replace('_', '-') for name in filter_names(entity))}.")
        try:
            export = export_create(actor=user, entity=entity.name, filters=params, fmt=options["fmt"])
        except ValidationFailed as error:
            problems = "; ".join(f"--{field.replace('_', '-')}: {' '.join(messages)}"
                                 for field, messages in error.fields.items())
            raise CommandError(f"{error.message} {problems}") from error
        except DomainError as error:
            raise CommandError(error.message) from error
        target = Path(options["output"])
        partial = target.with_name(target.name + ".part")
        console = Console(file=self.stderr)
        stream = export.stream
        try:
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True) as progress:
                task = progress.add_task(f"{entity.name} → {target.name}", total=stream.row_count)
                stream.on_row = lambda done: progress.update(task, completed=done)
                with partial.open("wb") as handle:
                    for chunk in stream:
                        handle.write(chunk)
                    handle.flush()
                    os.fsync(handle.fileno())
            partial.replace(target)  # a finished file or none: never half an export
        finally:
            stream.close()
            partial.unlink(missing_ok=True)
        size = target.stat().st_size
        self.stdout.write(f"Exported {stream.rows_written} {entity.name.replace('_', ' ')} as {options['fmt']} "
                          f"to {target} ({size:,} bytes) as {user.username}.")
