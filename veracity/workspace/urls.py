from django.urls import path

from veracity.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("customers/<int:pk>/360/", views.customer_360_page, name="customer_360"),
    path("trash/", views.trash_list, name="trash"),
    path("trash/<str:deletion_id>/restore/", views.trash_restore, name="trash_restore"),
    path("audit/", views.audit_list, name="audit_list"),
    path("views/save/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("healthz", views.health, name="health"),
]
