from django.urls import path

from veracity.service import views

app_name = "service"
urlpatterns = [
    path("service/", views.service_home, name="home"),
    path("service/sla/", views.sla_policies, name="sla"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/edit/", views.ticket_edit, name="ticket_edit"),
    path("tickets/<int:pk>/status/", views.ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/messages/", views.ticket_message, name="ticket_message"),
    path("tickets/<int:pk>/delete/", views.ticket_delete, name="ticket_delete"),
]
