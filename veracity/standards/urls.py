from django.urls import path

from veracity.standards import views

app_name = "standards"
urlpatterns = [
    path("standards/", views.guide, name="guide"),
    path("standards/rules/", views.rule_list, name="rule_list"),
    path("standards/rules/settings/", views.settings_edit, name="settings_edit"),
    path("standards/rules/<slug:entity>/<slug:field>/", views.rule_edit, name="rule_edit"),
]
