import pytest
from django.urls import reverse

from veracity.activities.tests.factories import make_contact, make_customer, make_opportunity, make_order
from veracity.catalog.tests.factories import ProductFactory
from veracity.workspace import selectors

pytestmark = pytest.mark.django_db


def _labels(groups, key):
    return [hit.label for group in groups if group.key == key for hit in group.items]


@pytest.fixture
def bytedance(rep_li):
    return make_customer(rep_li, name="字节跳动", code="BD-001", name_pinyin="zijietiaodong", name_initials="zjtd",
                         phone="+8613800138000", email="bd@example.cn")


@pytest.mark.parametrize("query", ["+86 138-0013-8000", "13800138000", "8613800138000", "0086 138 0013 8000",
                                   "138 0013", "(138) 0013-8000", "38000"])
def test_phone_in_any_format_finds_customer(rep_li, bytedance, query):
    assert _labels(selectors.global_search(user=rep_li, query=query), "customers") == ["字节跳动"]


@pytest.mark.parametrize("query", ["zjtd", "ZJTD", "zijie", "zi jie tiao dong", "字节", "bd-001", "bd@example"])
def test_name_pinyin_initials_code_and_email_find_customer(rep_li, bytedance, query):
    assert _labels(selectors.global_search(user=rep_li, query=query), "customers") == ["字节跳动"]


def test_unrelated_digits_do_not_match(rep_li, bytedance):
    assert _labels(selectors.global_search(user=rep_li, query="139 9999"), "customers") == []


def test_contacts_found_by_mobile_and_pinyin(rep_li, bytedance):
    make_contact(bytedance, name="张伟", name_pinyin="zhangwei", name_initials="zw", mobile="+8613911112222")
    assert _labels(selectors.global_search(user=rep_li, query="139-1111-2222"), "contacts") == ["张伟"]
    assert _labels(selectors.global_search(user=rep_li, query="zw"), "contacts") == ["张伟"]


def test_rep_bob_never_sees_north_records(rep_bob, rep_li, bytedance):
    make_contact(bytedance, name="张伟", mobile="+8613911112222")
    make_order(bytedance, number="SO-BD-1")
    make_opportunity(bytedance, name="BD renewal")
    for query in ("字节", "13800138000", "张伟", "SO-BD", "BD renewal", "zjtd"):
        groups = selectors.global_search(user=rep_bob, query=query)
        assert all(not group.items for group in groups if group.key != "products"), query


def test_orders_opportunities_and_products_found(rep_li, bytedance):
    make_order(bytedance, number="SO-2026-7")
    make_opportunity(bytedance, name="云服务扩容")
    product = ProductFactory(sku="CLOUD-1", name="云服务器")
    assert _labels(selectors.global_search(user=rep_li, query="SO-2026"), "orders") == ["SO-2026-7"]
    assert _labels(selectors.global_search(user=rep_li, query="云服务"), "opportunities") == ["云服务扩容"]
    groups = selectors.global_search(user=rep_li, query="cloud-1")
    hits = [hit for group in groups if group.key == "products" for hit in group.items]
    assert hits[0].url == reverse("catalog:product_detail", args=[product.pk])


def test_htmx_fragment_escapes_html(web_client_for, rep_li):
    make_customer(rep_li, name="<script>alert(1)</script>公司")
    response = web_client_for(rep_li).get(reverse("workspace:search"), {"q": "公司"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;公司" in html and "<script>alert" not in html
    assert "<html" not in html  # a fragment, not a page


def test_full_results_page_without_htmx(web_client_for, rep_li, bytedance):
    response = web_client_for(rep_li).get(reverse("workspace:search"), {"q": "zjtd"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "字节跳动" in html


def test_search_api(api_client_for, rep_li, rep_bob, bytedance):
    body = api_client_for(rep_li).get("/api/v1/search", {"q": "+86 138 0013 8000"}).json()
    assert [group["key"] for group in body] == ["customers"]
    assert body[0]["items"][0]["label"] == "字节跳动"
    assert api_client_for(rep_bob).get("/api/v1/search", {"q": "13800138000"}).json() == []


def test_one_character_latin_query_returns_nothing(rep_li, bytedance):
    assert selectors.global_search(user=rep_li, query="z") == []
