"""The keys the bulk checks make of order numbers, customer codes, SKUs and names are the same whether a value
goes through its Python function or is answered in Polars because it is already clean."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veracity.imports import parsing
from veracity.imports.bulk.checks import _distinct, order_key, sku_key
from veracity.standards.tests.test_text_shortcuts import MANY

USES = [(order_key, "upper"), (sku_key, "upper"), (lambda raw: parsing.clean(raw).upper(), "upper"),
        (parsing.clean, "same")]


@pytest.mark.parametrize(("function", "unchanged"), USES, ids=["order-number", "sku", "customer-code", "name"])
@settings(max_examples=200, deadline=None)
@given(values=MANY, nulls=st.integers(0, 2))
def test_answers_in_polars_equal_the_python_function(function, unchanged, values, nulls):
    series = pl.Series("cell", values + [None] * nulls, dtype=pl.String)
    quick = _distinct(series, function, {}, "t", unchanged=unchanged)
    assert quick.to_list() == _distinct(series, function, {}, "t").to_list()
    assert quick.to_list() == [function(value or "") for value in series.to_list()]


def test_clean_values_never_reach_the_python_function():
    calls = []

    def counted(raw):
        calls.append(raw)
        return order_key(raw)

    series = pl.Series("order_number", ["BO-1", "bo-2", " BO-3", "ＢＯ-4", "BO-1"])
    assert _distinct(series, counted, {}, "t", unchanged="upper").to_list() == ["BO-1", "BO-2", "BO-3", "ＢＯ-4", "BO-1"]
    assert sorted(calls) == [" BO-3", "ＢＯ-4"]
