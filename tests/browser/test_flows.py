"""The issue's "done means", as a person would do it in a browser: a rep logs in, creates a customer,
finds it by phone, logs a visit, records an order and sees it on the timeline, drags an opportunity
across the kanban; a rep of another team sees none of it; the manager sees it; the same pages work
on a phone and in Chinese."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from tests.browser.conftest import assert_fits_phone
from veracity.catalog.tests.factories import ProductFactory
from veracity.customers.models import Customer
from veracity.pipeline.models import Opportunity, PipelineStage
from veracity.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _create_customer(page, name: str, phone: str) -> None:
    page.goto("/customers/new/")
    page.fill("input[name=name]", name)
    page.fill("input[name=phone]", phone)
    page.click("form button[type=submit]:has-text('Save')")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))


def test_rep_creates_customer_logs_a_visit_records_an_order_and_sees_it_on_the_timeline(
    page_for, rep_li, rep_bob, manager_mei, password
):
    product = ProductFactory(sku="LOCK-100", name="Smart lock", list_price=Decimal("1299.00"))
    page = page_for(rep_li, password=password)

    _create_customer(page, "上海示例贸易有限公司", "138 0013 8000")
    customer = Customer.objects.get(name="上海示例贸易有限公司")
    assert customer.phone == "+8613800138000" and customer.owner == rep_li
    assert "+8613800138000" in page.content()

    # Found by phone, typed the way people type it, from the search box as they type.
    page.goto("/")
    page.fill("#global-search", "138-0013-8000")
    page.wait_for_selector("#search-results a:has-text('上海示例贸易有限公司')")

    # Log a visit from the customer's timeline.
    page.goto(f"/customers/{customer.pk}/")
    timeline = page.locator("form[action$='/timeline/']")
    timeline.locator("select[name=kind]").select_option("visit")
    timeline.locator("input[name=subject]").fill("首次拜访：介绍智能锁")
    timeline.locator("button[type=submit]").click()
    page.wait_for_selector("text=首次拜访：介绍智能锁")

    # Record an order from the customer's orders panel.
    page.click("a:has-text('New order')")
    page.wait_for_url(re.compile(r"/orders/new/"))
    page.select_option("select[name=lines-0-product]", value=str(product.pk))
    page.fill("input[name=lines-0-quantity]", "3")
    page.click("form[data-order-form] button[type=submit]:has-text('Save')")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(customer=customer)
    assert order.total_amount == Decimal("3897.00")

    page.goto(f"/customers/{customer.pk}/")
    page.wait_for_selector(f"#main >> text={order.number}")
    page.wait_for_selector("text=首次拜访：介绍智能锁")

    # Another team's rep cannot find or open any of it.
    bob = page_for(rep_bob, password=password)
    bob.fill("#global-search", "13800138000")
    bob.wait_for_selector("#search-results .list-group")
    assert "上海示例贸易有限公司" not in bob.locator("#search-results").inner_text()
    response = bob.goto(f"/customers/{customer.pk}/")
    assert response.status == 404
    response = bob.goto(f"/orders/{order.pk}/")
    assert response.status == 404

    # The team's manager sees the customer and its order.
    mei = page_for(manager_mei, password=password)
    mei.goto("/customers/")
    assert "上海示例贸易有限公司" in mei.content()
    mei.goto(f"/orders/{order.pk}/")
    assert order.number in mei.content()


def test_rep_drags_an_opportunity_across_the_kanban(page_for, rep_li, password):
    customer = Customer.objects.create(code="C-K-1", name="Kanban Co", owner=rep_li)
    first, proposal = PipelineStage.objects.get(name="Qualification"), PipelineStage.objects.get(name="Proposal")
    opportunity = Opportunity.objects.create(name="Door locks for HQ", customer=customer, owner=rep_li,
                                             stage=first, amount=Decimal("50000.00"),
                                             expected_close_date=dt.date.today() + dt.timedelta(days=30))
    page = page_for(rep_li, password=password)
    page.goto("/pipeline/")
    card = page.locator(f".kanban-card[data-id='{opportunity.pk}']")
    target = page.locator(f".kanban-cards[data-stage='{proposal.pk}']")
    card.drag_to(target)
    page.wait_for_selector(f".kanban-cards[data-stage='{proposal.pk}'] .kanban-card[data-id='{opportunity.pk}']")
    page.wait_for_load_state("networkidle")
    opportunity.refresh_from_db()
    assert opportunity.stage == proposal
    assert opportunity.stage_changes.filter(to_stage=proposal).exists()


def test_the_working_pages_fit_a_phone_screen(page_for, rep_li, password):
    customer = Customer.objects.create(code="C-P-1", name="字节跳动(北京)科技有限公司", owner=rep_li,
                                       phone="+8613800138000")
    ProductFactory(sku="LOCK-1")
    page = page_for(rep_li, password=password, phone=True)
    for path in ("/", "/customers/", f"/customers/{customer.pk}/", "/customers/new/", "/orders/",
                 f"/orders/new/?customer={customer.pk}", "/pipeline/", "/opportunities/", "/activities/",
                 "/products/", "/contacts/"):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_fits_phone(page)


def test_the_same_pages_in_chinese(page_for, rep_li, password):
    page = page_for(rep_li, password=password, language="zh-CN")
    page.goto("/customers/")
    assert page.locator("h1").inner_text() == "客户"
    assert "商机" in page.locator("nav.app-nav").inner_text()
    page.goto("/pipeline/")
    assert "资格确认" in page.content()
