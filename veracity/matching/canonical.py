"""Canonical forms for matching: what two spellings of the same company, person, phone or e-mail have in
common once the noise people add is taken away.

北京字节跳动科技有限公司 and 字节跳动(北京)科技有限公司 both become the core 字节跳动科技 (brand 字节跳动,
region 北京, legal form "limited"); "ACME Trading Co., Ltd." and "Acme Trading Limited" both become
"acme trading". Every function is pure and cheap (a few microseconds, plus pypinyin for pinyin keys)."""

import functools
import re
import unicodedata
from dataclasses import dataclass

import zhconv

from veracity.core.normalisation import (
    PLAIN_EMAIL,
    clean_text,
    name_pinyin,
    normalise_email,
    normalise_phone,
    phone_digits,
)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Provinces, autonomous regions, municipalities and the larger cities: as a prefix (北京…) or in
# parentheses ((北京)) they say where a company is registered, not which company it is.
PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 "
    "四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
).split()
CITIES = (
    "广州 深圳 珠海 汕头 佛山 东莞 中山 惠州 江门 湛江 茂名 肇庆 南京 苏州 无锡 常州 南通 扬州 镇江 徐州 盐城 "
    "泰州 连云港 淮安 宿迁 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 台州 丽水 衢州 舟山 义乌 合肥 芜湖 蚌埠 马鞍山 "
    "福州 厦门 泉州 漳州 莆田 南昌 赣州 九江 济南 青岛 烟台 潍坊 淄博 临沂 济宁 威海 郑州 洛阳 开封 新乡 "
    "武汉 宜昌 襄阳 长沙 株洲 湘潭 岳阳 南宁 柳州 桂林 海口 三亚 成都 绵阳 德阳 贵阳 遵义 昆明 大理 西安 "
    "咸阳 宝鸡 兰州 西宁 银川 乌鲁木齐 呼和浩特 包头 拉萨 石家庄 唐山 保定 廊坊 邯郸 太原 大同 沈阳 大连 "
    "鞍山 长春 吉林 哈尔滨 大庆 雄安 浦东 滨海"
).split()
REGION_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "新区", "区", "县")
REGIONS = tuple(sorted(set(PROVINCES + CITIES), key=len, reverse=True))
_REGION_NAMES = frozenset(REGIONS) | {"中国", "中华", "国际"}
_REGION_SET = frozenset(REGIONS)
_REGION_LENGTHS = tuple(sorted({len(region) for region in REGIONS}, reverse=True))

# Chinese legal forms, longest first so 股份有限公司 is taken whole rather than as 有限公司.
CN_LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    ("集团股份有限公司", "joint_stock"), ("股份有限公司", "joint_stock"), ("集团有限责任公司", "limited"),
    ("集团有限公司", "limited"), ("有限责任公司", "limited"), ("有限公司", "limited"),
    ("股份公司", "joint_stock"), ("(有限合伙)", "partnership"), ("有限合伙", "partnership"),
    ("合伙企业", "partnership"), ("集团公司", "group"), ("集团", "group"), ("总公司", "limited"),
    ("公司", "company"), ("个体工商户", "sole"), ("工作室", "sole"),
)
# Latin legal forms: token sequences at the end of a name, mapped to a family. Two different families
# (Ltd vs Inc) are evidence against a match (DATA-QUALITY.md).
LATIN_LEGAL_FORMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("co", "ltd"), "limited"), (("company", "limited"), "limited"), (("pty", "ltd"), "limited"),
    (("ltd",), "limited"), (("limited",), "limited"), (("plc",), "plc"),
    (("inc",), "inc"), (("incorporated",), "inc"), (("corp",), "inc"), (("corporation",), "inc"),
    (("llc",), "llc"), (("l", "l", "c"), "llc"), (("gmbh",), "gmbh"), (("ag",), "ag"), (("kg",), "kg"),
    (("sa",), "sa"), (("sarl",), "sa"), (("srl",), "sa"), (("spa",), "sa"), (("bv",), "bv"), (("nv",), "bv"),
    (("ab",), "ab"), (("oy",), "ab"), (("kk",), "kk"), (("co",), "company"), (("company",), "company"),
    (("group",), "group"), (("holdings",), "group"),
)
_BRANCH_SUFFIXES = ("分公司", "分店", "办事处", "分部")
# Names where the region is part of the name itself: 北京银行 is not 银行 registered in Beijing.
_INSTITUTIONS = ("银行", "农商银行", "农村商业银行", "大学", "医院", "电视台", "日报", "地铁", "电力", "燃气",
                 "自来水", "航空", "机场", "证券", "图书馆", "博物馆", "人民政府", "公安局", "税务局")
_LATIN_BRANCH = re.compile(r"\b(branch|office)\b")
# Words that say what a company does; the brand is the core without them.
INDUSTRY_WORDS = tuple(sorted((
    "科技 技术 信息技术 网络技术 网络科技 信息科技 电子科技 智能科技 生物科技 数据科技 软件 信息 网络 电子 通信 "
    "贸易 商贸 国际贸易 实业 投资 控股 发展 咨询 管理 服务 文化 传媒 广告 教育 医疗 医药 健康 物流 供应链 "
    "建设 建筑 工程 装饰 设计 制造 机械 设备 电器 电气 汽车 能源 新能源 环保 材料 化工 食品 餐饮 农业 "
    "房地产 置业 物业 金融 保险 证券 电子商务 商务 酒店 旅游 家居 纺织 服饰 照明 光电 半导体 仪器 智能"
).split(), key=len, reverse=True))
_INDUSTRY_SET = frozenset(INDUSTRY_WORDS)
_INDUSTRY_LENGTHS = tuple(sorted({len(word) for word in INDUSTRY_WORDS}, reverse=True))
_LATIN_INDUSTRY = frozenset(
    "technology technologies tech software systems solutions trading international global services "
    "consulting holdings industries industrial manufacturing logistics media".split()
)
_PUNCTUATION = re.compile(r"[\s\-_.,·•'\"&/\\:;!?@#*+=()（）【】\[\]{}<>《》「」、，。；：！？]+")
_PAREN = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]")

GENERIC_MAILBOXES = frozenset(
    "info sales contact admin service office hr support hello mail enquiries enquiry marketing kefu "
    "postmaster webmaster noreply no-reply team help account accounts finance".split()
)
NICKNAMES = {
    "bill": "william", "will": "william", "billy": "william", "bob": "robert", "rob": "robert",
    "bobby": "robert", "dick": "richard", "rick": "richard", "jim": "james", "jimmy": "james",
    "mike": "michael", "mick": "michael", "tom": "thomas", "tommy": "thomas", "tony": "anthony",
    "kate": "katherine", "katie": "katherine", "cathy": "catherine", "liz": "elizabeth", "beth": "elizabeth",
    "betty": "elizabeth", "peggy": "margaret", "maggie": "margaret", "meg": "margaret", "joe": "joseph",
    "dave": "david", "dan": "daniel", "danny": "daniel", "chris": "christopher", "matt": "matthew",
    "steve": "steven", "sam": "samuel", "alex": "alexander", "andy": "andrew", "drew": "andrew",
    "ben": "benjamin", "nick": "nicholas", "jen": "jennifer", "jenny": "jennifer", "sue": "susan",
    "pat": "patricia", "ted": "edward", "ed": "edward", "eddie": "edward", "charlie": "charles",
    "chuck": "charles", "jack": "john", "johnny": "john", "larry": "lawrence", "greg": "gregory",
    "jeff": "jeffrey", "ken": "kenneth", "ron": "ronald", "tim": "timothy", "fred": "frederick",
    "harry": "henry", "hank": "henry", "abby": "abigail", "debbie": "deborah", "vicky": "victoria",
}


@functools.lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """Half-width, simplified characters, NFKC, case-folded and single-spaced. Cached: a scan folds the
    same cities and common names hundreds of thousands of times, and zhconv is the costly step."""
    text = clean_text(text or "")
    if not text:
        return ""
    if _HAN.search(text):
        text = zhconv.convert(text, "zh-cn")
    return unicodedata.normalize("NFKC", text).casefold()


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


# ---------------------------------------------------------------------------------------------
# Companies

@dataclass(frozen=True)
class CompanyName:
    core: str          # what identifies the company: 字节跳动科技, "acme trading"
    brand: str         # the core without industry words: 字节跳动, "acme"
    pinyin: str        # the core's pinyin (zijietiaodongkeji), or the core itself for Latin names
    legal_form: str    # limited | joint_stock | inc | gmbh | … | "" when none is written
    region: str        # 北京 when the name carries a registration region
    branch: str        # 上海 for …上海分公司, "" for the head office


def _strip_region_prefix(text: str) -> tuple[str, str]:
    # Longest region first, as REGIONS is ordered; one set lookup per length instead of a scan of REGIONS
    # (the hottest loop of a scan's keys).
    for length in _REGION_LENGTHS:
        region = text[:length]
        if len(region) == length and region in _REGION_SET:
            rest = text[length:]
            for suffix in REGION_SUFFIXES:
                if rest.startswith(suffix):
                    rest = rest[len(suffix):]
                    break
            if len(rest) >= 2 and not rest.startswith(_INSTITUTIONS):
                return rest, region
    return text, ""


def _is_region(text: str) -> bool:
    stripped = text
    for suffix in REGION_SUFFIXES:
        if stripped.endswith(suffix) and len(stripped) > len(suffix):
            stripped = stripped[: -len(suffix)]
            break
    return stripped in _REGION_NAMES


def _split_branch(text: str) -> tuple[str, str]:
    """腾讯科技(深圳)有限公司上海分公司 -> (腾讯科技有限公司, 上海): the parent and the branch's place."""
    for suffix in _BRANCH_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            body = text[: -len(suffix)]
            cut = max((body.rfind(form) + len(form) for form, _family in CN_LEGAL_FORMS if form in body), default=-1)
            if 0 < cut < len(body):
                parent, branch = body[:cut], body[cut:]
            else:
                parent, branch = body, ""
                for region in REGIONS:
                    if body.endswith(region) and len(body) > len(region):
                        parent, branch = body[: -len(region)], region
                        break
            for region_suffix in REGION_SUFFIXES:
                if branch.endswith(region_suffix) and len(branch) > len(region_suffix):
                    branch = branch[: -len(region_suffix)]
                    break
            return parent, branch or body
    return text, ""


def _chinese_company(text: str, known: tuple[str, str] | None = None) -> CompanyName:
    region = ""
    # Parenthesised regions anywhere: 字节跳动(北京)科技有限公司, 华为技术（深圳）有限公司.
    def _drop_region(match: re.Match) -> str:
        nonlocal region
        inner = match.group(1).strip()
        if _is_region(inner):
            region = region or inner
            return ""
        return inner
    text = _PAREN.sub(_drop_region, text)
    text = text.replace(" ", "")
    text, branch = _split_branch(text)
    legal_form = ""
    changed = True
    while changed:  # 集团有限公司 and 有限公司集团 both reduce to the name
        changed = False
        for suffix, family in CN_LEGAL_FORMS:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                legal_form = legal_form or family
                changed = True
                break
    for _twice in range(2):  # 上海市浦东新区…: a city, then a district
        text, prefix_region = _strip_region_prefix(text)
        region = region or prefix_region
    # A region written right after the brand (字节跳动北京科技) is the same registration region.
    brand = text
    for length in _INDUSTRY_LENGTHS:  # longest industry word first, as INDUSTRY_WORDS is ordered
        if len(brand) > length + 1 and brand[-length:] in _INDUSTRY_SET:
            brand = brand[:-length]
            break
    for length in _REGION_LENGTHS:
        if len(brand) > length + 1 and brand[-length:] in _REGION_SET:
            candidate = brand[-length:]
            brand, region = brand[:-length], region or candidate
            text = brand + text[len(brand) + len(candidate):]
            break
    text = _PUNCTUATION.sub("", text)
    brand = _PUNCTUATION.sub("", brand)
    pinyin = known[1] if known and known[1] and known[0] == text else name_pinyin(text, person=False)[0]
    return CompanyName(core=text, brand=brand, pinyin=pinyin, legal_form=legal_form, region=region, branch=branch)


def _latin_company(text: str) -> CompanyName:
    text = text.replace("&", " and ")
    tokens = [token for token in _PUNCTUATION.split(text) if token]
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    branch = ""
    legal_form = ""
    changed = True
    while changed and tokens:
        changed = False
        for form, family in LATIN_LEGAL_FORMS:
            if len(tokens) > len(form) and tuple(tokens[-len(form):]) == form:
                tokens = tokens[: -len(form)]
                if tokens and tokens[-1] == "and":
                    tokens = tokens[:-1]
                legal_form = legal_form or family
                changed = True
                break
    core = " ".join(tokens)
    if _LATIN_BRANCH.search(core):
        branch = core
    brand_tokens = [token for token in tokens if token not in _LATIN_INDUSTRY] or tokens
    return CompanyName(core=core, brand=" ".join(brand_tokens), pinyin=core.replace(" ", ""),
                       legal_form=legal_form, region="", branch=branch)


def company_name(raw: str, *, known: tuple[str, str] | None = None) -> CompanyName:
    """The canonical parts of a company name, Chinese or Latin (or mixed: the Chinese rules apply).
    `known` = (match_name, match_name_pinyin) stored at entry time: when the core is the stored name,
    its stored pinyin is used instead of converting again (the costliest step of a scan's keys)."""
    text = fold(raw)
    if not text:
        return CompanyName("", "", "", "", "", "")
    return _chinese_company(text, known) if has_han(text) else _latin_company(text)


# ---------------------------------------------------------------------------------------------
# People

@dataclass(frozen=True)
class PersonName:
    text: str            # folded characters: 王芳, "john smith"
    pinyin: str          # 王芳 -> "wangfang"; Latin names: the tokens joined ("johnsmith")
    tokens: tuple[str, ...]  # Latin tokens with nicknames expanded; pinyin syllables for Chinese names
    sorted_key: str      # tokens sorted: swapped first/last names compare equal
    initials: str        # "js"


@functools.lru_cache(maxsize=1 << 17)
def person_name(raw: str) -> PersonName:
    """A person's name by characters and by sound. Chinese names read with surname rules (曾 is zeng);
    Latin names lose punctuation, expand common nicknames (Bill -> william) and sort for swaps."""
    text = fold(raw)
    if not text:
        return PersonName("", "", (), "", "")
    if has_han(text):
        compact = _PUNCTUATION.sub("", text)
        pinyin, initials = name_pinyin(compact, person=True)
        return PersonName(compact, pinyin, (pinyin,), pinyin, initials)
    if "," in text:  # "Smith, John" is written surname first
        surname, _sep, given = text.partition(",")
        text = f"{given} {surname}"
    tokens = tuple(NICKNAMES.get(token, token) for token in _PUNCTUATION.split(text) if token)
    joined = "".join(tokens)
    return PersonName(" ".join(tokens), joined, tokens, " ".join(sorted(tokens)),
                      "".join(token[0] for token in tokens))


# ---------------------------------------------------------------------------------------------
# Strong keys

_CN_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")


def phone_key(raw: str, region: str = "CN") -> str:
    """E.164 (+8613800138000) when the number is valid, else its digits; "" when empty."""
    if not raw:
        return ""
    if region in ("CN", ""):
        # The common case without phonenumbers' parser (about 100 µs a number): a Chinese mobile.
        mobile = _CN_MOBILE.match(re.sub(r"[\s\-().]", "", clean_text(raw)))
        if mobile:
            return "+86" + mobile.group(1)
    try:
        return normalise_phone(raw, region or "CN")
    except ValueError:
        digits = phone_digits(raw)
        return digits if len(digits) >= 6 else ""


def email_key(raw: str) -> str:
    """Lower-cased address ("" when empty or invalid)."""
    if not raw:
        return ""
    if len(raw) <= 254 and PLAIN_EMAIL.fullmatch(raw):
        return raw  # already the normalised form: no validator call (about 90 µs) per record in a scan
    try:
        return normalise_email(raw)
    except ValueError:
        return ""


def email_is_generic(email: str) -> bool:
    """info@, sales@, 客服…: shared mailboxes say little about which record this is."""
    return email.partition("@")[0] in GENERIC_MAILBOXES


def credit_code_key(raw: str) -> str:
    """A unified social credit code, upper-cased without spaces (not check-digit verified: a typo still
    matches its own typo)."""
    text = re.sub(r"[\s\-]", "", clean_text(raw or "")).upper()
    return text if len(text) == 18 else ""


def address_key(raw: str) -> str:
    return _PUNCTUATION.sub(" ", fold(raw)).strip()


# ---------------------------------------------------------------------------------------------
# The keys a record stores in indexed columns, for the entry-time lookup

def stored_match_keys(name: str, *, company: bool) -> dict[str, str]:
    """{match_name, match_name_pinyin, match_brand}: the canonical name, its pinyin (person names:
    tokens sorted, so swapped names share it) and the company's brand. Indexed on the model, these
    find the candidates for one new record without a scan."""
    if company:
        parts = company_name(name)
        return {"match_name": parts.core[:200], "match_name_pinyin": parts.pinyin[:200],
                "match_brand": parts.brand[:200]}
    parts = person_name(name)
    return {"match_name": parts.text[:200], "match_name_pinyin": parts.pinyin[:200],
            "match_brand": parts.sorted_key.replace(" ", "")[:200]}
