"""/api/v1/orders and /api/v1/exchange-rates."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.core.api import ErrorOut, Pagination, ShapedQuerySet, expected_version, set_etag
from veracity.core.money import reporting_currency
from veracity.sales import selectors, services
from veracity.sales.models import ExchangeRate, Order
from veracity.sales.schemas import (
    ExchangeRateIn,
    ExchangeRateOut,
    ExchangeRatePatch,
    OrderIn,
    OrderOut,
    OrderPatch,
    OrderStatusIn,
)

router = Router(tags=["orders"])

_ID_FIELDS = {"customer_id": "customer", "contact_id": "contact", "salesperson_id": "salesperson"}


class OrderQuery(Schema):
    q: str = ""
    status: str = ""
    channel: str = ""
    region: str = ""
    salesperson: int | None = None
    customer: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = selectors.DEFAULT_ORDER_SORT


def order_out(order: Order, hidden: frozenset[str], *, with_lines: bool = False) -> dict:
    data = {
        "id": order.pk, "number": order.number, "customer_id": order.customer_id,
        "customer_name": order.customer.name, "contact_id": order.contact_id, "order_date": order.order_date,
        "status": order.status, "salesperson_id": order.salesperson_id, "salesperson_name": str(order.salesperson),
        "channel": order.channel, "region": order.region, "currency": order.currency,
        "total_amount": order.total_amount, "exchange_rate": order.exchange_rate,
        "reporting_currency": reporting_currency(), "total_in_reporting_currency": order.total_in_reporting_currency,
        "cost_total": order.cost_total, "margin": order.margin, "notes": order.notes, "version": order.version,
        "created_at": order.created_at, "updated_at": order.updated_at, "lines": None,
    }
    if with_lines:
        data["lines"] = [
            {"line_no": line.line_no, "product_id": line.product_id, "product_sku": line.product.sku,
             "product_name": line.product.name, "description": line.description, "quantity": line.quantity,
             "unit_price": line.unit_price, "discount_percent": line.discount_percent, "currency": line.currency,
             "net_amount": line.net_amount}
            for line in order.lines.all()
        ]
    for field in hidden:
        data[field] = None
    data["hidden_fields"] = sorted(hidden)
    return data


def _values_from(payload: dict) -> tuple[dict, list[dict] | None]:
    lines = payload.pop("lines", None)
    for api_name, field in _ID_FIELDS.items():
        if api_name in payload:
            payload[field] = payload.pop(api_name)
    if lines is not None:
        lines = [
            {("product" if key == "product_id" else key): value for key, value in line.items()
             if not (key == "currency" and value is None)}
            for line in lines
        ]
    return payload, lines


def _order_response(request: HttpRequest, response: HttpResponse, pk: int) -> dict:
    order = selectors.order_get(user=request.user, pk=pk)
    set_etag(response, order)
    return order_out(order, selectors.order_hidden_fields(user=request.user), with_lines=True)


@router.get("/orders", response={200: list[OrderOut], 403: ErrorOut}, summary="List orders")
@paginate(Pagination)
def order_list(request: HttpRequest, query: Query[OrderQuery]):
    hidden = selectors.order_hidden_fields(user=request.user)
    orders = selectors.order_list(user=request.user, filters=selectors.OrderFilters(**query.dict()))
    return ShapedQuerySet(orders, lambda order: order_out(order, hidden))


@router.get("/orders/{order_id}", response={200: OrderOut, 403: ErrorOut, 404: ErrorOut}, summary="Get an order")
def order_get(request: HttpRequest, response: HttpResponse, order_id: int):
    return _order_response(request, response, order_id)


@router.post("/orders", response={201: OrderOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             summary="Book an order with its lines")
def order_create(request: HttpRequest, response: HttpResponse, payload: OrderIn):
    values, lines = _values_from(payload.dict())
    if values.get("region") is None:
        values.pop("region", None)
    order = services.order_create(actor=request.user, values=values, lines=lines)
    return Status(201, _order_response(request, response, order.pk))


@router.patch(
    "/orders/{order_id}",
    response={200: OrderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut},
    summary="Change an order (send If-Match); `lines`, when given, replaces all lines",
)
def order_update(request: HttpRequest, response: HttpResponse, order_id: int, payload: OrderPatch):
    order = selectors.order_get(user=request.user, pk=order_id, action="edit")
    values, lines = _values_from(payload.dict(exclude_unset=True))
    version, from_if_match = expected_version(request, values.pop("version", None))
    services.order_update(actor=request.user, order=order, values=values, lines=lines,
                          expected_version=version, from_if_match=from_if_match)
    return _order_response(request, response, order_id)


@router.post(
    "/orders/{order_id}/status",
    response={200: OrderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut},
    summary="Move an order to another status",
)
def order_status_change(request: HttpRequest, response: HttpResponse, order_id: int, payload: OrderStatusIn):
    order = selectors.order_get(user=request.user, pk=order_id, action="edit")
    version, from_if_match = expected_version(request, payload.version)
    services.order_status_change(actor=request.user, order=order, status=payload.status,
                                 expected_version=version, from_if_match=from_if_match)
    return _order_response(request, response, order_id)


@router.delete("/orders/{order_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move an order to the trash")
def order_delete(request: HttpRequest, order_id: int):
    order = selectors.order_get(user=request.user, pk=order_id, action="delete")
    services.order_delete(actor=request.user, order=order)
    return Status(204, None)


def rate_out(rate: ExchangeRate) -> dict:
    return {"id": rate.pk, "currency": rate.currency, "rate_date": rate.rate_date, "rate": rate.rate,
            "reporting_currency": reporting_currency(), "created_at": rate.created_at}


@router.get("/exchange-rates", response={200: list[ExchangeRateOut], 403: ErrorOut}, summary="List exchange rates",
            tags=["exchange rates"])
@paginate(Pagination)
def exchange_rate_list(request: HttpRequest, currency: str = ""):
    return ShapedQuerySet(selectors.exchange_rate_list(user=request.user, currency=currency), rate_out)


@router.post("/exchange-rates", response={201: ExchangeRateOut, 403: ErrorOut, 422: ErrorOut},
             summary="Add an exchange rate", tags=["exchange rates"])
def exchange_rate_create(request: HttpRequest, payload: ExchangeRateIn):
    rate = services.exchange_rate_create(actor=request.user, values=payload.dict())
    return Status(201, rate_out(rate))


@router.patch("/exchange-rates/{rate_id}", response={200: ExchangeRateOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
              summary="Change an exchange rate (orders already booked keep theirs)", tags=["exchange rates"])
def exchange_rate_update(request: HttpRequest, rate_id: int, payload: ExchangeRatePatch):
    rate = selectors.exchange_rate_get(user=request.user, pk=rate_id, action="edit")
    rate = services.exchange_rate_update(actor=request.user, rate=rate, values=payload.dict(exclude_unset=True))
    return rate_out(rate)


@router.delete("/exchange-rates/{rate_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Delete an exchange rate", tags=["exchange rates"])
def exchange_rate_delete(request: HttpRequest, rate_id: int):
    rate = selectors.exchange_rate_get(user=request.user, pk=rate_id, action="delete")
    services.exchange_rate_delete(actor=request.user, rate=rate)
    return Status(204, None)
