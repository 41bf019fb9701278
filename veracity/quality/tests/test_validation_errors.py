"""The scorecard's "validation errors": every save the entry rules reject counts once for the user who
tried, whether it came from the web form, the API or an import."""

import pytest
from django.urls import reverse
from django.utils import timezone

from veracity.customers.models import Customer
from veracity.imports.tests.helpers import csv_bytes, upload
from veracity.quality.models import EntryRejection, EntrySource
from veracity.quality.scorecards import scorecard_compute

pytestmark = pytest.mark.django_db


def _errors(rep) -> int:
    return scorecard_compute(rep, f"{timezone.localdate():%Y-%m}").validation_errors


def test_a_rejected_form_save_counts_once_with_the_fields(rep_li, web_client_for):
    response = web_client_for(rep_li).post(reverse("customers:create"), {
        "name": "坏邮箱公司", "kind": "company", "email": "not-an-email", "phone": "12345", "country": "CN"})
    assert response.status_code == 200 and not Customer.objects.filter(name="坏邮箱公司").exists()
    rejection = EntryRejection.objects.get()
    assert (rejection.actor, rejection.entity, rejection.source) == (rep_li, "customer", EntrySource.FORM)
    assert rejection.fields == ["email"]  # the form stops at the e-mail it cannot parse
    assert _errors(rep_li) == 1


def test_a_rejected_api_save_counts_for_the_token_owner(rep_li, rep_bob, api_client_for):
    response = api_client_for(rep_li).post("/api/v1/customers", {"name": "坏邮箱公司", "email": "nope"},
                                           content_type="application/json")
    assert response.status_code == 422
    assert EntryRejection.objects.get().source == EntrySource.API
    assert (_errors(rep_li), _errors(rep_bob)) == (1, 0)


def test_a_good_save_and_a_page_view_count_nothing(rep_li, web_client_for, api_client_for):
    client = web_client_for(rep_li)
    client.get(reverse("customers:create"))
    api_client_for(rep_li).post("/api/v1/customers", {"name": "好公司", "email": "ok@example.com"},
                                content_type="application/json")
    assert not EntryRejection.objects.exists() and _errors(rep_li) == 0


def test_rejected_import_rows_count_once_per_row(manager_mei):
    rows = [["客户编号", "客户名称", "类型", "手机", "邮箱"],
            ["C-1", "好公司", "公司", "13800138000", ""],
            ["C-2", "坏数据公司", "公司", "12345", "not-an-email"]]  # one row, two bad cells
    upload(manager_mei, csv_bytes(rows), "customers")
    assert _errors(manager_mei) == 1


def test_all_three_paths_add_up(manager_mei, web_client_for, api_client_for):
    web_client_for(manager_mei).post(reverse("customers:create"), {"name": "甲", "kind": "company", "email": "x"})
    api_client_for(manager_mei).post("/api/v1/customers", {"name": "乙", "email": "y"},
                                     content_type="application/json")
    upload(manager_mei, csv_bytes([["客户编号", "客户名称", "邮箱"], ["C-9", "丙", "z"]]), "customers")
    assert _errors(manager_mei) == 3
