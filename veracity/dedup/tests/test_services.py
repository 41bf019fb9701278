import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.security.world import build_world, data_fingerprint
from veracity.activities.models import Activity
from veracity.core.errors import NotFound, PermissionDenied
from veracity.customers.models import Contact, Customer, Tag
from veracity.customers.tests.factories import ContactFactory, CustomerFactory
from veracity.dedup import selectors, services
from veracity.dedup.errors import MergeNotAllowed, MergeUndoConflict
from veracity.dedup.models import ClusterStatus, DuplicateCluster, Entity
from veracity.pipeline.models import Opportunity
from veracity.sales.models import Order


def full_rows():
    """Every column of every row the merge may touch: stricter than the sweep's fingerprint."""
    rows = {}
    for model in (Customer, Contact, Order, Opportunity, Activity):
        rows[model._meta.label] = list(model.all_objects.order_by("pk").values())
    rows["tags"] = list(Customer.tags.through.objects.order_by("pk").values())
    return rows


def twin(world, owner):
    """北京字节跳动科技有限公司: the world customer's duplicate, with its own order, contact and tag."""
    other = CustomerFactory(code="C-LI-2", name="北京字节跳动科技有限公司", owner=owner, phone="+8613800138000",
                            email="bytedance@example.com")
    other.tags.add(Tag.objects.create(name="VIP"))
    Order.objects.create(number="SO-LI-2", customer=other, order_date=dt.date(2026, 3, 6), salesperson=owner,
                         total_amount=Decimal("300.00"))
    ContactFactory(customer=other, name="李雷", is_primary=True)
    return other


def scan(admin):
    scan = services.scan_run_start(actor=admin, enqueue=False)
    return services.scan_run_execute(scan=scan)


@pytest.mark.django_db
def test_scan_groups_the_two_spellings_of_bytedance_with_an_explanation(admin, rep_li, rep_bob):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    other = twin(world, rep_li)
    scan(admin)
    cluster = DuplicateCluster.objects.get(entity=Entity.COMPANY)
    assert {m.customer_id for m in cluster.members.all()} == {world.customer.pk, other.pk}
    assert cluster.value == Decimal("500.00")
    fields = {item["field"]: item["level"] for item in cluster.pairs.get().explanation}
    assert fields["name"] == "exact" and fields["phone"] == "exact"
    assert all(item["weight"] > 0 for item in cluster.pairs.get().explanation if item["level"] == "exact")


@pytest.mark.django_db
def test_dismissed_pairs_never_come_back(admin, rep_li, rep_bob):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    twin(world, rep_li)
    scan(admin)
    services.cluster_dismiss(actor=admin, cluster=DuplicateCluster.objects.get(entity=Entity.COMPANY))
    scan(admin)
    assert not DuplicateCluster.objects.filter(entity=Entity.COMPANY, status=ClusterStatus.OPEN).exists()


@pytest.mark.django_db
def test_merge_moves_every_relation_and_undo_restores_the_base_exactly(admin, rep_li, rep_bob):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    other = twin(world, rep_li)
    before, rows_before = data_fingerprint(), full_rows()
    merge = services.record_merge(actor=admin, survivor=world.customer, loser=other,
                                  field_choices={"code": "loser", "email": "loser"})
    survivor = Customer.objects.get(pk=world.customer.pk)
    assert survivor.code == "C-LI-2" and survivor.email == "bytedance@example.com"
    assert Order.objects.filter(customer=survivor).count() == 2
    assert Contact.objects.filter(customer=survivor).count() == 2
    assert Contact.objects.filter(customer=survivor, is_primary=True).count() == 1  # the clash, resolved
    assert set(survivor.tags.values_list("name", flat=True)) == {"VIP"}
    loser = Customer.all_objects.get(pk=other.pk)
    assert loser.is_deleted and loser.merged_into_id == survivor.pk
    assert data_fingerprint() != before

    services.merge_undo(actor=admin, merge=merge)
    assert data_fingerprint() == before
    assert full_rows() == rows_before


@pytest.mark.django_db
def test_undo_refuses_when_the_survivor_changed_after_the_merge(admin, rep_li, rep_bob):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    merge = services.record_merge(actor=admin, survivor=world.customer, loser=twin(world, rep_li))
    Customer.objects.filter(pk=world.customer.pk).update(version=99)
    with pytest.raises(MergeUndoConflict):
        services.merge_undo(actor=admin, merge=merge)


@pytest.mark.django_db
def test_company_and_individual_cannot_be_merged(admin):
    company, person = CustomerFactory(), CustomerFactory(kind="person", name="王芳")
    with pytest.raises(MergeNotAllowed):
        services.record_merge(actor=admin, survivor=company, loser=person)


@pytest.mark.django_db
def test_reps_cannot_merge_and_managers_only_within_their_team(admin, rep_li, rep_bob, manager_mei):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    other = twin(world, rep_li)
    bobs = CustomerFactory(owner=rep_bob, name="字节跳动(北京)科技有限公司")
    before = full_rows()
    with pytest.raises(PermissionDenied):
        services.record_merge(actor=rep_li, survivor=world.customer, loser=other)
    with pytest.raises(NotFound):
        services.record_merge(actor=manager_mei, survivor=world.customer, loser=bobs)
    assert full_rows() == before
    services.record_merge(actor=manager_mei, survivor=world.customer, loser=other)


@pytest.mark.django_db
def test_reps_see_only_clusters_touching_their_own_customers(admin, rep_li, rep_lin, rep_bob, manager_mei):
    CustomerFactory(owner=rep_li, name="北京字节跳动科技有限公司", phone="+8613800138000")
    CustomerFactory(owner=rep_bob, name="字节跳动(北京)科技有限公司", phone="+8613800138000")
    scan(admin)
    assert selectors.cluster_list(user=rep_li).count() == 1
    assert selectors.cluster_list(user=rep_bob).count() == 1
    assert selectors.cluster_list(user=rep_lin).count() == 0
    views = selectors.cluster_views(user=rep_li, clusters=selectors.cluster_list(user=rep_li))
    assert views[0].hidden == 1  # Bob's customer is listed without its details
    assert selectors.cluster_list(user=manager_mei).count() == 1


@pytest.mark.django_db
def test_contacts_and_individuals_are_scanned_too(admin, rep_li):
    company = CustomerFactory(owner=rep_li)
    ContactFactory(customer=company, name="王芳", mobile="+8613900139000")
    ContactFactory(customer=company, name="王 芳", mobile="+8613900139000")
    CustomerFactory(owner=rep_li, kind="person", name="John Smith", phone="+8613700137000")
    CustomerFactory(owner=rep_li, kind="person", name="Smith, John", phone="+86 137 0013 7000")
    scan(admin)
    assert set(DuplicateCluster.objects.values_list("entity", flat=True)) == {Entity.CONTACT, Entity.PERSON}


@pytest.mark.django_db
def test_likely_duplicates_finds_the_existing_customer_at_entry_time(rep_li, rep_bob):
    existing = CustomerFactory(owner=rep_li, name="北京字节跳动科技有限公司", phone="+8613800138000")
    CustomerFactory(owner=rep_bob, name="字节跳动科技有限公司", phone="+8613800138000")
    found = selectors.likely_duplicates(user=rep_li, values={"name": "字节跳动（北京）科技有限公司",
                                                             "phone": "138 0013 8000"})
    assert [item.id for item in found] == [existing.pk]  # Bob's stays invisible to Li
    assert found[0].explanation[0]["weight"] > 0


@pytest.mark.django_db
def test_duplicates_created_by_counts_a_reps_newer_duplicates(admin, rep_li, rep_lin):
    CustomerFactory(owner=rep_lin, created_by=rep_lin, name="北京字节跳动科技有限公司", phone="+8613800138000",
                    created_at=timezone.now() - dt.timedelta(days=30))
    CustomerFactory(owner=rep_li, created_by=rep_li, name="字节跳动(北京)科技有限公司", phone="+8613800138000")
    scan(admin)
    start, end = timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=1)
    assert selectors.duplicates_created_by(rep_li, start, end) == 1
    assert selectors.duplicates_created_by(rep_lin, start, end) == 0
