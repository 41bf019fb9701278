"""A merged-away record in the trash: a plain restore would bring it back without the contacts, orders, …
that moved to the survivor, so the trash refuses it and points to the merge's undo, which is exact."""

import pytest
from django.urls import reverse

from tests.security.world import build_world, data_fingerprint
from veracity.customers.models import Customer
from veracity.dedup import services
from veracity.dedup.tests.test_services import full_rows, twin
from veracity.workspace import selectors as trash_selectors
from veracity.workspace import services as trash_services
from veracity.workspace.errors import RestoreConflict

pytestmark = pytest.mark.django_db


def _merged(admin, rep_li, rep_bob):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    other = twin(world, rep_li)
    merge = services.record_merge(actor=admin, survivor=world.customer, loser=other)
    return world, other, merge


def test_restoring_a_merged_away_customer_is_refused_and_points_to_undo(admin, rep_li, rep_bob):
    world, other, _merge = _merged(admin, rep_li, rep_bob)
    entry = next(e for e in trash_selectors.trash_entries(user=admin) if e.root.pk == other.pk)
    assert entry.merged_into.pk == world.customer.pk
    before = full_rows()
    with pytest.raises(RestoreConflict) as raised:
        trash_services.trash_restore(actor=admin, deletion_id=entry.deletion_id)
    assert "merged into" in raised.value.problems[0] and "Undo" in raised.value.problems[0]
    assert full_rows() == before
    assert Customer.all_objects.get(pk=other.pk).is_deleted


def test_the_trash_page_shows_the_survivor_instead_of_a_restore_button(admin, rep_li, rep_bob, web_client_for):
    world, other, _merge = _merged(admin, rep_li, rep_bob)
    page = web_client_for(admin).get(reverse("workspace:trash")).content.decode()
    assert f"Merged into {world.customer.name}" in page
    assert reverse("dedup:cluster_list") in page


def test_after_undo_the_record_is_back_with_its_relations_and_out_of_the_trash(admin, rep_li, rep_bob):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    other = twin(world, rep_li)
    before = data_fingerprint()
    merge = services.record_merge(actor=admin, survivor=world.customer, loser=other)
    services.merge_undo(actor=admin, merge=merge)
    assert data_fingerprint() == before
    assert not [e for e in trash_selectors.trash_entries(user=admin) if e.root.pk == other.pk]
