import datetime as dt

import polars as pl
import pytest

from veracity.activities.models import Activity, ActivityKind
from veracity.activities.tests.factories import make_customer, make_order
from veracity.service.rhythm import due_for_repurchase, purchase_rhythm
from veracity.service.services import repeat_purchase_prompts_run


def test_rhythm_is_the_median_interval_of_distinct_order_days():
    frame = pl.LazyFrame({
        "customer_id": [1, 1, 1, 1, 1, 2, 2],
        "order_date": [dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 1, 31), dt.date(2026, 3, 2),
                       dt.date(2026, 4, 11), dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
    })
    rhythm = purchase_rhythm(frame).collect()
    assert rhythm.get_column("customer_id").to_list() == [1]  # customer 2 has only two orders
    row = rhythm.row(0, named=True)
    assert row["median_interval_days"] == 30 and row["orders"] == 4
    assert row["expected_on"] == dt.date(2026, 5, 11)
    due = due_for_repurchase(rhythm.lazy(), today=dt.date(2026, 5, 5), lead_days=7).collect()
    assert due.height == 1
    assert due_for_repurchase(rhythm.lazy(), today=dt.date(2026, 4, 20), lead_days=7).collect().height == 0


@pytest.mark.django_db
def test_prompts_become_tasks_for_the_owner_once(rep_li):
    customer = make_customer(rep_li)
    for day in (dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 3, 2)):
        make_order(customer, rep_li, order_date=day)
    first = repeat_purchase_prompts_run(today=dt.date(2026, 4, 1))
    again = repeat_purchase_prompts_run(today=dt.date(2026, 4, 2))
    tasks = Activity.objects.filter(customer=customer, kind=ActivityKind.TASK)
    assert (first["created"], again["created"]) == (1, 0)
    assert [(task.assignee, task.owner) for task in tasks] == [(rep_li, rep_li)]
