"""The bulk write path for order-line files: one batch of lines → customers, products, orders, lines
and their ImportedRecord links, written with executemany (SQLite) or COPY (PostgreSQL) inside the
batch's transaction.

Every value was already checked by `checks.order_lines_check` (the entry rules, the same call the
row path makes). What needs the database is checked here, per batch, with one query per kind of
record rather than one per row, in the order the services check it and with their messages. Derived
values come from the functions the services use: `customers.services.customer_derived_fields`
(search keys), `sales.services.line_net` (= `sales.pricing.line_net`) (per distinct quantity × price × discount),
`sales.selectors.rate_for` (per distinct currency and date), `sales.services.region_for_address`. Units the
bulk writer does not handle itself — an existing order in upsert mode, an order without a number, a
new customer named without a code — go through the row path (`pipeline.unit_apply`, the domain
services) in the same transaction, as do the rare updates of an existing customer's or product's
name, phone or email in upsert mode."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.catalog import services as catalog_services
from veracity.catalog.models import Product
from veracity.core.errors import DomainError
from veracity.core.money import reporting_currency
from veracity.customers import services as customer_services
from veracity.customers.models import Customer, CustomerKind
from veracity.imports.bulk import writers
from veracity.imports.bulk.checks import ERROR_SCHEMA, FILE_COLUMNS, order_lines_check
from veracity.imports.bulk.frames import FrameBatch
from veracity.imports.entities import Context, MappedRow
from veracity.imports.pipeline import Unit, UnitResult, unit_apply
from veracity.marketing.selectors import campaign_code_resolve
from veracity.sales import services as sales_services
from veracity.sales.errors import ExchangeRateMissing, OrderNumberTaken
from veracity.sales.models import Order, OrderLine
from veracity.sales.selectors import rate_for

LOOKUP_CHUNK = 2000
ZERO = Decimal("0")


class DirectWriteNeeded(Exception):
    """A pipelined batch needs the importing connection itself (the row path, a service's update): the
    runner writes it in turn, after the batch before it, in one transaction on that connection."""


@dataclass
class BulkState:
    """What one import carries from batch to batch."""

    ctx: Context
    dry_run: bool = False            # nothing is written; what the load can reuse is kept (bulk.prepared)
    # Pipelined (bulk.runner): the batch's writes are recorded in `writes`, for another connection to run
    # while the next batch is resolved; what they create is remembered in `fresh` (then `simulated`,
    # while they are being written), because this connection does not see them until they commit.
    pipelined: bool = False
    writes: list = field(default_factory=list)
    first_ids: dict = field(default_factory=dict)  # model → the batch's first new id (checked when written)
    fresh: dict = field(default_factory=dict)
    next_ids: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    nets: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    # The dry run writes nothing: what earlier batches would have created is remembered here instead.
    simulated: dict = field(default_factory=dict)
    next_fake_id: int = -1
    # Customers and products an earlier batch read or (committed) created, each with the version it had
    # then (decision 0013): a batch naming them again checks by id that the version is unchanged and
    # reads again, by key, only those that changed, moved to the trash or are gone.
    known: dict = field(default_factory=dict)

    def ids(self, model, count: int) -> list[int]:
        if not self.dry_run:
            # After the ids of batches still being written, which this connection cannot see yet.
            ids = writers.ids_allocate(model, count, after=self.next_ids.get(model, 0) if self.pipelined else 0)
            if ids and self.pipelined:
                self.next_ids[model] = ids[-1]
                self.first_ids.setdefault(model, ids[0])
            return ids
        start = self.next_fake_id
        self.next_fake_id -= count
        return list(range(start, start - count, -1))

    def _write(self, function, *args, **kwargs) -> None:
        if self.dry_run:
            return
        if self.pipelined:
            self.writes.append((function, args, kwargs))
        else:
            function(*args, **kwargs)

    def insert(self, model, columns, rows, *, conflict: str = "") -> None:
        self._write(writers.rows_insert, model, columns, rows, conflict=conflict)

    def copy(self, model, columns, rows) -> None:
        self._write(writers.copy_direct, model, columns, rows)

    def write_frame(self, model, frame: pl.DataFrame, *, conflict: str = "") -> None:
        self._write(writers.frame_write, model, frame, conflict=conflict)

    def remember(self, model, frame: pl.DataFrame) -> None:
        if not frame.height or not (self.dry_run or self.pipelined):
            return
        target = self.fresh if self.pipelined else self.simulated
        known = target.get(model)
        target[model] = frame if known is None else pl.concat([known, frame], how="vertical_relaxed")

    def written(self) -> None:
        """Pipelined: the batch before the one just resolved has committed; the one just resolved is
        the one being written now."""
        for model, created in self.simulated.items():  # committed: known from now on, at their first version
            if model in self.known:
                self._know(model, created.with_columns(pl.lit(1, dtype=pl.Int64).alias("version")))
        self.simulated, self.fresh, self.writes, self.first_ids = self.fresh, {}, [], {}

    def forget(self) -> None:
        """Pipelined: nothing is being written (a batch written in turn, or one to be resolved again)."""
        self.simulated, self.fresh, self.writes, self.first_ids = {}, {}, [], {}

    def direct_needed(self) -> None:
        if self.pipelined:
            raise DirectWriteNeeded

    def lookup(self, model, key: str, values: list[str], fields: tuple[str, ...], names: tuple[str, ...],
               *, remembered: bool = False) -> pl.DataFrame:
        """The alive `model` records whose `key` is one of `values` (`_lookup`), with those an earlier
        batch is still writing. `remembered`: the records read or created by an earlier batch are
        taken from `known` once their versions are confirmed (`_changed_since_read`), not read again."""
        found = self._remembered(model, key, values, fields, names) if remembered else _lookup(
            model, key, values, fields, names)
        known = self.simulated.get(model)
        if known is None:
            return found
        found = pl.concat([found, known.filter(pl.col(names[0]).is_in(values))], how="vertical_relaxed")
        # Pipelined, a batch may commit between the query and now: found twice, with the same id.
        return found.unique(names[0], keep="first", maintain_order=True) if self.pipelined else found

    def _remembered(self, model, key: str, values: list[str], fields: tuple[str, ...], names: tuple[str, ...]
                    ) -> pl.DataFrame:
        known = self.known.get(model)
        unread = values
        if known is not None:
            hits = known.filter(pl.col(names[0]).is_in(values))
            changed = _changed_since_read(model, hits.get_column(names[1]).to_list(),
                                          hits.get_column("version").to_list())
            if changed:
                known = self.known[model] = known.filter(~pl.col(names[1]).is_in(changed))
                hits = hits.filter(~pl.col(names[1]).is_in(changed))
            confirmed = set(hits.get_column(names[0]).to_list())
            unread = [value for value in values if value not in confirmed]
        read = _lookup(model, key, unread, (*fields, "version"), (*names, "version"))
        self._know(model, read)
        found = read if known is None else pl.concat([hits, read], how="vertical_relaxed")
        return found.drop("version")

    def _know(self, model, frame: pl.DataFrame) -> None:
        """Add `frame`'s records to `known` (a key read again replaces what was known of it)."""
        known = self.known.get(model)
        if known is None:
            self.known[model] = frame
            return
        key = frame.columns[0]
        self.known[model] = pl.concat([known.filter(~pl.col(key).is_in(frame.get_column(key).implode())), frame],
                                      how="vertical_relaxed")


@dataclass
class BatchResult:
    errors: pl.DataFrame
    counts: dict[str, Any]
    records: list[tuple[int, int, str, str, int | None]]  # (content type, id, action, previous JSON, version)
    units_invalid: int = 0
    delegated: list[UnitResult] = field(default_factory=list)
    # What the dry run hands to the load (bulk.prepared): the entry rules' output, and the search keys
    # of the customers this batch creates (code, name, phone, email, then customer_derived_fields).
    cleaned: pl.DataFrame | None = None
    check_errors: pl.DataFrame | None = None
    customer_keys: pl.DataFrame | None = None


_TYPES = {"name": pl.String, "phone": pl.String, "email": pl.String, "country": pl.String, "province": pl.String,
          "owner_id": pl.Int64, "version": pl.Int64, "is_active": pl.Boolean, "currency": pl.String,
          "list_price": pl.Decimal(14, 2), "cost_price": pl.Decimal(14, 2)}



def _lookup(model, key: str, values: list[str], fields: tuple[str, ...], names: tuple[str, ...]) -> pl.DataFrame:
    """Alive records whose `key` is one of `values`, as a frame (key, id, *fields) named `names`, read
    with one plain query (PostgreSQL: `= ANY(array)`; SQLite: a JSON array). Decimals are read as text
    and booleans as integers and converted by Polars — what the ORM's converters give, without a model
    row per record (the products of every batch went through the ORM: ~1 s of a 1M-line load)."""
    schema = dict(zip(names, [pl.String, pl.Int64, *(_TYPES[name] for name in fields)], strict=True))
    if not values:
        return pl.DataFrame(schema=schema)
    if not hasattr(model, "all_objects"):  # no trash: the ORM, in chunks
        found = []
        for start in range(0, len(values), LOOKUP_CHUNK):
            found.extend(model.objects.filter(**{f"{key}__in": values[start:start + LOOKUP_CHUNK]})
                         .values_list(key, "pk", *fields))
        return pl.DataFrame(found, schema=schema, orient="row")
    raw_schema = {name: (pl.String if isinstance(dtype, pl.Decimal) else pl.Int64 if dtype == pl.Boolean else dtype)
                  for name, dtype in schema.items()}
    quoted = [connection.ops.quote_name(model._meta.get_field(name).column) for name in (key, "id", *fields)]
    table = connection.ops.quote_name(model._meta.db_table)
    key_column = connection.ops.quote_name(model._meta.get_field(key).column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(_as_read(column, dtype) for column, dtype in zip(quoted, schema.values(), strict=True))
            cursor.execute(f"SELECT {columns} FROM {table} WHERE deleted_at IS NULL "  # noqa: S608
                           f"AND {key_column} = ANY(%s)", [values])
        else:
            # The keys as one JSON array, walked first (CROSS JOIN fixes the order) and probed in the
            # alive-key unique index. `key IN (…10,000 values…)` let SQLite (without ANALYZE
            # statistics) walk the deleted_at index over every alive row instead: on a populated
            # table each batch read the whole table, and binding 10,000 values cost more than the probes.
            columns = ", ".join(_as_read(f"t.{column}", dtype)
                                for column, dtype in zip(quoted, schema.values(), strict=True))
            cursor.execute(f"SELECT {columns} FROM json_each(%s) AS k CROSS JOIN {table} AS t "  # noqa: S608
                           f"ON t.{key_column} = k.value WHERE t.deleted_at IS NULL",
                           [json.dumps(list(dict.fromkeys(values)), ensure_ascii=False)])
        found = cursor.fetchall()
    frame = pl.DataFrame(found, schema=raw_schema, orient="row")
    return frame.with_columns(pl.col(name).cast(dtype) for name, dtype in schema.items() if raw_schema[name] != dtype)


def _changed_since_read(model, ids: list[int], versions: list[int]) -> list[int]:
    """Of the `ids`, read at `versions`, those whose version is no longer that, or that are in the trash
    or gone. Every change to a record goes through a service that raises its version (record_update,
    record_soft_delete, a merge; a merge undone puts back the values and the version it had), so a
    record at the version it was read at still holds what was read. One query that returns the changed
    ones only (usually none): probes by primary key, cheaper than reading them again by key."""
    if not ids:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT k.id FROM unnest(%s::bigint[], %s::bigint[]) AS k(id, version) "  # noqa: S608
                           f"LEFT JOIN {table} AS t ON t.id = k.id "
                           "WHERE t.id IS NULL OR t.deleted_at IS NOT NULL OR t.version <> k.version", [ids, versions])
        else:
            pairs = sorted(zip(ids, versions, strict=True))  # in id order: the probes walk the table once
            cursor.execute("SELECT json_extract(k.value, '$[0]') FROM json_each(%s) AS k "  # noqa: S608
                           f"LEFT JOIN {table} AS t ON t.id = json_extract(k.value, '$[0]') WHERE t.id IS NULL "
                           "OR t.deleted_at IS NOT NULL OR t.version <> json_extract(k.value, '$[1]')",
                           [json.dumps(pairs)])
        return [int(row[0]) for row in cursor.fetchall()]


def _as_read(column: str, dtype) -> str:
    """A decimal as its text (SQLite keeps REAL: its text has the 15 significant digits Django's
    converter keeps), a boolean as 0/1; anything else as it is."""
    if isinstance(dtype, pl.Decimal):
        return f"CAST({column} AS TEXT)"
    if dtype == pl.Boolean:
        return f"CAST({column} AS INTEGER)"
    return column


def codes_without_customer(codes: list[str]) -> list[str]:
    """The `codes` no alive customer has (now: a customer created meanwhile is found by the batch's own lookup)."""
    if not codes:
        return []
    found = set(_lookup(Customer, "code", codes, (), ("code", "customer_id")).get_column("code").to_list())
    return [code for code in codes if code not in found]


class _Refusals:
    """State errors, kept in the order the services would raise them; a refused unit writes nothing."""

    def __init__(self) -> None:
        self.units: set[int] = set()
        self.frames: list[pl.DataFrame] = []

    def add(self, rows: pl.DataFrame, column: str, value: str | pl.Expr, message: str | pl.Expr) -> None:
        if rows.height == 0:
            return
        value_expr = pl.col(value) if isinstance(value, str) and value in rows.columns else (
            value if isinstance(value, pl.Expr) else pl.lit(value))
        message_expr = message if isinstance(message, pl.Expr) else pl.lit(message)
        self.frames.append(rows.select(pl.col("row").cast(pl.Int64), pl.lit(column).alias("column"),
                                       value_expr.fill_null("").cast(pl.String).alias("value"),
                                       message_expr.cast(pl.String).alias("message")))
        self.units.update(rows.get_column("unit").to_list())

    def keep(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~pl.col("unit").is_in(list(self.units))) if self.units else frame


def _messages(rows: pl.DataFrame, make) -> pl.Series:
    return pl.Series([make(row) for row in rows.iter_rows(named=True)], dtype=pl.String)


def _mapped_rows(frame: pl.DataFrame) -> list[MappedRow]:
    return [MappedRow(int(row["row"]), {name: row[name] if row[name] is not None else "" for name in FILE_COLUMNS})
            for row in frame.iter_rows(named=True)]


def batch_apply(batch: FrameBatch, state: BulkState, *, checked: tuple[pl.DataFrame, pl.DataFrame] | None = None,
                customer_keys: pl.DataFrame | None = None) -> BatchResult:
    """Check, resolve and write one batch. The caller holds the transaction (and the batch's
    bookkeeping); a unit with any problem writes nothing. `checked` and `customer_keys`: what the dry
    run computed for this batch (bulk.prepared), so the load does not run the entry rules and the
    search keys again."""
    ctx = state.ctx
    upsert = ctx.mode == "upsert"
    frame = batch.frame
    cleaned, check_errors = checked if checked is not None else order_lines_check(frame, cache=state.cache)
    errors = check_errors
    cleaned = cleaned.with_columns(
        frame.get_column("order_number").str.strip_chars().alias("raw_order_number"),
        frame.get_column("salesperson").str.strip_chars().alias("raw_salesperson"),
        frame.get_column("currency").str.strip_chars().alias("raw_currency"),
        frame.get_column("sku").str.strip_chars().alias("raw_sku"),
        frame.get_column("campaign_code").str.strip_chars().alias("raw_campaign"))
    errors = pl.concat([batch.issues, errors])
    refused = _Refusals()
    refused.units.update(frame.filter(pl.col("row").is_in(errors.get_column("row").implode()))
                         .get_column("unit").unique().to_list())
    heads = refused.keep(cleaned.filter(pl.col("first")))
    delegated_units: set[int] = set()

    # --- customers: by code (else by name), created when missing -----------------------------------
    refused.add(heads.filter(pl.col("code").is_null() & pl.col("customer_name").is_null()), "customer_code", "",
                _("Give a customer code or a customer name."))
    named_only = heads.filter(pl.col("code").is_null() & pl.col("customer_name").is_not_null())
    by_name = {}
    for name in named_only.get_column("customer_name").unique().to_list():
        by_name[name] = Customer.objects.filter(name=name).values_list(
            "pk", "country", "province", "owner_id").first()
    unknown_names = [name for name, found in by_name.items() if found is None]
    delegated_units.update(named_only.filter(pl.col("customer_name").is_in(unknown_names)).get_column("unit").to_list())
    heads = refused.keep(heads)
    codes = [code for code in heads.get_column("code").unique().to_list() if code]
    existing_customers = state.lookup(Customer, "code", codes, ("name", "phone", "email", "country", "province", "owner_id"),
                                      ("code", "customer_id", "c_name", "c_phone", "c_email", "country", "province",
                                       "owner_id"), remembered=True)
    candidates = heads.filter(pl.col("code").is_not_null() & ~pl.col("code").is_in(
        existing_customers.get_column("code").implode()))
    first_named = candidates.filter(pl.col("customer_name").is_not_null()).group_by("code").agg(
        pl.col("row").min().alias("named_row"))
    nameless = candidates.join(first_named, on="code", how="left").filter(
        pl.col("customer_name").is_null() & (pl.col("named_row").is_null() | (pl.col("row") < pl.col("named_row"))))
    refused.add(nameless, "customer_name", "", _("No customer has this code: give the customer name to create it."))
    creators = candidates.filter(pl.col("customer_name").is_not_null()).unique("code", keep="first",
                                                                              maintain_order=True)
    owner_id = ctx.actor.pk if getattr(ctx.actor, "pk", None) else None
    creator_owner: dict[str, int] = {}
    ownerless = []
    for code, salesperson in creators.select("code", "raw_salesperson").iter_rows():
        owner = owner_id if owner_id is not None else getattr(_user(state, salesperson), "pk", None)
        if owner is None:
            ownerless.append(code)
        else:
            creator_owner[code] = owner
    refused.add(heads.filter(pl.col("code").is_in(ownerless)), "", "", "owner: " + _("A customer needs an owner."))

    # --- salesperson --------------------------------------------------------------------------------
    heads = refused.keep(heads)
    people = [name for name in heads.get_column("raw_salesperson").unique().to_list() if name]
    unknown_people = [name for name in people if _user(state, name) is None]
    refused.add(heads.filter(pl.col("raw_salesperson").is_in(unknown_people)), "salesperson", "raw_salesperson",
                _("No active user has this name."))

    # --- campaign: by code, from the order's first line; an unknown code fails the order ------------
    heads = refused.keep(heads)
    campaign_ids: dict[str, int | None] = {}
    for code in heads.get_column("raw_campaign").unique().to_list():
        if code and ("campaign", code) not in state.cache:
            state.cache[("campaign", code)] = getattr(campaign_code_resolve(code), "pk", None)
        if code:
            campaign_ids[code] = state.cache[("campaign", code)]
    refused.add(heads.filter(pl.col("raw_campaign").is_in([code for code, pk in campaign_ids.items() if pk is None])),
                "campaign_code", "raw_campaign", _("No campaign has this code."))
    heads = heads.with_columns(pl.col("raw_campaign").replace_strict(
        {code: pk for code, pk in campaign_ids.items() if pk is not None}, default=None,
        return_dtype=pl.Int64).alias("campaign_id"))

    # --- orders: taken numbers; units for the row path -----------------------------------------------
    heads = refused.keep(heads)
    numbers = [number for number in heads.get_column("number").unique().to_list() if number]
    taken = state.lookup(Order, "number", numbers, (), ("number", "order_id")).get_column("number")
    delegated_units.update(heads.filter(pl.col("number").is_null() | (pl.col("number") == "")).get_column("unit")
                           .to_list())
    existing_heads = heads.filter(pl.col("number").is_in(taken.implode()))
    if upsert:
        delegated_units.update(existing_heads.get_column("unit").to_list())
    else:
        refused.add(existing_heads, "order_number", "raw_order_number",
                    _messages(existing_heads, lambda row: OrderNumberTaken(row["number"]).fields["number"][0]))
    heads = refused.keep(heads).filter(~pl.col("unit").is_in(list(delegated_units)))
    heads = heads.with_columns(
        pl.when(pl.col("raw_currency").is_not_null() & (pl.col("raw_currency") != ""))
        .then(pl.col("currency")).otherwise(pl.lit(reporting_currency())).alias("order_currency"),
        (pl.col("raw_currency").is_not_null() & (pl.col("raw_currency") != "")).alias("currency_given"))

    # --- products: by SKU, created when missing; inactive ones refused ------------------------------
    lines = cleaned.join(heads.select("unit", "order_currency", "currency_given"), on="unit", how="inner",
                         maintain_order="left")
    skus = lines.get_column("sku").unique().to_list()
    existing_products = state.lookup(Product, "sku", skus, ("name", "is_active", "currency", "list_price", "cost_price"),
                                     ("sku", "product_id", "p_name", "is_active", "listed_currency", "list_price",
                                      "cost_price"), remembered=True)
    new_product_lines = lines.filter(~pl.col("sku").is_in(existing_products.get_column("sku").implode()))
    inactive = lines.join(existing_products.filter(~pl.col("is_active")).select("sku"), on="sku", how="semi")
    refused.add(inactive, "sku", "raw_sku", _messages(inactive, lambda row: _("Product %(sku)s is inactive.") % {
        "sku": row["sku"]}))
    # --- prices: no price given → the product's list price, which must be in the order's currency ---
    creating = new_product_lines.unique("sku", keep="first", maintain_order=True).select(
        "sku", pl.coalesce("product_name", "sku").alias("p_name"),
        pl.when(pl.col("currency_given")).then(pl.col("order_currency")).otherwise(pl.lit("CNY")).alias(
            "listed_currency"),
        pl.col("unit_price").fill_null(ZERO).cast(pl.Decimal(14, 2)).cast(pl.String).alias("list_price"))
    listed = pl.concat([
        existing_products.select("sku", "listed_currency"), creating.select("sku", "listed_currency")])
    unpriced = lines.filter(pl.col("unit_price").is_null()).join(listed, on="sku", how="left").filter(
        pl.col("listed_currency") != pl.col("order_currency"))
    refused.add(unpriced, "unit_price", "", _messages(unpriced, lambda row: _(
        "%(sku)s is listed in %(listed)s; enter a unit price in %(currency)s.") % {
        "sku": row["sku"], "listed": row["listed_currency"], "currency": row["order_currency"]}))

    # --- exchange rates ------------------------------------------------------------------------------
    heads = refused.keep(heads)
    missing_rates = []
    for currency, on_date in heads.select("order_currency", "order_date").unique().iter_rows():
        if (currency, on_date) not in state.rates:
            state.rates[(currency, on_date)] = rate_for(currency, on_date)
        if state.rates[(currency, on_date)] is None:
            missing_rates.append((currency, on_date))
    if missing_rates:
        short = heads.join(pl.DataFrame(missing_rates, schema=["order_currency", "order_date"], orient="row"),
                           on=["order_currency", "order_date"], how="semi")
        refused.add(short, "currency", "raw_currency", _messages(short, lambda row: ExchangeRateMissing(
            reporting=reporting_currency(), currency=row["order_currency"], on_date=row["order_date"]).message))
    heads = refused.keep(heads)
    lines = refused.keep(lines)

    now = timezone.now()
    user_id = owner_id
    records: list[tuple[int, int, str, str, int | None]] = []
    related = {"customer": {"created": 0, "updated": 0}, "product": {"created": 0, "updated": 0}}
    types = {model: ContentType.objects.get_for_model(model).pk for model in (Customer, Product, Order)}

    # Upsert: the lines naming a customer or product otherwise, updated through the services below.
    # Computed once, here: a batch that needs this connection's own writes (those, or the row path) is
    # written in turn, not pipelined.
    customer_changes = _customer_changes(heads, existing_customers, creators) if upsert else None
    product_changes = _product_changes(lines, existing_products) if upsert else None
    if state.pipelined and (delegated_units - refused.units or upsert and (
            customer_changes.height or product_changes.height)):
        state.direct_needed()

    # --- write customers ----------------------------------------------------------------------------
    used_codes = set(heads.get_column("code").drop_nulls().to_list())
    creators = creators.filter(pl.col("code").is_in(list(used_codes)))
    new_customer_frame = pl.DataFrame(schema={"code": pl.String, "customer_id": pl.Int64, "country": pl.String,
                                              "province": pl.String, "owner_id": pl.Int64})
    if creators.height:
        ids = state.ids(Customer, creators.height)
        keyed = _customer_rows(creators, customer_keys, creator_owner, ids)
        if state.dry_run:  # the keys of exactly the customers this batch creates, for the load
            computed = keyed.select(list(customer_keys_schema()))
        columns, template = writers.column_template(Customer, {"created_at": now, "updated_at": now,
                                                               "created_by": user_id, "updated_by": user_id})
        given = set(keyed.columns)
        state.write_frame(Customer, keyed.select(
            pl.col("customer_id").alias("id"),
            *[pl.col(column) if column in given else pl.lit(default).alias(column)
              for column, default in zip(columns, template, strict=True)]),
            conflict="(code) WHERE deleted_at IS NULL")
        records.extend((types[Customer], pk, "created", "{}", 1) for pk in ids)
        related["customer"]["created"] = len(ids)
        place = [pl.lit(template[columns.index(name)], dtype=pl.String).alias(name) for name in ("country", "province")]
        new_customer_frame = keyed.select("code", "customer_id", *place, "owner_id")
        state.remember(Customer, keyed.select(
            "code", "customer_id", pl.col("name").alias("c_name"), pl.col("phone").alias("c_phone"),
            pl.col("email").alias("c_email"), *place, "owner_id"))
    customers = pl.concat([existing_customers.select(new_customer_frame.columns).cast(new_customer_frame.schema),
                           new_customer_frame])
    if upsert:
        _customer_updates(customer_changes, ctx, refused, records, related, types)

    # --- write products -----------------------------------------------------------------------------
    creating = creating.filter(pl.col("sku").is_in(lines.get_column("sku").implode()))
    products = existing_products.select("sku", "product_id", "listed_currency",
                                        pl.col("list_price").cast(pl.String), pl.col("cost_price").cast(pl.String))
    if creating.height:
        ids = state.ids(Product, creating.height)
        columns, template = writers.column_template(Product, {"created_at": now, "updated_at": now,
                                                              "created_by": user_id, "updated_by": user_id})
        positions = {column: index for index, column in enumerate(columns)}
        rows = []
        for pk, (sku, name, currency, price) in zip(ids, creating.select("sku", "p_name", "listed_currency",
                                                                         "list_price").iter_rows(), strict=True):
            row = list(template)
            row[positions["sku"]], row[positions["name"]] = sku, name
            row[positions["currency"]], row[positions["list_price"]] = currency, price
            rows.append((pk, *row))
            records.append((types[Product], pk, "created", "{}", 1))
        state.insert(Product, ["id", *columns], rows, conflict="(sku) WHERE deleted_at IS NULL")
        related["product"]["created"] = len(rows)
        products = pl.concat([products, creating.select(
            "sku", pl.Series("product_id", ids, dtype=products.schema["product_id"]), "listed_currency",
            "list_price", pl.lit(None, dtype=pl.String).alias("cost_price"))], how="vertical_relaxed")
        state.remember(Product, creating.select(
            "sku", pl.Series("product_id", ids, dtype=pl.Int64), "p_name", pl.lit(True).alias("is_active"),
            "listed_currency", pl.col("list_price").cast(pl.Decimal(14, 2)),
            pl.lit(None, dtype=pl.Decimal(14, 2)).alias("cost_price")))
    if upsert:
        _product_updates(product_changes, ctx, refused, records, related, types)

    # --- units the row path handles -----------------------------------------------------------------
    delegated: list[UnitResult] = []
    for unit in sorted(delegated_units - refused.units):
        result = unit_apply(Unit(_mapped_rows(frame.filter(pl.col("unit") == unit))), ctx, entity="orders")
        delegated.append(result)
        if result.status == "invalid":
            refused.units.add(unit)
            refused.frames.append(pl.DataFrame([(issue.row, issue.column, issue.value, issue.message)
                                                for issue in result.issues], schema=ERROR_SCHEMA, orient="row"))
            continue
        for item in result.outcome.writes:
            records.append((ContentType.objects.get_for_model(item.obj).pk, item.obj.pk, item.action,
                            json.dumps(item.previous, cls=DjangoJSONEncoder), item.obj.version))
            if not item.main:
                target = related.setdefault(item.obj._meta.model_name, {"created": 0, "updated": 0})
                target[item.action] += 1

    # --- write orders and lines ---------------------------------------------------------------------
    heads = refused.keep(heads)
    lines = refused.keep(lines)
    created = heads.height
    if created:
        _orders_write(heads, lines, customers, products, state, now, user_id, records, types)

    invalid_rows = frame.filter(pl.col("unit").is_in(list(refused.units))).height
    counts = {
        "rows": frame.height, "valid": frame.height - invalid_rows, "invalid": invalid_rows,
        "created": created + sum(1 for result in delegated if result.status == "created"),
        "updated": sum(1 for result in delegated if result.status == "updated"),
        "unchanged": sum(1 for result in delegated if result.status == "unchanged"),
        "related": {name: value for name, value in related.items() if value["created"] or value["updated"]},
    }
    errors = pl.concat([errors, *refused.frames]).sort("row", maintain_order=True)
    result = BatchResult(errors=errors, counts=counts, records=records, units_invalid=len(refused.units),
                         delegated=delegated)
    if state.dry_run:
        result.cleaned, result.check_errors = cleaned, check_errors
        result.customer_keys = computed if creators.height else pl.DataFrame(schema=customer_keys_schema())
    return result


def customer_keys_schema() -> dict:
    derived = customer_services.customer_derived_fields({"name": "", "kind": "company"})
    return {name: pl.String for name in ("code", "name", "phone", "email", *derived)}


def _customer_rows(creators: pl.DataFrame, customer_keys: pl.DataFrame | None, owners: dict[str, int],
                   ids: list[int]) -> pl.DataFrame:
    """The new customers as a frame: customer_id, code, name, phone, email (text, "" when none), kind,
    owner_id and the search keys (customer_derived_fields) — those the checks computed for exactly this
    (code, name, phone, email) joined, the rest computed here. Built by Polars, not a dict per customer."""
    on = ["code", "name", "phone", "email"]
    # The names of the keys: from the checks' frame when there is one (the schema would run
    # customer_derived_fields once more, on an empty name).
    schema = customer_keys.columns if customer_keys is not None and customer_keys.width else customer_keys_schema()
    derived = [name for name in schema if name not in on]
    frame = creators.select(
        pl.Series("customer_id", ids, dtype=pl.Int64), "code", pl.col("customer_name").alias("name"),
        pl.col("phone").fill_null(""), pl.col("email").fill_null(""),
        pl.col("code").replace_strict(owners, return_dtype=pl.Int64).alias("owner_id"),
        pl.lit(CustomerKind.COMPANY, dtype=pl.String).alias("kind"))
    if customer_keys is not None and customer_keys.height:
        known = customer_keys.unique(on, keep="last", maintain_order=True)
        frame = frame.join(known, on=on, how="left", maintain_order="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in derived)
    unknown = frame.filter(pl.col(derived[0]).is_null())
    if unknown.height:
        computed = pl.DataFrame(
            [customer_services.customer_derived_fields({"name": name, "kind": CustomerKind.COMPANY})
             for name in unknown.get_column("name").to_list()], schema=dict.fromkeys(derived, pl.String))
        frame = frame.update(pl.concat([unknown.select("customer_id"), computed], how="horizontal"),
                             on="customer_id")
    return frame


def _user(state: BulkState, name: str | None):
    if not name:
        return None
    if name not in state.users:
        state.users[name] = state.ctx.user(name)
    return state.users[name]


def _customer_updates(changes, ctx, refused, records, related, types) -> None:
    """Upsert: a customer named again with another name, phone or email is updated through the
    service (rare in bulk; in file order, as the row path would)."""
    for row in changes.iter_rows(named=True):
        customer = Customer.objects.filter(code=row["code"]).first()
        if customer is None:  # the dry run: a customer an earlier batch would have created
            related["customer"]["updated"] += 1
            continue
        given = {name: row[column] for name, column in (("name", "customer_name"), ("phone", "phone"),
                                                          ("email", "email")) if row[column]}
        if all(getattr(customer, name) == value for name, value in given.items()):
            continue
        previous = {name: getattr(customer, name) for name in given}
        try:
            customer = customer_services.customer_update(actor=ctx.actor, customer=customer, values=given,
                                                         expected_version=customer.version)
        except DomainError as error:
            refused.add(pl.DataFrame({"row": [row["row"]], "unit": [row["unit"]]}), "", "", error.message)
            continue
        records.append((types[Customer], customer.pk, "updated", json.dumps(previous), customer.version))
        related["customer"]["updated"] += 1


def _customer_changes(heads, existing, creators) -> pl.DataFrame:
    """The lines naming a customer (existing, or created by this batch) with another name, phone or email."""
    current = pl.concat([
        existing.select("code", "c_name", "c_phone", "c_email"),
        creators.select("code", pl.col("customer_name").alias("c_name"), pl.col("phone").fill_null("").alias("c_phone"),
                        pl.col("email").fill_null("").alias("c_email"))])
    joined = heads.filter(pl.col("code").is_not_null()).join(current, on="code", how="inner", maintain_order="left")
    return joined.filter(
        (pl.col("customer_name").is_not_null() & (pl.col("customer_name") != pl.col("c_name")))
        | (pl.col("phone").is_not_null() & (pl.col("phone") != pl.col("c_phone")))
        | (pl.col("email").is_not_null() & (pl.col("email") != pl.col("c_email"))))


def _product_changes(lines, existing) -> pl.DataFrame:
    """The lines naming an existing product otherwise."""
    return lines.join(existing.select("sku", "p_name"), on="sku", how="inner", maintain_order="left").filter(
        pl.col("product_name").is_not_null() & (pl.col("product_name") != pl.col("p_name")))


def _product_updates(changes, ctx, refused, records, related, types) -> None:
    """Upsert: an existing product named otherwise is renamed through the service, in file order."""
    for row in changes.iter_rows(named=True):
        product = Product.objects.filter(sku=row["sku"]).first()
        if product is None:  # the dry run: a product an earlier batch would have created
            related["product"]["updated"] += 1
            continue
        if product.name == row["product_name"]:
            continue
        previous = {"name": product.name}
        try:
            product = catalog_services.product_update(actor=ctx.actor, product=product,
                                                      values={"name": row["product_name"]},
                                                      expected_version=product.version)
        except DomainError as error:
            refused.add(pl.DataFrame({"row": [row["row"]], "unit": [row["unit"]]}), "product_name", "", error.message)
            continue
        records.append((types[Product], product.pk, "updated", json.dumps(previous), product.version))
        related["product"]["updated"] += 1


def _orders_write(heads, lines, customers, products, state, now, user_id, records, types) -> None:
    ids = state.ids(Order, heads.height)
    if state.dry_run:  # nothing is written: the numbers the load will take are all a later batch needs
        state.remember(Order, heads.select("number", pl.Series("order_id", ids, dtype=pl.Int64)))
        return
    heads = heads.with_columns(pl.Series("order_id", ids, dtype=pl.Int64)).join(
        customers, on="code", how="left", maintain_order="left")
    places = heads.filter(pl.col("region").is_null() | (pl.col("region") == "")).select("country", "province").unique()
    for country, province in places.iter_rows():
        if (country, province) not in state.regions:
            state.regions[(country, province)] = sales_services.region_for_address(country=country or "", province=province or "")
    region_frame = pl.DataFrame([(country, province, region) for (country, province), region in state.regions.items()],
                                schema=["country", "province", "place_region"], orient="row") if state.regions else \
        pl.DataFrame(schema={"country": pl.String, "province": pl.String, "place_region": pl.String})
    rates = pl.DataFrame([(currency, day, str(rate)) for (currency, day), rate in state.rates.items() if rate is not None],
                         schema={"order_currency": pl.String, "order_date": pl.Date, "exchange_rate": pl.String},
                         orient="row")
    people = pl.DataFrame([(name, user.pk) for name, user in state.users.items() if user is not None],
                          schema={"raw_salesperson": pl.String, "salesperson_id": pl.Int64}, orient="row")
    heads = (heads.join(region_frame, on=["country", "province"], how="left", nulls_equal=True, maintain_order="left")
             .join(rates, on=["order_currency", "order_date"], how="left", maintain_order="left")
             .join(people, on="raw_salesperson", how="left", maintain_order="left"))
    default_salesperson = pl.lit(user_id, dtype=pl.Int64) if user_id is not None else pl.col("owner_id")
    priced = _price_lines(lines, state, products)
    order_ids = heads.select("unit", "order_id")
    priced = priced.join(order_ids, on="unit", how="left", maintain_order="left")
    totals = priced.group_by("unit").agg(pl.col("net").sum().alias("total_amount"),
                                         pl.col("cost").is_null().any().alias("cost_unknown"))
    cost_totals = _cost_totals(priced, totals)
    heads = heads.join(totals, on="unit", how="left", maintain_order="left").join(
        cost_totals, on="unit", how="left", maintain_order="left")
    columns, template = writers.column_template(Order, {"created_at": now, "updated_at": now, "created_by": user_id,
                                                        "updated_by": user_id})
    given = {
        "number": pl.col("number"), "customer_id": pl.col("customer_id"),
        "order_date": pl.col("order_date").cast(pl.String), "salesperson_id": pl.coalesce("salesperson_id",
                                                                                            default_salesperson),
        "region": pl.when(pl.col("region").is_null() | (pl.col("region") == "")).then(pl.col("place_region"))
        .otherwise(pl.col("region")).fill_null(""),
        "currency": pl.col("order_currency"), "exchange_rate": pl.col("exchange_rate"),
        "total_amount": pl.col("total_amount").cast(pl.String), "cost_total": pl.col("cost_total"),
    }
    given["campaign_id"] = pl.col("campaign_id")
    channel_default = template[columns.index("channel")]
    given["channel"] = pl.coalesce(pl.col("channel"), pl.lit(channel_default))
    selection = [pl.col("order_id").alias("id")]
    for column, default in zip(columns, template, strict=True):
        selection.append(given[column].alias(column) if column in given else pl.lit(default).alias(column))
    state.write_frame(Order, heads.select(selection), conflict="(number) WHERE deleted_at IS NULL")
    state.remember(Order, heads.select("number", "order_id"))
    records.extend((types[Order], pk, "created", "{}", 1) for pk in ids)
    state.write_frame(OrderLine, priced.select(
        "order_id", "line_no", "product_id", pl.lit("").alias("description"), "quantity", "unit_price",
        "discount_percent", "currency", pl.col("net").cast(pl.String).alias("net_amount"),
        pl.col("cost").alias("unit_cost")))


def _price_lines(lines: pl.DataFrame, state: BulkState, products: pl.DataFrame) -> pl.DataFrame:
    """Line numbers, product ids, prices (the product's list price when none is given), nets through
    pricing.line_net once per distinct (quantity, unit price, discount), and unit costs (the product's
    cost when it is listed in the order's currency)."""
    table = (lines.select("unit", "sku", "quantity", "unit_price", "discount_percent",
                          pl.col("order_currency").alias("currency"))
             .with_columns(pl.int_range(pl.len()).over("unit").add(1).alias("line_no"),
                           pl.col("quantity").cast(pl.String).alias("q"),
                           pl.col("unit_price").cast(pl.String).alias("p"),
                           pl.col("discount_percent").cast(pl.String).alias("d"))
             .join(products, on="sku", how="left", maintain_order="left")
             .with_columns(pl.coalesce("p", "list_price").alias("p")))
    # Each distinct (quantity, price, discount) goes through line_net once per import: the ones priced by
    # earlier batches are joined from state.nets (a frame), only new ones are computed here.
    triples = table.select("q", "p", "d").unique()
    known = state.nets.get("frame")
    if known is not None:
        triples = triples.join(known.select("q", "p", "d"), on=["q", "p", "d"], how="anti", nulls_equal=True)
    out = []
    for q, p, d in triples.iter_rows():
        quantity = Decimal(q).quantize(Decimal("0.001"))
        price = Decimal(p).quantize(Decimal("0.01"))
        discount = (Decimal(d) if d is not None else ZERO).quantize(Decimal("0.01"))
        out.append((q, p, d, str(quantity), str(price), str(discount),
                    str(sales_services.line_net(quantity=quantity, unit_price=price, discount_percent=discount))))
    if out or known is None:
        new = pl.DataFrame(out, schema={"q": pl.String, "p": pl.String, "d": pl.String, "quantity_out": pl.String,
                                        "price_out": pl.String, "discount_out": pl.String, "net": pl.String},
                           orient="row")
        known = new if known is None else pl.concat([known, new])
        state.nets["frame"] = known
    table = table.join(known, on=["q", "p", "d"], how="left", nulls_equal=True, maintain_order="left")
    return table.select(
        "unit", "line_no", "product_id", "currency",
        pl.col("quantity_out").alias("quantity"), pl.col("price_out").alias("unit_price"),
        pl.col("discount_out").alias("discount_percent"), pl.col("net").cast(pl.Decimal(16, 2)),
        pl.when(pl.col("listed_currency") == pl.col("currency")).then(pl.col("cost_price")).otherwise(None)
        .alias("cost"))


def _cost_totals(priced: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    """cost_total through pricing.order_cost_total, for the orders whose every line has a known cost."""
    known = totals.filter(~pl.col("cost_unknown")).get_column("unit")
    out = []
    if known.len():
        grouped = priced.filter(pl.col("unit").is_in(known.implode())).group_by("unit").agg("quantity", "cost")
        for unit, quantities, costs in grouped.iter_rows():
            out.append((unit, str(sales_services.order_cost_total(
                (Decimal(q), Decimal(c)) for q, c in zip(quantities, costs, strict=True)))))
    return pl.DataFrame(out, schema={"unit": pl.Int64, "cost_total": pl.String}, orient="row")
