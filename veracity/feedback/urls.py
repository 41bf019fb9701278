from django.urls import path

from veracity.feedback import public_views, views

app_name = "feedback"
urlpatterns = [
    path("feedback/", views.survey_list, name="survey_list"),
    path("feedback/surveys/new/", views.survey_create, name="survey_create"),
    path("feedback/surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("feedback/surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("feedback/surveys/<int:pk>/delete/", views.survey_delete, name="survey_delete"),
    path("feedback/surveys/<int:pk>/questions/", views.question_add, name="question_add"),
    path("feedback/surveys/<int:pk>/questions/<int:question_pk>/delete/", views.question_delete,
         name="question_delete"),
    path("feedback/surveys/<int:pk>/link/", views.invitation_link, name="invitation_link"),
    path("feedback/surveys/<int:pk>/invite/", views.invitation_email, name="invitation_email"),
    path("feedback/surveys/<int:pk>/embed/", views.embed_code, name="embed_code"),
    path("feedback/responses/", views.response_list, name="response_list"),
    path("feedback/responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("feedback/analysis/", views.analysis, name="analysis"),
    # Public, anonymous, write-only.
    path("s/<str:token>/", public_views.public_survey, name="public_survey"),
    path("s/embed/<str:token>/", public_views.embed_survey, name="embed_survey"),
]
