import pytest

from veracity.core.errors import NotFound, PermissionDenied
from veracity.customers.selectors import (
    ContactFilters,
    CustomerFilters,
    contact_get,
    contact_list,
    customer_get,
    customer_list,
    tag_list,
)
from veracity.customers.services import customer_delete
from veracity.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


def _names(queryset):
    return [customer.name for customer in queryset]


def test_rep_sees_only_own_customers(rep_li, rep_lin):
    CustomerFactory(owner=rep_li, name="李的客户")
    CustomerFactory(owner=rep_lin, name="林的客户")
    assert _names(customer_list(user=rep_li)) == ["李的客户"]


def test_manager_sees_team_north_but_not_south(manager_mei, rep_li, rep_lin, rep_bob):
    CustomerFactory(owner=rep_li, name="A 北")
    CustomerFactory(owner=rep_lin, name="B 北")
    CustomerFactory(owner=rep_bob, name="C 南")
    assert _names(customer_list(user=manager_mei)) == ["A 北", "B 北"]


def test_read_only_roles_see_everything_but_cannot_list_for_edit(marketing_ana, auditor_aud, rep_li, rep_bob):
    CustomerFactory(owner=rep_li)
    CustomerFactory(owner=rep_bob)
    assert customer_list(user=marketing_ana).count() == 2
    assert customer_list(user=auditor_aud).count() == 2
    with pytest.raises(PermissionDenied):
        customer_list(user=marketing_ana, action="edit")


def test_customer_outside_scope_is_not_found(rep_li, rep_bob):
    customer = CustomerFactory(owner=rep_li)
    assert customer_get(user=rep_li, pk=customer.pk) == customer
    with pytest.raises(NotFound):
        customer_get(user=rep_bob, pk=customer.pk)


def test_trashed_customers_and_their_contacts_are_hidden(admin):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    customer_delete(actor=admin, customer=customer)
    assert not customer_list(user=admin).exists()
    with pytest.raises(NotFound):
        contact_get(user=admin, pk=contact.pk)


@pytest.mark.parametrize("query", [
    "+8613800138000", "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000",
    "0086 13800138000", "(+86) 138-0013-8000", "１３８ ００１３ ８０００", "0013 8000", "138001",
])
def test_phone_search_in_any_format_and_partial(admin, query):
    CustomerFactory(name="字节跳动", phone="+8613800138000")
    CustomerFactory(name="腾讯", phone="+8613912345678")
    assert _names(customer_list(user=admin, filters=CustomerFilters(q=query))) == ["字节跳动"]


def test_landline_search_with_leading_zero_area_code(admin):
    CustomerFactory(name="北京公司", phone="+861062551234")
    assert _names(customer_list(user=admin, filters=CustomerFilters(q="010-6255 1234"))) == ["北京公司"]


@pytest.mark.parametrize("query", ["zjtd", "ZJTD", "zijietiaodong", "zijie", "字节", "BD-001", "bd-0",
                                   "91110108551385082Q", "hello@bytedance"])
def test_search_by_pinyin_initials_name_code_credit_code_and_email(admin, query):
    CustomerFactory(name="字节跳动", code="BD-001", credit_code="91110108551385082Q", email="hello@bytedance.com")
    CustomerFactory(name="腾讯", code="TX-001")
    assert _names(customer_list(user=admin, filters=CustomerFilters(q=query))) == ["字节跳动"]


def test_search_finds_a_customer_by_its_contact(admin):
    customer = CustomerFactory(name="字节跳动")
    ContactFactory(customer=customer, name="张一鸣", mobile="+8613711112222")
    CustomerFactory(name="腾讯")
    assert _names(customer_list(user=admin, filters=CustomerFilters(q="张一鸣"))) == ["字节跳动"]
    assert _names(customer_list(user=admin, filters=CustomerFilters(q="137 1111 2222"))) == ["字节跳动"]


def test_search_does_not_leak_other_reps_customers(rep_bob, rep_li):
    CustomerFactory(owner=rep_li, name="字节跳动", phone="+8613800138000")
    assert not customer_list(user=rep_bob, filters=CustomerFilters(q="13800138000")).exists()


def test_filters_and_sorting(admin, rep_li):
    north = CustomerFactory(name="甲", province="浙江省", city="杭州市", industry="technology", lifecycle_status="customer")
    north.tags.add(TagFactory(name="VIP"))
    CustomerFactory(name="乙", province="广东省", kind="person", owner=rep_li)
    assert _names(customer_list(user=admin, filters=CustomerFilters(province="浙江省"))) == ["甲"]
    assert _names(customer_list(user=admin, filters=CustomerFilters(city="杭州市"))) == ["甲"]
    assert _names(customer_list(user=admin, filters=CustomerFilters(tag="VIP"))) == ["甲"]
    assert _names(customer_list(user=admin, filters=CustomerFilters(industry="technology"))) == ["甲"]
    assert _names(customer_list(user=admin, filters=CustomerFilters(lifecycle_status="customer"))) == ["甲"]
    assert _names(customer_list(user=admin, filters=CustomerFilters(kind="person"))) == ["乙"]
    assert _names(customer_list(user=admin, filters=CustomerFilters(owner=rep_li.pk))) == ["乙"]
    codes = [c.code for c in customer_list(user=admin, filters=CustomerFilters(sort="-code"))]
    assert codes == sorted(codes, reverse=True)
    # An unknown sort falls back to name instead of failing or leaking a field.
    assert customer_list(user=admin, filters=CustomerFilters(sort="owner__password")).count() == 2


def test_contacts_follow_their_customers_owner(rep_li, rep_bob, manager_mei):
    ContactFactory(customer=CustomerFactory(owner=rep_li), name="王芳")
    ContactFactory(customer=CustomerFactory(owner=rep_bob), name="Bob's contact")
    assert [c.name for c in contact_list(user=rep_li)] == ["王芳"]
    assert [c.name for c in contact_list(user=manager_mei)] == ["王芳"]
    assert [c.name for c in contact_list(user=rep_bob, filters=ContactFilters(q="王"))] == []


def test_tag_list_requires_customer_view(rep_li):
    TagFactory(name="VIP")
    assert [tag.name for tag in tag_list(user=rep_li)] == ["VIP"]


def test_search_through_contacts_keeps_the_scope_and_skips_trashed_contacts(rep_li, rep_bob, admin):
    mine = CustomerFactory(owner=rep_li, name="字节跳动")
    ContactFactory(customer=mine, name="张一鸣")
    gone = ContactFactory(customer=CustomerFactory(name="腾讯"), name="张一鸣二")
    gone.deleted_at = gone.created_at
    gone.save(update_fields=["deleted_at"])
    assert _names(customer_list(user=admin, filters=CustomerFilters(q="张一鸣"))) == ["字节跳动"]
    assert not customer_list(user=rep_bob, filters=CustomerFilters(q="张一鸣")).exists()


def test_search_matching_more_contacts_than_are_listed_still_finds_their_customers(admin, monkeypatch):
    monkeypatch.setattr("veracity.customers.selectors.CONTACT_MATCHES_LISTED", 1)
    for name in ("甲公司", "乙公司"):
        ContactFactory(customer=CustomerFactory(name=name), name="王经理")
    CustomerFactory(name="丙公司")
    assert _names(customer_list(user=admin, filters=CustomerFilters(q="王经理"))) == ["乙公司", "甲公司"]


@pytest.mark.parametrize("term", ["深圳物流", "shenzhenwuliu", "szwl", "13800012345", "SC0001", "王经理"])
def test_search_condition_on_postgresql_is_served_by_indexes_term_by_term(term):
    from django.db import connection

    from veracity.customers.models import Customer
    from veracity.customers.selectors import _customer_search_q

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm indexes exist on PostgreSQL only (customers migration 0004)")
    ContactFactory(customer=CustomerFactory(name="深圳物流有限公司"), name="王经理")
    queryset = Customer.all_objects.filter(_customer_search_q(term))
    with connection.cursor() as cursor:
        # A handful of rows: leave the planner only bitmap scans. It can use them for an OR only when
        # every term has an index; otherwise it falls back to the (disabled) sequential scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "BitmapOr" in plan and "_trgm" in plan and "Seq Scan" not in plan, plan


def test_search_results_keep_the_chosen_sort(admin):
    for name in ("深圳物流乙", "深圳物流甲", "深圳物流丙", "北京科技"):
        CustomerFactory(name=name)
    ascending = _names(customer_list(user=admin, filters=CustomerFilters(q="深圳物流")))
    assert ascending == sorted(ascending) and len(ascending) == 3
    descending = _names(customer_list(user=admin, filters=CustomerFilters(q="深圳物流", sort="-name")))
    assert descending == sorted(ascending, reverse=True)
