from decimal import Decimal

from veracity.sales.pricing import PricedLine, line_net, order_totals, to_reporting


def test_line_net_rounds_half_up_once_at_the_end():
    # 3 × 33.35 × 0.95 = 95.0475 -> 95.05
    assert line_net(quantity=Decimal("3"), unit_price=Decimal("33.35"), discount_percent=Decimal("5")) == Decimal(
        "95.05")
    # 1 × 0.05 × 0.5 = 0.025 -> 0.03 (half-up, not banker's 0.02)
    assert line_net(quantity=Decimal("1"), unit_price=Decimal("0.05"), discount_percent=Decimal("50")) == Decimal(
        "0.03")


def test_full_discount_and_fractional_quantity():
    assert line_net(quantity=Decimal("2"), unit_price=Decimal("10"), discount_percent=Decimal("100")) == Decimal("0.00")
    assert line_net(quantity=Decimal("1.255"), unit_price=Decimal("10.00"), discount_percent=Decimal("0")) == Decimal(
        "12.55")


def test_order_total_is_the_sum_of_line_nets_and_cost_is_unknown_if_any_cost_is():
    known = [PricedLine(Decimal("2"), Decimal("190.00"), Decimal("60.00")),
             PricedLine(Decimal("1.5"), Decimal("15.01"), Decimal("3.33"))]
    totals = order_totals(known)
    assert totals.total_amount == Decimal("205.01")
    assert totals.cost_total == Decimal("125.00")  # 120 + 4.995 -> 125.00 (rounded once)
    unknown = order_totals([*known, PricedLine(Decimal("1"), Decimal("1.00"), None)])
    assert unknown.total_amount == Decimal("206.01") and unknown.cost_total is None


def test_to_reporting_rounds_half_up():
    assert to_reporting(Decimal("100.00"), Decimal("7.12345")) == Decimal("712.35")
