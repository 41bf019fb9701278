import datetime as dt

import pytest

from veracity.forecasting.periods import period_shift
from veracity.forecasting.tests.factories import customer_for, order_for

TODAY = dt.date(2026, 7, 15)


@pytest.fixture
def sales_history(rep_li, rep_bob):
    """30 months of seasonal orders: rep_li's customer (team North) and rep_bob's (team South)."""
    li_customer = customer_for(rep_li, name="Li Trading")
    bob_customer = customer_for(rep_bob, name="Bob Retail")
    first = period_shift(dt.date(2026, 7, 1), "month", -30)
    for step in range(30):
        month = period_shift(first, "month", step)
        season = 1 + 0.3 * ((month.month % 12) in (11, 12, 1))
        order_for(li_customer, day=month.replace(day=10), amount=f"{1000 * season + 20 * step:.2f}")
        order_for(bob_customer, day=month.replace(day=12), amount=f"{300 * season:.2f}", currency="USD", rate="7")
    return li_customer, bob_customer
