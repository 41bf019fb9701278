"""A generated Chinese/Latin customer set with known duplicates, for the accuracy bench, tests and the
demo. No package ships Chinese records with ground truth (DATA-QUALITY.md), so we make our own with the
variations people really produce: suffix and region reshuffles (北京字节跳动科技有限公司 vs
字节跳动(北京)科技有限公司), traditional characters, full-width brackets and digits, names in pinyin,
typos, swapped Latin names and initials, phone formats (+86, 0086, spaces, dashes)."""

import random
from dataclasses import dataclass, replace

import zhconv

from veracity.core.normalisation import credit_code_check_character, name_pinyin
from veracity.matching.scoring import COMPANY, PERSON

BRAND_CHARACTERS = (
    "华 腾 阿 里 字 节 跳 动 美 团 京 东 百 度 小 米 格 力 海 尔 联 想 比 亚 迪 万 科 恒 瑞 新 希 望 "
    "顺 丰 中 兴 大 疆 网 易 携 程 拼 多 蔚 来 理 想 宁 德 时 代 隆 基 汇 川 迈 瑞 药 明 康 泰 "
    "伊 利 蒙 牛 茅 台 五 粮 液 洋 河 青 岛 啤 酒 双 汇 安 踏 李 宁 波 司 登 森 马 红 豆 雅 戈 尔 "
    "金 银 星 光 明 天 地 信 达 通 盛 源 鑫 鼎 辉 瀚 博 睿 智 慧 云 帆 启 航 宏 图 锦 绣 嘉 禾"
).split()
INDUSTRIES = "科技 信息技术 网络科技 贸易 实业 电子 医药 物流 文化传媒 智能科技 食品 机械 建设工程".split()
REGIONS = "北京 上海 深圳 广州 杭州 南京 成都 武汉 西安 苏州 天津 重庆 厦门 青岛".split()
SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 曾 单".split()
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 玉 兰 萍 建 国 晓 文 辉 鹏 飞 宇 浩 婷 雪 琳".split()
LATIN_FIRST = ("james john robert michael william david richard joseph thomas charles mary patricia jennifer "
               "linda elizabeth barbara susan jessica sarah karen daniel matthew anthony mark steven paul "
               "andrew joshua kevin brian george edward ronald timothy jason jeffrey ryan jacob gary").split()
LATIN_LAST = ("smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
              "gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris "
              "sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill "
              "flores green adams nelson baker hall rivera campbell mitchell carter roberts").split()
LATIN_WORDS = ("apex summit harbor pioneer evergreen silverline bluewater northstar redwood granite keystone "
               "meridian crescent oakridge brightpath ironbridge sterling horizon vantage cobalt lakeside "
               "westfield eastgate golden maple falcon orion atlas nova vertex zenith").split()
LATIN_TRADES = "Trading Logistics Software Foods Machinery Textiles Electronics Consulting".split()
LATIN_FORMS = (("Co., Ltd.", "Limited"), ("Ltd", "Limited"), ("Inc.", "Incorporated"), ("GmbH", "GmbH"))
NICK = {"william": "bill", "robert": "bob", "richard": "dick", "james": "jim", "michael": "mike",
        "thomas": "tom", "elizabeth": "liz", "joseph": "joe", "david": "dave", "daniel": "dan",
        "andrew": "andy", "edward": "ted", "charles": "charlie", "steven": "steve", "anthony": "tony"}
CITIES = {"北京": "100000", "上海": "200000", "深圳": "518000", "广州": "510000", "杭州": "310000",
          "南京": "210000", "成都": "610000", "武汉": "430000", "西安": "710000", "苏州": "215000",
          "天津": "300000", "重庆": "400000", "厦门": "361000", "青岛": "266000"}
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "example.cn", "corp.example.com", "mail.example.org")


@dataclass(frozen=True)
class SyntheticRecord:
    entity: int           # records with the same entity are the same customer
    kind: str
    name: str
    phone: str
    email: str
    credit_code: str
    city: str
    address: str


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(
        rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_character(body)


def _mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def _phone_variant(rng: random.Random, digits: str) -> str:
    style = rng.randrange(6)
    if style == 0:
        return digits
    if style == 1:
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == 2:
        return f"0086-{digits}"
    if style == 3:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == 4:
        return "".join(chr(ord(c) + 0xFEE0) for c in digits)  # full-width digits
    return f"+86{digits}"


def _typo(rng: random.Random, text: str, alphabet: str) -> str:
    if len(text) < 3:
        return text
    position = rng.randrange(1, len(text))
    action = rng.randrange(3)
    if action == 0:
        return text[:position] + rng.choice(alphabet) + text[position + 1:]
    if action == 1:
        return text[:position] + text[position + 1:]
    return text[:position - 1] + text[position] + text[position - 1] + text[position + 1:]


def _base_chinese_company(rng: random.Random, entity: int) -> tuple[SyntheticRecord, dict]:
    brand = "".join(rng.sample(BRAND_CHARACTERS, rng.choice((2, 3, 4))))
    parts = {"brand": brand, "industry": rng.choice(INDUSTRIES), "region": rng.choice(REGIONS),
             "form": rng.choice(("有限公司", "有限公司", "股份有限公司", "有限责任公司"))}
    name = f"{parts['region']}{parts['brand']}{parts['industry']}{parts['form']}"
    city = parts["region"]
    record = SyntheticRecord(
        entity, COMPANY, name, _mobile(rng) if rng.random() < 0.85 else "",
        f"{name_pinyin(brand, person=False)[0]}{entity}@{rng.choice(EMAIL_DOMAINS)}" if rng.random() < 0.6 else "",
        _credit_code(rng) if rng.random() < 0.45 else "", city,
        f"{city}市{rng.choice('东西南北中')}{rng.choice(('大街', '路', '大道'))}{rng.randrange(1, 999)}号",
    )
    return record, parts


def _chinese_company_variant(rng: random.Random, record: SyntheticRecord, parts: dict) -> SyntheticRecord:
    style = rng.randrange(6)
    brand, industry, region, form = parts["brand"], parts["industry"], parts["region"], parts["form"]
    if style == 0:
        name = f"{brand}({region}){industry}{form}"
    elif style == 1:
        name = f"{brand}{industry}（{region}）{form}"
    elif style == 2:
        name = f"{region}市{brand}{industry}{form}"
    elif style == 3:
        name = zhconv.convert(record.name, "zh-hant")
    elif style == 4:
        name = f"{brand}{industry}{'有限公司' if form != '有限公司' else '股份有限公司'}"
    else:
        name = f"{region}{_typo(rng, brand, ''.join(BRAND_CHARACTERS))}{industry}{form}"
    return replace(record, name=name, phone=_phone_variant(rng, record.phone) if record.phone else "",
                   email=record.email.upper() if record.email and rng.random() < 0.3 else record.email,
                   credit_code=record.credit_code if rng.random() < 0.7 else "",
                   address=record.address if rng.random() < 0.6 else "")


def _base_latin_company(rng: random.Random, entity: int) -> tuple[SyntheticRecord, dict]:
    words = " ".join(word.title() for word in rng.sample(LATIN_WORDS, 2))
    trade = rng.choice(LATIN_TRADES)
    forms = rng.choice(LATIN_FORMS)
    name = f"{words} {trade} {forms[0]}"
    city = rng.choice(list(CITIES))
    record = SyntheticRecord(entity, COMPANY, name, _mobile(rng) if rng.random() < 0.7 else "",
                             f"contact{entity}@{words.replace(' ', '').lower()}.example.com"
                             if rng.random() < 0.7 else "", "", city,
                             f"{rng.randrange(1, 300)} {rng.choice(LATIN_WORDS).title()} Road")
    return record, {"words": words, "trade": trade, "forms": forms}


def _latin_company_variant(rng: random.Random, record: SyntheticRecord, parts: dict) -> SyntheticRecord:
    style = rng.randrange(4)
    if style == 0:
        name = f"{parts['words']} {parts['trade']} {parts['forms'][1]}"
    elif style == 1:
        name = f"{parts['words'].upper()} {parts['trade'].upper()} {parts['forms'][0]}"
    elif style == 2:
        name = f"{_typo(rng, parts['words'], 'abcdefghijklmnopqrstuvwxyz')} {parts['trade']} {parts['forms'][0]}"
    else:
        name = f"The {parts['words']} {parts['trade']}"
    return replace(record, name=name, phone=_phone_variant(rng, record.phone) if record.phone else "",
                   email=record.email if rng.random() < 0.8 else "")


def _base_chinese_person(rng: random.Random, entity: int) -> tuple[SyntheticRecord, dict]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    city = rng.choice(list(CITIES))
    record = SyntheticRecord(entity, PERSON, name, _mobile(rng),
                             f"{name_pinyin(name)[0]}{rng.randrange(10, 99)}@{rng.choice(EMAIL_DOMAINS)}"
                             if rng.random() < 0.5 else "", "", city, "")
    return record, {}


def _chinese_person_variant(rng: random.Random, record: SyntheticRecord, parts: dict) -> SyntheticRecord:
    style = rng.randrange(4)
    if style == 0:
        name = zhconv.convert(record.name, "zh-hant")
    elif style == 1:
        name = record.name[0] + " " + record.name[1:]
    elif style == 2:
        pinyin = name_pinyin(record.name)[0]
        surname = name_pinyin(record.name[0])[0]
        name = f"{surname.title()} {pinyin[len(surname):].title()}"
    else:
        name = record.name
    return replace(record, name=name, phone=_phone_variant(rng, record.phone),
                   email=record.email if rng.random() < 0.7 else "")


def _base_latin_person(rng: random.Random, entity: int) -> tuple[SyntheticRecord, dict]:
    first, last = rng.choice(LATIN_FIRST), rng.choice(LATIN_LAST)
    record = SyntheticRecord(entity, PERSON, f"{first.title()} {last.title()}",
                             _mobile(rng) if rng.random() < 0.8 else "",
                             f"{first}.{last}{rng.randrange(1, 999)}@{rng.choice(EMAIL_DOMAINS)}",
                             "", rng.choice(list(CITIES)), "")
    return record, {"first": first, "last": last}


def _latin_person_variant(rng: random.Random, record: SyntheticRecord, parts: dict) -> SyntheticRecord:
    first, last = parts["first"], parts["last"]
    style = rng.randrange(5)
    if style == 0:
        name = f"{last.title()}, {first.title()}"
    elif style == 1:
        name = f"{first[0].upper()}. {last.title()}"
    elif style == 2:
        name = f"{_typo(rng, first, 'aeiourstln')} {last}".title()
    elif style == 3:
        name = f"{NICK.get(first, first).title()} {last.title()}"
    else:
        name = f"{first.title()} {_typo(rng, last, 'aeiourstln').title()}"
    return replace(record, name=name, phone=_phone_variant(rng, record.phone) if record.phone else "",
                   email=record.email if rng.random() < 0.85 else "")


GENERATORS = (
    (0.45, _base_chinese_company, _chinese_company_variant),
    (0.15, _base_latin_company, _latin_company_variant),
    (0.25, _base_chinese_person, _chinese_person_variant),
    (0.15, _base_latin_person, _latin_person_variant),
)


def generate_customers(count: int, *, duplicate_share: float = 0.2, seed: int = 4) -> list[SyntheticRecord]:
    """About `count` records; `duplicate_share` of the entities get one or two variant records."""
    rng = random.Random(seed)
    records: list[SyntheticRecord] = []
    entity = 0
    weights = [weight for weight, _base, _variant in GENERATORS]
    while len(records) < count:
        entity += 1
        _weight, base, variant = rng.choices(GENERATORS, weights=weights)[0]
        record, parts = base(rng, entity)
        records.append(record)
        if rng.random() < duplicate_share:
            for _copy in range(1 if rng.random() < 0.8 else 2):
                records.append(variant(rng, record, parts))
    return records[:count]


def true_pairs(records: list[SyntheticRecord]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records that are the same customer."""
    by_entity: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        by_entity.setdefault(record.entity, []).append(index)
    return {(a, b) for members in by_entity.values() for i, a in enumerate(members) for b in members[i + 1:]}
