"""Issue 5's "done means", in a real browser on a phone (390 × 844): the manager opens the dashboard, picks
this quarter and sees it against the same quarter last year, taps the worst region, lands on that region's
orders for the same period, opens the forecast and sees its interval and its backtest error (MASE), and
receives the weekly review by email from the scheduled job; a rep sees the same dashboard limited to their
own customers."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Q, Sum
from django.utils import timezone

from tests.browser.conftest import assert_fits_phone
from veracity.analytics.services.reviews import review_period_bounds
from veracity.analytics.tests.factories import book, customer, product
from veracity.forecasting import services as forecast_services
from veracity.forecasting.models import ForecastSeries
from veracity.forecasting.periods import period_shift
from veracity.forecasting.tests.factories import order_for
from veracity.ops.jobs.models import ScheduledJob
from veracity.ops.jobs.scheduler import schedule_sync, scheduler_tick
from veracity.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}


def _phone(browser, live_server, user, password, *, language="en-US"):
    context = browser.new_context(viewport=PHONE_390, locale=language, base_url=live_server.url, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("button[type=submit]").tap()
    return page


def _quarter_start(day: dt.date) -> dt.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _year_earlier(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else day.replace(year=day.year - 1, day=28)


def _shown(amount) -> str:
    """An amount as the dashboard prints it (two decimals, thousands separated)."""
    return f"{Decimal(amount).quantize(Decimal('0.01')):,}"


def _whole(value) -> str:
    """A forecast figure as the forecast page prints it (floatformat "0g" in English)."""
    return f"{Decimal(value).quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}"


def _revenue(orders) -> Decimal:
    return orders.aggregate(total=Sum("total_amount"))["total"] or Decimal("0")


@pytest.fixture
def db_queue(settings, monkeypatch):
    """The real database queue, as `make run` has it: the scheduler enqueues, the worker runs. (Inside a
    test the worker must keep the connection that holds the test's database.)"""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    monkeypatch.setattr("veracity.ops.jobs.scheduler.close_old_connections", lambda: None)


@pytest.fixture
def quarter_sales(rep_li, rep_lin, rep_bob):
    """Team North's orders this quarter and in the same quarter last year, in two regions; team South's
    orders (which the North manager must not see) and 30 months of South history for the forecast."""
    today = timezone.localdate()
    start = _quarter_start(today)
    li_customer = customer(rep_li, name="华北重工")
    lin_customer = customer(rep_lin, name="Lin Trading")
    bob_customer = customer(rep_bob, name="Bob Retail")
    pump = product(name="液压泵")
    book(li_customer, start, [(pump, 1, "5000.00")], region="east")
    book(lin_customer, start, [(pump, 1, "1200.00")], region="south")
    book(li_customer, _year_earlier(start), [(pump, 1, "4000.00")], region="east")
    book(lin_customer, _year_earlier(start), [(pump, 1, "2000.00")], region="south")
    book(bob_customer, start, [(pump, 1, "9999.00")], region="south")   # another team's: never in Mei's figures
    # Last complete week, for the weekly review (it may fall in this quarter or the one before).
    week_start, _week_end = review_period_bounds("weekly", today)
    book(li_customer, week_start, [(pump, 1, "777.00")], region="east")
    # 30 months of seasonal history (South, international) so the forecast has something to fit.
    month = period_shift(today.replace(day=1), "month", -30)
    for step in range(30):
        day = period_shift(month, "month", step).replace(day=2)
        if _year_earlier(start) <= day <= _year_earlier(today) or start <= day:
            continue  # keep the compared quarters to the orders above
        season = 1 + 0.3 * (day.month in (11, 12, 1))
        order_for(bob_customer, day=day, amount=f"{800 * season + 15 * step:.2f}", region="international")
    return {"today": today, "start": start, "li": li_customer, "lin": lin_customer}


def _team_north_orders(*people):
    return Order.objects.filter(Q(customer__owner__in=people) | Q(salesperson__in=people),
                                status__in=["confirmed", "shipped", "delivered"])


def test_manager_on_a_phone_compares_the_quarter_drills_into_the_worst_region_reads_the_forecast_and_gets_the_review(
    browser, live_server, quarter_sales, manager_mei, rep_li, rep_lin, team_north, password, db_queue
):
    today, start = quarter_sales["today"], quarter_sales["start"]
    page = _phone(browser, live_server, manager_mei, password)

    # The dashboard: the filters stay out of the way, a preset picks this quarter.
    page.goto("/analytics/")
    assert page.locator("#dashboard-filters").is_hidden()
    assert_fits_phone(page)
    with page.expect_navigation():
        page.locator("[data-preset=this_quarter]").tap()
    assert f"date_from={start.isoformat()}" in page.url and f"date_to={today.isoformat()}" in page.url
    assert page.locator("[data-preset=this_quarter]").get_attribute("aria-current") == "true"
    assert_fits_phone(page)

    # This quarter against the same quarter last year, in the first key-figure card.
    team = _team_north_orders(manager_mei, rep_li, rep_lin)
    now = _revenue(team.filter(order_date__range=(start, today)))
    last_year = _revenue(team.filter(order_date__range=(_year_earlier(start), _year_earlier(today))))
    card = page.locator("[data-kpi=revenue]")
    assert card.locator(".kpi-value").inner_text() == _shown(now)
    change = ((now - last_year) / last_year * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    comparison = card.locator(".kpi-vs-last-year").inner_text()
    assert "vs same period last year" in comparison
    assert f"{'+' if change > 0 else ''}{change} %" in comparison and _shown(last_year) in comparison
    # The key-figures table speaks in labels, not metric keys.
    key_figures = page.locator("#block-kpis").locator("xpath=ancestor::section").locator("table")
    assert "aov" not in key_figures.inner_text().split() and "Average order value" in key_figures.inner_text()

    # The worst region is the last row of the region breakdown: tap it.
    by_region = {region: _revenue(team.filter(order_date__range=(start, today), region=region))
                 for region in ("east", "south")}
    worst = min(by_region, key=by_region.get)
    regions = page.locator("#block-regions").locator("xpath=ancestor::section")
    last_row = regions.locator("tbody tr").last
    assert last_row.locator("td").nth(1).inner_text() == _shown(by_region[worst])
    with page.expect_navigation():
        last_row.locator("a").tap()
    assert "/orders/" in page.url and f"region={worst}" in page.url and f"date_from={start.isoformat()}" in page.url
    listed = set(page.locator("tbody td[data-label=Number] a").all_inner_texts())
    expected = set(team.filter(order_date__range=(start, today), region=worst).values_list("number", flat=True))
    assert listed == expected and listed
    assert_fits_phone(page)

    # The forecast: fitted on the history, opened from the menu, with its interval and MASE.
    forecast_services.forecast_run_execute(freq="month", horizon=6, today=today)
    page.locator(".app-burger").tap()
    with page.expect_navigation():
        page.locator(".app-nav-link", has_text="Forecasts").tap()
    series = ForecastSeries.objects.get(key=page.locator("#id_series").input_value(), run__freq="month")
    first = series.points.order_by("period").first()
    interval_80 = page.locator("tbody tr").first.locator("td[data-label='80 % interval']").inner_text()
    assert interval_80 == f"{_whole(first.lo80)} – {_whole(first.hi80)}"
    assert series.backtest_mase is not None
    assert page.get_by_text(f"MASE {series.backtest_mase:.2f}").is_visible()
    assert_fits_phone(page)

    # The weekly review: subscribe on the phone, then the scheduler's job builds and mails it.
    page.goto("/analytics/reviews/")
    page.select_option("select[name=period]", "weekly")
    page.select_option("select[name=team]", str(team_north.pk))
    with page.expect_navigation():
        page.locator("form[action$='/subscribe/'] button[type=submit]").tap()
    assert_fits_phone(page)
    schedule_sync()
    ScheduledJob.objects.exclude(name="review_weekly").update(enabled=False)
    ScheduledJob.objects.filter(name="review_weekly").update(next_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert scheduler_tick() == ["review_weekly"]
    call_command("worker", "--batch", "--no-scheduler", "--interval", "0", verbosity=0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    week_start, week_end = review_period_bounds("weekly", today)
    assert message.bcc == [manager_mei.email]
    assert message.subject == f"Weekly review {week_start.isoformat()} – {week_end.isoformat()}: {team_north.name}"
    html = message.alternatives[0][0]
    week_revenue = _revenue(team.filter(order_date__range=(week_start, week_end)))
    assert f"<td>{week_revenue.quantize(Decimal('0.01'))}</td>" in html
    assert message.attachments[0][2] == "application/pdf" and message.attachments[0][1].startswith(b"%PDF")
    page.context.close()


def test_a_rep_on_a_phone_sees_the_same_dashboard_limited_to_their_own_customers(
    browser, live_server, quarter_sales, rep_li, password
):
    today, start = quarter_sales["today"], quarter_sales["start"]
    page = _phone(browser, live_server, rep_li, password)
    page.goto("/analytics/")
    with page.expect_navigation():
        page.locator("[data-preset=this_quarter]").tap()
    own = _team_north_orders(rep_li)
    assert page.locator("[data-kpi=revenue] .kpi-value").inner_text() == _shown(
        _revenue(own.filter(order_date__range=(start, today))))
    assert page.locator("[data-kpi=orders] .kpi-value").inner_text() == str(
        own.filter(order_date__range=(start, today)).count())
    regions = page.locator("#block-regions").locator("xpath=ancestor::section")
    assert regions.locator("tbody tr").count() == own.filter(order_date__range=(start, today)).values(
        "region").distinct().count()
    assert "Lin Trading" not in page.content()
    assert_fits_phone(page)
    page.context.close()


def test_the_phone_dashboard_is_translated_into_chinese(browser, live_server, quarter_sales, manager_mei, password):
    page = _phone(browser, live_server, manager_mei, password, language="zh-CN")
    page.goto("/analytics/")
    assert page.locator("[data-preset=this_quarter]").inner_text() == "本季度"
    assert "筛选" in page.locator(".dashboard-filters-toggle").inner_text()
    assert "去年同期" in page.locator("[data-kpi=revenue] .kpi-vs-last-year").inner_text()
    page.context.close()
