"""The money rules of an order, in one place. Pure functions over Decimals: no database, no currency
conversion. Every amount here is in the order's own currency; different currencies are never added."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from veracity.core.money import CENT

HUNDRED = Decimal("100")


def line_net(*, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """quantity × unit price × (1 − discount/100), rounded half-up to the cent once, at the end."""
    gross = quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PricedLine:
    quantity: Decimal
    net_amount: Decimal
    unit_cost: Decimal | None


@dataclass(frozen=True)
class OrderTotals:
    total_amount: Decimal
    cost_total: Decimal | None


def order_totals(lines: Iterable[PricedLine]) -> OrderTotals:
    """The order total is the sum of the line nets; the cost total is Σ quantity × unit cost, or None
    as soon as one line's cost is unknown (a partial cost would overstate the margin)."""
    lines = list(lines)
    if any(line.unit_cost is None for line in lines):
        cost = None
    else:
        cost = order_cost_total((line.quantity, line.unit_cost) for line in lines)
    return OrderTotals(total_amount=order_total(line.net_amount for line in lines), cost_total=cost)


def order_total(nets: Iterable[Decimal]) -> Decimal:
    """The sum of the line nets (each already rounded to the cent). Bulk imports sum the same nets
    as exact decimals in Polars, which is this function over a column."""
    return sum(nets, Decimal("0.00")).quantize(CENT)


def order_cost_total(quantities_and_costs: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ quantity × unit cost, rounded half-up to the cent once."""
    return sum((quantity * cost for quantity, cost in quantities_and_costs), Decimal("0")).quantize(
        CENT, rounding=ROUND_HALF_UP)


def to_reporting(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount in the order's currency converted with the rate fixed on the order."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
