from django.urls import path

from veracity.forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("forecasts/", views.overview, name="overview"),
    path("forecasts/run/", views.run_create, name="run_create"),
    path("forecasts/customers/", views.customer_values, name="customer_values"),
    path("forecasts/customers/<int:customer_pk>/panel/", views.customer_panel, name="customer_panel"),
    path("forecasts/alerts/", views.alert_list, name="alert_list"),
    path("forecasts/alerts/panel/", views.alert_panel, name="alert_panel"),
    path("forecasts/alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
