from django.urls import path

from veracity.ops.backups import views

urlpatterns = [
    path("ops/backups/", views.backup_list, name="backup_list"),
    path("ops/backups/create/", views.backup_create, name="backup_create"),
    path("ops/backups/<int:pk>/", views.backup_detail, name="backup_detail"),
    path("ops/backups/<int:pk>/drill/", views.backup_drill, name="backup_drill"),
]
