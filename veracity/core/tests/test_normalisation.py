import random

import pytest
from django.utils import translation

from veracity.core import normalisation
from veracity.core.normalisation import (
    collapse_whitespace,
    credit_code_check_character,
    name_pinyin,
    normalise_credit_code,
    normalise_email,
    normalise_phone,
    phone_digits,
    to_half_width,
)


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("raw", "expected"), [
    ("ＡＢＣ１２３", "ABC123"),
    ("字节跳动（北京）科技有限公司", "字节跳动(北京)科技有限公司"),
    ("张\u3000三", "张 三"),
    ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "wang@example.com"),
    ("你好。、", "你好。、"),  # Chinese punctuation has no half-width form and stays
    ("", ""),
])
def test_to_half_width(raw, expected):
    assert to_half_width(raw) == expected


def test_collapse_whitespace_handles_tabs_newlines_and_ideographic_spaces():
    assert collapse_whitespace("  上海\t浦东\n\n新区\u3000 ") == "上海 浦东 新区"
    assert collapse_whitespace(None) == ""


@pytest.mark.parametrize("raw", [
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "+86 138 0013 8000",
    "+86-13800138000",
    "0086 13800138000",
    "(+86) 138 0013 8000",
    "１３８００１３８０００",
    "＋８６　１３８００１３８０００",
])
def test_chinese_mobile_in_every_usual_format_becomes_e164(raw):
    assert normalise_phone(raw) == "+8613800138000"


def test_beijing_landline_with_area_code_in_parentheses():
    assert normalise_phone("(010) 6255 1234") == "+861062551234"
    assert normalise_phone("021-6888 8888") == "+862168888888"


def test_foreign_number_keeps_its_country_code():
    assert normalise_phone("+1 (650) 253-0000") == "+16502530000"
    assert normalise_phone("020 7946 0958", default_region="GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["12345", "138001380001234", "not a phone", "+86 100"])
def test_invalid_phone_raises_a_clear_error(raw):
    with pytest.raises(ValueError, match="phone number"):
        normalise_phone(raw)


def test_empty_phone_is_an_error():
    with pytest.raises(ValueError, match="Enter a phone number"):
        normalise_phone("  ")


_FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")
_PHONE_FORMS = (
    lambda d: d, lambda d: f"+86{d}", lambda d: f"+86 {d[:3]} {d[3:7]} {d[7:]}", lambda d: f"0086-{d[:3]}-{d[3:7]}-{d[7:]}",
    lambda d: f"(+86) {d}", lambda d: f"86{d}", lambda d: f"{d[:3]} {d[3:7]} {d[7:]}".translate(_FULL_WIDTH),
    lambda d: f"+86{d}".translate(_FULL_WIDTH), lambda d: f"+86 0{d}", lambda d: f"0{d}", lambda d: d + "1",
    lambda d: d[:-1], lambda d: f"{d[:3]}.{d[3:7]}.{d[7:]}", lambda d: f"+86-{d[:3]}/{d[3:]}",
)


def _phone_by_parser(raw: str, region: str):
    """normalise_phone with every number through phonenumbers' parser (what it did before the fast path)."""
    text = to_half_width(raw).strip()
    compact = normalisation._PHONE_SEPARATORS.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    try:
        return normalisation._phone_parsed(text, compact, region)
    except ValueError as error:
        return ("error", str(error))


def _phone_now(raw: str, region: str):
    try:
        return normalise_phone(raw, default_region=region)
    except ValueError as error:
        return ("error", str(error))


def test_the_mainland_mobile_fast_path_answers_as_phonenumbers_for_every_five_digit_prefix():
    """The fast path decides numbers from 1 by the metadata's patterns, which look at up to five
    leading digits (1740[0-5]…): every prefix 10000–19999 with a random tail, in a rotating written
    form (bare, +86, 0086, spaces, dashes, full-width, too long, too short, a stray 0 …), in China and
    in two other default regions, must give exactly what the parser gives — number or error."""
    rng = random.Random(3)
    fast = 0
    for prefix in range(10_000, 20_000):
        digits = f"{prefix}{rng.randint(0, 999_999):06d}"
        raw = _PHONE_FORMS[prefix % len(_PHONE_FORMS)](digits)
        region = ("CN", "CN", "US", "HK")[prefix % 4]
        assert _phone_now(raw, region) == _phone_by_parser(raw, region), (raw, region)
        compact = normalisation._PHONE_SEPARATORS.sub("", to_half_width(raw).strip())
        compact = "+" + compact[2:] if compact.startswith("00") else compact
        fast += normalisation._cn_mobile_e164(compact, region) is not None
    assert fast > 2_000  # the fast path was really taken, not only the parser


@pytest.mark.parametrize("raw", ["13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "１３８００１３８０００",
                                 "17400123456", "17406123456", "16101234567", "16201234567", "17912345678",
                                 "12345678901", "11012345678", "14512345678", "14412345678", "19912345678",
                                 "+86 010 6255 1234", "8613800138000", "+8613800138000", "+86 13800138000 "])
@pytest.mark.parametrize("region", ["CN", "US"])
def test_phone_shapes_give_what_phonenumbers_gives(raw, region):
    assert _phone_now(raw, region) == _phone_by_parser(raw, region)


def test_phone_digits_keeps_only_digits():
    assert phone_digits("＋86 (138) 0013-8000") == "8613800138000"


def test_normalise_email_trims_and_lower_cases():
    assert normalise_email("  Wang.Fang@ByteDance.COM ") == "wang.fang@bytedance.com"
    assert normalise_email("ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ") == "li@example.cn"


@pytest.mark.parametrize("raw", ["wang.fang", "wang@", "@example.com", "王 芳@example.com"])
def test_invalid_email_raises(raw):
    with pytest.raises(ValueError, match="not a valid email"):
        normalise_email(raw)


@pytest.mark.parametrize(("name", "expected"), [
    ("字节跳动", ("zijietiaodong", "zjtd")),
    ("腾讯", ("tengxun", "tx")),
    ("重庆长安汽车", ("chongqingchanganqiche", "cqcaqc")),
    ("字节跳动(北京)科技有限公司", ("zijietiaodongbeijingkejiyouxiangongsi", "zjtdbjkjyxgs")),
    ("Bob Smith", ("bobsmith", "bs")),
    ("58同城", ("58tongcheng", "58tc")),
    ("吕布", ("lvbu", "lb")),
    ("王小明", ("wangxiaoming", "wxm")),
    ("", ("", "")),
])
def test_name_pinyin(name, expected):
    assert name_pinyin(name) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("单田芳", ("shantianfang", "stf")),
    ("曾国藩", ("zengguofan", "zgf")),
    ("解缙", ("xiejin", "xj")),
    ("仇英", ("qiuying", "qy")),
    ("区志强", ("ouzhiqiang", "ozq")),
    ("查良镛", ("zhaliangyong", "zly")),
    ("朴槿惠", ("piaojinhui", "pjh")),
    ("覃海洋", ("qinhaiyang", "qhy")),
    ("尉迟恭", ("yuchigong", "ycg")),
])
def test_polyphonic_surnames_use_the_surname_reading(name, expected):
    assert name_pinyin(name) == expected


def test_surname_reading_is_not_applied_to_company_names():
    assert name_pinyin("区块链科技有限公司", person=False)[1] == "qklkjyxgs"
    # Too long to be a person's name, so even in person mode it reads as an ordinary word.
    assert name_pinyin("区块链科技有限公司")[0].startswith("qukuailian")


@pytest.mark.parametrize("code", [
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91330100716105852F",  # 阿里巴巴(中国)有限公司
])
def test_real_credit_codes_pass(code):
    assert normalise_credit_code(code) == code


def test_credit_code_is_upper_cased_and_half_width():
    assert normalise_credit_code(" ９１４４０３００７１５２６７２６ｘｇ ") == "9144030071526726XG"


def test_credit_code_with_wrong_check_character_names_the_right_one():
    with pytest.raises(ValueError, match="should be G"):
        normalise_credit_code("9144030071526726XA")
    assert credit_code_check_character("9144030071526726X") == "G"


@pytest.mark.parametrize(("raw", "message"), [
    ("91440300715267", "18 characters"),
    ("9144030071526726OG", "other than I, O, S, V and Z"),
    ("", "Enter a unified social credit code"),
])
def test_malformed_credit_codes_are_explained(raw, message):
    with pytest.raises(ValueError, match=message):
        normalise_credit_code(raw)


def test_errors_speak_the_users_language():
    with translation.override("zh-hans"), pytest.raises(ValueError, match="不是有效的电话号码"):
        normalise_phone("12345")


def test_a_han_run_reads_as_pypinyin_reads_it_whole():
    """_han_run_syllables reads a run word by word, reusing the reading of the rest; the answer must be
    pypinyin's reading of the whole run — including runs ending in the start of a phrase, which
    pypinyin may read character by character."""
    from pypinyin.constants import PHRASES_DICT

    rng = random.Random(5)
    phrases = sorted(phrase for phrase in PHRASES_DICT if all("\u4e00" <= character <= "\u9fff" for character in phrase))
    common = "北京上海广州深圳王李张刘陈杨科技贸易电子机械信息网络物流建材医药食品能源智能精密光电有限公司集团股份长行重乐单曾解朝都"
    for index in range(6_000):
        parts = []
        for _part in range(rng.randint(1, 6)):
            pick = rng.random()
            parts.append(rng.choice(phrases) if pick < 0.5 else rng.choice(common) if pick < 0.8
                         else chr(rng.randint(0x4E00, 0x9FA5)))
        text = "".join(parts)
        if index % 3 == 0:
            phrase = rng.choice(phrases)
            text += phrase[:rng.randint(1, len(phrase))]
        if index % 500 == 0:
            normalisation._han_run_syllables.cache_clear()
        assert normalisation._han_run_syllables(text) == normalisation._run_read(text), text
    # Starts of longer phrases, which pypinyin reads character by character (read word by word, 下不了
    # would be xia bu liao, 七返还 qi fan huan).
    assert normalisation._han_run_syllables("下不了") == ("xia", "bu", "le")
    assert normalisation._han_run_syllables("七返还") == ("qi", "fan", "hai")
    assert normalisation._han_run_syllables("北京字节跳动科技有限公司") == (
        "bei", "jing", "zi", "jie", "tiao", "dong", "ke", "ji", "you", "xian", "gong", "si")


def _email_by_validator(raw: str):
    """normalise_email with every address through Django's EmailValidator (before the plain-address path)."""
    text = to_half_width(raw).strip().lower()
    try:
        normalisation._email_validator(text)
    except Exception as error:  # noqa: BLE001 - the answer is compared, whatever it is
        return ("error", type(error).__name__)
    return text


def _email_now(raw: str):
    try:
        return normalise_email(raw)
    except ValueError:
        return ("error", "ValidationError")


def test_plain_addresses_are_accepted_exactly_as_the_validator_accepts_them():
    rng = random.Random(11)
    alphabet = "abcXYZ019._%+-@'!#&*/=?^`{|}~\"[]:()<> ，。ａ１＠é字"
    samples = ["buyer1@example.com", "Info@Bytedance.example", " a.b+c@sub.example.co ", "a..b@example.com",
               ".a@example.com", "a.@example.com", "a@-example.com", "a@example-.com", "a@example.c", "a@example.c0m",
               "a@example.xn--p1ai", "a@localhost", "a@[127.0.0.1]", "a@example.com.", "a@ex_ample.com",
               "ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", "\"quoted\"@example.com", "a@b@example.com", "nobody@", "@example.com",
               "x" * 64 + "@" + "y" * 63 + ".com", "a@" + "b" * 64 + ".com", "a@" + ("b" * 60 + ".") * 5 + "com",
               "x" * 250 + "@e.com", "a@例子.com", "a@example.公司"]
    for index in range(6_000):
        local = alphabet if index % 2 else "abzAZ09._%+-"  # half of them nearly plain
        samples.append("".join(rng.choice(local) for _char in range(rng.randint(1, 12))) + "@"
                       + "".join(rng.choice("abz09-.") for _char in range(rng.randint(1, 10))) + "." +
                       rng.choice(["com", "cn", "c", "co1", "xn--p1ai", "-cn", "中国"]))
    plain = 0
    for raw in samples:
        assert _email_now(raw) == _email_by_validator(raw), raw
        plain += bool(normalisation.PLAIN_EMAIL.fullmatch(to_half_width(raw).strip().lower()))
    assert plain > 300  # the plain path was really taken


def test_to_half_width_changes_text_exactly_as_the_table_does():
    rng = random.Random(7)
    alphabet = "abc 123北京科技，。（）\u3000ＡＺａｚ０９！～\uff00\uff5f\u3001"
    for _index in range(3_000):
        text = "".join(rng.choice(alphabet) for _char in range(rng.randint(1, 10)))
        assert to_half_width(text) == text.translate(normalisation._HALF_WIDTH_TABLE), text
