"""First/last touch and the report's arithmetic on hand-written histories (no database)."""

import datetime as dt
from decimal import Decimal

from veracity.marketing.attribution import (
    FIRST_TOUCH,
    LAST_TOUCH,
    CampaignRow,
    LeadRow,
    OrderRow,
    Touch,
    campaign_report_compute,
    revenue_by_campaign,
    touch_for_order,
    touches_sorted,
)

D = dt.date
EXPO, WEBINAR, SEARCH = 1, 2, 3
# Customer 10: lead from the expo (Jan 5), an opportunity from the webinar (Feb 1), an order on
# Mar 1 without a campaign, then an order on Apr 1 carrying the search campaign.
HISTORY = [
    Touch(10, WEBINAR, D(2026, 2, 1), "opportunity", 100),
    Touch(10, EXPO, D(2026, 1, 5), "lead", 10),
    Touch(10, SEARCH, D(2026, 4, 1), "order", 501),
]
MARCH = OrderRow(500, 10, D(2026, 3, 1), Decimal("1000.00"))
APRIL = OrderRow(501, 10, D(2026, 4, 1), Decimal("400.00"), campaign_id=SEARCH)


def test_touches_are_in_time_order():
    assert [touch.campaign_id for touch in touches_sorted(HISTORY)] == [EXPO, WEBINAR, SEARCH]


def test_first_touch_credits_the_lead_campaign_for_every_order():
    touches = touches_sorted(HISTORY)
    assert touch_for_order(touches, MARCH, FIRST_TOUCH).campaign_id == EXPO
    assert touch_for_order(touches, APRIL, FIRST_TOUCH).campaign_id == EXPO


def test_last_touch_credits_the_latest_touch_up_to_the_order():
    touches = touches_sorted(HISTORY)
    assert touch_for_order(touches, MARCH, LAST_TOUCH).campaign_id == WEBINAR   # the April order is later
    assert touch_for_order(touches, APRIL, LAST_TOUCH).campaign_id == SEARCH    # its own campaign


def test_an_order_before_any_touch_is_unattributed():
    early = OrderRow(499, 10, D(2026, 1, 1), Decimal("50.00"))
    assert touch_for_order(touches_sorted(HISTORY), early, LAST_TOUCH) is None
    assert revenue_by_campaign(HISTORY, [early], FIRST_TOUCH) == {}


def test_revenue_by_campaign_under_each_model():
    assert revenue_by_campaign(HISTORY, [MARCH, APRIL], FIRST_TOUCH) == {EXPO: Decimal("1400.00")}
    assert revenue_by_campaign(HISTORY, [MARCH, APRIL], LAST_TOUCH) == {WEBINAR: Decimal("1000.00"),
                                                                        SEARCH: Decimal("400.00")}


def test_report_computes_cpa_and_roi_by_hand():
    # Expo cost 500, two leads in Q1, one converts (first order in March): last-touch revenue 0,
    # first-touch revenue 1000. Webinar cost 200: last-touch revenue 1000 -> ROI (1000-200)/200 = 4.
    campaigns = [CampaignRow(EXPO, "EXPO", "Expo", "exhibition", Decimal("500.00")),
                 CampaignRow(WEBINAR, "WEB", "Webinar", "webinar", Decimal("200.00"))]
    leads = [LeadRow(10, EXPO, D(2026, 1, 5)), LeadRow(11, EXPO, D(2026, 2, 9))]
    per_campaign, channels = campaign_report_compute(
        campaigns=campaigns, leads=leads, touches=HISTORY, orders=[MARCH, APRIL],
        first_orders={10: D(2026, 3, 1)}, date_from=D(2026, 1, 1), date_to=D(2026, 3, 31), model=LAST_TOUCH)
    webinar, expo = per_campaign  # ranked by return: the webinar first
    assert (webinar.key, webinar.revenue, webinar.return_on_spend) == ("WEB", Decimal("1000.00"), Decimal("4.0000"))
    assert webinar.cost_per_acquisition is None  # no conversions credited to it
    assert (expo.leads, expo.conversions) == (2, 1)
    assert expo.cost_per_acquisition == Decimal("500.00")
    assert expo.revenue_first == Decimal("1000.00") and expo.revenue_last == Decimal("0")
    assert expo.return_on_spend == Decimal("-1.0000")
    assert {line.key: line.revenue_last for line in channels} == {"webinar": Decimal("1000.00"),
                                                                  "exhibition": Decimal("0")}


def test_first_touch_model_ranks_by_first_touch_revenue():
    campaigns = [CampaignRow(EXPO, "EXPO", "Expo", "exhibition", Decimal("500.00")),
                 CampaignRow(WEBINAR, "WEB", "Webinar", "webinar", Decimal("200.00"))]
    per_campaign, _channels = campaign_report_compute(
        campaigns=campaigns, leads=[], touches=HISTORY, orders=[MARCH], first_orders={},
        date_from=D(2026, 1, 1), date_to=D(2026, 3, 31), model=FIRST_TOUCH)
    assert [line.key for line in per_campaign] == ["EXPO", "WEB"]
    assert per_campaign[0].return_on_spend == Decimal("1.0000")  # (1000 - 500) / 500
