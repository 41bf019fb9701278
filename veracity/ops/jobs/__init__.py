"""Background jobs: the schedule of periodic jobs, the scheduler that enqueues them, progress
reporting for running tasks, and the pages and API that show the queue (django-tasks-db)."""
