"""The rollups always equal a direct computation over the order lines, whatever happened to the orders."""

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from veracity.accounts.access import OWNER_PATHS, scope_q
from veracity.accounts.models import Resource, User
from veracity.analytics.models import (
    CohortCell,
    CustomerBuyingDay,
    CustomerFirstPurchase,
    CustomerMonthCell,
    CustomerValueMonthCell,
    ProductPairCell,
    SalesCell,
    SalesLineDaily,
    SalesOrderDaily,
)
from veracity.analytics.selectors.base import DashboardFilters, cell_rows, report_scope
from veracity.analytics.selectors.customers import cohort_table, customers_dashboard
from veracity.analytics.selectors.products import bought_together_pairs, products_dashboard
from veracity.analytics.selectors.sales import sales_figures, sales_overview
from veracity.analytics.services import rollups_rebuild, rollups_refresh, rollups_refresh_for_orders
from veracity.analytics.services.rollups import CELL_SHAPES, LINE_SHAPES
from veracity.analytics.tests.factories import book, customer, product, usd_rate
from veracity.core.errors import NotFound
from veracity.customers.models import Customer
from veracity.customers.services import customer_delete, customer_transfer, customer_update
from veracity.sales import services as sales_services
from veracity.sales.models import Order, OrderLine
from veracity.workspace.errors import RestoreConflict
from veracity.workspace.services import trash_restore

pytestmark = pytest.mark.django_db
COUNTED = {"confirmed", "shipped", "delivered"}


def direct_lines() -> dict:
    """What SalesLineDaily must hold, computed straight from the order lines with Decimal."""
    cells = defaultdict(lambda: [0, 0, 0, Decimal("0"), 0, set()])
    for line in OrderLine.objects.select_related("order"):
        order = line.order
        if order.deleted_at is not None or order.status not in COUNTED:
            continue
        revenue = int((line.net_amount * order.exchange_rate * 100).quantize(Decimal("1"), ROUND_HALF_UP))
        cost = 0 if line.unit_cost is None else int(
            (line.quantity * line.unit_cost * order.exchange_rate * 100).quantize(Decimal("1"), ROUND_HALF_UP))
        owner = Customer.all_objects.get(pk=order.customer_id).owner_id   # the customer's owner now
        cell = cells[(order.order_date, order.customer_id, line.product_id, order.salesperson_id, owner, order.channel,
                      order.region or "", order.currency)]
        cell[0] += revenue
        cell[1] += cost
        cell[2] += 0 if line.unit_cost is None else revenue
        cell[3] += line.quantity
        cell[4] += 1
        cell[5].add(order.pk)
    return {key: (r, c, cr, q, n, len(orders)) for key, (r, c, cr, q, n, orders) in cells.items()}


def _customer_now(customer_id: int) -> tuple:
    """The customer's owner, industry, size and source now (copied onto the order rows)."""
    who = Customer.all_objects.get(pk=customer_id)
    return who.owner_id, who.industry, who.size, who.source


def direct_orders() -> dict:
    cells = defaultdict(lambda: [0, 0, 0, Decimal("0"), set()])
    for (day, customer_id, _product, rep, owner, channel, region, currency), values in direct_lines().items():
        cell = cells[(day, customer_id, rep, owner, channel, region, currency, *_customer_now(customer_id)[1:])]
        for index in range(4):
            cell[index] += values[index]
    for order in Order.objects.filter(status__in=COUNTED):
        owner, *attributes = _customer_now(order.customer_id)
        cells[(order.order_date, order.customer_id, order.salesperson_id, owner, order.channel, order.region or "",
               order.currency, *attributes)][4].add(order.pk)
    return {key: (*values[:4], len(values[4])) for key, values in cells.items() if values[4]}


def stored_lines() -> dict:
    return {(row.day, row.customer_id, row.product_id, row.salesperson_id, row.owner_id, row.channel, row.region,
             row.currency): (row.revenue_cents, row.cost_cents, row.costed_revenue_cents, row.quantity, row.lines,
                             row.orders)
            for row in SalesLineDaily.objects.all()}


def stored_orders() -> dict:
    return {(row.day, row.customer_id, row.salesperson_id, row.owner_id, row.channel, row.region, row.currency,
             row.industry, row.size, row.source): (row.revenue_cents, row.cost_cents, row.costed_revenue_cents, row.quantity, row.orders)
            for row in SalesOrderDaily.objects.all()}


def direct_cells(lines: dict, orders: dict) -> dict:
    """What SalesCell must hold: the daily rows summed per shape, per day and per month."""
    names = ("salesperson", "owner", "product", "channel", "region", "currency")
    blank = {"salesperson": 0, "owner": 0, "product": 0, "channel": "", "region": "", "currency": ""}
    cells = defaultdict(lambda: [0, 0, 0, Decimal("0"), 0, 0])
    for shape, dims in CELL_SHAPES.items():
        source = lines if shape in LINE_SHAPES else orders
        for key, values in source.items():
            if shape in LINE_SHAPES:
                day, _customer, product_id, rep, owner, channel, region, currency = key
                revenue, cost, costed, quantity, line_count, order_count = values
            else:
                day, _customer, rep, owner, channel, region, currency, *_attributes = key
                (revenue, cost, costed, quantity, order_count), product_id, line_count = values, 0, 0
            named = {"salesperson": rep, "owner": owner, "product": product_id, "channel": channel, "region": region,
                     "currency": currency}
            dimensions = tuple(named[name] if name in dims else blank[name] for name in names)
            for grain, period in (("d", day), ("m", day.replace(day=1))):
                cell = cells[(shape, grain, period, *dimensions)]
                for index, value in enumerate((revenue, cost, costed, quantity, line_count, order_count)):
                    cell[index] += value
    return {key: tuple(values) for key, values in cells.items()}


def stored_cells() -> dict:
    return {(row.shape, row.grain, row.period, row.salesperson_id, row.owner_id, row.product_id, row.channel, row.region,
             row.currency): (row.revenue_cents, row.cost_cents, row.costed_revenue_cents, row.quantity, row.lines,
                             row.orders) for row in SalesCell.objects.all()}


def assert_rollups_match():
    lines, orders = direct_lines(), direct_orders()
    assert stored_lines() == lines
    assert stored_orders() == orders
    firsts = {}
    for day, customer_id, *_rest in orders:
        firsts[customer_id] = min(day, firsts.get(customer_id, day))
    assert dict(CustomerFirstPurchase.objects.values_list("customer_id", "first_day")) == firsts
    assert all(row.customer_first_day == firsts[row.customer_id] for row in SalesOrderDaily.objects.all())
    assert stored_cells() == direct_cells(lines, orders)
    # Buying days: one per (customer, day) bought, with the customer's previous and next buying day.
    by_customer = defaultdict(dict)
    for (day, customer_id, _rep, owner, *_rest, industry, size, source), values in orders.items():
        row = by_customer[customer_id].setdefault(day, [owner or 0, industry, size, source, 0, 0])
        row[4] += values[0]
        row[5] += values[4]
    expected_days = {}
    for customer_id, days in by_customer.items():
        ordered = sorted(days)
        for index, day in enumerate(ordered):
            expected_days[(customer_id, day)] = (ordered[index - 1] if index else None,
                                                 ordered[index + 1] if index + 1 < len(ordered) else None,
                                                 *days[day])
    assert {(row.customer_id, row.day): (row.previous_day, row.next_day, row.owner_id, row.industry, row.size,
                                         row.source, row.revenue_cents, row.orders)
            for row in CustomerBuyingDay.objects.all()} == expected_days
    month_cells = defaultdict(int)
    for (_customer, day), (previous, _next, owner, *_rest) in expected_days.items():
        month_cells[(day.replace(day=1), previous.replace(day=1) if previous else None, owner)] += 1
    assert {(row.month, row.previous_month, row.owner_id): row.days
            for row in CustomerMonthCell.objects.all()} == dict(month_cells)
    # Value cells: per field value, month, month of the previous day with that value (for region: in
    # that region) and owner (and -1: all owners), the days bought, revenue and orders.
    value_days = defaultdict(lambda: [0, 0])
    owners = {}
    for (day, customer_id, _rep, owner, _channel, region, _currency, industry, size, source), values in orders.items():
        owners[customer_id] = owner or 0
        for field, value in (("industry", industry), ("size", size), ("source", source), ("region", region)):
            figures = value_days[(customer_id, field, value, day)]
            figures[0] += values[0]
            figures[1] += values[4]
    expected_values = defaultdict(lambda: [0, 0, 0])
    for (customer_id, field, value, day), (revenue, order_count) in value_days.items():
        earlier = [other for (who, name, kept, other) in value_days
                   if (who, name, kept) == (customer_id, field, value) and other < day]
        previous = max(earlier).replace(day=1) if earlier else None
        for holder in (owners[customer_id], -1):
            cell = expected_values[(field, value, day.replace(day=1), previous, holder)]
            cell[0] += 1
            cell[1] += revenue
            cell[2] += order_count
    assert {(row.field, row.value, row.month, row.previous_month, row.owner_id): [row.days, row.revenue_cents,
                                                                                   row.orders]
            for row in CustomerValueMonthCell.objects.all()} == dict(expected_values)
    # Pair cells: per month and owner, the baskets (customer × day) holding both products.
    baskets = defaultdict(set)
    for day, customer_id, product_id, _rep, owner, *_rest in lines:
        baskets[(day, customer_id, owner or 0)].add(product_id)
    pairs = defaultdict(int)
    for (day, _customer, owner), products in baskets.items():
        for first in products:
            for second in products:
                if first < second:
                    pairs[(day.replace(day=1), owner, first, second)] += 1
    assert {(row.month, row.owner_id, row.product_a, row.product_b): row.baskets
            for row in ProductPairCell.objects.all()} == dict(pairs)
    cohorts = defaultdict(set)
    for day, customer_id, _rep, owner, *_rest in orders:
        cohorts[(firsts[customer_id].replace(day=1), day.replace(day=1), owner)].add(customer_id)
    assert {(row.cohort, row.month, row.owner_id): row.customers for row in CohortCell.objects.all()} == {
        key: len(customers) for key, customers in cohorts.items()}


def _cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1"), ROUND_HALF_UP))


def direct_scoped(user, date_from: dt.date, date_to: dt.date) -> dict:
    """A dashboard's figures straight from the orders the user's report scope reaches, by the order rule
    (OWNER_PATHS[order]: the customer's owner or the salesperson)."""
    counted = Order.objects.filter(status__in=COUNTED)
    firsts: dict[int, dt.date] = {}
    for customer_id, day in counted.values_list("customer_id", "order_date"):
        firsts[customer_id] = min(day, firsts.get(customer_id, day))
    reached = counted.filter(scope_q(user, report_scope(user), OWNER_PATHS[Resource.ORDER]))
    figures = {"revenue": 0, "orders": 0, "customers": set(), "channels": defaultdict(int), "days": defaultdict(int),
               "products": defaultdict(int)}
    by_field = {field: defaultdict(lambda: [0, set(), 0]) for field in ("industry", "size", "source", "region")}
    for order in reached.filter(order_date__range=(date_from, date_to)).prefetch_related("lines"):
        figures["orders"] += 1
        figures["customers"].add(order.customer_id)
        buyer = Customer.all_objects.get(pk=order.customer_id)
        for field, sums in by_field.items():
            holder = order if field == "region" else buyer
            sums[getattr(holder, field) or ""][1].add(order.customer_id)
            sums[getattr(holder, field) or ""][2] += 1
        for line in order.lines.all():
            revenue = _cents(line.net_amount * order.exchange_rate)
            figures["revenue"] += revenue
            for field, sums in by_field.items():
                sums[getattr(order if field == "region" else buyer, field) or ""][0] += revenue
            figures["channels"][order.channel] += revenue
            figures["days"][order.order_date] += revenue
            figures["products"][line.product.sku] += revenue
    baskets = defaultdict(set)
    for customer_id, day, product_id in OrderLine.objects.filter(order__in=reached.filter(
            order_date__range=(date_from, date_to))).values_list("order__customer_id", "order__order_date", "product_id"):
        baskets[(customer_id, day)].add(product_id)
    pairs = defaultdict(int)
    for products in baskets.values():
        for first in products:
            for second in products:
                if first < second:
                    pairs[(first, second)] += 1
    figures["pairs"] = sorted(((a, b, times) for (a, b), times in pairs.items()),
                              key=lambda pair: (-pair[2], pair[0], pair[1]))
    figures["new"] = sum(1 for customer_id in figures["customers"] if date_from <= firsts[customer_id] <= date_to)
    figures["customers"] = len(figures["customers"])
    cohort_start = max(date_from.replace(day=1), dt.date(date_to.year - (date_to.month < 12), date_to.month % 12 + 1, 1))
    in_scope = set(reached.values_list("customer_id", flat=True))
    sizes, active = defaultdict(int), defaultdict(set)
    for customer_id in in_scope:
        if cohort_start <= firsts[customer_id] <= date_to:
            sizes[firsts[customer_id].replace(day=1)] += 1
    for customer_id, day in reached.filter(order_date__range=(cohort_start, date_to)).values_list(
            "customer_id", "order_date"):
        first = firsts[customer_id]
        if cohort_start <= first <= date_to and day.replace(day=1) > first.replace(day=1):
            active[(first.replace(day=1), (day.year - first.year) * 12 + day.month - first.month)].add(customer_id)
    figures["cohorts"] = (dict(sizes), {key: len(value) for key, value in active.items()})
    for key in ("channels", "days", "products"):
        figures[key] = {name: value for name, value in figures[key].items() if value}
    for field, sums in by_field.items():
        figures[field] = {value: (revenue, len(customers), orders) for value, (revenue, customers, orders) in sums.items()}
    return figures


def via_dashboards(user, date_from: dt.date, date_to: dt.date) -> dict:
    filters = DashboardFilters(date_from=date_from, date_to=date_to)
    now = sales_figures(user=user, filters=filters)
    figures = {"revenue": now.revenue_cents, "orders": now.orders, "customers": now.customers,
               "new": now.new_customers}
    figures["channels"] = {row["channel"]: row["revenue"] for row in cell_rows(
        user=user, filters=filters, group=("channel",)).values("channel").annotate(revenue=Sum("revenue_cents"))
        if row["revenue"]}
    trend = sales_overview(user=user, filters=filters)["trend"]
    figures["days"] = {row[0]: _cents(row[1]) for row in trend.rows if row[1]} if filters.days <= 92 else None
    figures["products"] = {row[0]: _cents(row[2]) for row in products_dashboard(user=user, filters=filters)["all"].rows
                           if row[2]}
    figures["pairs"] = bought_together_pairs(user, filters, top=10_000)
    table = cohort_table(user=user, filters=filters)
    sizes = {dt.date.fromisoformat(row[0] + "-01"): row[1] for row in table.rows}
    active = {}
    for row in table.rows:
        cohort = dt.date.fromisoformat(row[0] + "-01")
        for offset, share in enumerate(row[2:], 1):
            if share:
                active[(cohort, offset)] = round(float(share) * row[1] / 100)
    figures["cohorts"] = (sizes, active)
    tables = customers_dashboard(user=user, filters=filters)
    for field in ("industry", "size", "source", "region"):
        labels = {str(label): value for value, label in _choices(field)}
        figures[field] = {labels.get(row[0], row[0]): (_cents(row[1]), row[2], row[3]) for row in tables[field].rows}
    return figures


def _choices(field: str) -> list[tuple]:
    from veracity.customers.models import CompanySize, CustomerSource, Industry
    from veracity.sales.models import Region

    return [("", "Unknown"), *{"industry": Industry, "size": CompanySize, "source": CustomerSource,
                               "region": Region}[field].choices]


def assert_scoped_dashboards_match(users, ranges) -> int:
    """Returns the revenue compared, so the test can show it compared something."""
    compared = 0
    for user in users:
        user = User.objects.get(pk=user.pk)   # current team, no cached scope
        for date_from, date_to in ranges:
            expected, got = direct_scoped(user, date_from, date_to), via_dashboards(user, date_from, date_to)
            if got["days"] is None:
                expected["days"] = None
            assert got == expected, (user.username, date_from, date_to)
            compared += expected["revenue"]
    return compared


def test_rollups_equal_order_lines_after_a_random_sequence_of_changes(admin, manager_mei, rep_li, rep_lin, rep_bob,
                                                                      team_north, team_south):
    """Daily rows, cells, cohort cells and every scoped dashboard figure equal a direct computation over
    the orders, through creates, edits, status changes, deletes, restores, imports, customer transfers
    (the rows carry the owner) and a rep changing team (scope reads teams when it asks)."""
    usd_rate()
    rng = random.Random(20260305)
    products = [product(), product(), product(cost_price=None), product(currency="USD", list_price=Decimal("9.99"))]
    reps = [rep_li, rep_lin, rep_bob]
    customers = [customer(rep_li), customer(rep_lin), customer(rep_bob), customer(rep_li), customer(rep_bob)]
    # Late February to early April: ranges cover whole months (month cells) and ragged ends (day cells).
    days = [dt.date(2026, 2, 25) + dt.timedelta(days=n * 4) for n in range(12)]
    ranges = [(dt.date(2026, 2, 1), dt.date(2026, 4, 30)), (dt.date(2026, 2, 24), dt.date(2026, 4, 2)),
              (dt.date(2026, 3, 3), dt.date(2026, 3, 20))]
    viewers = [admin, manager_mei, rep_li, rep_bob]
    rollups_rebuild()
    deletions = []

    def some_lines(currency):
        usable = [p for p in products if currency == "USD" or p.currency == "CNY"]
        return [(rng.choice(usable), rng.randint(1, 5), f"{rng.randint(1, 40000) / 100:.2f}", rng.choice([0, 5, 12.5]))
                for _ in range(rng.randint(1, 3))]

    for step in range(60):
        alive = list(Order.objects.all())
        action = rng.choice(["create", "create", "update", "status", "delete", "restore", "import", "customer",
                             "transfer", "team", "describe"])
        if action == "create" or not alive:
            currency = rng.choice(["CNY", "CNY", "USD"])
            who = rng.choice(customers)
            who.refresh_from_db()
            if who.deleted_at is None:
                # Usually the owner sells; sometimes another rep (reached by scope as salesperson only).
                book(who, rng.choice(days), some_lines(currency), currency=currency,
                     salesperson=rng.choice([who.owner, who.owner, rng.choice(reps)]),
                     channel=rng.choice(["direct", "online"]), status=rng.choice(["confirmed", "confirmed", "draft"]),
                     region=rng.choice(["north", "south", ""]))
        elif action == "transfer":
            who = rng.choice(customers)
            who.refresh_from_db()
            if who.deleted_at is None:
                customer_transfer(actor=None, customer=who, new_owner=rng.choice(reps))
        elif action == "describe":
            # The customer's industry, size or source changes: its rows carry them, the next refresh rewrites.
            who = rng.choice(customers)
            who.refresh_from_db()
            if who.deleted_at is None:
                customer_update(actor=None, customer=who, expected_version=who.version, values={
                    "industry": rng.choice(["manufacturing", "retail", ""]), "size": rng.choice(["10-49", "250-999"]),
                    "source": rng.choice(["referral", "website"])})
        elif action == "team":
            rep_lin.refresh_from_db()
            rep_lin.team = team_south if rep_lin.team_id == team_north.pk else team_north
            rep_lin.save(update_fields=["team"])
        elif action == "update":
            order = rng.choice(alive)
            if order.status in ("confirmed", "draft"):
                live_customers = [c for c in customers if not Customer_deleted(c)]
                sales_services.order_update(actor=None, order=order, values={
                    "order_date": rng.choice(days), "customer": rng.choice(live_customers)},
                    lines=[{"product": p, "quantity": str(q), "unit_price": price, "discount_percent": str(d)}
                           for p, q, price, d in some_lines(order.currency)], expected_version=order.version)
        elif action == "status":
            order = rng.choice(alive)
            target = {"draft": "confirmed", "confirmed": rng.choice(["shipped", "cancelled"]),
                      "shipped": "delivered"}.get(order.status)
            if target:
                sales_services.order_status_change(actor=None, order=order, status=target)
        elif action == "delete":
            order = rng.choice(alive)
            sales_services.order_delete(actor=None, order=order)
            deletions.append(Order.all_objects.get(pk=order.pk).deletion_id)
        elif action == "restore" and deletions:
            deletion = deletions.pop(rng.randrange(len(deletions)))
            try:
                trash_restore(actor=admin, deletion_id=deletion)
            except (RestoreConflict, NotFound):  # its customer is still in the trash, or it went with it
                pass
        elif action == "import":
            # A fast-path import: rows written in bulk, then the public hook called with their ids.
            who = rng.choice([c for c in customers if not Customer_deleted(c)] or customers)
            order = Order.objects.create(number=f"IMP-{step}", customer=who, order_date=rng.choice(days),
                                         salesperson=who.owner, currency="CNY", total_amount=Decimal("10.00"))
            OrderLine.objects.create(order=order, line_no=1, product=products[0], quantity=Decimal("2"),
                                     unit_price=Decimal("5.00"), currency="CNY", net_amount=Decimal("10.00"),
                                     unit_cost=Decimal("3.00"))
            rollups_refresh_for_orders([order.pk])
        elif action == "customer":
            who = rng.choice(customers)
            if not Customer_deleted(who) and sum(not Customer_deleted(c) for c in customers) > 2:
                who.refresh_from_db()
                customer_delete(actor=None, customer=who)
                who.refresh_from_db()
                deletions.append(who.deletion_id)
        if step % 4 == 3:
            rollups_refresh()
            assert_rollups_match()
        if step % 12 == 11:
            assert_scoped_dashboards_match(viewers, ranges)
    rollups_refresh()
    assert_rollups_match()
    assert assert_scoped_dashboards_match(viewers, ranges) > 0
    assert SalesLineDaily.objects.exists() and SalesCell.objects.filter(grain="m").exists()
    assert CohortCell.objects.exists() and ProductPairCell.objects.exists()
    assert bought_together_pairs(admin, DashboardFilters(date_from=ranges[0][0], date_to=ranges[0][1]))


def Customer_deleted(who) -> bool:  # noqa: N802 - reads like the question it asks
    who.refresh_from_db()
    return who.deleted_at is not None


def test_rebuild_command_gives_the_same_rollups_as_incremental_refresh(rep_li):
    usd_rate()
    buyer, item = customer(rep_li), product()
    rollups_rebuild()
    book(buyer, dt.date(2026, 3, 2), [(item, 3, "19.99", 10)])
    book(buyer, dt.date(2026, 3, 3), [(item, 1, "5.00")], currency="CNY")
    rollups_refresh()
    incremental = (stored_lines(), stored_orders())
    call_command("rollups", "rebuild")
    assert (stored_lines(), stored_orders()) == incremental
    assert_rollups_match()


def test_usd_order_is_counted_at_its_booked_rate_in_cents(rep_li):
    usd_rate(rate="7.12345678")
    buyer, item = customer(rep_li), product(currency="USD", list_price=Decimal("1.00"), cost_price=None)
    book(buyer, dt.date(2026, 3, 2), [(item, 3, "33.33")], currency="USD")
    rollups_refresh()
    row = SalesLineDaily.objects.get()
    # 3 × 33.33 = 99.99 USD × 7.12345678 = 712.2744534… CNY → 71227 cents; no cost known
    assert (row.revenue_cents, row.cost_cents, row.costed_revenue_cents, row.currency) == (71227, 0, 0, "USD")


def _index_names() -> dict[str, set[str]]:
    from django.db import connection

    tables = [model._meta.db_table for model in (SalesLineDaily, SalesOrderDaily, SalesCell, CustomerBuyingDay,
                                                 CustomerFirstPurchase)]
    with connection.cursor() as cursor:
        return {table: {name for name, about in connection.introspection.get_constraints(cursor, table).items()
                        if about["index"]} for table in tables}


def _book_awkward(rep) -> None:
    """Orders whose cents need care: rates with eight places, half-cent products that only half-up rounds
    up (0.01 × 0.5, 0.03 × 0.5), fractional quantities, lines with no known cost, two months."""
    usd_rate(rate="7.12345678")
    costed, uncosted, half_cent = product(cost_price=Decimal("0.33")), product(cost_price=None), product(cost_price=None)
    dollars = product(currency="USD", list_price=Decimal("1.00"), cost_price=Decimal("0.07"))
    buyers = [customer(rep), customer(rep)]
    rates = ["0.50000000", "0.33333333", "1234.56789012", "0.00012345", "7.12345678", "1"]
    days = [dt.date(2026, 1, 29), dt.date(2026, 1, 30), dt.date(2026, 1, 31), dt.date(2026, 2, 1),
            dt.date(2026, 2, 2), dt.date(2026, 2, 27)]
    for index, rate in enumerate(rates):
        order = book(buyers[index % 2], days[index % len(days)], [
            (costed, "0.333", "0.03"), (half_cent, 1, "0.01"), (costed, 3, "33.33", 12.5), (uncosted, "2.5", "0.07")])
        Order.objects.filter(pk=order.pk).update(exchange_rate=Decimal(rate))
    book(buyers[0], days[1], [(dollars, 3, "33.33"), (uncosted, "0.001", "0.01")], currency="USD")
    book(buyers[1], days[2], [(costed, 1, "9.99")], status="draft")   # not a sale
    # A line whose cost is unknown on an order whose other line has one (costed revenue leaves it out).
    OrderLine.objects.filter(order__customer=buyers[0], line_no=1).update(unit_cost=None)


def test_set_based_rebuild_equals_the_row_by_row_reference_on_awkward_rates_and_missing_costs(rep_li):
    """The rebuild (Polars, integer cents per distinct amount and rate) gives exactly what aggregate_lines()
    and cells_from() — the reference the incremental refresh uses — and a direct Decimal computation give."""
    from veracity.analytics.services.rollups import aggregate_lines, cells_from, sale_lines

    _book_awkward(rep_li)
    rollups_rebuild()
    assert_rollups_match()
    lines, orders = aggregate_lines(sale_lines())
    assert stored_lines() == lines and stored_orders() == orders
    assert stored_cells() == {key: tuple(values) for key, values in cells_from(lines, orders).items()}
    # Half a cent rounds up (half-up, not to even, not a float's guess): 0.01 at 0.5 is 1 cent.
    half = OrderLine.objects.filter(order__exchange_rate=Decimal("0.5"), unit_price=Decimal("0.01"),
                                    product__cost_price=None).get()
    assert SalesLineDaily.objects.get(day=half.order.order_date, customer_id=half.order.customer_id,
                                      product_id=half.product_id).revenue_cents == 1


def test_rebuild_drops_and_builds_again_exactly_the_indexes_the_migrations_made(rep_li):
    _book_awkward(rep_li)
    before = _index_names()
    rollups_rebuild()
    assert _index_names() == before and all(before.values())


def test_a_killed_rebuild_is_marked_incomplete_refreshes_leave_it_and_the_next_rebuild_fixes_it(
        rep_li, admin, web_client_for, monkeypatch):
    from veracity.analytics.models import RollupCursor
    from veracity.analytics.services import rebuild as rebuild_module
    from veracity.analytics.services.rollups import rebuild_in_progress

    _book_awkward(rep_li)
    indexes = _index_names()
    rollups_rebuild()
    months = []

    def killed_in_the_second_month(lines, orders, month):
        months.append(month)
        if len(months) == 2:
            raise KeyboardInterrupt   # what a SIGINT raises; a SIGKILL leaves the same committed months
        return original(lines, orders, month)

    original = rebuild_module.cell_rows
    monkeypatch.setattr(rebuild_module, "cell_rows", killed_in_the_second_month)
    with pytest.raises(KeyboardInterrupt):
        rollups_rebuild()
    monkeypatch.undo()
    assert rebuild_in_progress(RollupCursor.objects.get(pk=1))
    assert SalesLineDaily.objects.filter(day__month=1).exists() and not SalesLineDaily.objects.filter(
        day__month=2).exists()   # January committed, February not: incomplete, and marked so
    book(Customer.objects.first(), dt.date(2026, 2, 3), [(product(), 2, "4.20")])
    assert rollups_refresh() == rollups_refresh_for_orders(list(Order.objects.values_list("pk", flat=True)))
    assert rollups_refresh().orders == 0 and not SalesLineDaily.objects.filter(day__month=2).exists()
    assert b"data-rollups-incomplete" in web_client_for(admin).get(reverse("analytics:overview")).content
    rollups_rebuild()
    assert not rebuild_in_progress(RollupCursor.objects.get(pk=1))
    assert b"data-rollups-incomplete" not in web_client_for(admin).get(reverse("analytics:overview")).content
    assert_rollups_match()
    assert _index_names() == indexes
