"""/api/v1/jobs and /api/v1/schedules."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.core.api import ErrorOut, Pagination, ShapedQuerySet
from veracity.ops.jobs import selectors, services

router = Router(tags=["jobs"])


class ProgressOut(Schema):
    current: int
    total: int
    percent: int
    message: str


class JobOut(Schema):
    id: str
    task: str
    task_path: str
    status: str
    queue_name: str
    enqueued_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_seconds: float | None
    args: list[Any]
    kwargs: dict[str, Any]
    attempts: int
    error_class: str | None
    error_message: str | None
    progress: ProgressOut | None


class JobDetailOut(JobOut):
    traceback: str | None
    return_value: Any = None


class JobQuery(Schema):
    status: str = ""
    task: str = ""


class RetryOut(Schema):
    retry_of: str
    job_id: str | None


class ScheduleOut(Schema):
    name: str
    spec: str
    description: str
    enabled: bool
    available: bool
    last_enqueued_at: dt.datetime | None
    last_job_id: str | None
    next_due_at: dt.datetime | None


class SchedulePatchIn(Schema):
    enabled: bool


def _job_out(job, progress=None, *, detail: bool = False) -> dict:
    failed = job.status == "FAILED"
    out = {
        "id": str(job.pk), "task": selectors.task_name(job), "task_path": job.task_path, "status": job.status,
        "queue_name": job.queue_name, "enqueued_at": job.enqueued_at, "started_at": job.started_at,
        "finished_at": job.finished_at, "duration_seconds": selectors.duration_seconds(job),
        "args": job.args_kwargs.get("args", []), "kwargs": job.args_kwargs.get("kwargs", {}),
        "attempts": len(job.worker_ids or []),
        "error_class": job.exception_class_path if failed else None,
        "error_message": selectors.exception_message(job) if failed else None,
        "progress": ({"current": progress.current, "total": progress.total, "percent": progress.percent,
                      "message": progress.message} if progress else None),
    }
    if detail:
        out["traceback"] = job.traceback if failed else None
        out["return_value"] = job.return_value
    return out


class _ProgressShaped(ShapedQuerySet):
    """Adds each page's progress rows with one query."""

    def __getitem__(self, item):
        rows = list(self.queryset[item]) if isinstance(item, slice) else [self.queryset[item]]
        progress = selectors.progress_for(row.pk for row in rows)
        shaped = [_job_out(row, progress.get(str(row.pk))) for row in rows]
        return shaped if isinstance(item, slice) else shaped[0]


@router.get("/jobs", response={200: list[JobOut], 403: ErrorOut}, summary="Recent background jobs, newest first")
@paginate(Pagination)
def job_list(request: HttpRequest, query: Query[JobQuery]):
    jobs = selectors.job_list(user=request.user, filters=selectors.JobFilters(**query.dict()))
    return _ProgressShaped(jobs, None)


@router.get("/jobs/{job_id}", response={200: JobDetailOut, 403: ErrorOut, 404: ErrorOut},
            summary="One background job, with its error and traceback if it failed")
def job_detail(request: HttpRequest, job_id: str):
    job = selectors.job_get(user=request.user, pk=job_id)
    return _job_out(job, selectors.progress_for([job.pk]).get(str(job.pk)), detail=True)


@router.post("/jobs/{job_id}/retry", response={202: RetryOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Queue a failed job again with the same arguments")
def job_retry(request: HttpRequest, job_id: str):
    new_id = services.job_retry(actor=request.user, job_id=job_id)
    return Status(202, {"retry_of": job_id, "job_id": new_id})


def _schedule_out(row: selectors.ScheduleRow) -> dict:
    return {"name": row.job.name, "spec": row.job.spec, "description": str(row.entry.description),
            "enabled": row.job.enabled, "available": row.available, "last_enqueued_at": row.job.last_enqueued_at,
            "last_job_id": row.job.last_result_id or None,
            "next_due_at": row.job.next_due_at if row.job.enabled else None}


@router.get("/schedules", response={200: list[ScheduleOut], 403: ErrorOut}, summary="The periodic jobs")
def schedule_list(request: HttpRequest):
    return [_schedule_out(row) for row in selectors.schedule_list(user=request.user)]


@router.patch("/schedules/{name}", response={200: ScheduleOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
              summary="Enable or disable a periodic job")
def schedule_update(request: HttpRequest, name: str, payload: SchedulePatchIn):
    return _schedule_out(services.schedule_set_enabled(actor=request.user, name=name, enabled=payload.enabled))
