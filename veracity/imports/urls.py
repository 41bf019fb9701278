from django.urls import path

from veracity.imports import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.import_list, name="list"),
    path("imports/new/", views.import_create, name="create"),
    path("imports/<int:pk>/", views.import_detail, name="detail"),
    path("imports/<int:pk>/mapping/", views.import_mapping, name="mapping"),
    path("imports/<int:pk>/preview/", views.import_preview, name="preview"),
    path("imports/<int:pk>/errors/", views.import_errors, name="errors"),
    path("imports/<int:pk>/revert/", views.import_revert, name="revert"),
]
