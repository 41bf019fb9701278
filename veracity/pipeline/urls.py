from django.urls import path

from veracity.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("customers/<int:customer_pk>/opportunities/", views.customer_opportunities, name="customer_opportunities"),
]
