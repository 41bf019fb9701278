"""campaign_code on the customer (lead), opportunity and order-line imports: a code names the campaign
(any case), an unknown code fails its row with a clear error, on the row path and in bulk."""

import pytest

from veracity.customers.models import Customer
from veracity.imports.models import ImportMethod, ImportRowError, ImportStatus
from veracity.imports.tests.helpers import csv_bytes, run_now, upload
from veracity.marketing.tests.factories import CampaignFactory
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order

pytestmark = pytest.mark.django_db


def _errors(run):
    return sorted(ImportRowError.objects.filter(run=run, level="error").values_list("row_number", "column", "value",
                                                                                     "message"))


def test_lead_import_sets_the_campaign_from_a_chinese_header_and_refuses_an_unknown_code(admin):
    expo = CampaignFactory(code="EXPO-SZ")
    rows = [["客户编号", "客户名称", "手机", "活动代码"],
            ["L-1", "深圳市安居科技有限公司", "13800138000", " expo-sz "],
            ["L-2", "广州示例贸易有限公司", "13900139000", "NO-SUCH"],
            ["L-3", "北京无活动公司", "13700137000", ""]]
    run = upload(admin, csv_bytes(rows), "customers", policy="load_valid")
    assert run.mapping["活动代码"] == "campaign_code"
    assert _errors(run) == [(3, "campaign_code", "NO-SUCH", "No campaign has this code.")]
    run = run_now(admin, run)
    assert run.status == ImportStatus.COMPLETED
    assert Customer.objects.get(code="L-1").campaign == expo
    assert Customer.objects.get(code="L-3").campaign is None
    assert not Customer.objects.filter(code="L-2").exists()


def test_opportunity_import_sets_the_campaign_and_refuses_an_unknown_code(admin):
    webinar = CampaignFactory(code="WEBINAR-LOCK")
    customer = Customer.objects.create(code="C-9", name="Campaign Co", owner=admin)
    rows = [["客户编号", "商机名称", "预计金额", "活动编码"],
            ["C-9", "门锁更换项目", "50000", "WEBINAR-LOCK"],
            ["C-9", "摄像头项目", "8000", "SPRING-404"]]
    run = run_now(admin, upload(admin, csv_bytes(rows), "opportunities", policy="load_valid"))
    assert _errors(run) == [(3, "campaign_code", "SPRING-404", "No campaign has this code.")]
    assert Opportunity.objects.get(customer=customer, name="门锁更换项目").campaign == webinar
    assert not Opportunity.objects.filter(name="摄像头项目").exists()


HEADER = ["order_number", "order_date", "customer_code", "customer_name", "sku", "product_name", "quantity",
          "unit_price", "currency", "campaign_code"]
LINES = [["SO-1", "2026-03-05", "C-1", "字节跳动", "LOCK-1", "智能锁", "2", "1000", "CNY", "expo-sz"],
         ["SO-1", "2026-03-05", "C-1", "字节跳动", "CAM-1", "摄像头", "1", "100", "CNY", "expo-sz"],
         ["SO-2", "2026-03-06", "C-1", "字节跳动", "LOCK-1", "智能锁", "1", "1000", "CNY", "NO-SUCH"],
         ["SO-3", "2026-03-07", "C-1", "字节跳动", "LOCK-1", "智能锁", "1", "1000", "CNY", ""]]


@pytest.mark.parametrize("bulk", [False, True], ids=["rows", "bulk"])
def test_order_lines_carry_the_campaign_on_the_row_path_and_in_bulk(admin, settings, bulk):
    expo = CampaignFactory(code="EXPO-SZ")
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0 if bulk else 10**9
    run = upload(admin, csv_bytes([HEADER, *LINES]), "orders", policy="load_valid")
    assert run.method == (ImportMethod.BULK if bulk else ImportMethod.ROWS)
    assert _errors(run) == [(4, "campaign_code", "NO-SUCH", "No campaign has this code.")]
    run_now(admin, run)
    assert Order.objects.get(number="SO-1").campaign == expo
    assert Order.objects.get(number="SO-3").campaign is None
    assert not Order.objects.filter(number="SO-2").exists()
