"""Input normalisation: the one place that turns what people type (or paste from spreadsheets) into
the canonical form we store and search. Services call these before validating; imports reuse them.

Every function is pure. Invalid input raises ValueError with a message fit to show the user."""

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin
from pypinyin.seg import mmseg

_FULL_WIDTH_FIRST, _FULL_WIDTH_LAST = 0xFF01, 0xFF5E  # ！ … ～, the full-width ASCII block
_FULL_WIDTH_OFFSET = 0xFEE0
_IDEOGRAPHIC_SPACE = "\u3000"


def to_half_width(text: str) -> str:
    """Full-width letters, digits and punctuation (ＡＢＣ１２３（）＠) and the ideographic space
    become their ASCII forms. Chinese characters and Chinese punctuation (。、) are left alone."""
    if not text:
        return ""
    if text.isascii() or not _FULL_WIDTH_ANY.search(text):  # nothing to change: most text in bulk imports
        return text
    return text.translate(_HALF_WIDTH_TABLE)


# One str.translate instead of a loop per character (same mapping; imports call this millions of times).
_HALF_WIDTH_TABLE = {code: code - _FULL_WIDTH_OFFSET for code in range(_FULL_WIDTH_FIRST, _FULL_WIDTH_LAST + 1)}
_HALF_WIDTH_TABLE[ord(_IDEOGRAPHIC_SPACE)] = ord(" ")
# Any character the table changes. Chinese text mostly has none, and one regex scan is much cheaper than
# translate's dictionary look-up per character.
_FULL_WIDTH_ANY = re.compile(f"[{chr(_FULL_WIDTH_FIRST)}-{chr(_FULL_WIDTH_LAST)}{_IDEOGRAPHIC_SPACE}]")


def collapse_whitespace(text: str) -> str:
    """Trim and turn every run of whitespace (tabs, newlines, ideographic spaces) into one space."""
    return " ".join((text or "").split())


def clean_text(text: str) -> str:
    """Half-width and collapsed whitespace: the form names, codes and cities are stored in."""
    return collapse_whitespace(to_half_width(text or ""))


# Text clean_text and collapse_whitespace return unchanged, as a regular expression for Polars (Rust's
# syntax: `$` is the very end, not before a final newline as in Python's `re`), so that a bulk import can
# leave such values out of the per-value Python calls: words of printable ASCII and CJK unified ideographs
# (none of them whitespace, full-width or the ideographic space) separated by single spaces, nothing
# around. Proved against the functions on generated text (standards/tests/test_text_shortcuts.py).
_UNCHANGED_CHARACTERS = "!-~\u3400-\u4dbf\u4e00-\u9fff"
CLEAN_TEXT_UNCHANGED = f"^[{_UNCHANGED_CHARACTERS}]+(?: [{_UNCHANGED_CHARACTERS}]+)*$"


# ---------------------------------------------------------------------------------------------
# Phone numbers

_PHONE_SEPARATORS = re.compile(r"[\s\-().\u2010-\u2015/]")


def phone_digits(raw: str) -> str:
    """Only the digits of what was typed ("138-0013 8000" -> "13800138000"), for partial search."""
    return "".join(character for character in to_half_width(raw or "") if character.isdigit())


# Mainland mobile numbers (11 ASCII digits from 1, bare or after +86), the shape of nearly every phone
# in a Chinese order file, are decided without phonenumbers' parser (about 180 µs a number, a fifth of
# a bulk dry run) by the same metadata the parser reads: such a number is valid (and its E.164 form is
# +86 and the digits) exactly when it matches the region's general and mobile patterns; numbers the
# parser would strip a national or carrier prefix from (11…, 12…, 179…) take the parser.
_CN_MOBILE_SHAPE = re.compile(r"(\+86)?(1[0-9]{10})")
_CN_METADATA = phonenumbers.PhoneMetadata.metadata_for_region("CN")
_CN_GENERAL = re.compile(f"(?:{_CN_METADATA.general_desc.national_number_pattern})")
_CN_MOBILE = re.compile(f"(?:{_CN_METADATA.mobile.national_number_pattern})")
_CN_PREFIX_FOR_PARSING = re.compile(_CN_METADATA.national_prefix_for_parsing)


# The same decision as patterns, for imports that make it in Polars (standards.validation): a number's 11
# digits must not start with a prefix the parser strips, and must match the general and mobile patterns.
CN_MOBILE_PREFIX_FOR_PARSING = _CN_PREFIX_FOR_PARSING.pattern
CN_MOBILE_NATIONAL_PATTERNS = (_CN_GENERAL.pattern, _CN_MOBILE.pattern)


def _cn_mobile_e164(compact: str, default_region: str) -> str | None:
    """+86… for a valid mainland mobile in one of the common shapes, else None (not decided here)."""
    shape = _CN_MOBILE_SHAPE.fullmatch(compact)
    if shape is None or (shape.group(1) is None and default_region != "CN"):
        return None
    digits = shape.group(2)
    if _CN_PREFIX_FOR_PARSING.match(digits) or not _CN_GENERAL.fullmatch(digits) or not _CN_MOBILE.fullmatch(digits):
        return None
    return "+86" + digits


def normalise_phone(raw: str, default_region: str = "CN") -> str:
    """A phone number in E.164 (+8613800138000). Accepts +86 / 0086 prefixes, spaces, dashes,
    parentheses and full-width digits; numbers without a country code are read as `default_region`."""
    text = to_half_width(raw or "").strip()
    if not text:
        raise ValueError(_("Enter a phone number."))
    compact = _PHONE_SEPARATORS.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return _cn_mobile_e164(compact, default_region) or _phone_parsed(text, compact, default_region)


def _phone_parsed(text: str, compact: str, default_region: str) -> str:
    """normalise_phone through phonenumbers' parser: any number, any region."""
    try:
        number = phonenumbers.parse(compact, default_region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(_("%(value)s is not a phone number.") % {"value": text}) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            _("%(value)s is not a valid phone number. Check the digits, or add the country code (e.g. +86).")
            % {"value": text}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------------------------------------
# Email

_email_validator = EmailValidator()
# Plain lower-case addresses that Django's EmailValidator certainly accepts: dot-atoms without leading,
# trailing or double dots; hostname labels not starting or ending with a hyphen; an alphabetic
# top-level domain; at most 254 characters (it allows 320). Anything else takes the validator (about
# 90 µs an address, most of a bulk dry run's e-mail checks).
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def normalise_email(raw: str) -> str:
    """Trimmed, lower-cased and checked: " Wang.Fang@Example.COM " -> "wang.fang@example.com"."""
    text = to_half_width(raw or "").strip().lower()
    if not text:
        raise ValueError(_("Enter an email address."))
    if len(text) <= 254 and PLAIN_EMAIL.fullmatch(text):
        return text
    try:
        _email_validator(text)
    except DjangoValidationError as error:
        raise ValueError(_("%(value)s is not a valid email address.") % {"value": text}) from error
    return text


# ---------------------------------------------------------------------------------------------
# Pinyin

# Surnames read differently from the same character in ordinary words (单 dan -> shan, 曾 ceng -> zeng).
# Compound surnames come first so 尉迟 is not read as 尉 + 迟.
POLYPHONIC_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "区": ("ou",),
    "查": ("zha",),
    "朴": ("piao",),
    "覃": ("qin",),
    "尉": ("yu",),
    "盖": ("ge",),
    "缪": ("miao",),
    "乐": ("yue",),
    "翟": ("zhai",),
    "员": ("yun",),
    "繁": ("po",),
    "种": ("chong",),
    "秘": ("bi",),
    "召": ("shao",),
    "折": ("she",),
    "句": ("gou",),
    "纪": ("ji",),
    "燕": ("yan",),
    "柏": ("bai",),
    "薄": ("bo",),
    "卜": ("bu",),
    "藏": ("zang",),
    "冼": ("xian",),
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z]+|\d+")
_PERSON_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,4}$")


class _RememberingConverter(UltimateConverter):
    """pypinyin's own converter (the one `pypinyin.lazy_pinyin` builds on every call), remembering its
    result per segmented word. pypinyin still segments each name into phrases (what makes polyphonic
    characters read right); only the per-word dictionary lookup and style conversion, identical for
    the same word, is done once. Bulk imports compute search keys for ~50,000 names whose words
    (北京, 科技, 有限公司 …) repeat."""

    MAX_WORDS = 100_000

    def __init__(self) -> None:
        super().__init__(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False)
        self._known: dict[tuple, list] = {}

    def convert(self, words, style, heteronym, errors, strict, **kwargs):
        key = (words, style, heteronym, errors, strict)
        found = self._known.get(key)
        if found is None or kwargs:
            found = super().convert(words, style, heteronym, errors, strict, **kwargs)
            if not kwargs and len(self._known) < self.MAX_WORDS:
                self._known[key] = found
        return [list(item) for item in found]


_PINYIN = Pinyin(_RememberingConverter())


def _han_syllables(text: str) -> list[str]:
    return list(_han_run_syllables(text))


@functools.lru_cache(maxsize=65_536)
def _han_run_syllables(text: str) -> tuple[str, ...]:
    """One run of Han characters, read as a whole (pypinyin segments it into phrases); company names
    share their runs (北京…科技有限公司), so a run read once is not read again.

    pypinyin segments a run by forward maximum matching (`mmseg.seg.cut`), whose only state between
    words is the text still to cut: once a word is cut off, the rest is cut exactly as a run of its
    own. So a run reads as its first word plus the reading of the rest, and the rest (王科技贸易有限公司
    after 北京) is often a run already read. The one exception is a rest that is as a whole the start of
    some phrase: pypinyin may then emit it character by character, so it is read whole, as before."""
    if len(text) > _RUN_SPLIT_MAX or text in _MMSEG._prefix_set:
        return _run_read(text)
    first = next(_MMSEG.cut(text))
    rest = text[len(first):]
    head = _word_syllables(first)
    return head + _han_run_syllables(rest) if rest else head


@functools.lru_cache(maxsize=65_536)
def _word_syllables(word: str) -> tuple[str, ...]:
    """One word as pypinyin cut it (北京, 科技, 有限公司 …), converted as it is, without cutting it again."""
    return _run_read([word])


_MMSEG = mmseg.seg  # what pypinyin's default segmentation (simpleseg.seg) cuts a run of Han characters with
_RUN_SPLIT_MAX = 64  # longer runs (no name is) are read whole: no deep recursion


def _run_read(hans: str | list[str]) -> tuple[str, ...]:
    return tuple(syllable.lower() for syllable in _PINYIN.lazy_pinyin(hans, style=Style.NORMAL) if syllable.strip())


def _surname_split(name: str) -> tuple[tuple[str, ...], str] | None:
    """(surname syllables, given name) when `name` looks like a Chinese person's name (2–4 Han
    characters) starting with a surname whose reading differs from the common one."""
    if not _PERSON_NAME.match(name):
        return None
    for surname in sorted(POLYPHONIC_SURNAMES, key=len, reverse=True):
        if name.startswith(surname) and len(name) > len(surname):
            return POLYPHONIC_SURNAMES[surname], name[len(surname):]
    return None


def name_pinyin(name: str, *, person: bool = True) -> tuple[str, str]:
    """(full pinyin, initials), lower-case without tones, for searching by how a name sounds.

    "字节跳动" -> ("zijietiaodong", "zjtd"); "Bob Smith" -> ("bobsmith", "bs"). With `person` (the
    default) a name of 2–4 Chinese characters starting with a polyphonic surname uses the surname
    reading: "单田芳" -> ("shantianfang", "stf"), "曾国藩" -> ("zengguofan", "zgf")."""
    text = clean_text(name)
    if not text:
        return "", ""
    syllables: list[str] = []
    initials: list[str] = []
    split = _surname_split(text) if person else None
    if split is not None:
        surname, text = split
        syllables.extend(surname)
        initials.extend(syllable[0] for syllable in surname)
    position = 0
    for match in _HAN.finditer(text):
        _add_words(text[position:match.start()], syllables, initials)
        han = _han_syllables(match.group())
        syllables.extend(han)
        initials.extend(syllable[0] for syllable in han)
        position = match.end()
    _add_words(text[position:], syllables, initials)
    return "".join(syllables), "".join(initials)


def _add_words(text: str, syllables: list[str], initials: list[str]) -> None:
    for word in _WORD.findall(text):
        syllables.append(word.lower())
        initials.append(word if word.isdigit() else word[0].lower())


# ---------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码, GB 32100-2015)

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first_17: str) -> str:
    """The 18th character of a credit code, computed from the first 17 (GB 32100-2015 §5)."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(character) * weight
        for character, weight in zip(first_17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    """An 18-character unified social credit code, upper-cased, with its check character verified."""
    text = re.sub(r"[\s\-]", "", to_half_width(raw or "")).upper()
    if not text:
        raise ValueError(_("Enter a unified social credit code."))
    if len(text) != 18:
        raise ValueError(
            _("A unified social credit code has 18 characters; %(value)s has %(count)d.")
            % {"value": text, "count": len(text)}
        )
    wrong = sorted({character for character in text if character not in CREDIT_CODE_ALPHABET})
    if wrong:
        raise ValueError(
            _("A unified social credit code uses digits and capital letters other than I, O, S, V and Z; "
              "%(value)s contains %(characters)s.") % {"value": text, "characters": " ".join(wrong)}
        )
    expected = credit_code_check_character(text[:17])
    if text[17] != expected:
        raise ValueError(
            _("%(value)s is not a valid unified social credit code: the last character should be "
              "%(expected)s. Check for a typing mistake.") % {"value": text, "expected": expected}
        )
    return text
