from django.urls import path

from veracity.ops.backups.urls import urlpatterns as backup_urlpatterns
from veracity.ops.jobs import views as job_views

app_name = "ops"
urlpatterns: list = [
    path("ops/jobs/", job_views.job_list, name="job_list"),
    path("ops/jobs/<uuid:pk>/", job_views.job_detail, name="job_detail"),
    path("ops/jobs/<uuid:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("ops/jobs/<uuid:pk>/retry/", job_views.job_retry, name="job_retry"),
    path("ops/schedule/", job_views.schedule_list, name="schedule_list"),
    path("ops/schedule/<str:name>/toggle/", job_views.schedule_toggle, name="schedule_toggle"),
    *backup_urlpatterns,
]
