"""/api/v1/backups: list, take a backup, run a restore drill."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from veracity.accounts.models import Action
from veracity.core.api import ErrorOut
from veracity.ops.backups import selectors, services
from veracity.ops.backups.models import Backup

router = Router(tags=["backups"])


class DrillOut(Schema):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    passed: bool
    restore_seconds: float | None
    details: dict


class BackupOut(Schema):
    id: int
    name: str
    label: str
    kind: str
    created_at: dt.datetime
    vendor: str
    size_bytes: int
    encrypted: bool
    verified_at: dt.datetime | None
    verified_ok: bool | None
    latest_drill: DrillOut | None


class BackupIn(Schema):
    label: str = "manual"


def backup_out(backup: Backup) -> dict:
    drill = backup.latest_drill
    data = {name: getattr(backup, name) for name in BackupOut.model_fields if name != "latest_drill"}
    data["latest_drill"] = None if drill is None else {name: getattr(drill, name) for name in DrillOut.model_fields}
    return data


@router.get("/backups", response={200: list[BackupOut], 403: ErrorOut}, summary="List backups")
def backup_list(request: HttpRequest):
    return [backup_out(backup) for backup in selectors.backup_list(user=request.user)[:200]]


@router.post("/backups", response={201: BackupOut, 403: ErrorOut, 409: ErrorOut}, summary="Take a backup now")
def backup_create(request: HttpRequest, payload: BackupIn):
    backup = services.backup_create(actor=request.user, label=payload.label)
    return Status(201, backup_out(backup))


@router.post("/backups/{backup_id}/drill", response={200: DrillOut, 403: ErrorOut, 404: ErrorOut},
             summary="Run a restore drill of a backup")
def backup_drill(request: HttpRequest, backup_id: int):
    backup = selectors.backup_get(user=request.user, pk=backup_id, action=Action.EDIT)
    drill = services.backup_drill(backup, actor=request.user).drill
    return {name: getattr(drill, name) for name in DrillOut.model_fields}
