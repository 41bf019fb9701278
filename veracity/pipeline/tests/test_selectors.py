from decimal import Decimal

import pytest

from veracity.pipeline import selectors
from veracity.pipeline.models import PipelineStage
from veracity.pipeline.selectors import OpportunityFilters, board
from veracity.pipeline.tests.factories import OpportunityFactory, stage

pytestmark = pytest.mark.django_db


def _column(columns, name):
    return next(column for column in columns if column.stage.name == name)


def test_board_sums_per_currency_and_weights_by_probability(manager_mei, rep_li, rep_lin):
    proposal = stage("Proposal")  # 50 %
    OpportunityFactory(owner=rep_li, stage=proposal, amount=Decimal("100.00"), currency="CNY")
    OpportunityFactory(owner=rep_lin, stage=proposal, amount=Decimal("300.01"), currency="CNY")
    OpportunityFactory(owner=rep_li, stage=proposal, amount=Decimal("10.00"), currency="USD")
    column = _column(board(user=manager_mei), "Proposal")
    assert column.count == 3 and len(column.cards) == 3
    assert [(t.currency, t.amount) for t in column.totals] == [("CNY", Decimal("400.01")), ("USD", Decimal("10.00"))]
    assert [(t.currency, t.amount) for t in column.weighted] == [("CNY", Decimal("200.01")), ("USD", Decimal("5.00"))]


def test_board_is_scoped_and_filtered(rep_li, rep_bob):
    OpportunityFactory(owner=rep_li, name="Mine")
    OpportunityFactory(owner=rep_bob, name="Bob's")
    OpportunityFactory(owner=rep_li, name="Other mine")
    columns = board(user=rep_li, filters=OpportunityFilters(q="other"))
    assert [card.name for card in _column(columns, "Qualification").cards] == ["Other mine"]
    assert _column(columns, "Qualification").count == 1


def test_board_has_one_column_per_active_stage_in_order(rep_li):
    PipelineStage.objects.filter(name="Needs analysis").update(is_active=False)
    names = [column.stage.name for column in board(user=rep_li)]
    assert names == ["Qualification", "Proposal", "Negotiation", "Won", "Lost"]


def test_board_renders_at_most_the_card_limit_but_counts_all(rep_li, monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_CARD_LIMIT", 2)
    OpportunityFactory.create_batch(3, owner=rep_li)
    column = _column(board(user=rep_li), "Qualification")
    assert (column.count, len(column.cards), column.more) == (3, 2, 1)


def test_customer_opportunity_list_needs_a_visible_customer(rep_li, rep_bob, li_deal, bob_deal):
    assert list(selectors.customer_opportunity_list(user=rep_li, customer_id=li_deal.customer_id)) == [li_deal]
    with pytest.raises(selectors.NotFound):
        selectors.customer_opportunity_list(user=rep_li, customer_id=bob_deal.customer_id)
