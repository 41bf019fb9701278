from django.urls import path

from veracity.activities import views

app_name = "activities"
urlpatterns = [
    path("activities/", views.activity_list, name="list"),
    path("activities/new/", views.activity_create, name="create"),
    path("activities/<int:pk>/", views.activity_detail, name="detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="delete"),
    path("activities/<int:pk>/complete/", views.activity_complete, name="complete"),
    path("customers/<int:customer_pk>/timeline/", views.customer_timeline, name="customer_timeline"),
]
