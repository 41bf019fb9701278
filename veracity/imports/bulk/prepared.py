"""What the dry run leaves for the load: every batch already read, checked and normalised.

The dry run of a bulk import reads the file, cuts it into batches, runs every line through the entry
rules (`checks.order_lines_check`) and computes the search keys of the customers it would create. The
load used to do all of that again. Now the dry run writes, per batch, Parquet files next to the
uploaded file (the import's working directory) and a manifest last; the load reads them instead of
the CSV, so what it loads is exactly what the dry run showed.

The manifest ties them to what they were computed from: the file's sha256, the mapping, the headers,
the encoding, the batch size, the import mode and a fingerprint of the entry rules (an admin may change
a rule between the dry run and the load). When any of these differs — or the manifest is missing, as
after a dry run killed half-way — the load ignores the files and reads and checks the CSV as before.
Written state decisions (does a customer exist, is an order number taken) are never taken from here:
the load makes them against the database, batch by batch, as before."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.utils import timezone

from veracity.imports.bulk.frames import FrameBatch
from veracity.standards.models import FieldRule, StandardsSettings

FORMAT = 1
MANIFEST = "manifest.json"
_HASH_CHUNK = 4 * 1024 * 1024
# lz4: a few hundred MB/s each way; the files live only between the dry run and the load.
_COMPRESSION = "lz4"


@dataclass
class PreparedBatch:
    """One batch as the dry run left it: the raw frame and read issues (FrameBatch), what the entry
    rules made of it, and the search keys of the customers it creates."""

    batch: FrameBatch
    cleaned: pl.DataFrame
    errors: pl.DataFrame
    customer_keys: pl.DataFrame


def prepared_dir(run) -> Path:
    return Path(f"{run.file.path}.prepared")


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def rules_fingerprint() -> str:
    """Changes whenever an admin changes an entry rule or the standards settings."""
    rules = list(FieldRule.objects.order_by("pk").values_list())
    settings = list(StandardsSettings.objects.order_by("pk").values_list())
    return hashlib.sha256(json.dumps([rules, settings], default=str).encode()).hexdigest()


def _identity(run, sha256: str) -> dict:
    return {"format": FORMAT, "sha256": sha256, "mapping": run.mapping, "headers": run.headers,
            "encoding": run.encoding, "batch_size": run.batch_size, "mode": run.mode, "rules": rules_fingerprint()}


class PreparedWriter:
    """Written by the dry run; the manifest comes last, so a dry run that dies leaves nothing usable."""

    def __init__(self, run) -> None:
        self.run = run
        self.directory = prepared_dir(run)
        prepared_discard(run)
        self.directory.mkdir(parents=True)
        self.sha256 = file_sha256(run.file.path)
        self.batches = 0

    def write(self, prepared: PreparedBatch) -> None:
        number = prepared.batch.number
        for kind, frame in (("frame", prepared.batch.frame), ("issues", prepared.batch.issues),
                            ("cleaned", prepared.cleaned), ("errors", prepared.errors),
                            ("customers", prepared.customer_keys)):
            frame.write_parquet(self.directory / f"{number:06d}-{kind}.parquet", compression=_COMPRESSION,
                                statistics=False)
        self.batches = number

    def finish(self) -> None:
        manifest = {**_identity(self.run, self.sha256), "batches": self.batches}
        (self.directory / MANIFEST).write_text(json.dumps(manifest))


def prepared_batches(run, *, after: int = 0) -> Iterator[PreparedBatch] | None:
    """The dry run's batches numbered above `after` when they still match the file and the rules, else None."""
    directory = prepared_dir(run)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    expected = _identity(run, manifest.get("sha256", ""))
    if any(manifest.get(key) != value for key, value in expected.items()):
        return None
    if manifest["sha256"] != file_sha256(run.file.path):
        return None
    return _read(directory, after + 1, manifest["batches"])


def _read(directory: Path, first: int, last: int) -> Iterator[PreparedBatch]:
    for number in range(first, last + 1):
        def part(kind: str, number: int = number) -> pl.DataFrame:
            return pl.read_parquet(directory / f"{number:06d}-{kind}.parquet")
        yield PreparedBatch(FrameBatch(number, part("frame"), part("issues")), part("cleaned"), part("errors"),
                            part("customers"))


def prepared_discard(run) -> None:
    shutil.rmtree(prepared_dir(run), ignore_errors=True)


DEFAULT_KEEP_DAYS = 7


def prepared_sweep(*, now: dt.datetime | None = None) -> list[str]:
    """Delete the dry-run frames no load will read, beside the uploads; returns the files they belonged to.

    A run's frames go when it completed (normally already gone), was reverted or refused, when no run
    names the file any more, and — for a run that was checked but never loaded, or stopped and not
    resumed — once the run has not changed for VERACITY_IMPORT_PREPARED_KEEP_DAYS (7) days. A run
    queued or running keeps them. A later load or resume without them reads and checks the CSV again."""
    from veracity.imports.models import ImportRun, ImportStatus

    root = Path(default_storage.path(""))  # where uploads are kept (ImportRun.file)
    keep_days = int(getattr(django_settings, "VERACITY_IMPORT_PREPARED_KEEP_DAYS", DEFAULT_KEEP_DAYS))
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    swept = []
    for directory in sorted((root / "imports").glob("**/*.prepared")):
        if not directory.is_dir():
            continue
        name = str(directory.relative_to(root))[:-len(".prepared")]
        run = ImportRun.objects.filter(file=name).order_by("-pk").first()
        if run is not None:
            if run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
                continue
            finished = run.status in (ImportStatus.COMPLETED, ImportStatus.REVERTED, ImportStatus.REJECTED)
            if not finished and run.updated_at >= cutoff:
                continue
        shutil.rmtree(directory, ignore_errors=True)
        swept.append(name)
    return swept
