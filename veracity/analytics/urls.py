from django.urls import path

from veracity.analytics import views

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.overview, name="overview"),
    path("analytics/pipeline/", views.pipeline, name="pipeline"),
    path("analytics/people/", views.people, name="people"),
    path("analytics/products/", views.products, name="products"),
    path("analytics/customers/", views.customers, name="customers"),
    path("analytics/customers/list/", views.customer_drill, name="customer_drill"),
    path("analytics/<slug:dashboard>/export/<slug:block>/", views.export, name="export"),
    path("analytics/targets/", views.target_list, name="target_list"),
    path("analytics/targets/new/", views.target_create, name="target_create"),
    path("analytics/targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("analytics/targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("analytics/reviews/", views.review_list, name="review_list"),
    path("analytics/reviews/subscribe/", views.review_subscribe, name="review_subscribe"),
    path("analytics/reviews/subscriptions/<int:pk>/delete/", views.review_unsubscribe, name="review_unsubscribe"),
    path("analytics/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("analytics/reviews/<int:pk>/pdf/", views.review_pdf, name="review_pdf"),
]
