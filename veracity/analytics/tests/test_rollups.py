"""The rollups always equal a direct computation over the order lines, whatever happened to the orders."""

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from veracity.analytics.models import CustomerFirstPurchase, SalesLineDaily, SalesOrderDaily
from veracity.analytics.services import rollups_rebuild, rollups_refresh, rollups_refresh_for_orders
from veracity.analytics.tests.factories import book, customer, product, usd_rate
from veracity.core.errors import NotFound
from veracity.customers.services import customer_delete
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
        cell = cells[(order.order_date, order.customer_id, line.product_id, order.salesperson_id, order.channel,
                      order.region or "", order.currency)]
        cell[0] += revenue
        cell[1] += cost
        cell[2] += 0 if line.unit_cost is None else revenue
        cell[3] += line.quantity
        cell[4] += 1
        cell[5].add(order.pk)
    return {key: (r, c, cr, q, n, len(orders)) for key, (r, c, cr, q, n, orders) in cells.items()}


def direct_orders() -> dict:
    cells = defaultdict(lambda: [0, set()])
    for (day, customer_id, _product, rep, channel, region, currency), values in direct_lines().items():
        cells[(day, customer_id, rep, channel, region, currency)][0] += values[0]
    for order in Order.objects.filter(status__in=COUNTED):
        cells[(order.order_date, order.customer_id, order.salesperson_id, order.channel, order.region or "",
               order.currency)][1].add(order.pk)
    return {key: (revenue, len(orders)) for key, (revenue, orders) in cells.items() if orders}


def stored_lines() -> dict:
    return {(row.day, row.customer_id, row.product_id, row.salesperson_id, row.channel, row.region, row.currency):
            (row.revenue_cents, row.cost_cents, row.costed_revenue_cents, row.quantity, row.lines, row.orders)
            for row in SalesLineDaily.objects.all()}


def stored_orders() -> dict:
    return {(row.day, row.customer_id, row.salesperson_id, row.channel, row.region, row.currency):
            (row.revenue_cents, row.orders) for row in SalesOrderDaily.objects.all()}


def assert_rollups_match():
    assert stored_lines() == direct_lines()
    assert stored_orders() == direct_orders()
    firsts = {}
    for day, customer_id, *_rest in direct_orders():
        firsts[customer_id] = min(day, firsts.get(customer_id, day))
    assert dict(CustomerFirstPurchase.objects.values_list("customer_id", "first_day")) == firsts


def test_rollups_equal_order_lines_after_a_random_sequence_of_changes(admin, rep_li, rep_bob):
    usd_rate()
    rng = random.Random(20260305)
    products = [product(), product(), product(cost_price=None), product(currency="USD", list_price=Decimal("9.99"))]
    customers = [customer(rep_li), customer(rep_li), customer(rep_bob)]
    days = [dt.date(2026, 3, 1) + dt.timedelta(days=n) for n in range(6)]
    rollups_rebuild()
    deletions = []

    def some_lines(currency):
        usable = [p for p in products if currency == "USD" or p.currency == "CNY"]
        return [(rng.choice(usable), rng.randint(1, 5), f"{rng.randint(1, 40000) / 100:.2f}", rng.choice([0, 5, 12.5]))
                for _ in range(rng.randint(1, 3))]

    for step in range(60):
        alive = list(Order.objects.all())
        action = rng.choice(["create", "create", "update", "status", "delete", "restore", "import", "customer"])
        if action == "create" or not alive:
            currency = rng.choice(["CNY", "CNY", "USD"])
            who = rng.choice(customers)
            if who.deleted_at is None:
                book(who, rng.choice(days), some_lines(currency), currency=currency,
                     channel=rng.choice(["direct", "online"]), status=rng.choice(["confirmed", "confirmed", "draft"]))
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
            if not Customer_deleted(who):
                who.refresh_from_db()
                customer_delete(actor=None, customer=who)
                who.refresh_from_db()
                deletions.append(who.deletion_id)
        if step % 4 == 3:
            rollups_refresh()
            assert_rollups_match()
    rollups_refresh()
    assert_rollups_match()
    assert SalesLineDaily.objects.exists()


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
