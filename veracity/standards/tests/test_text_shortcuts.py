"""What bulk imports answer in Polars instead of calling the entry rules value by value is exactly what the
rules give: proved on generated text that mixes the characters the rules change (full-width forms, every
kind of whitespace, letters with special upper cases) with those they leave alone."""

import dataclasses
from types import SimpleNamespace

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from veracity.core.normalisation import CLEAN_TEXT_UNCHANGED, clean_text, collapse_whitespace
from veracity.standards import rules
from veracity.standards.validation import EffectiveField, _clean_cell, _text_shortcut

# Characters on both sides of every edge the rules care about.
EDGES = ("!~ aZ09-_.@/()（）　\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f"
         "ＡＺａｚ０９！～ßﬁıǅµ\u0301\u3400\u4dbf\u4e00\u9fff\ua000\u33ff字节跳动北京有限公司😀")
RULESET = SimpleNamespace(date_order="dmy")  # all _clean_cell reads of a rule set, for text fields
TEXT = st.text(alphabet=st.sampled_from(EDGES) | st.characters(codec="utf-8"), max_size=12)
MANY = st.lists(TEXT, min_size=1, max_size=40)


def _unchanged(values: list[str]) -> list[bool]:
    return pl.Series(values, dtype=pl.String).str.contains(CLEAN_TEXT_UNCHANGED).to_list()


@settings(max_examples=400, deadline=None)
@given(MANY)
def test_text_the_pattern_accepts_is_left_as_it_is_by_clean_text_and_upper_cased_alike(values):
    upper = pl.Series(values, dtype=pl.String).str.to_uppercase().to_list()
    for value, unchanged, polars_upper in zip(values, _unchanged(values), upper, strict=True):
        if unchanged:
            assert clean_text(value) == value and collapse_whitespace(value) == value
            assert value.strip() == value and polars_upper == value.upper()


def test_the_pattern_accepts_what_bulk_files_mostly_hold_and_refuses_what_the_rules_change():
    accepted = ["BO-0000001", "深圳罗信息信息有限公司13483", "ACME Trading Co., Ltd.", "产品 1145 型"]
    refused = ["", " A", "A ", "A  B", "A\tB", "ＡＢＣ", "字节跳动（北京）", "A\u3000B", "A\xa0B", "A\n"]
    assert _unchanged(accepted + refused) == [True] * len(accepted) + [False] * len(refused)


def _field(*, upper: bool, max_length: int | None, half_width: bool = True, kind: str = rules.TEXT) -> EffectiveField:
    spec = rules.FieldSpec(name="code", type=kind, upper=upper, half_width=half_width)
    return EffectiveField(spec=spec, label="code", required=False, db_required=False, max_length=max_length,
                          choices=None, db_choices=None, help_text="", overridden=False)


@settings(max_examples=300, deadline=None)
@given(MANY, st.booleans(), st.sampled_from([None, 3, 8, 200]), st.booleans())
def test_the_free_text_shortcut_gives_what_the_entry_rules_give(values, upper, max_length, half_width):
    field = _field(upper=upper, max_length=max_length, half_width=half_width)
    keys = pl.DataFrame({"raw": values, "region": ["CN"] * len(values)}, schema={"raw": pl.String, "region": pl.String})
    answered = _text_shortcut(field)(keys)
    for (value, _region), (known, cleaned, currency, message) in zip(keys.rows(), answered.rows(), strict=True):
        if known:
            assert (cleaned, currency, message) == _clean_cell(field, value, RULESET, "CN")


# Addresses as people type them: generated ones, and local parts and domains built from the characters
# on both sides of PLAIN_EMAIL's edges (case, dots, quotes, spaces, full-width forms).
LOCAL = st.text(alphabet="abzAZ09._%+-'\" Ａａ", min_size=0, max_size=10)
DOMAIN = st.sampled_from(["example.com", "mail.example.cn", "EXAMPLE.com", "a-b.io", "-a.com", "a-.com", "x.c",
                          "x.cn ", "ｅｘａｍｐｌｅ.com", "例子.中国", "b..cn", "1.23"])
EMAIL = st.one_of(st.emails(), TEXT, st.tuples(LOCAL, DOMAIN).map("@".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(EMAIL, min_size=1, max_size=30), st.booleans(), st.sampled_from([None, 12, 254]))
def test_the_email_shortcut_gives_what_the_entry_rules_give(values, upper, max_length):
    field = _field(upper=upper, max_length=max_length, kind=rules.EMAIL)
    keys = pl.DataFrame({"raw": values, "region": ["CN"] * len(values)}, schema={"raw": pl.String, "region": pl.String})
    answered = _text_shortcut(field)(keys)
    for (value, _region), (known, cleaned, currency, message) in zip(keys.rows(), answered.rows(), strict=True):
        if known:
            assert (cleaned, currency, message) == _clean_cell(field, value, RULESET, "CN")


def test_plain_lower_case_addresses_are_answered_and_others_are_not():
    field = _field(upper=False, max_length=None, kind=rules.EMAIL)
    values = ["buyer13483@example.com", "wang.fang@mail.example.cn", "Buyer@example.com", " a@b.cn", "a@b", "a..b@c.cn"]
    keys = pl.DataFrame({"raw": values, "region": ["CN"] * len(values)})
    assert _text_shortcut(field)(keys).get_column("known").to_list() == [True, True, False, False, False, False]


# Phone numbers as people type them: a prefix, digits (mainland mobiles and their near misses) and
# separators, some of which only normalise_phone understands.
PREFIX = st.sampled_from(["", "", "+86", "+86 ", "0086", "0086-", "86", "+", "00", "+1 ", "+852 ", "+8 6", " "])
DIGITS = st.one_of(st.from_regex(r"1[0-9]{10}", fullmatch=True), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
                   st.from_regex(r"[0-9]{7,12}", fullmatch=True))
SEPARATOR = st.sampled_from(["", "", "", " ", "-", "  ", "--", "(", ")", ".", "/", "\u3000", "\t", "\u2013", "x"])
PHONE = st.builds(lambda prefix, digits, cuts, separator, tail: prefix + "".join(
    digit + (separator if index in cuts else "") for index, digit in enumerate(digits)) + tail,
    PREFIX, DIGITS, st.sets(st.integers(0, 11), max_size=3), SEPARATOR, st.sampled_from(["", "", " ", "-", "１"]))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.one_of(PHONE, TEXT), st.sampled_from(["CN", "CN", "", "US", "HK"])), min_size=1,
                max_size=30), st.sampled_from([None, 32]))
def test_the_mobile_shortcut_gives_what_the_entry_rules_give(cells, max_length):
    field = _field(upper=False, max_length=max_length, kind=rules.PHONE)
    keys = pl.DataFrame(cells, schema={"raw": pl.String, "region": pl.String}, orient="row")
    answered = _text_shortcut(field)(keys)
    for (value, region), (known, cleaned, currency, message) in zip(keys.rows(), answered.rows(), strict=True):
        if known:
            assert (cleaned, currency, message) == _clean_cell(field, value, RULESET, region)


def test_mainland_mobiles_in_their_common_spellings_are_answered():
    field = _field(upper=False, max_length=None, kind=rules.PHONE)
    cells = [("158 4445 1104", "CN"), ("13800138000", ""), ("+86 138-0013-8000", "US"), ("0086 13800138000", "CN"),
             ("13800138000", "US"), ("12345", "CN"), ("１3800138000", "CN"), ("(138) 0013 8000", "CN")]
    answered = _text_shortcut(field)(pl.DataFrame(cells, schema={"raw": pl.String, "region": pl.String}, orient="row"))
    assert answered.get_column("known").to_list() == [True] * 4 + [False] * 4
    assert answered.get_column("__value").head(4).to_list() == ["+8615844451104"] + ["+8613800138000"] * 3


def test_picklists_and_other_field_types_have_no_shortcut():
    field = _field(upper=False, max_length=None)
    assert _text_shortcut(dataclasses.replace(field, choices=(("a", "A"),))) is None
    assert _text_shortcut(dataclasses.replace(
        field, spec=dataclasses.replace(field.spec, type=rules.URL))) is None
    assert _text_shortcut(dataclasses.replace(
        field, max_length=10, spec=dataclasses.replace(field.spec, type=rules.PHONE))) is None
