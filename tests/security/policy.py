"""The permission policy of every route, as data (SECURITY.md R1). A route missing here fails the
sweep in test_route_permissions.py: adding a page or endpoint means saying who may use it."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    kind: str                      # "public" | "login" | "perm"
    resource: str | None = None    # for "perm": the matrix resource …
    action: str | None = None      # … and action
    obj: str | None = None         # the World object an id parameter ("pk") refers to
    owned: bool = False            # the object belongs to rep_li: others outside her scope get 404
    methods: tuple[str, ...] = ("GET",)   # web methods to try (API routes have exactly one)
    body: Callable | None = field(default=None, compare=False)  # request data (world -> dict)
    path_params: dict | None = field(default=None, compare=False)  # URL values this route needs itself


def public(**kw) -> Rule:
    return Rule("public", **kw)


def login(**kw) -> Rule:
    return Rule("login", **kw)


def perm(resource: str, action: str, **kw) -> Rule:
    return Rule("perm", resource, action, **kw)


def _product_body(world):
    return {"sku": "NEW-1", "name": "New product", "list_price": "10.00"}


def _order_body(world):
    return {"customer_id": world.customer.pk, "order_date": "2026-03-05",
            "lines": [{"product_id": world.product.pk, "quantity": "1"}]}


POLICY: dict[str, Rule] = {
    # --- shell, accounts --------------------------------------------------------------------
    "workspace:home": login(),
    "workspace:search": login(),
    "workspace:manifest": public(),
    "workspace:service_worker": public(),
    "workspace:health": public(),
    "set_language": public(methods=("POST",)),
    "accounts:login": public(),
    "accounts:logout": public(methods=("POST",)),
    "accounts:profile": login(),
    "accounts:token_create": login(methods=("POST",)),
    "accounts:token_revoke": login(obj="token", owned=True, methods=("POST",)),
    "workspace:saved_view_create": login(methods=("POST",)),
    "workspace:saved_view_delete": login(obj="saved_view", owned=True, methods=("POST",)),
    "workspace:trash": perm("trash", "view"),
    "workspace:trash_restore": perm("trash", "edit", obj="deletion", owned=True, methods=("POST",)),
    "workspace:audit_list": perm("audit_event", "view"),
    "GET /api/v1/me": login(),
    "GET /api/v1/users": perm("user", "view"),
    "GET /api/v1/teams": login(),
    "GET /api/v1/tokens": login(),
    "POST /api/v1/tokens": login(body=lambda world: {"name": "sweep"}),
    "DELETE /api/v1/tokens/{token_id}": login(obj="token", owned=True),
    # --- catalog ----------------------------------------------------------------------------
    "catalog:product_list": perm("product", "view"),
    "catalog:product_create": perm("product", "create", methods=("GET", "POST")),
    "catalog:product_detail": perm("product", "view", obj="product"),
    "catalog:product_edit": perm("product", "edit", obj="product", methods=("GET", "POST")),
    "catalog:product_delete": perm("product", "delete", obj="product", methods=("POST",)),
    "GET /api/v1/products": perm("product", "view"),
    "POST /api/v1/products": perm("product", "create", body=_product_body),
    "GET /api/v1/products/{product_id}": perm("product", "view", obj="product"),
    "PATCH /api/v1/products/{product_id}": perm("product", "edit", obj="product",
                                                body=lambda world: {"name": "Changed", "version": 1}),
    "DELETE /api/v1/products/{product_id}": perm("product", "delete", obj="product"),
    "GET /api/v1/product-categories": perm("product", "view"),
    # --- customers --------------------------------------------------------------------------
    "customers:list": perm("customer", "view"),
    "customers:create": perm("customer", "create", methods=("GET", "POST")),
    "customers:detail": perm("customer", "view", obj="customer", owned=True),
    "customers:edit": perm("customer", "edit", obj="customer", owned=True, methods=("GET", "POST")),
    "customers:delete": perm("customer", "delete", obj="customer", owned=True, methods=("POST",)),
    "customers:transfer": perm("customer", "edit", obj="customer", owned=True, methods=("GET", "POST"),
                               body=lambda world: {"owner": world.customer.owner_id, "version": 1}),
    "customers:contact_list": perm("contact", "view"),
    "customers:contact_create": perm("contact", "create", methods=("GET", "POST"),
                                     body=lambda world: {"customer": world.customer.pk, "name": "Sweep"}),
    "customers:contact_edit": perm("contact", "edit", obj="contact", owned=True, methods=("GET", "POST")),
    "customers:contact_delete": perm("contact", "delete", obj="contact", owned=True, methods=("POST",)),
    "GET /api/v1/customers": perm("customer", "view"),
    "POST /api/v1/customers": perm("customer", "create", body=lambda world: {"name": "Sweep Ltd"}),
    "GET /api/v1/customers/{customer_id}": perm("customer", "view", obj="customer", owned=True),
    "PATCH /api/v1/customers/{customer_id}": perm("customer", "edit", obj="customer", owned=True,
                                                  body=lambda world: {"name": "Changed", "version": 1}),
    "DELETE /api/v1/customers/{customer_id}": perm("customer", "delete", obj="customer", owned=True),
    "POST /api/v1/customers/{customer_id}/transfer": perm(
        "customer", "edit", obj="customer", owned=True,
        body=lambda world: {"owner_id": world.customer.owner_id, "version": 1}),
    "GET /api/v1/contacts": perm("contact", "view"),
    "POST /api/v1/contacts": perm("contact", "create", owned=True,
                                  body=lambda world: {"customer_id": world.customer.pk, "name": "Sweep"}),
    "GET /api/v1/contacts/{contact_id}": perm("contact", "view", obj="contact", owned=True),
    "PATCH /api/v1/contacts/{contact_id}": perm("contact", "edit", obj="contact", owned=True,
                                                body=lambda world: {"title": "CEO", "version": 1}),
    "DELETE /api/v1/contacts/{contact_id}": perm("contact", "delete", obj="contact", owned=True),
    "GET /api/v1/tags": perm("customer", "view"),
    # --- pipeline ---------------------------------------------------------------------------
    "pipeline:board": perm("opportunity", "view"),
    "pipeline:list": perm("opportunity", "view"),
    "pipeline:create": perm("opportunity", "create", methods=("GET", "POST")),
    "pipeline:detail": perm("opportunity", "view", obj="opportunity", owned=True),
    "pipeline:edit": perm("opportunity", "edit", obj="opportunity", owned=True, methods=("GET", "POST")),
    "pipeline:delete": perm("opportunity", "delete", obj="opportunity", owned=True, methods=("POST",)),
    "pipeline:move": perm("opportunity", "edit", obj="opportunity", owned=True, methods=("GET", "POST"),
                          body=lambda world: {"stage": world.stage.pk, "version": 1}),
    "pipeline:stage_list": perm("pipeline_stage", "view"),
    "pipeline:stage_create": perm("pipeline_stage", "create", methods=("GET", "POST")),
    "pipeline:stage_edit": perm("pipeline_stage", "edit", obj="stage", methods=("GET", "POST")),
    "pipeline:stage_delete": perm("pipeline_stage", "delete", obj="stage", methods=("POST",)),
    "pipeline:stage_move": perm("pipeline_stage", "edit", obj="stage", methods=("POST",),
                                body=lambda world: {"direction": "down"}),
    "GET /api/v1/opportunities": perm("opportunity", "view"),
    "POST /api/v1/opportunities": perm("opportunity", "create", owned=True,
                                       body=lambda world: {"name": "Sweep deal", "customer_id": world.customer.pk}),
    "GET /api/v1/opportunities/{opportunity_id}": perm("opportunity", "view", obj="opportunity", owned=True),
    "PATCH /api/v1/opportunities/{opportunity_id}": perm("opportunity", "edit", obj="opportunity", owned=True,
                                                         body=lambda world: {"name": "Changed", "version": 1}),
    "POST /api/v1/opportunities/{opportunity_id}/move": perm(
        "opportunity", "edit", obj="opportunity", owned=True,
        body=lambda world: {"stage_id": world.stage.pk, "position": 0, "version": 1}),
    "POST /api/v1/opportunities/{opportunity_id}/transfer": perm(
        "opportunity", "edit", obj="opportunity", owned=True,
        body=lambda world: {"owner_id": world.opportunity.owner_id, "version": 1}),
    "DELETE /api/v1/opportunities/{opportunity_id}": perm("opportunity", "delete", obj="opportunity", owned=True),
    "GET /api/v1/pipeline-stages": perm("pipeline_stage", "view"),
    "POST /api/v1/pipeline-stages": perm("pipeline_stage", "create",
                                         body=lambda world: {"name": "Sweep", "probability": 30}),
    "PATCH /api/v1/pipeline-stages/{stage_id}": perm("pipeline_stage", "edit", obj="stage",
                                                     body=lambda world: {"probability": 15}),
    "DELETE /api/v1/pipeline-stages/{stage_id}": perm("pipeline_stage", "delete", obj="stage"),
    # --- sales ------------------------------------------------------------------------------
    "sales:order_list": perm("order", "view"),
    "sales:order_create": perm("order", "create", methods=("GET", "POST")),
    "sales:order_detail": perm("order", "view", obj="order", owned=True),
    "sales:order_edit": perm("order", "edit", obj="order", owned=True, methods=("GET", "POST")),
    "sales:order_status": perm("order", "edit", obj="order", owned=True, methods=("POST",),
                               body=lambda world: {"status": "shipped", "version": 1}),
    "sales:order_delete": perm("order", "delete", obj="order", owned=True, methods=("POST",)),
    "sales:rate_list": perm("exchange_rate", "view"),
    "sales:rate_create": perm("exchange_rate", "create", methods=("GET", "POST")),
    "sales:rate_edit": perm("exchange_rate", "edit", obj="rate", methods=("GET", "POST")),
    "sales:rate_delete": perm("exchange_rate", "delete", obj="rate", methods=("POST",)),
    "sales:customer_orders": perm("order", "view", obj="customer", owned=True),
    "GET /api/v1/orders": perm("order", "view"),
    "POST /api/v1/orders": perm("order", "create", owned=True, body=_order_body),
    "GET /api/v1/orders/{order_id}": perm("order", "view", obj="order", owned=True),
    "PATCH /api/v1/orders/{order_id}": perm("order", "edit", obj="order", owned=True,
                                            body=lambda world: {"notes": "changed", "version": 1}),
    "POST /api/v1/orders/{order_id}/status": perm("order", "edit", obj="order", owned=True,
                                                  body=lambda world: {"status": "shipped", "version": 1}),
    "DELETE /api/v1/orders/{order_id}": perm("order", "delete", obj="order", owned=True),
    "GET /api/v1/exchange-rates": perm("exchange_rate", "view"),
    "POST /api/v1/exchange-rates": perm("exchange_rate", "create",
                                        body=lambda world: {"currency": "EUR", "rate_date": "2026-03-01",
                                                            "rate": "7.8"}),
    "PATCH /api/v1/exchange-rates/{rate_id}": perm("exchange_rate", "edit", obj="rate",
                                                   body=lambda world: {"rate": "7.2"}),
    "DELETE /api/v1/exchange-rates/{rate_id}": perm("exchange_rate", "delete", obj="rate"),
    # --- customer page panels (owned by other apps) -------------------------------------------
    "pipeline:customer_opportunities": perm("opportunity", "view", obj="customer", owned=True),
    "activities:customer_timeline": perm("customer", "view", obj="customer", owned=True, methods=("GET", "POST"),
                                         body=lambda world: {"kind": "call", "subject": "Sweep call"}),
    # --- activities -------------------------------------------------------------------------
    "activities:list": perm("activity", "view"),
    "activities:create": perm("activity", "create", methods=("GET", "POST")),
    "activities:detail": perm("activity", "view", obj="activity", owned=True),
    "activities:edit": perm("activity", "edit", obj="activity", owned=True, methods=("GET", "POST")),
    "activities:delete": perm("activity", "delete", obj="activity", owned=True, methods=("POST",)),
    "activities:complete": perm("activity", "edit", obj="activity", owned=True, methods=("POST",)),
    "GET /api/v1/activities": perm("activity", "view"),
    "POST /api/v1/activities": perm("activity", "create", owned=True,
                                    body=lambda world: {"kind": "note", "subject": "Sweep",
                                                        "customer_id": world.customer.pk}),
    "GET /api/v1/activities/{activity_id}": perm("activity", "view", obj="activity", owned=True),
    "PATCH /api/v1/activities/{activity_id}": perm("activity", "edit", obj="activity", owned=True,
                                                   body=lambda world: {"subject": "Changed", "version": 1}),
    "DELETE /api/v1/activities/{activity_id}": perm("activity", "delete", obj="activity", owned=True),
    "POST /api/v1/activities/{activity_id}/complete": perm("activity", "edit", obj="activity", owned=True,
                                                           body=lambda world: {"done": True}),
    "GET /api/v1/customers/{customer_id}/timeline": perm("customer", "view", obj="customer", owned=True),
    # --- workspace API ----------------------------------------------------------------------
    "GET /api/v1/search": login(),
    "GET /api/v1/trash": perm("trash", "view"),
    "POST /api/v1/trash/{deletion_id}/restore": perm("trash", "edit", obj="deletion", owned=True),
    "GET /api/v1/audit-events": perm("audit_event", "view"),
    "GET /api/v1/saved-views": login(),
    "POST /api/v1/saved-views": login(body=lambda world: {"list_name": "customers", "name": "Sweep", "query": "q=x"}),
    "DELETE /api/v1/saved-views/{view_id}": login(obj="saved_view", owned=True),
    # --- API documentation ------------------------------------------------------------------
}


def _merge_app_policies() -> None:
    """Fold in tests/security/policies/<app>.py, so apps add their routes without touching this file."""
    import importlib
    import pkgutil

    from tests.security import policies

    for module_info in pkgutil.iter_modules(policies.__path__):
        module = importlib.import_module(f"{policies.__name__}.{module_info.name}")
        clash = set(POLICY) & set(module.POLICY)
        if clash:
            raise ValueError(f"Routes with two policies: {sorted(clash)}")
        POLICY.update(module.POLICY)


_merge_app_policies()
