"""Text answers into keywords, themes and a sentiment score.

Chinese: jieba word segmentation, a small stop-word list, and SnowNLP's sentiment model (a naive
Bayes model trained on product reviews, shipped inside the package) mapped to -1 … 1.
English: a regular-expression tokeniser with a stop-word list, and VADER's lexicon (vaderSentiment,
the compound score, already -1 … 1). Themes come from a small bilingual keyword table below: a
theme is named when one of its words occurs, so "物流太慢" and "slow delivery" both land in
"delivery"."""

import logging
import re
from functools import cache

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[a-z][a-z'\-]+")
STOPWORDS_EN = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers him his
how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
over own same she should so some such than that the their theirs them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your yours
really get got much many one would also even still
""".split())
STOPWORDS_ZH = frozenset("""
的 了 和 是 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 她们 我 你 他 她 它 这 那 这个 那个 也 很 太 还 又 在 有 对 把
被 让 给 从 但 但是 因为 所以 如果 就是 可以 一下 一些 什么 怎么 吗 呢 吧 啊 哦 嗯 非常 比较 已经 还是 不过 觉得 感觉
""".split())
# theme -> words that signal it (lower-case English, Chinese as segmented by jieba).
THEMES: dict[str, tuple[str, ...]] = {
    "delivery": ("delivery", "shipping", "shipped", "late", "courier", "arrived", "物流", "快递", "发货", "送货",
                 "配送", "太慢", "到货", "运输"),
    "price": ("price", "expensive", "cheap", "cost", "discount", "value", "价格", "太贵", "便宜", "优惠", "性价比",
              "费用"),
    "quality": ("quality", "broken", "defect", "defective", "durable", "faulty", "质量", "坏", "损坏", "故障",
                "耐用", "做工", "问题"),
    "service": ("service", "support", "staff", "rude", "helpful", "friendly", "response", "客服", "服务", "态度",
                "回复", "售后", "热情"),
    "installation": ("install", "installation", "setup", "安装", "调试"),
    "product": ("product", "feature", "design", "easy", "产品", "功能", "设计", "好用", "方便"),
}
THEME_LABELS = {
    "delivery": ("Delivery", "物流配送"), "price": ("Price", "价格"), "quality": ("Quality", "质量"),
    "service": ("Service", "服务"), "installation": ("Installation", "安装"), "product": ("Product", "产品"),
}


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text or ""))


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def keywords(text: str) -> list[str]:
    """Distinct meaningful words of a text, in order of first appearance."""
    text = (text or "").strip()
    if not text:
        return []
    words: list[str] = []
    if is_chinese(text):
        for token in _jieba().lcut(text):
            token = token.strip().lower()
            if len(token) >= 2 and token not in STOPWORDS_ZH and not token.isdigit() and (
                    is_chinese(token) or ENGLISH_WORD.fullmatch(token)) and token not in STOPWORDS_EN:
                words.append(token)
            elif token in ("坏", "慢", "贵"):  # one-character words that carry the meaning
                words.append(token)
    else:
        words = [word for word in ENGLISH_WORD.findall(text.lower()) if word not in STOPWORDS_EN and len(word) > 2]
    return list(dict.fromkeys(words))


def themes(words: list[str], text: str = "") -> list[str]:
    lowered = (text or "").lower()
    found = []
    for theme, signals in THEMES.items():
        if any(word in signals for word in words) or any(signal in lowered for signal in signals if is_chinese(signal)):
            found.append(theme)
    return found


def sentiment(text: str) -> float | None:
    """-1 (negative) … 1 (positive); None for empty text."""
    text = (text or "").strip()
    if not text:
        return None
    if is_chinese(text):
        from snownlp import SnowNLP

        return round(SnowNLP(text).sentiments * 2 - 1, 3)
    return round(_vader().polarity_scores(text)["compound"], 3)


def analyse(text: str) -> dict:
    words = keywords(text)
    return {"keywords": words[:20], "themes": themes(words, text), "sentiment": sentiment(text)}
