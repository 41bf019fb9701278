from django.urls import include, path

from veracity.config.api import api

urlpatterns = [
    path("", include("veracity.workspace.urls")),
    path("", include("veracity.accounts.urls")),
    path("", include("veracity.customers.urls")),
    path("", include("veracity.catalog.urls")),
    path("", include("veracity.sales.urls")),
    path("", include("veracity.pipeline.urls")),
    path("", include("veracity.activities.urls")),
    path("", include("veracity.service.urls")),
    path("", include("veracity.feedback.urls")),
    path("", include("veracity.analytics.urls")),
    path("", include("veracity.dedup.urls")),
    path("", include("veracity.standards.urls")),
    path("", include("veracity.imports.urls")),
    path("", include("veracity.exports.urls")),
    path("", include("veracity.ops.urls")),
    path("", include("veracity.notifications.urls")),
    path("", include("veracity.quality.urls")),
    path("", include("veracity.marketing.urls")),
    path("", include("veracity.forecasting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]

handler403 = "veracity.workspace.views.permission_denied"
handler404 = "veracity.workspace.views.page_not_found"
handler500 = "veracity.workspace.views.server_error"
