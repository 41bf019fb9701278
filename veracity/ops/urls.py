from veracity.ops.backups.urls import urlpatterns as backup_urlpatterns

app_name = "ops"
urlpatterns: list = [
    *backup_urlpatterns,
]
