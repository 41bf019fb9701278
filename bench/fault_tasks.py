"""A background job for the fault benchmarks: it reports progress and takes a while, so that a worker
can be killed while it runs. Imported by `veracity worker` from the bench directory (PYTHONPATH)."""

import time

from django_tasks import task

from veracity.ops.jobs import progress


@task()
def slow_steps(steps: int = 20, seconds_per_step: float = 0.1) -> int:
    for step in range(1, steps + 1):
        time.sleep(seconds_per_step)
        progress.report(step, steps, f"step {step}")
    return steps
