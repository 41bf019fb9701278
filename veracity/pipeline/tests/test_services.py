import datetime as dt
from decimal import Decimal

import pytest
from freezegun import freeze_time

from veracity.audit.models import AuditEvent
from veracity.core.errors import (
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
    VersionConflict,
)
from veracity.pipeline.errors import StageInUse
from veracity.pipeline.models import Opportunity, OpportunityStageChange, PipelineStage, StageKind
from veracity.pipeline.services import (
    opportunity_create,
    opportunity_delete,
    opportunity_move,
    opportunity_transfer,
    opportunity_update,
    stage_create,
    stage_delete,
    stage_reorder,
    stage_update,
)
from veracity.pipeline.tests.factories import OpportunityFactory, customer_for, stage

pytestmark = pytest.mark.django_db


# --- create / update -------------------------------------------------------------------------


def test_rep_creates_opportunity_in_first_open_stage_owned_by_them(rep_li):
    customer = customer_for(rep_li)
    opportunity = opportunity_create(actor=rep_li, values={
        "name": "  Smart  locks ", "customer": customer.pk, "amount": "1200.50", "currency": "usd",
    })
    assert (opportunity.name, opportunity.owner, opportunity.currency) == ("Smart locks", rep_li, "USD")
    assert opportunity.amount == Decimal("1200.50")
    assert opportunity.stage == stage("Qualification")
    first = OpportunityStageChange.objects.get(opportunity=opportunity)
    assert first.from_stage is None and first.to_stage == stage("Qualification") and first.changed_by == rep_li
    event = AuditEvent.objects.get(object_type="pipeline.opportunity", object_id=str(opportunity.pk))
    assert event.action == "create" and event.changes["amount"] == [None, "1200.50"]


def test_rep_cannot_create_opportunity_for_another_reps_customer(rep_li, rep_bob):
    customer = customer_for(rep_bob)
    with pytest.raises(ValidationFailed) as caught:
        opportunity_create(actor=rep_li, values={"name": "X", "customer": customer.pk, "amount": "1"})
    assert set(caught.value.fields) == {"customer"}
    assert not Opportunity.objects.exists()


def test_negative_amount_and_unknown_currency_are_reported_per_field(rep_li):
    customer = customer_for(rep_li)
    with pytest.raises(ValidationFailed) as caught:
        opportunity_create(actor=rep_li, values={"name": "X", "customer": customer.pk, "amount": "-1",
                                                 "currency": "XYZ"})
    assert set(caught.value.fields) == {"amount", "currency"}


def test_system_creates_opportunity_for_the_customers_owner(rep_bob):
    customer = customer_for(rep_bob)
    opportunity = opportunity_create(actor=None, values={"name": "Imported", "customer": customer})
    assert opportunity.owner == rep_bob


def test_marketing_cannot_create_opportunities(marketing_ana, rep_li):
    customer = customer_for(rep_li)
    with pytest.raises(PermissionDenied):
        opportunity_create(actor=marketing_ana, values={"name": "X", "customer": customer.pk})
    assert not Opportunity.objects.exists()


def test_update_rejects_stage_owner_and_bookkeeping_fields(li_deal, rep_li):
    with pytest.raises(ValidationFailed) as caught:
        opportunity_update(actor=rep_li, opportunity=li_deal, values={"stage": stage("Won").pk, "owner": 1},
                           expected_version=1)
    assert set(caught.value.fields) == {"stage", "owner"}
    li_deal.refresh_from_db()
    assert li_deal.stage == stage("Qualification") and li_deal.version == 1


def test_update_needs_the_version_that_was_read(li_deal, rep_li):
    with pytest.raises(PreconditionRequired):
        opportunity_update(actor=rep_li, opportunity=li_deal, values={"name": "New"}, expected_version=None)
    with pytest.raises(VersionConflict):
        opportunity_update(actor=rep_li, opportunity=li_deal, values={"name": "New"}, expected_version=7)
    assert Opportunity.objects.get(pk=li_deal.pk).name == "Li's deal"


def test_a_won_opportunity_keeps_its_close_date(li_deal, rep_li):
    won = opportunity_move(actor=rep_li, opportunity=li_deal, stage=stage("Won"), position=0, expected_version=1)
    with pytest.raises(ValidationFailed) as caught:
        opportunity_update(actor=rep_li, opportunity=won, values={"closed_on": None}, expected_version=won.version)
    assert set(caught.value.fields) == {"closed_on"}


# --- move ------------------------------------------------------------------------------------


@freeze_time("2025-03-10 09:00:00+08:00")
def test_move_to_won_sets_closed_on_history_and_audit(li_deal, rep_li):
    moved = opportunity_move(actor=rep_li, opportunity=li_deal, stage=stage("Won"), position=0, expected_version=1)
    moved.refresh_from_db()
    assert moved.stage == stage("Won") and moved.closed_on == dt.date(2025, 3, 10) and moved.version == 2
    change = OpportunityStageChange.objects.get(opportunity=moved, from_stage__isnull=False)
    assert (change.from_stage, change.to_stage, change.changed_by) == (stage("Qualification"), stage("Won"), rep_li)
    event = AuditEvent.objects.get(action="stage_change")
    assert event.changes["stage"] == [stage("Qualification").pk, stage("Won").pk]
    assert event.extra["from"] == "Qualification" and event.extra["to"] == "Won"


def test_move_to_won_keeps_a_given_close_date(li_deal, rep_li):
    moved = opportunity_move(actor=rep_li, opportunity=li_deal, stage=stage("Won"), position=None,
                             expected_version=1, closed_on=dt.date(2025, 1, 2))
    assert Opportunity.objects.get(pk=moved.pk).closed_on == dt.date(2025, 1, 2)


def test_move_to_lost_without_reason_is_refused_and_nothing_changes(li_deal, rep_li):
    with pytest.raises(ValidationFailed) as caught:
        opportunity_move(actor=rep_li, opportunity=li_deal, stage=stage("Lost"), position=0, expected_version=1)
    assert caught.value.code == "lost_reason_required"
    li_deal.refresh_from_db()
    assert li_deal.stage == stage("Qualification") and li_deal.version == 1
    assert not OpportunityStageChange.objects.filter(from_stage__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="stage_change").exists()


def test_move_to_lost_with_reason_then_back_to_open_clears_closing_fields(li_deal, rep_li):
    lost = opportunity_move(actor=rep_li, opportunity=li_deal, stage=stage("Lost"), position=0, expected_version=1,
                            lost_reason="price", lost_note="Too dear")
    lost.refresh_from_db()
    assert lost.lost_reason == "price" and lost.closed_on is not None
    reopened = opportunity_move(actor=rep_li, opportunity=lost, stage=stage("Proposal"), position=0,
                                expected_version=lost.version)
    reopened.refresh_from_db()
    assert (reopened.closed_on, reopened.lost_reason, reopened.lost_note) == (None, "", "")
    assert OpportunityStageChange.objects.filter(opportunity=li_deal, from_stage__isnull=False).count() == 2


def test_stale_move_conflicts_and_changes_nothing(li_deal, rep_li):
    with pytest.raises(PreconditionFailed):
        opportunity_move(actor=rep_li, opportunity=li_deal, stage=stage("Proposal"), position=0,
                         expected_version=5, from_if_match=True)
    li_deal.refresh_from_db()
    assert li_deal.stage == stage("Qualification")
    assert not OpportunityStageChange.objects.exists()


def test_service_and_marketing_cannot_move(li_deal, marketing_ana, service_sam):
    for actor in (marketing_ana, service_sam):
        with pytest.raises(PermissionDenied):
            opportunity_move(actor=actor, opportunity=li_deal, stage=stage("Proposal"), position=0, expected_version=1)
    assert Opportunity.objects.get(pk=li_deal.pk).stage == stage("Qualification")


def test_move_reorders_the_target_column(rep_li):
    proposal = stage("Proposal")
    first = OpportunityFactory(owner=rep_li, stage=proposal, position=0, name="first")
    second = OpportunityFactory(owner=rep_li, stage=proposal, position=1, name="second")
    moving = OpportunityFactory(owner=rep_li, name="moving")
    opportunity_move(actor=rep_li, opportunity=moving, stage=proposal, position=1, expected_version=1)
    names = list(Opportunity.objects.filter(stage=proposal).order_by("position").values_list("name", flat=True))
    assert names == ["first", "moving", "second"]
    # Neighbours are re-numbered without a version bump: their data did not change.
    assert Opportunity.objects.get(pk=second.pk).version == 1 and Opportunity.objects.get(pk=first.pk).version == 1


def test_position_counts_only_the_cards_the_actor_sees(rep_li, rep_bob):
    proposal = stage("Proposal")
    OpportunityFactory(owner=rep_bob, stage=proposal, position=0, name="bob hidden")
    OpportunityFactory(owner=rep_li, stage=proposal, position=1, name="li visible")
    moving = OpportunityFactory(owner=rep_li, name="moving")
    opportunity_move(actor=rep_li, opportunity=moving, stage=proposal, position=1, expected_version=1)
    names = list(Opportunity.objects.filter(stage=proposal).order_by("position").values_list("name", flat=True))
    assert names == ["bob hidden", "li visible", "moving"]


def test_reorder_in_the_same_column_is_not_a_stage_change(rep_li):
    first = OpportunityFactory(owner=rep_li, position=0, name="first")
    OpportunityFactory(owner=rep_li, position=1, name="second")
    opportunity_move(actor=rep_li, opportunity=first, stage=first.stage, position=1, expected_version=1)
    assert not OpportunityStageChange.objects.exists()
    assert not AuditEvent.objects.filter(action="stage_change").exists()
    names = list(Opportunity.objects.order_by("position").values_list("name", flat=True))
    assert names == ["second", "first"]


# --- transfer / delete -----------------------------------------------------------------------


def test_manager_transfers_within_team_but_not_outside(li_deal, manager_mei, rep_lin, rep_bob):
    moved = opportunity_transfer(actor=manager_mei, opportunity=li_deal, owner=rep_lin, expected_version=1)
    assert Opportunity.objects.get(pk=moved.pk).owner == rep_lin
    assert AuditEvent.objects.filter(action="transfer", object_id=str(li_deal.pk)).exists()
    with pytest.raises(PermissionDenied):
        opportunity_transfer(actor=manager_mei, opportunity=moved, owner=rep_bob, expected_version=moved.version)
    assert Opportunity.objects.get(pk=moved.pk).owner == rep_lin


def test_delete_moves_opportunity_to_trash(li_deal, rep_li):
    opportunity_delete(actor=rep_li, opportunity=li_deal)
    assert not Opportunity.objects.filter(pk=li_deal.pk).exists()
    assert Opportunity.all_objects.get(pk=li_deal.pk).deleted_by == rep_li


# --- stages ----------------------------------------------------------------------------------


def test_admin_creates_stage_at_the_end_with_audit(admin):
    created = stage_create(actor=admin, values={"name": " Demo ", "name_zh": "演示", "probability": 40})
    assert created.name == "Demo" and created.position > stage("Lost").position and created.kind == StageKind.OPEN
    assert AuditEvent.objects.filter(object_type="pipeline.pipelinestage", action="create").exists()


def test_probability_must_be_between_0_and_100(admin):
    with pytest.raises(ValidationFailed) as caught:
        stage_create(actor=admin, values={"name": "X", "probability": 101})
    assert set(caught.value.fields) == {"probability"}


def test_non_admins_cannot_change_stages(manager_mei):
    with pytest.raises(PermissionDenied):
        stage_create(actor=manager_mei, values={"name": "X", "probability": 5})
    with pytest.raises(PermissionDenied):
        stage_delete(actor=manager_mei, stage=stage("Proposal"))


def test_stage_holding_opportunities_cannot_be_deleted(admin, li_deal):
    with pytest.raises(StageInUse) as caught:
        stage_delete(actor=admin, stage=stage("Qualification"))
    assert caught.value.code == "stage_in_use"
    assert PipelineStage.objects.filter(name="Qualification", is_active=True).exists()


def test_trashed_opportunities_still_hold_their_stage(admin, li_deal, rep_li):
    opportunity_delete(actor=rep_li, opportunity=li_deal)
    with pytest.raises(StageInUse) as caught:
        stage_delete(actor=admin, stage=stage("Qualification"))
    assert caught.value.code == "stage_in_use"


def test_unused_stage_is_deleted_and_a_stage_in_history_is_deactivated(admin, li_deal, rep_li):
    assert stage_delete(actor=admin, stage=stage("Needs analysis")) is True
    assert not PipelineStage.objects.filter(name="Needs analysis").exists()
    opportunity_move(actor=rep_li, opportunity=li_deal, stage=stage("Proposal"), position=0, expected_version=1)
    assert stage_delete(actor=admin, stage=stage("Qualification")) is False
    assert PipelineStage.objects.get(name="Qualification").is_active is False


def test_exactly_one_won_and_a_lost_stage_must_remain(admin):
    with pytest.raises(ValidationFailed) as caught:
        stage_create(actor=admin, values={"name": "Won again", "probability": 100, "kind": "won"})
    assert caught.value.code == "stage_set_invalid"
    with pytest.raises(ValidationFailed):
        stage_delete(actor=admin, stage=stage("Won"))
    with pytest.raises(ValidationFailed):
        stage_delete(actor=admin, stage=stage("Lost"))
    with pytest.raises(ValidationFailed):
        stage_update(actor=admin, stage=stage("Lost"), values={"kind": "open"})
    assert PipelineStage.objects.filter(kind="won").count() == 1 and PipelineStage.objects.filter(kind="lost").count() == 1


def test_stage_reorder_sets_positions(admin):
    ids = list(PipelineStage.objects.order_by("position").values_list("pk", flat=True))
    stage_reorder(actor=admin, stage_ids=list(reversed(ids)))
    assert list(PipelineStage.objects.order_by("position").values_list("pk", flat=True)) == list(reversed(ids))
    with pytest.raises(ValidationFailed):
        stage_reorder(actor=admin, stage_ids=ids[:2])
