"""Saves the entry rules rejected, noted as they happen so the scorecards can count them.

The entry rules' `standards.validate_record` (every service write from forms, the API and imports goes
through it) and the edit forms' own parsing (`core.forms.ServiceValidatedModelForm`, which rejects an
unparseable e-mail or date before the service is asked) note (entity, fields) here when they reject. Nothing is written at that point:
the save is being rolled back, and a row written inside its transaction would vanish with it.
Whoever runs the unit of work (the quality app's middleware for each web and API request) opens
`rejections_collected()` and records what was noted, once, after the transaction is over."""

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

_collected: contextvars.ContextVar[list[tuple[str, tuple[str, ...]]] | None] = contextvars.ContextVar(
    "veracity_entry_rejections", default=None)


def rejection_note(entity: str, fields: Iterable[str]) -> None:
    """Note that `entity`'s values were rejected on `fields` (no-op outside `rejections_collected`)."""
    bucket = _collected.get()
    if bucket is not None:
        bucket.append((entity, tuple(sorted(fields))))


@contextmanager
def rejections_collected() -> Iterator[list[tuple[str, tuple[str, ...]]]]:
    """Collect the rejections noted inside the block: a list of (entity, fields)."""
    bucket: list[tuple[str, tuple[str, ...]]] = []
    token = _collected.set(bucket)
    try:
        yield bucket
    finally:
        _collected.reset(token)
