import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from veracity.activities.models import Activity
from veracity.catalog.models import Product
from veracity.customers.models import Contact, Customer, CustomerKind
from veracity.sales.models import Order, OrderLine


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


class Seeded:
    """A small base with known problems: one of each kind, and clean records beside them."""


@pytest.fixture
def seeded(rep_li, rep_bob):
    s = Seeded()
    now = timezone.now()
    s.good = Customer.objects.create(code="G1", name="好公司", owner=rep_li, phone="+8613800138000",
                                     email="good@example.com")
    s.bad_phone = Customer.objects.create(code="B1", name="电话格式公司", owner=rep_li, phone="138 0013 8001",
                                          email="shop@example.com")
    s.invalid_phone = Customer.objects.create(code="B2", name="坏电话公司", owner=rep_bob, phone="12345")
    s.upper_email = Customer.objects.create(code="B3", name="邮箱公司", owner=rep_li, email="Sales@Example.COM")
    s.person = Customer.objects.create(code="P1", name="张三", kind=CustomerKind.PERSON, owner=rep_li)
    s.orphan_contact = Contact.objects.create(customer=s.person, name="李四")
    s.contact = Contact.objects.create(customer=s.good, name="王芳", mobile="+8613900139000")
    s.product = Product.objects.create(sku="P-1", name="Lock", list_price=Decimal("100.00"))
    s.orders = []
    for index in range(5):
        order = Order.objects.create(number=f"SO-{index}", customer=s.good, order_date=dt.date(2026, 3, 5),
                                     salesperson=rep_li, total_amount=Decimal("100.00"))
        OrderLine.objects.create(order=order, line_no=1, product=s.product, quantity=Decimal("1"),
                                 unit_price=Decimal("100.00"), currency="CNY", net_amount=Decimal("100.00"))
        s.orders.append(order)
    s.absurd = Order.objects.create(number="SO-ABSURD", customer=s.good, order_date=dt.date(2026, 3, 5),
                                    salesperson=rep_li, total_amount=Decimal("500000.00"))
    OrderLine.objects.create(order=s.absurd, line_no=1, product=s.product, quantity=Decimal("1"),
                             unit_price=Decimal("500000.00"), currency="CNY", net_amount=Decimal("500000.00"))
    s.empty_order = Order.objects.create(number="SO-EMPTY", customer=s.good, order_date=dt.date(2026, 3, 5),
                                         salesperson=rep_li)
    OrderLine.objects.create(order=s.empty_order, line_no=1, product=s.product, quantity=Decimal("1"),
                             unit_price=Decimal("100.00"), currency="CNY", net_amount=Decimal("100.00"))
    s.empty_order.lines.all().delete()
    s.future = Order.objects.create(number="SO-FUTURE", customer=s.good, order_date=timezone.localdate()
                                    + dt.timedelta(days=400), salesperson=rep_li)
    OrderLine.objects.create(order=s.future, line_no=1, product=s.product, quantity=Decimal("1"),
                             unit_price=Decimal("100.00"), currency="CNY", net_amount=Decimal("100.00"))
    s.stale = Customer.objects.create(code="S1", name="老客户", owner=rep_li)
    Customer.objects.filter(pk=s.stale.pk).update(updated_at=now - dt.timedelta(days=400))
    s.activity = Activity.objects.create(kind="call", subject="Call", customer=s.good, owner=rep_li)
    # Everything else was just created, so only s.stale is stale.
    return s
