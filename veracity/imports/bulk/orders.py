"""The bulk write path for order-line files: one batch of lines → customers, products, orders, lines
and their ImportedRecord links, written with executemany (SQLite) or COPY (PostgreSQL) inside the
batch's transaction.

Every value was already checked by `checks.order_lines_check` (the entry rules, the same call the
row path makes). What needs the database is checked here, per batch, with one query per kind of
record rather than one per row, and with the messages the services give. Derived values come from
the functions the services use: `customers.services.customer_derived_fields` (search keys),
`sales.pricing.line_net` (per distinct quantity × price × discount), `sales.selectors.rate_for`
(per distinct currency and date), `sales.regions.region_for`. Units the bulk writer does not handle
itself — an existing order in upsert mode, an order without a number — go through the row path
(`pipeline.unit_apply`, the domain services) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.catalog import services as catalog_services
from veracity.catalog.models import Product
from veracity.core.errors import DomainError
from veracity.core.money import reporting_currency
from veracity.customers import services as customer_services
from veracity.customers.models import Customer
from veracity.imports.bulk import writers
from veracity.imports.bulk.checks import ERROR_SCHEMA, order_lines_check
from veracity.imports.bulk.frames import FrameBatch
from veracity.imports.entities import Context, MappedRow
from veracity.imports.pipeline import Unit, UnitResult, unit_apply
from veracity.sales import pricing
from veracity.sales.errors import ExchangeRateMissing, OrderNumberTaken
from veracity.sales.models import Order, OrderLine
from veracity.sales.regions import region_for
from veracity.sales.selectors import rate_for

LOOKUP_CHUNK = 2000
ZERO = Decimal("0")


@dataclass
class BulkState:
    """What one import carries from batch to batch."""

    ctx: Context
    cache: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    nets: dict = field(default_factory=dict)


@dataclass
class BatchResult:
    errors: pl.DataFrame
    counts: dict[str, Any]
    written: list[tuple[int, int, str, dict, int | None]]  # (content type, id, action, previous, version)
    units_invalid: int = 0
    delegated: list[UnitResult] = field(default_factory=list)


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _lookup(model, key: str, values: list[str], fields: tuple[str, ...]) -> dict[str, tuple]:
    found = {}
    for part in _chunks(values):
        for row in model.objects.filter(**{f"{key}__in": part}).values_list(key, "pk", *fields):
            found[row[0]] = row[1:]
    return found


def _state_errors(rows: list[tuple[int, str, str, str]]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    return pl.DataFrame(rows, schema=ERROR_SCHEMA, orient="row")


def _mapped_rows(frame: pl.DataFrame) -> list[MappedRow]:
    columns = [name for name in frame.columns if name not in ("row", "unit")]
    return [MappedRow(int(row["row"]), {name: row[name] if row[name] is not None else "" for name in columns})
            for row in frame.iter_rows(named=True)]


def batch_apply(batch: FrameBatch, state: BulkState) -> BatchResult:
    """Check, resolve and write one batch. The caller holds the transaction (and the batch's
    bookkeeping); a unit with any problem writes nothing."""
    ctx = state.ctx
    upsert = ctx.mode == "upsert"
    frame = batch.frame
    cleaned, errors = order_lines_check(frame, cache=state.cache)
    errors = pl.concat([batch.issues, errors])
    unit_of_row = dict(zip(frame.get_column("row").to_list(), frame.get_column("unit").to_list(), strict=True))
    bad_units = {unit_of_row[row] for row in errors.get_column("row").to_list() if row in unit_of_row}

    heads = cleaned.filter(pl.col("first") & ~pl.col("unit").is_in(list(bad_units)))
    raw_heads = frame.filter(pl.col("unit").is_in(heads.get_column("unit").implode()))
    raw_heads = raw_heads.filter(raw_heads.get_column("unit").is_first_distinct())
    raw_of_unit = {row["unit"]: row for row in raw_heads.iter_rows(named=True)}
    state_rows: list[tuple[int, str, str, str]] = []

    def refuse(unit: int, row: int, column: str, value: str, message: str) -> None:
        bad_units.add(unit)
        state_rows.append((row, column, value or "", message))

    # --- customers: by code (else by name), created when missing -----------------------------------
    codes = [code for code in heads.get_column("code").unique().to_list() if code]
    existing_customers = _lookup(Customer, "code", codes, ("name", "phone", "email", "country", "province", "owner_id"))
    by_name: dict[str, tuple | None] = {}
    new_customers: dict[str, dict[str, Any]] = {}
    customer_of_unit: dict[int, tuple[str, str]] = {}  # unit -> ("code"|"name", key)
    salesperson_users: dict[str, Any] = {}
    delegated_name_units: set[int] = set()
    for head in heads.iter_rows(named=True):
        unit, raw = head["unit"], raw_of_unit[head["unit"]]
        code, name = head["code"] or "", head["customer_name"] or ""
        if code:
            key = ("code", code)
            known = code in existing_customers or code in new_customers
        elif name:
            if name not in by_name:
                match = Customer.objects.filter(name=name).values_list(
                    "pk", "name", "phone", "email", "country", "province", "owner_id").first()
                by_name[name] = match
            key = ("name", name)
            known = by_name[name] is not None
            if not known:  # a new customer without a code: the service generates its code
                delegated_name_units.add(unit)
                continue
        else:
            refuse(unit, head["row"], "customer_code", "", _("Give a customer code or a customer name."))
            continue
        if not known:
            if not name:
                refuse(unit, head["row"], "customer_name", "",
                       _("No customer has this code: give the customer name to create it."))
                continue
            owner = ctx.actor if getattr(ctx.actor, "pk", None) else None
            if owner is None:
                owner = ctx.user(raw.get("salesperson") or "")
            if owner is None:
                refuse(unit, head["row"], "", "", "owner: " + _("A customer needs an owner."))
                continue
            new_customers[code] = {"code": code, "name": name, "phone": head["phone"] or "",
                                   "email": head["email"] or "", "owner": owner, "unit": unit}
        customer_of_unit[unit] = key
        salesperson = head["salesperson"] or ""
        if salesperson and unit not in bad_units:
            if salesperson not in salesperson_users:
                salesperson_users[salesperson] = ctx.user(salesperson)
            if salesperson_users[salesperson] is None:
                refuse(unit, head["row"], "salesperson", raw.get("salesperson"), _("No active user has this name."))

    # --- orders: taken numbers, units for the row path -----------------------------------------------
    numbers = [number for number in heads.get_column("number").unique().to_list() if number]
    existing_orders = _lookup(Order, "number", numbers, ())
    delegated_units: set[int] = set(delegated_name_units)
    for head in heads.iter_rows(named=True):
        unit = head["unit"]
        if unit in bad_units or unit in delegated_units:
            continue
        if not head["number"]:
            delegated_units.add(unit)
        elif head["number"] in existing_orders:
            if upsert:
                delegated_units.add(unit)
            else:
                refuse(unit, head["row"], "order_number", raw_of_unit[unit].get("order_number"),
                       OrderNumberTaken(head["number"]).fields["number"][0])

    # --- products: by SKU, created when missing; inactive ones refused ------------------------------
    lines = cleaned.filter(~pl.col("unit").is_in(list(bad_units)))
    skus = lines.get_column("sku").unique().to_list()
    existing_products = _lookup(Product, "sku", skus, ("name", "is_active", "currency", "list_price", "cost_price"))
    currency_of_unit = {}
    for head in heads.iter_rows(named=True):
        given = (raw_of_unit[head["unit"]].get("currency") or "").strip()
        currency_of_unit[head["unit"]] = head["currency"] if given else reporting_currency()
    new_products: dict[str, dict[str, Any]] = {}
    raw_lines = frame.filter(pl.col("unit").is_in(lines.get_column("unit").unique().implode()))
    for line, raw in zip(lines.iter_rows(named=True), raw_lines.iter_rows(named=True), strict=True):
        unit = line["unit"]
        if unit in bad_units or unit in delegated_units:
            continue
        sku = line["sku"]
        known = existing_products.get(sku)
        if known is None:
            if sku not in new_products:
                given_currency = (raw.get("currency") or "").strip()
                new_products[sku] = {"sku": sku, "name": line["product_name"] or sku,
                                     "list_price": line["unit_price"] if line["unit_price"] is not None else ZERO,
                                     "currency": currency_of_unit[unit] if given_currency else "CNY",
                                     "unit": unit}
        elif not known[2]:
            refuse(unit, line["row"], "sku", raw.get("sku"), _("Product %(sku)s is inactive.") % {"sku": sku})

    # --- exchange rates and prices ----------------------------------------------------------------
    for head in heads.iter_rows(named=True):
        unit = head["unit"]
        if unit in bad_units or unit in delegated_units:
            continue
        key = (currency_of_unit[unit], head["order_date"])
        if key not in state.rates:
            state.rates[key] = rate_for(*key)
        if state.rates[key] is None:
            error = ExchangeRateMissing(reporting=reporting_currency(), currency=key[0], on_date=key[1])
            refuse(unit, head["row"], "currency", raw_of_unit[unit].get("currency"), error.message)
    product_facts = {sku: (facts[3], facts[4], facts[5]) for sku, facts in existing_products.items()}
    product_facts.update({sku: (values["currency"], values["list_price"], None) for sku, values in new_products.items()})
    for line in lines.iter_rows(named=True):
        unit = line["unit"]
        if unit in bad_units or unit in delegated_units or line["unit_price"] is not None:
            continue
        listed_currency = product_facts[line["sku"]][0]
        if listed_currency != currency_of_unit[unit]:
            refuse(unit, line["row"], "unit_price", "", _(
                "%(sku)s is listed in %(listed)s; enter a unit price in %(currency)s.") % {
                "sku": line["sku"], "listed": listed_currency, "currency": currency_of_unit[unit]})

    # Customers and products only for units that will be written (a refused unit leaves nothing).
    alive_units = set(heads.get_column("unit").to_list()) - bad_units
    used_customers = {customer_of_unit.get(unit) for unit in alive_units - delegated_units}
    new_customers = {code: values for code, values in new_customers.items() if ("code", code) in used_customers}
    used_skus = set(lines.filter(pl.col("unit").is_in(list(alive_units))).get_column("sku").to_list())
    new_products = {sku: values for sku, values in new_products.items() if sku in used_skus}

    now = timezone.now()
    user_id = ctx.actor.pk if getattr(ctx.actor, "pk", None) else None
    written: list[tuple[int, int, str, dict, int | None]] = []
    counts = {"customer": {"created": 0, "updated": 0}, "product": {"created": 0, "updated": 0}}
    customer_type = ContentType.objects.get_for_model(Customer).pk
    product_type = ContentType.objects.get_for_model(Product).pk
    order_type = ContentType.objects.get_for_model(Order).pk

    # --- write customers ----------------------------------------------------------------------------
    customer_ids: dict[tuple[str, str], int] = {("code", code): facts[0] for code, facts in existing_customers.items()}
    customer_ids.update({("name", name): facts[0] for name, facts in by_name.items() if facts})
    customer_place = {("code", code): (facts[4], facts[5], facts[6]) for code, facts in existing_customers.items()}
    customer_place.update({("name", name): (facts[4], facts[5], facts[6]) for name, facts in by_name.items() if facts})
    if new_customers:
        ids = writers.ids_allocate(Customer, len(new_customers))
        bookkeeping = {"created_at": now, "updated_at": now, "created_by": user_id, "updated_by": user_id}
        columns, template = writers.column_template(Customer, {**bookkeeping, "owner": None})
        positions = {column: index for index, column in enumerate(columns)}
        rows = []
        for pk, (code, values) in zip(ids, new_customers.items(), strict=True):
            record = {"code": code, "name": values["name"], "phone": values["phone"], "email": values["email"],
                      "kind": "company", "owner_id": values["owner"].pk}
            record.update(customer_services.customer_derived_fields(record))
            row = list(template)
            for name, value in record.items():
                column = Customer._meta.get_field(name).column
                row[positions[column]] = value
            rows.append((pk, *row))
            customer_ids[("code", code)] = pk
            customer_place[("code", code)] = (template[positions["country"]], template[positions["province"]],
                                              values["owner"].pk)
            written.append((customer_type, pk, "created", {}, 1))
        writers.rows_insert(Customer, ["id", *columns], rows, conflict="(code) WHERE deleted_at IS NULL")
        counts["customer"]["created"] = len(rows)

    # In upsert mode a customer named again with other name/phone/email is updated through the service.
    if upsert:
        current = {("code", code): {"name": facts[1], "phone": facts[2], "email": facts[3]}
                   for code, facts in existing_customers.items()}
        current.update({("code", code): {"name": values["name"], "phone": values["phone"], "email": values["email"]}
                        for code, values in new_customers.items()})
        for head in heads.filter(pl.col("unit").is_in(list(alive_units - delegated_units))).iter_rows(named=True):
            key = customer_of_unit.get(head["unit"])
            if key is None or key[0] != "code" or key not in current:
                continue
            given = {name: head[column] for name, column in (("name", "customer_name"), ("phone", "phone"),
                                                              ("email", "email")) if head[column]}
            changed = {name: value for name, value in given.items() if current[key][name] != value}
            if not changed:
                continue
            customer = Customer.objects.get(pk=customer_ids[key])
            previous = {name: getattr(customer, name) for name in given}
            before = customer.version
            raw = raw_of_unit[head["unit"]]
            service_values = {name: raw.get(column) for name, column in (
                ("name", "customer_name"), ("phone", "phone"), ("email", "email")) if head[column]}
            try:
                customer = customer_services.customer_update(actor=ctx.actor, customer=customer, values=service_values,
                                                             expected_version=customer.version)
            except DomainError as error:
                refuse(head["unit"], head["row"], "", "", error.message)
                continue
            if customer.version != before:
                written.append((customer_type, customer.pk, "updated", previous, customer.version))
                counts["customer"]["updated"] += 1
            current[key] = {name: getattr(customer, name) for name in ("name", "phone", "email")}

    # --- write products -----------------------------------------------------------------------------
    product_ids = {sku: facts[0] for sku, facts in existing_products.items()}
    if new_products:
        ids = writers.ids_allocate(Product, len(new_products))
        columns, template = writers.column_template(Product, {"created_at": now, "updated_at": now,
                                                              "created_by": user_id, "updated_by": user_id})
        positions = {column: index for index, column in enumerate(columns)}
        rows = []
        for pk, (sku, values) in zip(ids, new_products.items(), strict=True):
            row = list(template)
            row[positions["sku"]] = sku
            row[positions["name"]] = values["name"]
            row[positions["list_price"]] = str(values["list_price"].quantize(Decimal("0.01")))
            row[positions["currency"]] = values["currency"]
            rows.append((pk, *row))
            product_ids[sku] = pk
            written.append((product_type, pk, "created", {}, 1))
        writers.rows_insert(Product, ["id", *columns], rows, conflict="(sku) WHERE deleted_at IS NULL")
        counts["product"]["created"] = len(rows)
    if upsert:
        names = {sku: facts[1] for sku, facts in existing_products.items()}
        for line in lines.filter(pl.col("unit").is_in(list(alive_units - delegated_units))).iter_rows(named=True):
            sku, name = line["sku"], line["product_name"]
            if sku not in names or not name or names[sku] == name:
                continue
            product = Product.objects.get(pk=product_ids[sku])
            try:
                product = catalog_services.product_update(actor=ctx.actor, product=product, values={"name": name},
                                                          expected_version=product.version)
            except DomainError as error:
                refuse(line["unit"], line["row"], "product_name", name, error.message)
                continue
            written.append((product_type, product.pk, "updated", {"name": names[sku]}, product.version))
            counts["product"]["updated"] += 1
            names[sku] = name

    # --- units the row path handles (existing orders in upsert mode, orders without a number) ------
    delegated: list[UnitResult] = []
    for unit in sorted(delegated_units - bad_units):
        rows = _mapped_rows(frame.filter(pl.col("unit") == unit))
        result = unit_apply(Unit(rows), ctx, entity="orders")
        delegated.append(result)
        if result.status == "invalid":
            bad_units.add(unit)
            state_rows.extend((issue.row, issue.column, issue.value, issue.message) for issue in result.issues)

    # --- write orders and lines ---------------------------------------------------------------------
    bulk_units = sorted(alive_units - delegated_units - bad_units)
    orders_created = 0
    if bulk_units:
        order_lines = lines.filter(pl.col("unit").is_in(bulk_units))
        order_heads = heads.filter(pl.col("unit").is_in(bulk_units))
        ids = writers.ids_allocate(Order, len(bulk_units))
        order_id = dict(zip(bulk_units, ids, strict=True))
        priced = _price_lines(order_lines, state, product_facts, product_ids, currency_of_unit)
        totals = priced.group_by("unit").agg(pl.col("net").sum().alias("total"),
                                             pl.col("cost").is_null().any().alias("cost_unknown"))
        total_of = {row[0]: (row[1], row[2]) for row in totals.iter_rows()}
        cost_totals = _cost_totals(priced, total_of)
        columns, template = writers.column_template(Order, {
            "created_at": now, "updated_at": now, "created_by": user_id, "updated_by": user_id,
            "status": Order._meta.get_field("status").get_default()})
        positions = {column: index for index, column in enumerate(columns)}
        rows = []
        for head in order_heads.iter_rows(named=True):
            unit = head["unit"]
            key = customer_of_unit[unit]
            country, province, owner_id = customer_place[key]
            region = head["region"] or ""
            if not region:
                place = (country, province)
                if place not in state.regions:
                    state.regions[place] = region_for(country=country or "", province=province or "")
                region = state.regions[place]
            salesperson = head["salesperson"] or ""
            if salesperson:
                salesperson_id = salesperson_users[salesperson].pk
            else:
                salesperson_id = user_id if user_id is not None else owner_id
            currency = currency_of_unit[unit]
            row = list(template)
            row[positions["number"]] = head["number"]
            row[positions["customer_id"]] = customer_ids[key]
            row[positions["order_date"]] = head["order_date"].isoformat()
            row[positions["salesperson_id"]] = salesperson_id
            row[positions["channel"]] = head["channel"] or row[positions["channel"]]
            row[positions["region"]] = region
            row[positions["currency"]] = currency
            row[positions["exchange_rate"]] = str(state.rates[(currency, head["order_date"])])
            total, _unknown = total_of[unit]
            row[positions["total_amount"]] = str(total)
            row[positions["cost_total"]] = cost_totals.get(unit)
            rows.append((order_id[unit], *row))
            written.append((order_type, order_id[unit], "created", {}, 1))
        writers.rows_insert(Order, ["id", *columns], rows, conflict="(number) WHERE deleted_at IS NULL")
        orders_created = len(rows)
        line_rows = priced.select(
            pl.col("unit").replace_strict(order_id, return_dtype=pl.Int64).alias("order_id"),
            pl.col("line_no"), pl.col("product_id"), pl.lit("").alias("description"),
            pl.col("quantity").cast(pl.String), pl.col("unit_price").cast(pl.String),
            pl.col("discount_percent").cast(pl.String), pl.col("currency"),
            pl.col("net").cast(pl.String).alias("net_amount"), pl.col("cost").cast(pl.String).alias("unit_cost"),
        ).rows()
        writers.copy_direct(OrderLine, ["order_id", "line_no", "product_id", "description", "quantity", "unit_price",
                                        "discount_percent", "currency", "net_amount", "unit_cost"], line_rows)

    state_errors = _state_errors(state_rows)
    errors = pl.concat([errors, state_errors])
    invalid_rows = frame.filter(pl.col("unit").is_in(list(bad_units))).height
    counts_out = {
        "rows": frame.height, "valid": frame.height - invalid_rows, "invalid": invalid_rows,
        "created": orders_created + sum(1 for result in delegated if result.status == "created"),
        "updated": sum(1 for result in delegated if result.status == "updated"),
        "unchanged": sum(1 for result in delegated if result.status == "unchanged"),
        "related": {name: value for name, value in counts.items() if value["created"] or value["updated"]},
    }
    for result in delegated:
        if result.outcome is None:
            continue
        for item in result.outcome.writes:
            written.append((ContentType.objects.get_for_model(item.obj).pk, item.obj.pk, item.action, item.previous,
                            item.obj.version))
            if not item.main:
                label = item.obj._meta.model_name
                related = counts_out["related"].setdefault(label, {"created": 0, "updated": 0})
                related[item.action] += 1
    return BatchResult(errors=errors.sort("row", maintain_order=True), counts=counts_out, written=written,
                       units_invalid=len(bad_units), delegated=delegated)


def _price_lines(lines: pl.DataFrame, state: BulkState, product_facts: dict, product_ids: dict,
                 currency_of_unit: dict) -> pl.DataFrame:
    """Line numbers, product ids, prices (the product's list price when none is given), nets through
    pricing.line_net once per distinct (quantity, unit price, discount) and unit costs."""
    product_frame = pl.DataFrame({
        "sku": list(product_facts), "product_id": [product_ids[sku] for sku in product_facts], "listed_currency": [facts[0] for facts in product_facts.values()],
        "list_price": [str(facts[1]) for facts in product_facts.values()],
        "cost_price": [None if facts[2] is None else str(facts[2]) for facts in product_facts.values()],
    }, schema={"sku": pl.String, "product_id": pl.Int64, "listed_currency": pl.String, "list_price": pl.String, "cost_price": pl.String})
    currency = pl.Series("currency", [currency_of_unit[unit] for unit in lines.get_column("unit").to_list()],
                         dtype=pl.String)
    table = (lines.select("unit", "sku", "quantity", "unit_price", "discount_percent")
             .with_columns(currency, pl.int_range(pl.len()).over("unit").add(1).alias("line_no"),
                           pl.col("quantity").cast(pl.String).alias("q"),
                           pl.col("unit_price").cast(pl.String).alias("p"),
                           pl.col("discount_percent").cast(pl.String).alias("d"))
             .join(product_frame, on="sku", how="left", maintain_order="left"))
    table = table.with_columns(pl.coalesce("p", "list_price").alias("p"))
    triples = table.select("q", "p", "d").unique()
    nets, quantities, prices, discounts = [], [], [], []
    for q, p, d in triples.iter_rows():
        key = (q, p, d)
        if key not in state.nets:
            quantity = Decimal(q).quantize(Decimal("0.001"))
            price = Decimal(p).quantize(Decimal("0.01"))
            discount = (Decimal(d) if d is not None else ZERO).quantize(Decimal("0.01"))
            state.nets[key] = (str(quantity), str(price), str(discount),
                               str(pricing.line_net(quantity=quantity, unit_price=price, discount_percent=discount)))
        quantity, price, discount, net = state.nets[key]
        quantities.append(quantity)
        prices.append(price)
        discounts.append(discount)
        nets.append(net)
    priced_triples = triples.with_columns(pl.Series("quantity_out", quantities, dtype=pl.String),
                                          pl.Series("price_out", prices, dtype=pl.String),
                                          pl.Series("discount_out", discounts, dtype=pl.String),
                                          pl.Series("net", nets, dtype=pl.String))
    table = table.join(priced_triples, on=["q", "p", "d"], how="left", nulls_equal=True, maintain_order="left")
    return table.select(
        "unit", "line_no", "sku", "product_id", "currency",
        pl.col("quantity_out").alias("quantity"), pl.col("price_out").alias("unit_price"),
        pl.col("discount_out").alias("discount_percent"),
        pl.col("net").cast(pl.Decimal(16, 2)),
        pl.when(pl.col("listed_currency") == pl.col("currency")).then(pl.col("cost_price")).otherwise(None)
        .alias("cost"))


def _cost_totals(priced: pl.DataFrame, total_of: dict) -> dict[int, str]:
    """cost_total through pricing.order_cost_total, for the orders whose every line has a known cost."""
    known = [unit for unit, (_total, unknown) in total_of.items() if not unknown]
    if not known:
        return {}
    out = {}
    grouped = priced.filter(pl.col("unit").is_in(known)).group_by("unit").agg("quantity", "cost")
    for unit, quantities, costs in grouped.iter_rows():
        out[unit] = str(pricing.order_cost_total((Decimal(q), Decimal(c)) for q, c in zip(quantities, costs,
                                                                                          strict=True)))
    return out

