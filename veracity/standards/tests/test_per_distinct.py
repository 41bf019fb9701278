"""per_distinct: a Python function of a column, once per distinct value for as long as the memo lives."""

import polars as pl

from veracity.standards.per_distinct import per_distinct

SCHEMA = {"upper": pl.String, "length": pl.Int64}


def _counting(calls: list):
    def compute(raw, region):
        calls.append((raw, region))
        return (None if raw is None else f"{raw.upper()}@{region}", None if raw is None else len(raw))
    return compute


def test_each_distinct_key_is_computed_once_across_batches_and_rows_keep_their_order():
    calls, memo = [], {}
    first = pl.DataFrame({"raw": ["b", "a", "b", None], "region": ["CN", "CN", "CN", "CN"]})
    second = pl.DataFrame({"raw": ["a", "c", "a", "b"], "region": ["CN", "CN", "US", "CN"]})

    one = per_distinct(first, _counting(calls), schema=SCHEMA, memo=memo, memo_key="k")
    two = per_distinct(second, _counting(calls), schema=SCHEMA, memo=memo, memo_key="k")

    assert one.rows() == [("B@CN", 1), ("A@CN", 1), ("B@CN", 1), (None, None)]
    assert two.rows() == [("A@CN", 1), ("C@CN", 1), ("A@US", 1), ("B@CN", 1)]
    assert sorted(calls, key=str) == sorted([("b", "CN"), ("a", "CN"), (None, "CN"), ("c", "CN"), ("a", "US")], key=str)


def test_memo_keys_keep_answers_apart():
    memo = {}
    frame = pl.DataFrame({"raw": ["x"]})
    per_distinct(frame, lambda raw: ("first",), schema={"out": pl.String}, memo=memo, memo_key="one")
    out = per_distinct(frame, lambda raw: ("second",), schema={"out": pl.String}, memo=memo, memo_key="two")
    assert out.rows() == [("second",)]


def test_no_rows_give_an_empty_frame_of_the_schema():
    out = per_distinct(pl.DataFrame({"raw": []}, schema={"raw": pl.String}), lambda raw: ("?",),
                       schema={"out": pl.String}, memo={}, memo_key="k")
    assert out.height == 0
    assert out.schema == pl.Schema({"out": pl.String})


def test_a_shortcut_answers_the_keys_it_knows_and_compute_gets_only_the_rest():
    calls, memo = [], {}
    frame = pl.DataFrame({"raw": ["A", "b", "A", "C", None], "region": ["CN"] * 5})

    def known_when_upper(new: pl.DataFrame) -> pl.DataFrame:
        raw = pl.col("raw")
        return new.select((raw == raw.str.to_uppercase()).alias("known"), (raw + "@" + pl.col("region")).alias("upper"),
                          raw.str.len_chars().cast(pl.Int64).alias("length"))

    out = per_distinct(frame, _counting(calls), schema=SCHEMA, memo=memo, memo_key="k", shortcut=known_when_upper)
    again = per_distinct(frame, _counting(calls), schema=SCHEMA, memo=memo, memo_key="k", shortcut=known_when_upper)

    assert out.rows() == again.rows() == [("A@CN", 1), ("B@CN", 1), ("A@CN", 1), ("C@CN", 1), (None, None)]
    assert sorted(calls, key=str) == sorted([("b", "CN"), (None, "CN")], key=str)  # A and C never reached Python


def test_the_memo_keeps_only_what_compute_answered_so_values_the_shortcut_knows_do_not_pile_up():
    memo = {}
    first = pl.DataFrame({"raw": ["A", "b", "C"], "region": ["CN"] * 3})
    second = pl.DataFrame({"raw": ["D", "b", "E", "f"], "region": ["CN"] * 4})

    def known_when_upper(new: pl.DataFrame) -> pl.DataFrame:
        raw = pl.col("raw")
        return new.select((raw == raw.str.to_uppercase()).alias("known"), (raw + "@" + pl.col("region")).alias("upper"),
                          raw.str.len_chars().cast(pl.Int64).alias("length"))

    for frame in (first, second):
        out = per_distinct(frame, _counting([]), schema=SCHEMA, memo=memo, memo_key="k", shortcut=known_when_upper)
        assert out.get_column("upper").to_list() == [f"{raw.upper()}@CN" for raw in frame.get_column("raw")]

    assert sorted(memo["k"].get_column("raw").to_list()) == ["b", "f"]
