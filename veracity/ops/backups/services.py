"""Backups, restores, restore drills and retention (SECURITY.md R21, R22; docs/backups.md).

Every entry path — page, API, command, scheduled task — calls these functions. A backup is a directory
in VERACITY_BACKUP_DIR holding the database snapshot, the uploaded files (files.tar.gz) and a
manifest.json that describes and checksums both; the Backup row only indexes it."""

import contextlib
import copy
import datetime as dt
import hashlib
import json
import logging
import secrets
import shutil
import smtplib
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from django.conf import settings
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db import Error as DjangoDatabaseError
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

import veracity
from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource, RoleCode, User
from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.ops.backups import crypto, engines
from veracity.ops.backups.checksums import compare_checksums
from veracity.ops.backups.errors import BackupError, BackupKeyError, RestoreRefused
from veracity.ops.backups.models import Backup, BackupDrill, BackupKind
from veracity.ops.backups.retention import retention_keep
from veracity.ops.invariants import invariants_check

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FILES_ARCHIVE = "files.tar.gz"
FORMAT = 1
SCHEDULED_KINDS = (BackupKind.HOURLY, BackupKind.DAILY)
DRILL_ERRORS = (BackupError, sqlite3.Error, psycopg.Error, DjangoDatabaseError, OSError, tarfile.TarError)

Progress = Callable[[str], None] | None


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(path: Path) -> dict[str, Any]:
    return {"name": path.name, "size": path.stat().st_size, "sha256": _sha256(path)}


def backup_dir() -> Path:
    path = Path(settings.BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def uploaded_files_dir() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def _vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    return connections[alias].vendor


# --- create ---------------------------------------------------------------------------------------
def _archive_uploaded_files(target: Path) -> dict[str, int]:
    source = uploaded_files_dir()
    count = size = 0
    with tarfile.open(target, "w:gz") as archive:
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(source)), recursive=False)
                    count += 1
                    size += path.stat().st_size
    engines.fsync_path(target)
    return {"count": count, "bytes": size}


def backup_create(*, actor, label: str = "manual", kind: str = BackupKind.MANUAL, progress: Progress = None) -> Backup:
    """Take an online, consistent backup of the database and the uploaded files, with a manifest."""
    if actor is not None:
        access_require(actor, Resource.BACKUP, Action.CREATE)
    label = (label or "").strip()[:100]
    created_at = timezone.now()
    name = f"{created_at:%Y%m%dT%H%M%SZ}-{kind}-{secrets.token_hex(3)}"
    root = backup_dir()
    work = root / f".tmp-{name}"
    work.mkdir()
    try:
        vendor = _vendor()
        _say(progress, "Copying the database")
        if vendor == "sqlite":
            database_file = work / engines.SQLITE_FILE
            state = engines.sqlite_snapshot(alias=DEFAULT_DB_ALIAS, target=database_file)
        elif vendor == "postgresql":
            database_file = work / engines.POSTGRES_FILE
            state = engines.pg_snapshot(alias=DEFAULT_DB_ALIAS, target=database_file)
        else:
            raise BackupError(f"Backups do not support the {vendor} database.")
        _say(progress, "Archiving uploaded files")
        uploaded = _archive_uploaded_files(work / FILES_ARCHIVE)
        files = [_file_entry(database_file), _file_entry(work / FILES_ARCHIVE)]
        encryption = None
        if settings.BACKUP_KEY:
            _say(progress, "Encrypting")
            encryption = {"scheme": crypto.SCHEME, "key_id": crypto.key_id(settings.BACKUP_KEY)}
            encrypted = []
            for entry in files:
                plain = work / entry["name"]
                secret = work / f"{entry['name']}.enc"
                crypto.encrypt_file(plain, secret, settings.BACKUP_KEY)
                engines.fsync_path(secret)
                plain.unlink()
                encrypted.append({**_file_entry(secret), "plaintext": entry})
            files = encrypted
        manifest = {
            "format": FORMAT,
            "name": name,
            "label": label,
            "kind": str(kind),
            "created_at": created_at.astimezone(dt.UTC).isoformat(),
            "app_version": veracity.__version__,
            "schema": state["schema"],
            "database": {"vendor": vendor, "file": database_file.name},
            "files": files,
            "uploaded_files": uploaded,
            "tables": state["tables"],
            "encryption": encryption,
        }
        manifest_path = work / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
        engines.fsync_path(manifest_path)
        work.rename(root / name)
        engines.fsync_path(root)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise

    def index_and_audit() -> Backup:
        with transaction.atomic():
            backup = backup_register(root / name, actor=actor)
            audit_event_record(actor=actor, action=AuditAction.CREATE, obj=backup if backup.pk else None,
                               object_type="ops.backup", object_id=backup.pk or name, object_repr=name,
                               extra={"label": label, "kind": str(kind), "size_bytes": backup.size_bytes,
                                      "encrypted": backup.encrypted})
        return backup

    return _retry_when_locked(index_and_audit)


def _retry_when_locked(write: Callable[[], Any], attempts: int = 6) -> Any:
    """The backup is safely on disk; only its index row remains. Under many concurrent SQLite writers the
    busy timeout can run out before this writer gets the lock (SQLite's lock is not fair): try again
    rather than fail a good backup (bench/backup_writers.py, 50 writers)."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except OperationalError as error:
            if "locked" not in str(error) or attempt == attempts:
                raise
            logger.warning("Backup index write found the database locked (attempt %s); retrying", attempt)
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} has no readable {MANIFEST}: {error}") from error


def index_ready() -> bool:
    """Whether the live database has the backup tables (not yet on a fresh install or before an upgrade)."""
    return Backup._meta.db_table in connections[DEFAULT_DB_ALIAS].introspection.table_names()


def backup_register(path: Path, *, actor=None) -> Backup:
    """The Backup row for a backup directory (created from its manifest when missing; left unsaved when
    the database has no backup tables yet)."""
    manifest = read_manifest(path)
    size = sum(entry["size"] for entry in manifest["files"]) + (path / MANIFEST).stat().st_size
    values = {
        "label": manifest.get("label", ""),
        "kind": manifest.get("kind", BackupKind.MANUAL),
        "created_at": dt.datetime.fromisoformat(manifest["created_at"]),
        "created_by": actor if getattr(actor, "pk", None) else None,
        "vendor": manifest["database"]["vendor"],
        "size_bytes": size,
        "encrypted": bool(manifest.get("encryption")),
        "manifest": manifest,
    }
    if not index_ready():
        return Backup(name=manifest["name"], **values)
    backup, _created = Backup.objects.get_or_create(name=manifest["name"], defaults=values)
    return backup


def backup_sync() -> list[Backup]:
    """Index every backup directory that has no row yet (after a restore, or on a new machine)."""
    root = backup_dir()
    known = set(Backup.objects.values_list("name", flat=True))
    return [backup_register(path) for path in sorted(root.iterdir())
            if path.is_dir() and not path.name.startswith(".") and path.name not in known
            and (path / MANIFEST).exists()]


def resolve(reference: "Backup | Path | str") -> tuple[Path, Backup | None]:
    """A backup named by its row, its id, its directory name or a path to its directory."""
    if isinstance(reference, Backup):
        return reference.path, reference
    text = str(reference)
    if isinstance(reference, str) and text.isdigit():
        backup = Backup.objects.filter(pk=int(text)).first()
        if backup is None:
            raise BackupError(f"There is no backup with id {text}.")
        return backup.path, backup
    path = Path(text).expanduser()
    if not path.is_absolute() and not path.exists():
        # A bare name is a directory of the backup dir, never a way out of it ("../elsewhere").
        path = (backup_dir() / text).resolve()
        if path.parent != backup_dir().resolve():
            raise BackupError(f"{text!r} is not the name of a backup in {backup_dir()}.")
    path = path.resolve()
    if not (path / MANIFEST).exists():
        raise BackupError(f"{path} is not a backup directory (no {MANIFEST}).")
    return path, Backup.objects.filter(name=path.name).first() if index_ready() else None


# --- verify ---------------------------------------------------------------------------------------
@dataclass
class VerifyResult:
    ok: bool
    problems: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def backup_verify(backup: "Backup | Path | str", *, decrypt: bool = False) -> VerifyResult:
    """Recompute every file's size and sha256 against the manifest; with `decrypt`, also decrypt the
    encrypted files and check the plaintext hashes."""
    path, row = resolve(backup)
    manifest = read_manifest(path)
    problems = []
    for entry in manifest["files"]:
        file = path / entry["name"]
        if not file.exists():
            problems.append(f"{entry['name']} is missing")
        elif file.stat().st_size != entry["size"] or _sha256(file) != entry["sha256"]:
            problems.append(f"{entry['name']} does not match its sha256 in the manifest")
    if decrypt and not problems and manifest.get("encryption"):
        with tempfile.TemporaryDirectory(prefix="veracity-verify-") as scratch:
            try:
                _materialise(path, manifest, Path(scratch))
            except BackupError as error:
                problems.append(error.message)
    if row is not None:
        row.verified_at = timezone.now()
        row.verified_ok = not problems
        row.save(update_fields=["verified_at", "verified_ok"])
    return VerifyResult(ok=not problems, problems=problems, manifest=manifest)


def _materialise(path: Path, manifest: dict, scratch: Path) -> dict[str, Path]:
    """{plaintext name: path} of the backup's files, decrypting encrypted ones into `scratch` and
    checking their plaintext hashes."""
    result = {}
    encryption = manifest.get("encryption")
    for entry in manifest["files"]:
        if "plaintext" not in entry:
            result[entry["name"]] = path / entry["name"]
            continue
        if not settings.BACKUP_KEY:
            raise BackupKeyError("This backup is encrypted: set VERACITY_BACKUP_KEY to the key it was made with.")
        if encryption and encryption.get("key_id") != crypto.key_id(settings.BACKUP_KEY):
            raise BackupKeyError("VERACITY_BACKUP_KEY is not the key this backup was encrypted with.")
        plain = entry["plaintext"]
        target = scratch / plain["name"]
        crypto.decrypt_file(path / entry["name"], target, settings.BACKUP_KEY)
        if target.stat().st_size != plain["size"] or _sha256(target) != plain["sha256"]:
            raise BackupError(f"{plain['name']} decrypts to something other than what was backed up.")
        result[plain["name"]] = target
    return result


# --- restore --------------------------------------------------------------------------------------
@dataclass
class RestoreResult:
    target: str
    seconds: float
    problems: list[str] = field(default_factory=list)
    safety_backup: str = ""


def _extract_files(archive: Path, target: Path, *, replace: bool) -> int:
    """Unpack the uploaded files into `target` (swapped in whole; the old one kept beside it)."""
    staging = target.parent / f".{target.name}.restoring"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = [member for member in tar.getmembers() if member.isfile()]
        tar.extractall(staging, members=members, filter="data")
    if target.exists():
        if any(target.iterdir()) and not replace:
            shutil.rmtree(staging)
            raise RestoreRefused(f"{target} is not empty; use --force to replace it.")
        old = target.parent / f"{target.name}.before-restore-{timezone.now():%Y%m%dT%H%M%S}"
        target.rename(old) if any(target.iterdir()) else target.rmdir()
    staging.rename(target)
    return len(members)


def _target_kind(target: str | None) -> str:
    if target is None:
        return "live"
    return "postgresql" if target.startswith(("postgres://", "postgresql://")) else "sqlite"


def _sqlite_has_data(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with contextlib.closing(sqlite3.connect(path)) as probe:
        return probe.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone() is not None


def backup_restore(*, backup: "Backup | Path | str", target: str | None = None, force: bool = False,
                   actor=None, files_dir: Path | None = None, progress: Progress = None) -> RestoreResult:
    """Restore a backup into `target` (a new SQLite file or a new PostgreSQL database given by URL), or,
    with `force`, over the live database and uploaded files (after a fresh safety backup)."""
    if actor is not None:
        access_require(actor, Resource.BACKUP, Action.EDIT)
    path, _row = resolve(backup)
    _say(progress, "Verifying the backup")
    verified = backup_verify(path)
    if not verified.ok:
        raise BackupError("The backup failed verification: " + "; ".join(verified.problems))
    manifest = verified.manifest
    vendor = manifest["database"]["vendor"]
    kind = _target_kind(target)
    if kind == "live" and not force:
        raise RestoreRefused("Restoring over the live database replaces all its data: confirm with --force.")
    live_settings = connections[DEFAULT_DB_ALIAS].settings_dict
    target_vendor = _vendor() if kind == "live" else kind
    if target_vendor != vendor:
        raise RestoreRefused(f"This is a {vendor} backup; it cannot be restored into {target_vendor}.")
    safety = ""
    if kind == "live":
        live_has_data = (_sqlite_has_data(engines.sqlite_database_path()) if vendor == "sqlite"
                         and not engines.is_in_memory(live_settings) else vendor == "postgresql")
        if vendor == "sqlite" and engines.is_in_memory(live_settings):
            raise RestoreRefused("The live database is in memory; restore into a file with --target.")
        if live_has_data:
            _say(progress, "Taking a safety backup of the live data")
            safety = backup_create(actor=None, label="before restore", kind=BackupKind.SAFETY).name
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="veracity-restore-") as scratch:
        _say(progress, "Decrypting" if manifest.get("encryption") else "Preparing")
        plain = _materialise(path, manifest, Path(scratch))
        source = plain[manifest["database"]["file"].removesuffix(".enc")]
        _say(progress, "Restoring the database")
        if vendor == "sqlite":
            destination = engines.sqlite_database_path() if kind == "live" else Path(target).expanduser().resolve()
            if kind != "live" and destination.exists() and not force:
                raise RestoreRefused(f"{destination} exists; choose a new file or use --force.")
            connections.close_all()
            if kind == "live" and engines.sqlite_in_use(destination):
                raise RestoreRefused("The database is in use (Veracity is running?); stop it and try again.")
            engines.sqlite_restore(source=source, target=destination)
            with contextlib.closing(sqlite3.connect(destination)) as restored:
                state = engines.sqlite_inspect(restored)
            target_label = str(destination)
        else:
            if kind == "live":
                target_settings, database = live_settings, live_settings["NAME"]
                connections.close_all()
            else:
                parsed = dj_database_url.parse(target)
                target_settings, database = {**live_settings, **parsed}, parsed["NAME"]
            # --force over an existing database (live or named by URL) replaces it in one transaction.
            replace = kind == "live" or (force and engines.pg_database_exists(target_settings, database))
            engines.pg_restore_into(source=source, settings_dict=target_settings, database=database,
                                    replace=replace)
            state = engines.pg_inspect(target_settings, database)
            target_label = database if kind == "live" else target.split("@")[-1]
        _say(progress, "Restoring uploaded files")
        if kind == "live":
            files_target = files_dir or uploaded_files_dir()
        else:
            files_target = files_dir or (Path(target).expanduser().resolve().parent / "files"
                                         if vendor == "sqlite" else None)
        if files_target is not None:
            _extract_files(plain[FILES_ARCHIVE], files_target, replace=force)
    seconds = time.monotonic() - started
    problems = compare_checksums(manifest["tables"], state["tables"])
    if kind == "live":
        connections.close_all()
        backup_sync()
    restored_row = Backup.objects.filter(name=path.name).first() if kind == "live" else None
    audit_event_record(actor=actor, action=AuditAction.RESTORE, obj=restored_row,
                       object_type="" if restored_row else "ops.backup", object_id="" if restored_row else path.name,
                       object_repr="" if restored_row else path.name,
                       extra={"backup": path.name, "target": target_label if kind != "live" else "live",
                              "seconds": round(seconds, 3), "safety_backup": safety, "problems": problems})
    return RestoreResult(target=target_label, seconds=seconds, problems=problems, safety_backup=safety)


# --- drill ----------------------------------------------------------------------------------------
DRILL_STEPS = 8  # verify, restore, uploaded files, two integrity checks, checksums, migrations, invariants


def backup_drill_enqueue(*, actor, backup: Backup) -> dict[str, str]:
    """Queue a restore drill as a background job (the page's Run drill button): the request returns at
    once and the jobs page shows its progress. Returns {"id": job id} once the caller's transaction
    commits (empty until then)."""
    from veracity.ops.backups.tasks import backup_drill_task  # tasks import this module

    access_require(actor, Resource.BACKUP, Action.EDIT)
    enqueued: dict[str, str] = {}

    def enqueue():
        enqueued["id"] = str(backup_drill_task.enqueue(backup_id=backup.pk, actor_id=actor.pk).id)

    transaction.on_commit(enqueue)
    return enqueued


@dataclass
class DrillResult:
    drill: BackupDrill

    @property
    def passed(self) -> bool:
        return self.drill.passed

    @property
    def restore_seconds(self) -> float | None:
        return self.drill.restore_seconds

    @property
    def details(self) -> dict:
        return self.drill.details


@contextlib.contextmanager
def scratch_alias(settings_dict: dict, name: str):
    """A temporary Django database alias pointing at a scratch copy, for the ORM-based invariants."""
    alias = f"drill_{secrets.token_hex(4)}"
    config = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    config.update({key: value for key, value in settings_dict.items() if key in ("HOST", "PORT", "USER", "PASSWORD")})
    config["NAME"] = name
    config["TEST"] = {}
    # Built outside the configured aliases: a connection made for one drill and closed after it.
    connections.settings[alias] = config
    try:
        wrapper = connections.create_connection(alias)
    finally:
        del connections.settings[alias]
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


def _unapplied(applied: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    on_disk = set(loader.disk_migrations)
    replaced = {old for key, migration in loader.disk_migrations.items() for old in (migration.replaces or [])}
    missing = sorted(f"{app}.{name}" for app, name in on_disk - applied - replaced
                     if not loader.replacements.get((app, name)) or
                     not all(old in applied for old in loader.replacements[(app, name)].replaces))
    unknown = sorted(f"{app}.{name}" for app, name in applied - on_disk if app in loader.migrated_apps)
    return missing, unknown


def backup_drill(backup: "Backup | Path | str", *, actor=None, progress: Progress = None) -> DrillResult:
    """Restore drill: verify, decrypt, restore into scratch, integrity checks, migrations, domain
    invariants, manifest comparison; the restore time is the measured RTO. Failures alert the admins."""
    if actor is not None:
        access_require(actor, Resource.BACKUP, Action.EDIT)
    path, row = resolve(backup) if not isinstance(backup, Backup) else (backup.path, backup)
    drill = BackupDrill.objects.create(backup=row, backup_name=path.name if row is None else row.name)
    steps: list[dict[str, Any]] = []
    details: dict[str, Any] = {"steps": steps}

    def step(name: str, ok: bool, detail: Any = "") -> bool:
        steps.append({"name": name, "ok": ok, "detail": detail})
        _say(progress, f"{name}: {'ok' if ok else 'FAILED'}")
        return ok

    started = time.monotonic()
    restore_seconds = None
    try:
        verified = backup_verify(path) if (path / MANIFEST).exists() else VerifyResult(False, ["no manifest"])
        if step("verify", verified.ok, verified.problems):
            manifest = verified.manifest
            with tempfile.TemporaryDirectory(prefix="veracity-drill-") as scratch_dir:
                scratch = Path(scratch_dir)
                restore_seconds = _drill_restore(path, manifest, scratch, step, details)
    except DRILL_ERRORS as error:
        step("error", False, str(getattr(error, "message", error)))
    drill.finished_at = timezone.now()
    drill.restore_seconds = restore_seconds
    drill.passed = bool(steps) and all(item["ok"] for item in steps)
    details["total_seconds"] = round(time.monotonic() - started, 3)
    drill.details = details
    if not drill.passed:
        details["alerted"] = _alert_admins(drill)
    drill.save()
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=drill,
                       extra={"backup": drill.backup_name, "passed": drill.passed,
                              "restore_seconds": restore_seconds,
                              "failed_steps": [item["name"] for item in steps if not item["ok"]]})
    return DrillResult(drill)


def _drill_restore(path: Path, manifest: dict, scratch: Path, step, details: dict) -> float | None:
    """The part of a drill that needs the scratch space; returns the restore seconds."""
    live_settings = connections[DEFAULT_DB_ALIAS].settings_dict
    vendor = manifest["database"]["vendor"]
    started = time.monotonic()
    try:
        plain = _materialise(path, manifest, scratch)
    except BackupError as error:
        step("decrypt", False, error.message)
        return None
    if manifest.get("encryption"):
        step("decrypt", True)
    source = plain[manifest["database"]["file"].removesuffix(".enc")]
    pg_database = None
    if vendor == "sqlite":
        database = scratch / "restored.sqlite3"
        engines.sqlite_restore(source=source, target=database)
    else:
        pg_database = f"{live_settings['NAME'][:40]}_drill_{secrets.token_hex(4)}"
        engines.pg_restore_into(source=source, settings_dict=live_settings, database=pg_database, replace=False)
    try:
        count = _extract_files(plain[FILES_ARCHIVE], scratch / "files", replace=False)
        expected_files = manifest.get("uploaded_files", {}).get("count", 0)
        restore_seconds = round(time.monotonic() - started, 3)
        step("restore", True, {"seconds": restore_seconds})
        step("uploaded_files", count == expected_files, {"expected": expected_files, "restored": count})
        if vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(database)) as restored:
                integrity = [row[0] for row in restored.execute("PRAGMA integrity_check")]
                step("integrity_check", integrity == ["ok"], integrity[:5])
                foreign = restored.execute("PRAGMA foreign_key_check").fetchall()
                step("foreign_key_check", not foreign, [list(row) for row in foreign[:10]])
                state = engines.sqlite_inspect(restored) if integrity == ["ok"] else None
                applied = set(restored.execute("SELECT app, name FROM django_migrations").fetchall())
            alias_settings, alias_name = {}, str(database)
        else:
            state = engines.pg_inspect(live_settings, pg_database)  # reads every table
            step("tables_readable", True, {"tables": len(state["tables"])})
            amcheck = engines.pg_amcheck(live_settings, pg_database)
            step("pg_amcheck", not amcheck or amcheck.startswith("skipped"), amcheck)
            with engines.pg_connect(live_settings, pg_database) as connection:
                applied = set(connection.execute("SELECT app, name FROM django_migrations").fetchall())
            alias_settings, alias_name = live_settings, pg_database
        if state is not None:
            problems = compare_checksums(manifest["tables"], state["tables"])
            step("checksums", not problems, problems[:20])
        missing, unknown = _unapplied(applied)
        step("migrations", not missing and not unknown, {"unapplied": missing, "unknown": unknown})
        with scratch_alias(alias_settings, alias_name) as alias:
            results = [result.as_dict() for result in invariants_check(using=alias)]
        details["invariants"] = results
        step("invariants", all(result["ok"] for result in results),
             [result["name"] for result in results if not result["ok"]])
        return restore_seconds
    finally:
        if pg_database:
            engines.pg_drop(live_settings, pg_database)


def _alert_admins(drill: BackupDrill) -> list[str]:
    recipients = sorted(set(User.objects.filter(is_active=True, roles__code=RoleCode.ADMIN).exclude(email="")
                            .values_list("email", flat=True)))
    if not recipients:
        return []
    failed = [item for item in drill.details.get("steps", []) if not item["ok"]]
    body = "\n".join([f"The restore drill of backup {drill.backup_name} failed.", ""]
                     + [f"- {item['name']}: {item['detail']}" for item in failed]
                     + ["", "Open Veracity > Backups for the details; see docs/backups.md."])
    try:
        send_mail(f"[Veracity] Restore drill FAILED for backup {drill.backup_name}", body, None, recipients)
    except (OSError, smtplib.SMTPException) as error:
        logger.error("Could not mail the failed drill alert: %s", error)
        return []
    return recipients


# --- retention and schedule -----------------------------------------------------------------------
def backup_prune(*, actor=None, now: dt.datetime | None = None) -> list[str]:
    """Delete scheduled backups outside the grandfather-father-son policy; manual, safety and upgrade
    backups are kept until an admin removes them."""
    candidates = list(Backup.objects.filter(kind__in=SCHEDULED_KINDS).values_list("name", "created_at"))
    keep = retention_keep(candidates, hourly=settings.BACKUP_KEEP_HOURLY, daily=settings.BACKUP_KEEP_DAILY,
                          monthly=settings.BACKUP_KEEP_MONTHLY)
    pruned = []
    for backup in Backup.objects.filter(kind__in=SCHEDULED_KINDS).exclude(name__in=keep):
        shutil.rmtree(backup.path, ignore_errors=True)
        audit_event_record(actor=actor, action=AuditAction.PURGE, obj=backup,
                           extra={"reason": "retention", "created_at": backup.created_at.isoformat()})
        pruned.append(backup.name)
        backup.delete()
    return pruned


def backup_scheduled_run(kind: str = "hourly") -> DrillResult:
    """What the scheduler runs (hourly and daily): back up, drill that backup, prune by retention."""
    if kind not in SCHEDULED_KINDS:
        raise BackupError(f"Unknown schedule {kind!r}; use hourly or daily.")
    backup = backup_create(actor=None, label=f"scheduled {kind}", kind=kind)
    result = backup_drill(backup)
    backup_prune()
    return result
