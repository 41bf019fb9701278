"""The periodic review as an ordered list of sections. Each section builder takes a ReviewContext and
returns a ReviewSection (or None to leave it out). Other apps' figures join the review by adding a
builder with `review_section_register` — the forecast-vs-actual and data-quality sections are looked
up this way, so the review works whether or not those apps are installed."""

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from veracity.analytics.models import PeriodicReview, RfmSegment
from veracity.analytics.selectors.base import DashboardFilters, Table, change, money, percent
from veracity.analytics.selectors.customers import rfm_rows
from veracity.analytics.selectors.pipeline import pipeline_dashboard
from veracity.analytics.selectors.products import products_dashboard
from veracity.analytics.selectors.sales import sales_figures


@dataclass
class ReviewContext:
    user: Any                       # who the figures are computed for (the system reader for scheduled runs)
    period: str                     # "weekly" or "monthly"
    period_start: dt.date
    period_end: dt.date
    team: Any = None                # accounts.Team, or None for the whole company
    previous: PeriodicReview | None = None  # the last archived review of the same kind, for changes

    @property
    def filters(self) -> DashboardFilters:
        return DashboardFilters(date_from=self.period_start, date_to=self.period_end,
                                team=self.team.pk if self.team else None)


@dataclass
class ReviewSection:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)   # machine-readable figures (next review's "change")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _cell(value) -> str:
    if value is None:
        return "—"
    return str(value)


def table_section(key: str, title: str, table: Table, *, limit: int = 10, paragraphs=()) -> ReviewSection:
    return ReviewSection(key=key, title=title, paragraphs=list(paragraphs),
                         columns=[str(column.label) for column in table.columns],
                         rows=[[_cell(value) for value in row] for row in table.rows[:limit]])


def summary_section(ctx: ReviewContext) -> ReviewSection:
    now = sales_figures(user=ctx.user, filters=ctx.filters)
    before = sales_figures(user=ctx.user, filters=ctx.filters.previous())
    rows = [
        [_("Revenue"), _cell(money(now.revenue_cents)), _cell(money(before.revenue_cents)),
         _cell(percent(change(now.revenue_cents, before.revenue_cents)))],
        [_("Orders"), str(now.orders), str(before.orders), _cell(percent(change(now.orders, before.orders)))],
        [_("Average order value"), _cell(money(now.aov_cents)), _cell(money(before.aov_cents)),
         _cell(percent(change(now.aov_cents, before.aov_cents)))],
        [_("New customers"), str(now.new_customers), str(before.new_customers),
         _cell(percent(change(now.new_customers, before.new_customers)))],
    ]
    return ReviewSection("summary", _("Sales summary"),
                         columns=[_("Figure"), _("This period"), _("Previous period"), _("Change %")], rows=rows,
                         data={"revenue_cents": now.revenue_cents, "orders": now.orders})


def segments_section(ctx: ReviewContext) -> ReviewSection:
    """Customers per RFM segment now, and the change since the previous review of the same kind."""
    queryset = rfm_rows(user=ctx.user)
    if ctx.team is not None:
        queryset = queryset.filter(customer__owner__team=ctx.team)
    counts = dict(queryset.values("segment").annotate(n=Count("pk")).values_list("segment", "n"))
    before: dict[str, int] = {}
    if ctx.previous is not None:
        for section in ctx.previous.sections:
            if section.get("key") == "segments":
                before = section.get("data", {}).get("counts", {})
    labels = dict(RfmSegment.choices)
    rows = []
    for segment in sorted(counts, key=lambda key: -counts[key]):
        delta = counts[segment] - before.get(segment, 0) if before else None
        rows.append([str(labels.get(segment, segment)), str(counts[segment]),
                     "—" if delta is None else f"{delta:+d}"])
    return ReviewSection("segments", _("Top customer segments"), columns=[_("Segment"), _("Customers"),
                                                                           _("Change since last review")],
                         rows=rows, data={"counts": counts})


def products_section(ctx: ReviewContext) -> ReviewSection:
    tables = products_dashboard(user=ctx.user, filters=ctx.filters)
    best = table_section("products", _("Best and worst products"), tables["best"], limit=5)
    worst = table_section("worst", "", tables["worst"], limit=5)
    best.rows += [["", "", "", "", "", "", ""]] + worst.rows if worst.rows else []
    best.paragraphs = [_("The five best sellers, then the five worst.")]
    return best


def pipeline_section(ctx: ReviewContext) -> ReviewSection:
    tables = pipeline_dashboard(user=ctx.user, filters=ctx.filters)
    summary = tables["summary"]
    section = ReviewSection("pipeline", _("Pipeline health"), columns=[_("Figure"), _("Value")],
                            rows=[[str(row[1]), _cell(row[2])] for row in summary.rows])
    slipping = tables["slipping"]
    if slipping.rows:
        section.paragraphs.append(_("%(count)s deals are past their expected close date.")
                                  % {"count": len(slipping.rows)})
    return section


def _rows_from(result) -> tuple[list[str], list[list[str]]]:
    """Columns and rows from whatever a section function of another app returns: a list of dicts,
    a dict, or an object with as_rows()/rows."""
    if hasattr(result, "as_rows"):
        result = result.as_rows()
    if isinstance(result, dict):
        return [_("Figure"), _("Value")], [[str(key), _cell(value)] for key, value in result.items()]
    rows = list(result or [])
    if rows and isinstance(rows[0], dict):
        columns = list(rows[0])
        return columns, [[_cell(row.get(column)) for column in columns] for row in rows]
    return [], [[_cell(value) for value in (row if isinstance(row, list | tuple) else [row])] for row in rows]


def _optional_section(key: str, title: str, module: str, function: str, **kwargs_for) -> Callable:
    def build(ctx: ReviewContext) -> ReviewSection | None:
        try:
            selector = getattr(importlib.import_module(module), function)
        except (ImportError, AttributeError):
            return ReviewSection(key, str(title), paragraphs=[_("Not available in this installation.")])
        kwargs = {name: getter(ctx) for name, getter in kwargs_for.items()}
        columns, rows = _rows_from(selector(user=ctx.user, team=ctx.team, **kwargs))
        return ReviewSection(key, str(title), columns=[str(column) for column in columns], rows=rows)
    return build


REVIEW_SECTIONS: list[tuple[str, Callable[[ReviewContext], ReviewSection | None]]] = [
    ("summary", summary_section),
    ("segments", segments_section),
    ("products", products_section),
    ("pipeline", pipeline_section),
    ("forecast", _optional_section(
        "forecast", gettext_lazy("Forecast vs actuals"), "veracity.forecasting.selectors", "forecast_vs_actual",
        period_start=lambda ctx: ctx.period_start, period_end=lambda ctx: ctx.period_end)),
    ("quality", _optional_section(
        "quality", gettext_lazy("Data-quality trend"), "veracity.quality.selectors", "quality_trend",
        days=lambda ctx: 90)),
]


def review_section_register(key: str, builder: Callable[[ReviewContext], ReviewSection | None], *,
                            after: str | None = None) -> None:
    """Add (or replace) a section; `after` names the section it follows (default: at the end)."""
    existing = [index for index, (name, _b) in enumerate(REVIEW_SECTIONS) if name == key]
    if existing:
        REVIEW_SECTIONS[existing[0]] = (key, builder)
        return
    position = len(REVIEW_SECTIONS)
    if after is not None:
        position = next((index + 1 for index, (name, _b) in enumerate(REVIEW_SECTIONS) if name == after), position)
    REVIEW_SECTIONS.insert(position, (key, builder))


def review_sections_build(ctx: ReviewContext) -> list[ReviewSection]:
    sections = []
    for _key, builder in REVIEW_SECTIONS:
        section = builder(ctx)
        if section is not None:
            sections.append(section)
    return sections
