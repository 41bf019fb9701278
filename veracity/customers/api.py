"""/api/v1/customers, /api/v1/contacts and /api/v1/tags."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from veracity.core.api import ErrorOut, Pagination, expected_version, set_etag
from veracity.customers import selectors, services
from veracity.customers.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    TagOut,
    TransferIn,
)

router = Router(tags=["customers"])
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


class CustomerQuery(Schema):
    q: str = ""
    lifecycle_status: str = ""
    kind: str = ""
    owner: int | None = None
    industry: str = ""
    province: str = ""
    city: str = ""
    tag: str = ""
    sort: str = "name"


class ContactQuery(Schema):
    q: str = ""
    customer: int | None = None
    sort: str = "name"


def _customer_values(payload: dict) -> dict:
    """Schema values as service values: nulls clear a field."""
    return {
        name: ([] if name == "tags" else "") if value is None else value
        for name, value in payload.items()
    }


def _contact_values(payload: dict) -> dict:
    if "customer_id" in payload:
        payload["customer"] = payload.pop("customer_id")
    return {name: ("" if value is None and name not in ("customer", "is_primary") else value)
            for name, value in payload.items()}


@router.get("/customers", response={200: list[CustomerOut], 403: ErrorOut}, summary="List customers")
@paginate(Pagination)
def customer_list(request: HttpRequest, query: Query[CustomerQuery]):
    customers = selectors.customer_list(user=request.user, filters=selectors.CustomerFilters(**query.dict()))
    return customers  # no restricted fields, so rows are shaped by CustomerOut's resolvers


@router.post("/customers", response={201: CustomerOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a customer")
def customer_create(request: HttpRequest, response: HttpResponse, payload: CustomerIn):
    customer = services.customer_create(actor=request.user, values=_customer_values(payload.dict()))
    set_etag(response, customer)
    return Status(201, selectors.customer_get(user=request.user, pk=customer.pk))


@router.get("/customers/{customer_id}", response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut},
            summary="Get a customer")
def customer_get(request: HttpRequest, response: HttpResponse, customer_id: int):
    customer = selectors.customer_get(user=request.user, pk=customer_id)
    set_etag(response, customer)
    return customer


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **WRITE_ERRORS},
              summary="Change a customer (send If-Match)")
def customer_update(request: HttpRequest, response: HttpResponse, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get(user=request.user, pk=customer_id, action="edit")
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    services.customer_update(actor=request.user, customer=customer, values=_customer_values(values),
                             expected_version=version, from_if_match=from_if_match)
    customer = selectors.customer_get(user=request.user, pk=customer_id)
    set_etag(response, customer)
    return customer


@router.delete("/customers/{customer_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move a customer and its contacts, opportunities, orders and activities to the trash")
def customer_delete(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(user=request.user, pk=customer_id, action="delete")
    services.customer_delete(actor=request.user, customer=customer)
    return Status(204, None)


@router.post("/customers/{customer_id}/transfer", response={200: CustomerOut, **WRITE_ERRORS},
             summary="Give a customer to another owner")
def customer_transfer(request: HttpRequest, response: HttpResponse, customer_id: int, payload: TransferIn):
    customer = selectors.customer_get(user=request.user, pk=customer_id, action="edit")
    version, from_if_match = expected_version(request, payload.version)
    new_owner = selectors.transfer_candidate_get(user=request.user, pk=payload.owner_id)
    services.customer_transfer(actor=request.user, customer=customer, new_owner=new_owner,
                               expected_version=version, from_if_match=from_if_match)
    customer = selectors.customer_get(user=request.user, pk=customer_id)
    set_etag(response, customer)
    return customer


@router.get("/contacts", response={200: list[ContactOut], 403: ErrorOut}, summary="List contacts")
@paginate(Pagination)
def contact_list(request: HttpRequest, query: Query[ContactQuery]):
    contacts = selectors.contact_list(user=request.user, filters=selectors.ContactFilters(**query.dict()))
    return contacts


@router.post("/contacts", response={201: ContactOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a contact")
def contact_create(request: HttpRequest, response: HttpResponse, payload: ContactIn):
    contact = services.contact_create(actor=request.user, values=_contact_values(payload.dict()))
    set_etag(response, contact)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response={200: ContactOut, 403: ErrorOut, 404: ErrorOut},
            summary="Get a contact")
def contact_get(request: HttpRequest, response: HttpResponse, contact_id: int):
    contact = selectors.contact_get(user=request.user, pk=contact_id)
    set_etag(response, contact)
    return contact


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS},
              summary="Change a contact (send If-Match)")
def contact_update(request: HttpRequest, response: HttpResponse, contact_id: int, payload: ContactPatch):
    contact = selectors.contact_get(user=request.user, pk=contact_id, action="edit")
    values = payload.dict(exclude_unset=True)
    version, from_if_match = expected_version(request, values.pop("version", None))
    contact = services.contact_update(actor=request.user, contact=contact, values=_contact_values(values),
                                      expected_version=version, from_if_match=from_if_match)
    set_etag(response, contact)
    return contact


@router.delete("/contacts/{contact_id}", response={204: None, 403: ErrorOut, 404: ErrorOut},
               summary="Move a contact to the trash")
def contact_delete(request: HttpRequest, contact_id: int):
    contact = selectors.contact_get(user=request.user, pk=contact_id, action="delete")
    services.contact_delete(actor=request.user, contact=contact)
    return Status(204, None)


@router.get("/tags", response={200: list[TagOut], 403: ErrorOut}, summary="List customer tags")
def tag_list(request: HttpRequest):
    return list(selectors.tag_list(user=request.user))
