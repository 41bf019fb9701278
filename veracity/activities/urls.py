from django.urls import path

from veracity.activities import views

app_name = "activities"
urlpatterns = [
    path("customers/<int:customer_pk>/timeline/", views.customer_timeline, name="customer_timeline"),
]
