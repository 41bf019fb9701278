"""/api/v1/products and /api/v1/product-categories."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.catalog import selectors, services
from veracity.catalog.models import Product
from veracity.catalog.schemas import CategoryOut, ProductIn, ProductOut, ProductPatch
from veracity.core.api import ErrorOut, Pagination, ShapedQuerySet, expected_version, set_etag

router = Router(tags=["products"])


class ProductQuery(Schema):
    q: str = ""
    category: int | None = None
    active: bool | None = None
    sort: str = "sku"


def product_out(product: Product, hidden: frozenset[str]) -> dict:
    data = ProductOut.from_orm(product).dict()
    data["category_name"] = product.category.name if product.category_id else None
    data["margin"] = product.margin
    for field in hidden:
        data[field] = None
    data["hidden_fields"] = sorted(hidden)
    return data


def _values_from(payload: dict) -> dict:
    if "category_id" in payload:
        payload["category"] = payload.pop("category_id")
    return payload


@router.get("/products", response={200: list[ProductOut], 403: ErrorOut}, summary="List products")
@paginate(Pagination)
def product_list(request: HttpRequest, query: Query[ProductQuery]):
    hidden = selectors.product_hidden_fields(user=request.user)
    products = selectors.product_list(user=request.user, filters=selectors.ProductFilters(**query.dict()))
    return ShapedQuerySet(products, lambda product: product_out(product, hidden))


@router.get("/products/{product_id}", response={200: ProductOut, 403: ErrorOut, 404: ErrorOut}, summary="Get a product")
def product_get(request: HttpRequest, response: HttpResponse, product_id: int):
    product = selectors.product_get(user=request.user, pk=product_id)
    set_etag(response, product)
    return product_out(product, selectors.product_hidden_fields(user=request.user))


@router.post("/products", response={201: ProductOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a product")
def product_create(request: HttpRequest, response: HttpResponse, payload: ProductIn):
    product = services.product_create(actor=request.user, values=_values_from(payload.dict()))
    set_etag(response, product)
    return Status(201, product_out(product, selectors.product_hidden_fields(user=request.user)))


@router.patch(
    "/products/{product_id}",
    response={200: ProductOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut},
    summary="Change a product (send If-Match)",
)
def product_update(request: HttpRequest, response: HttpResponse, product_id: int, payload: ProductPatch):
    product = selectors.product_get(user=request.user, pk=product_id, action="edit")
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    product = services.product_update(
        actor=request.user, product=product, values=_values_from(values),
        expected_version=version, from_if_match=from_if_match,
    )
    set_etag(response, product)
    return product_out(product, selectors.product_hidden_fields(user=request.user))


@router.delete("/products/{product_id}", response={204: None, 403: ErrorOut, 404: ErrorOut}, summary="Move a product to the trash")
def product_delete(request: HttpRequest, product_id: int):
    product = selectors.product_get(user=request.user, pk=product_id, action="delete")
    services.product_delete(actor=request.user, product=product)
    return Status(204, None)


@router.get("/product-categories", response={200: list[CategoryOut], 403: ErrorOut}, summary="List product categories")
def category_list(request: HttpRequest):
    selectors.product_list(user=request.user)  # the permission check
    return list(selectors.category_list())
