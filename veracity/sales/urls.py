from django.urls import path

from veracity.sales import views

app_name = "sales"
urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/status/", views.order_status, name="order_status"),
    path("orders/<int:pk>/delete/", views.order_delete, name="order_delete"),
    path("exchange-rates/", views.rate_list, name="rate_list"),
    path("exchange-rates/new/", views.rate_create, name="rate_create"),
    path("exchange-rates/<int:pk>/edit/", views.rate_edit, name="rate_edit"),
    path("exchange-rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
    path("customers/<int:customer_pk>/orders/", views.customer_orders, name="customer_orders"),
]
