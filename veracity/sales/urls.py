from django.urls import path

from veracity.sales import views

app_name = "sales"
urlpatterns = [
    path("customers/<int:customer_pk>/orders/", views.customer_orders, name="customer_orders"),
]
