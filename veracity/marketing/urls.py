from django.urls import path

from veracity.marketing import views

app_name = "marketing"
urlpatterns = [
    path("marketing/campaigns/", views.campaign_list, name="campaign_list"),
    path("marketing/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("marketing/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("marketing/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("marketing/campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("marketing/segments/", views.segment_list, name="segment_list"),
    path("marketing/segments/new/", views.segment_create, name="segment_create"),
    path("marketing/segments/<int:pk>/", views.segment_detail, name="segment_detail"),
    path("marketing/segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("marketing/segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("marketing/report/", views.campaign_report, name="campaign_report"),
    path("marketing/report/export/", views.campaign_report_export, name="campaign_report_export"),
    path("marketing/attribution/", views.attribution_list, name="attribution_list"),
    path("marketing/attribution/customers/<int:pk>/", views.customer_touches, name="customer_touches"),
    path("marketing/demand/", views.market_demand, name="market_demand"),
    path("marketing/demand/orders/", views.demand_orders, name="demand_orders"),
    path("forms/lead/", views.web_lead_form, name="web_lead_form"),
    path("forms/lead/thanks/", views.web_lead_thanks, name="web_lead_thanks"),
]
