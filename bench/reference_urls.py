"""The product's URLs plus /bench/reference/<table>: a bare Django JSON view returning 50 rows of the
same table as the API list under test, with no authentication, permission scoping or schema layer.
It is the floor the API's overhead is measured against. Benchmark only: never in veracity/config/urls."""

from django.http import Http404, JsonResponse
from django.urls import path

from veracity.catalog.models import Product
from veracity.config.urls import urlpatterns as product_urlpatterns
from veracity.customers.models import Customer

TABLES = {
    "customers": (Customer, ("id", "code", "kind", "name", "industry", "lifecycle_status", "owner_id", "phone",
                             "email", "province", "city", "version", "created_at", "updated_at"), ("name", "id")),
    "products": (Product, ("id", "sku", "name", "category_id", "unit", "list_price", "currency", "is_active",
                           "version", "created_at", "updated_at"), ("sku", "id")),
}


def reference_list(request, table: str):
    if table not in TABLES:
        raise Http404
    model, fields, ordering = TABLES[table]
    queryset = model.objects.order_by(*ordering)
    limit = min(int(request.GET.get("limit", 50)), 200)
    return JsonResponse({"count": queryset.count(), "items": list(queryset.values(*fields)[:limit])})


urlpatterns = [path("bench/reference/<str:table>", reference_list), *product_urlpatterns]
handler403 = "veracity.workspace.views.permission_denied"
handler404 = "veracity.workspace.views.page_not_found"
handler500 = "veracity.workspace.views.server_error"
