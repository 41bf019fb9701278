"""Turning dashboard tables into cells and chart data for the templates."""

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


PAGE_ROWS = 25  # a page shows the first rows; the export has them all
# Columns that exports keep for scripts (stable keys such as "revenue", "aov") but people should not read:
# the page shows the translated label beside them instead.
PAGE_HIDDEN_COLUMNS = {"metric"}


def _shown(table) -> list[int]:
    return [index for index, column in enumerate(table.columns) if column.key not in PAGE_HIDDEN_COLUMNS]


@register.filter
def page_columns(table):
    """The columns a page shows (the export has them all)."""
    return [table.columns[index] for index in _shown(table)]


@register.filter
def table_rows(table):
    shown = _shown(table)
    rows = []
    for index, row in enumerate(table.rows[:PAGE_ROWS]):
        link = table.links[index] if index < len(table.links) else None
        cells = [{"text": _text(row[i]), "numeric": table.columns[i].kind != "text"} for i in shown]
        rows.append({"cells": cells, "link": link})
    return rows


def _change(value) -> dict:
    """A percentage change for a key-figure card: its text and which way it went."""
    if value is None:
        return {"text": "—", "direction": ""}
    number = Decimal(value)
    sign = "+" if number > 0 else ""
    return {"text": f"{sign}{number} %", "direction": "up" if number > 0 else "down" if number < 0 else ""}


@register.filter
def kpi_cards(table):
    """The key-figures table as cards: label, value, and the change against last year and the period before."""
    keys = [column.key for column in table.columns]
    cards = []
    for index, row in enumerate(table.rows):
        values = dict(zip(keys, row, strict=True))
        cards.append({
            "metric": values.get("metric"), "label": values.get("label"), "value": _text(values.get("current")),
            "last_year": _text(values.get("last_year")), "previous": _text(values.get("previous")),
            "vs_last_year": _change(values.get("vs_last_year")), "vs_previous": _change(values.get("vs_previous")),
            "percent": values.get("metric") == "margin_percent",
            "link": table.links[index] if index < len(table.links) else None,
        })
    return cards


def _cell_html(cell: dict, link: str | None) -> str:
    text = escape(cell["text"])
    if link:
        text = f'<a href="{escape(link)}">{text}</a>'
    return f'<td class="text-end">{text}</td>' if cell["numeric"] else f"<td>{text}</td>"


@register.filter
def table_body(table):
    """The <tr> rows of table_rows as HTML, every text and link escaped: the same markup the template loop
    wrote, built in Python because nested template loops (and format_html per cell) cost tens of
    milliseconds on a page of six tables."""
    return mark_safe("\n".join(  # noqa: S308 - every value above went through escape()
        "<tr>" + "".join(_cell_html(cell, row["link"] if index == 0 else None)
                         for index, cell in enumerate(row["cells"])) + "</tr>"
        for row in table_rows(table)))


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal | int | float):
        return float(value)
    return None


@register.simple_tag
def chart_data(table):
    """What dashboards.js draws: category labels, named series and one drill-down link per point."""
    hint = table.chart or {}
    keys = [column.key for column in table.columns]
    labels = {column.key: str(column.label) for column in table.columns}
    x_index = keys.index(hint.get("x", keys[0]))
    limit = None if hint.get("type") == "line" else PAGE_ROWS  # a time series is drawn whole
    rows = table.rows[:limit]
    return {
        "id": f"chart-{table.key}",
        "type": hint.get("type", "bar"),
        "categories": [_text(row[x_index]) for row in rows],
        "series": [{"name": labels[key], "data": [_number(row[keys.index(key)]) for row in rows]}
                   for key in hint.get("y", []) if key in keys],
        "links": list(table.links[:limit]),
    }
