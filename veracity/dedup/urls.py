from django.urls import path

from veracity.dedup import views

app_name = "dedup"
urlpatterns = [
    path("duplicates/", views.cluster_list, name="cluster_list"),
    path("duplicates/<int:pk>/confirm/", views.cluster_confirm, name="cluster_confirm"),
    path("duplicates/<int:pk>/dismiss/", views.cluster_dismiss, name="cluster_dismiss"),
    path("duplicates/<int:pk>/merge/", views.cluster_merge, name="cluster_merge"),
    path("duplicates/merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("duplicates/scans/", views.scan_start, name="scan_start"),
    path("duplicates/check/", views.customer_check, name="customer_check"),
]
