"""A Python function of a column's values, called once per distinct value for a whole import.

An import cleans a million cells with the same per-value functions a form uses (the entry rules,
the order-number and SKU keys). Calling them once per distinct value is what makes that affordable;
this module also keeps the function's *answers* as a Polars frame that grows batch by batch, so a batch
only converts its new values between Python and Polars and finds the rest with one join. Before, every
batch walked all of its distinct values in Python (a dict lookup each) and rebuilt a mapping: most of
a large dry run's time on the customer columns, whose values repeat from batch to batch."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import polars as pl

# new distinct keys -> "known" (Boolean) and the answer's columns (see per_distinct)
Shortcut = Callable[[pl.DataFrame], pl.DataFrame]


def matching_shortcut(pattern: str, answer: dict[str, pl.Expr], *, limit: int | None = None) -> Shortcut:
    """A shortcut that knows the keys whose "raw" matches `pattern` (Polars' regular expressions) and has
    at most `limit` characters, and answers them with `answer`'s expressions (column → expression)."""
    raw = pl.col("raw")

    def shortcut(new: pl.DataFrame) -> pl.DataFrame:
        known = raw.str.contains(pattern)
        if limit:
            known = known & (raw.str.len_chars() <= limit)
        return new.select(known.alias("known"), *(expression.alias(name) for name, expression in answer.items()))
    return shortcut


def per_distinct(keys: pl.DataFrame, compute: Callable[..., tuple[Any, ...]], *, schema: dict[str, pl.DataType],
                 memo: dict, memo_key: Hashable, shortcut: Shortcut | None = None) -> pl.DataFrame:
    """The `schema` columns of `compute(*key)` for every row of `keys` (one column per argument), in
    `keys`' order. `compute` runs once per distinct key for as long as `memo` lives (an import); the
    answers are kept in `memo[memo_key]`. Null keys are keys like any other.

    `shortcut`, when given, answers in Polars the keys whose answer is known without calling `compute`
    (a value already in the form `compute` would put it in): it gets the new distinct keys and returns,
    row for row, a Boolean "known" column and the `schema` columns (read only where "known" is true).
    It must give exactly what `compute` gives for those keys; its tests prove that on generated values."""
    on = keys.columns
    # Only `compute`'s answers are kept: the shortcut's are cheaper to give again than to keep. Kept, they
    # made the memo grow by every new value (every order number of the file, ~200,000 for the 1M-line
    # benchmark), and each batch's two joins walked all of it.
    known: pl.DataFrame | None = memo.get(memo_key)
    distinct = keys.unique()
    new = distinct if known is None else distinct.join(known.select(on), on=on, how="anti", nulls_equal=True)
    parts = [] if known is None else [known]
    if shortcut is not None and new.height:
        answered = shortcut(new)
        quick = answered.get_column("known").fill_null(False)
        if quick.any():
            parts.append(pl.concat([new.filter(quick), answered.filter(quick).select(
                [pl.col(name).cast(dtype) for name, dtype in schema.items()])], how="horizontal"))
            new = new.filter(~quick)
    if new.height:
        computed = pl.concat([new, pl.DataFrame([compute(*key) for key in new.iter_rows()], schema=schema,
                                                orient="row")], how="horizontal")
        memo[memo_key] = computed if known is None else pl.concat([known, computed])
        parts.append(computed)
    if not parts:  # no keys at all
        return pl.DataFrame(schema=schema)
    answers = parts[0] if len(parts) == 1 else pl.concat(parts)
    return keys.join(answers, on=on, how="left", nulls_equal=True, maintain_order="left").select(list(schema))
