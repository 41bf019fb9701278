import pytest

from veracity.pipeline.tests.factories import OpportunityFactory


@pytest.fixture
def li_deal(rep_li):
    return OpportunityFactory(owner=rep_li, name="Li's deal")


@pytest.fixture
def bob_deal(rep_bob):
    return OpportunityFactory(owner=rep_bob, name="Bob's deal")
