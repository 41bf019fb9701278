"""Simplified Chinese input formats, ISO date first.

Why: a form widget without an explicit format renders its value with the first input format of the
active language. Django's zh_Hans list starts with "%Y/%m/%d", which an `<input type="date">` rejects
(the browser shows an empty field), so every date filter looked blank in Chinese. ISO first fixes
every date input at once; the other forms people type are still accepted.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05', the only form <input type="date"> accepts
    "%Y/%m/%d",  # '2016/09/05'
    "%Y年%m月%d日",  # '2016年9月5日' (strptime accepts one-digit months and days)
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
