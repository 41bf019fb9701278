from django.urls import path

from veracity.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("pipeline/", views.board, name="board"),
    path("opportunities/", views.opportunity_list, name="list"),
    path("opportunities/new/", views.opportunity_create, name="create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("opportunities/<int:pk>/delete/", views.opportunity_delete, name="delete"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="move"),
    path("pipeline-stages/", views.stage_list, name="stage_list"),
    path("pipeline-stages/new/", views.stage_create, name="stage_create"),
    path("pipeline-stages/<int:pk>/edit/", views.stage_edit, name="stage_edit"),
    path("pipeline-stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
    path("pipeline-stages/<int:pk>/move/", views.stage_move, name="stage_move"),
    path("customers/<int:customer_pk>/opportunities/", views.customer_opportunities, name="customer_opportunities"),
]
