"""Forms rendered in Simplified Chinese keep values the browser's date inputs can show."""

import datetime as dt

from django import forms
from django.utils import translation


class DateFilterForm(forms.Form):
    # Deliberately without an explicit widget format: the language's first input format decides.
    date_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def test_a_date_input_renders_an_iso_value_in_chinese():
    with translation.override("zh-hans"):
        html = str(DateFilterForm(initial={"date_from": dt.date(2026, 3, 5)})["date_from"])
    assert 'value="2026-03-05"' in html


def test_dates_typed_the_chinese_ways_are_still_accepted():
    with translation.override("zh-hans"):
        for typed in ("2026-03-05", "2026/3/5", "2026年3月5日"):
            form = DateFilterForm(data={"date_from": typed})
            assert form.is_valid(), (typed, form.errors)
            assert form.cleaned_data["date_from"] == dt.date(2026, 3, 5)
