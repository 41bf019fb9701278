"""Issue 6's "done means", in a real browser: a customer answers a survey on a phone with a 3 out of 10
and a comment in Chinese; the owner gets a follow-up task that stays on the manager's dashboard until it
is done; the comment's theme shows in the feedback analysis with the answer one click away. Marketing
builds a segment of at-risk customers who bought a category last year, exports it, and sees last
quarter's campaigns ranked by return. Service staff read the 360° page on a phone and a desktop."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, assert_fits_phone
from veracity.activities.models import Activity
from veracity.catalog.tests.factories import ProductCategoryFactory, ProductFactory
from veracity.customers.tests.factories import CustomerFactory
from veracity.feedback import services as feedback_services
from veracity.feedback.models import InvitationSource, SurveyKind, SurveyResponse
from veracity.forecasting.models import CustomerValue
from veracity.marketing.models import Segment
from veracity.marketing.reports import last_quarter
from veracity.marketing.tests.factories import CampaignFactory
from veracity.sales.models import Order, OrderLine
from veracity.service import services as service_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "送货太慢了，安装师傅态度也不好"


def _order(customer, *, on: dt.date, product, amount: str, campaign=None) -> Order:
    order = Order.objects.create(number=f"SO-{Order.all_objects.count() + 1}", customer=customer, order_date=on,
                                 salesperson=customer.owner, total_amount=Decimal(amount),
                                 exchange_rate=Decimal("1"), status="delivered", campaign=campaign)
    OrderLine.objects.create(order=order, line_no=1, product=product, quantity=Decimal("1"),
                             unit_price=Decimal(amount), currency="CNY", net_amount=Decimal(amount))
    return order


def test_a_detractor_on_a_phone_gets_a_follow_up_the_manager_sees_until_done_and_a_theme_in_the_analysis(
    browser, live_server, page_for, rep_li, manager_mei, marketing_ana, password
):
    customer = CustomerFactory(name="杭州示例家居有限公司", owner=rep_li, country="CN")
    survey = feedback_services.survey_create(actor=marketing_ana, values={
        "name": "交付满意度", "kind": SurveyKind.NPS, "title_en": "How did we do?", "title_zh": "您对我们满意吗？"})
    _invitation, token = feedback_services.invitation_create(actor=marketing_ana, survey=survey,
                                                             source=InvitationSource.LINK, customer=customer)

    # The customer, on a phone, in Chinese, without logging in.
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    response = phone.goto(f"/s/{token}/")
    assert response.status == 200
    assert phone.locator("h1").inner_text().startswith("您对我们满意吗")
    assert_fits_phone(phone)
    nps, why = survey.questions.order_by("position")
    phone.locator(f"label[for='q{nps.pk}-3']").tap()
    phone.fill(f"textarea[name=q{why.pk}]", COMMENT)
    with phone.expect_navigation():
        phone.locator("button[type=submit]").tap()
    assert phone.locator("form.survey-form").count() == 0  # the thank-you page
    assert_fits_phone(phone)
    assert phone.goto(f"/s/{token}/").status == 410  # one answer per link
    context.close()

    answer = SurveyResponse.objects.get(customer=customer)
    assert answer.nps_score == 3 and answer.comment == COMMENT
    task = answer.follow_up
    assert task is not None and task.assignee == rep_li and not task.done

    # The owner finds the task in their task list and on the customer.
    rep = page_for(rep_li, password=password)
    rep.goto("/activities/?kind=task&done=0")
    rep.click(f"a:has-text('{task.subject}')")
    rep.wait_for_url(re.compile(rf"/activities/{task.pk}/$"))
    assert COMMENT in rep.content()

    # The manager's dashboard lists the unhappy customer until the task is done.
    mei = page_for(manager_mei, password=password)
    follow_ups = mei.locator(".card:has-text('Unhappy customers to follow up')")
    assert customer.name in follow_ups.inner_text()
    assert "NPS 3" in follow_ups.inner_text()

    # The comment's theme shows in the analysis, and its answers are one click away.
    mei.goto("/feedback/analysis/")
    mei.wait_for_load_state("networkidle")
    mei.click("a:has-text('Delivery')")
    mei.wait_for_url(re.compile(r"/feedback/responses/\?theme=delivery"))
    assert customer.name in mei.content()
    mei.goto("/feedback/analysis/")
    mei.click("a:has-text('Installation')")
    mei.wait_for_url(re.compile(r"theme=installation"))
    assert customer.name in mei.content()

    # The rep marks the follow-up done; the manager's dashboard no longer shows it.
    rep.click("button:has-text('Mark as done')")
    rep.wait_for_load_state("networkidle")
    assert Activity.objects.get(pk=task.pk).done
    mei.goto("/")
    assert customer.name not in mei.locator(".card:has-text('Unhappy customers to follow up')").inner_text()


def test_the_feedback_pages_fit_a_phone_and_read_in_chinese(page_for, manager_mei, marketing_ana, rep_li, password):
    customer = CustomerFactory(name="深圳示例科技有限公司", owner=rep_li)
    survey = feedback_services.survey_create(actor=marketing_ana, values={
        "name": "NPS", "kind": SurveyKind.NPS, "title_en": "How did we do?", "title_zh": "您对我们满意吗？"})
    invitation, _token = feedback_services.invitation_create(actor=None, survey=survey,
                                                             source=InvitationSource.LINK, customer=customer)
    nps, why = survey.questions.order_by("position")
    feedback_services.response_submit(survey=survey, invitation=invitation,
                                      raw_answers={f"q{nps.pk}": "2", f"q{why.pk}": COMMENT})
    page = page_for(manager_mei, password=password, phone=True, language="zh-CN")
    for path in ("/", "/feedback/", f"/feedback/surveys/{survey.pk}/", "/feedback/responses/", "/feedback/analysis/"):
        assert page.goto(path).status == 200, path
        page.wait_for_load_state("networkidle")
        assert_fits_phone(page)
    assert "物流配送" in page.content() or "安装" in page.content()


def test_marketing_segments_at_risk_category_buyers_exports_them_and_ranks_last_quarters_campaigns(
    page_for, marketing_ana, rep_li, rep_bob, password
):
    today = timezone.localdate()
    last_year = dt.date(today.year - 1, 6, 15)
    locks, cameras = ProductCategoryFactory(name="智能门锁"), ProductCategoryFactory(name="摄像头")
    lock, camera = ProductFactory(sku="LOCK-9", category=locks), ProductFactory(sku="CAM-9", category=cameras)
    at_risk = CustomerFactory(name="风险门锁客户", owner=rep_li, lifecycle_status="customer")
    loyal = CustomerFactory(name="忠诚门锁客户", owner=rep_li, lifecycle_status="customer")
    cameras_only = CustomerFactory(name="风险摄像头客户", owner=rep_bob, lifecycle_status="customer")
    for customer, product, churn in ((at_risk, lock, 0.82), (loyal, lock, 0.05), (cameras_only, camera, 0.9)):
        _order(customer, on=last_year, product=product, amount="5000.00")
        CustomerValue.objects.create(customer=customer, clv=Decimal("1000"), churn_probability=churn,
                                     expected_purchases_90d=0.1, purchases=1, last_purchase=last_year,
                                     fitted_at=timezone.now())

    start, end = last_quarter(today)
    middle = start + dt.timedelta(days=30)
    expo = CampaignFactory(code="EXPO-Q", name="安防展", channel="exhibition", start_date=start, end_date=middle,
                           actual_cost=Decimal("10000.00"))
    search = CampaignFactory(code="SEARCH-Q", name="搜索广告", channel="search", start_date=start, end_date=end,
                             actual_cost=Decimal("20000.00"))
    for customer, campaign, amount in ((at_risk, search, "22000.00"), (loyal, expo, "40000.00")):
        _order(customer, on=middle, product=lock, amount=amount, campaign=campaign)

    page = page_for(marketing_ana, password=password)
    page.goto("/marketing/segments/new/")
    page.fill("input[name=name]", "去年买门锁的高风险客户")
    page.select_option("select[name=bought_categories]", label="智能门锁")
    page.fill("input[name=bought_categories__from]", f"{today.year - 1}-01-01")
    page.fill("input[name=bought_categories__to]", f"{today.year - 1}-12-31")
    page.fill("input[name=churn_risk__min]", "0.5")
    page.click("button[name=preview]")
    page.wait_for_selector("text=1 customer you may see matches.")
    page.click("form button[type=submit]:has-text('Save')")
    page.wait_for_url(re.compile(r"/marketing/segments/\d+/$"))
    segment = Segment.objects.get(name="去年买门锁的高风险客户")
    members = page.locator("table tbody").inner_text()
    assert at_risk.name in members and loyal.name not in members and cameras_only.name not in members

    page.click("button:has-text('Export target list')")
    with page.expect_download() as download_info:
        page.click(".dropdown-menu a:has-text('CSV')")
    download = download_info.value
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    flat = [cell for row in rows[1:] for cell in row]
    assert at_risk.name in flat and loyal.name not in flat
    assert segment.pk

    page.goto("/marketing/report/")
    page.wait_for_load_state("networkidle")
    ranked = page.locator("table").first.locator("tbody tr").all_inner_texts()
    assert "EXPO-Q" in ranked[0] and "SEARCH-Q" in ranked[1]  # ROI 300 % before 10 %
    assert "300%" in ranked[0]


def test_service_staff_read_the_360_page_on_a_phone_and_a_desktop(page_for, service_sam, rep_li, password):
    product = ProductFactory(sku="LOCK-360", name="智能门锁 X1")
    customer = CustomerFactory(name="成都示例物业管理有限公司", owner=rep_li, lifecycle_status="customer")
    order = _order(customer, on=timezone.localdate() - dt.timedelta(days=40), product=product, amount="3200.00")
    service_services.ticket_create(actor=service_sam, values={
        "subject": "门锁指纹识别失灵", "customer": customer.pk, "order": order.pk, "product": product.pk,
        "priority": "high", "type": "problem"})
    for phone in (True, False):
        page = page_for(service_sam, password=password, phone=phone)
        response = page.goto(f"/customers/{customer.pk}/360/")
        assert response.status == 200
        page.wait_for_load_state("networkidle")
        text = page.content()
        assert customer.name in text and order.number in text and "门锁指纹识别失灵" in text
        # Read-only: no forms that write, no edit links.
        main = page.locator("#main")
        assert main.locator("form[method=post]").count() == 0
        assert main.locator("a[href$='/edit/']").count() == 0
        if phone:
            assert_fits_phone(page)
