"""Background jobs and the schedule (ops/jobs): admins view and act; auditors only view."""

from tests.security.policy import perm

POLICY = {
    "ops:job_list": perm("job", "view"),
    "ops:job_detail": perm("job", "view", obj="job"),
    "ops:job_progress": perm("job", "view", obj="job"),
    "ops:job_retry": perm("job", "edit", obj="job", methods=("POST",)),
    "ops:schedule_list": perm("job", "view"),
    "ops:schedule_toggle": perm("job", "edit", methods=("POST",), body=lambda world: {"enabled": "0"}),
    "GET /api/v1/jobs": perm("job", "view"),
    "GET /api/v1/jobs/{job_id}": perm("job", "view", obj="job"),
    "POST /api/v1/jobs/{job_id}/retry": perm("job", "edit", obj="job"),
    "GET /api/v1/schedules": perm("job", "view"),
    "PATCH /api/v1/schedules/{name}": perm("job", "edit", body=lambda world: {"enabled": False}),
}
