import datetime as dt
from decimal import Decimal

import pytest

from veracity.catalog.models import Product
from veracity.sales.models import Order, OrderLine
from veracity.sales.tests.factories import customer_for


@pytest.fixture
def book(rep_li, rep_bob):
    """Two customers each for rep_li (team North) and rep_bob (team South), one order each with a
    line, and one product with a known cost."""
    li_lead = customer_for(rep_li, code="LI-1", name="北京字节跳动科技有限公司", lifecycle_status="lead")
    li_customer = customer_for(rep_li, code="LI-2", name="Li Customer Ltd", lifecycle_status="customer")
    bob_lead = customer_for(rep_bob, code="BOB-1", name="Bob Lead Ltd", lifecycle_status="lead")
    bob_customer = customer_for(rep_bob, code="BOB-2", name="Bob Customer Ltd", lifecycle_status="customer")
    product = Product.objects.create(sku="LOCK-1", name="Smart lock", list_price=Decimal("100.00"),
                                     cost_price=Decimal("60.00"))
    orders = []
    for number, customer, owner in (("SO-LI-1", li_customer, rep_li), ("SO-BOB-1", bob_customer, rep_bob)):
        order = Order.objects.create(number=number, customer=customer, order_date=dt.date(2026, 3, 5),
                                     salesperson=owner, total_amount=Decimal("200.00"), cost_total=Decimal("120.00"))
        OrderLine.objects.create(order=order, line_no=1, product=product, quantity=Decimal("2"),
                                 unit_price=Decimal("100.00"), currency="CNY", net_amount=Decimal("200.00"),
                                 unit_cost=Decimal("60.00"))
        orders.append(order)
    return {"li": [li_lead, li_customer], "bob": [bob_lead, bob_customer], "product": product, "orders": orders}
