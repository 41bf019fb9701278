from django.urls import path

from veracity.exports import views

app_name = "exports"
urlpatterns = [
    path("exports/<slug:entity>/", views.download, name="download"),
]
