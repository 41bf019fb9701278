"""Pools and small generators for realistic demo data: Chinese and international company and person
names, +86 phone numbers, geography, unified social credit codes and pinyin search keys.

Everything takes a `random.Random`, so a seed gives the same data every time. The brands are made up
from syllables, and every e-mail and web address uses the reserved `.example` top-level domain, so the
demo never points at a real company's mailbox."""

import random
import re

import phonenumbers
from pypinyin import lazy_pinyin

# --- Geography: province -> (region, [(city, area code, division code, [districts])]) -------------
GEOGRAPHY: dict[str, tuple[str, list[tuple[str, str, str, list[str]]]]] = {
    "北京市": ("north", [("北京市", "10", "110108", ["海淀区", "朝阳区", "东城区", "西城区", "丰台区", "昌平区"])]),
    "天津市": ("north", [("天津市", "22", "120104", ["和平区", "南开区", "河西区", "滨海新区"])]),
    "河北省": ("north", [("石家庄市", "311", "130102", ["长安区", "桥西区", "裕华区"]),
                       ("保定市", "312", "130602", ["竞秀区", "莲池区"])]),
    "山西省": ("north", [("太原市", "351", "140105", ["小店区", "迎泽区", "杏花岭区"])]),
    "辽宁省": ("northeast", [("沈阳市", "24", "210102", ["和平区", "沈河区", "浑南区"]),
                           ("大连市", "411", "210202", ["中山区", "沙河口区", "甘井子区"])]),
    "吉林省": ("northeast", [("长春市", "431", "220102", ["南关区", "朝阳区", "净月区"])]),
    "黑龙江省": ("northeast", [("哈尔滨市", "451", "230102", ["道里区", "南岗区", "松北区"])]),
    "上海市": ("east", [("上海市", "21", "310115", ["浦东新区", "徐汇区", "静安区", "闵行区", "长宁区"])]),
    "江苏省": ("east", [("南京市", "25", "320102", ["玄武区", "鼓楼区", "建邺区"]),
                      ("苏州市", "512", "320505", ["姑苏区", "虎丘区", "吴中区", "工业园区"]),
                      ("无锡市", "510", "320213", ["梁溪区", "滨湖区", "新吴区"])]),
    "浙江省": ("east", [("杭州市", "571", "330106", ["西湖区", "滨江区", "余杭区", "上城区"]),
                      ("宁波市", "574", "330212", ["海曙区", "鄞州区", "北仑区"])]),
    "安徽省": ("east", [("合肥市", "551", "340104", ["蜀山区", "包河区", "庐阳区"])]),
    "福建省": ("east", [("福州市", "591", "350102", ["鼓楼区", "台江区", "仓山区"]),
                      ("厦门市", "592", "350203", ["思明区", "湖里区", "集美区"])]),
    "山东省": ("east", [("济南市", "531", "370102", ["历下区", "市中区", "槐荫区"]),
                      ("青岛市", "532", "370202", ["市南区", "市北区", "黄岛区", "崂山区"])]),
    "河南省": ("central", [("郑州市", "371", "410105", ["金水区", "中原区", "二七区", "郑东新区"])]),
    "湖北省": ("central", [("武汉市", "27", "420106", ["武昌区", "江汉区", "洪山区", "东湖高新区"])]),
    "湖南省": ("central", [("长沙市", "731", "430104", ["岳麓区", "芙蓉区", "天心区", "雨花区"])]),
    "广东省": ("south", [("广州市", "20", "440106", ["天河区", "越秀区", "海珠区", "番禺区", "白云区"]),
                       ("深圳市", "755", "440305", ["南山区", "福田区", "罗湖区", "宝安区", "龙岗区"]),
                       ("东莞市", "769", "441900", ["南城街道", "东城街道", "长安镇", "松山湖"]),
                       ("佛山市", "757", "440604", ["禅城区", "南海区", "顺德区"])]),
    "广西壮族自治区": ("south", [("南宁市", "771", "450103", ["青秀区", "兴宁区", "西乡塘区"])]),
    "海南省": ("south", [("海口市", "898", "460106", ["龙华区", "美兰区"])]),
    "重庆市": ("southwest", [("重庆市", "23", "500105", ["渝中区", "江北区", "渝北区", "九龙坡区"])]),
    "四川省": ("southwest", [("成都市", "28", "510107", ["武侯区", "锦江区", "青羊区", "高新区"])]),
    "云南省": ("southwest", [("昆明市", "871", "530102", ["五华区", "盘龙区", "官渡区"])]),
    "陕西省": ("northwest", [("西安市", "29", "610113", ["雁塔区", "碑林区", "未央区", "高新区"])]),
    "甘肃省": ("northwest", [("兰州市", "931", "620102", ["城关区", "七里河区"])]),
    "新疆维吾尔自治区": ("northwest", [("乌鲁木齐市", "991", "650102", ["天山区", "沙依巴克区"])]),
}
# How the customers spread over the provinces (the coast and big cities weigh more).
PROVINCE_WEIGHTS = {
    "北京市": 12, "天津市": 3, "河北省": 3, "山西省": 1.5, "辽宁省": 2.5, "吉林省": 1, "黑龙江省": 1,
    "上海市": 12, "江苏省": 10, "浙江省": 10, "安徽省": 2.5, "福建省": 4, "山东省": 5, "河南省": 3,
    "湖北省": 3.5, "湖南省": 2.5, "广东省": 16, "广西壮族自治区": 1.5, "海南省": 0.8, "重庆市": 2.5,
    "四川省": 4, "云南省": 1.5, "陕西省": 2, "甘肃省": 0.6, "新疆维吾尔自治区": 0.6,
}
NORTH_TEAM_REGIONS = {"north", "northeast", "northwest", "central"}
STREETS = ["中关村大街", "建国路", "人民路", "解放路", "中山路", "科技园路", "长江路", "天府大道", "南京西路",
           "深南大道", "文三路", "金融街", "高新大道", "滨河路", "世纪大道", "和平路", "东风路", "创业路"]

# International customers: (country, cities, dialling code, currency).
INTERNATIONAL = [
    ("US", ["San Francisco", "New York", "Chicago", "Austin"], "+1", "USD"),
    ("DE", ["Hamburg", "Munich", "Frankfurt"], "+49", "EUR"),
    ("FR", ["Paris", "Lyon"], "+33", "EUR"),
    ("GB", ["London", "Manchester"], "+44", "USD"),
    ("JP", ["Tokyo", "Osaka"], "+81", "JPY"),
    ("SG", ["Singapore"], "+65", "USD"),
    ("HK", ["Hong Kong"], "+852", "HKD"),
]

# --- Company names -------------------------------------------------------------------------------
BRAND_SYLLABLES = list("华创宏盛鑫泰瑞恒达博远联新智信安康源海天晟隆铭正通嘉德昊云星启明卓越峰亿众祥和润锦")
INDUSTRY_WORDS = {
    "technology": ["科技", "信息技术", "软件", "网络科技", "智能科技", "数据科技"],
    "manufacturing": ["机械制造", "精密机械", "电子", "新材料", "自动化设备", "五金制品"],
    "retail": ["商贸", "百货", "电子商务", "贸易"],
    "finance": ["投资", "融资租赁", "资产管理"],
    "healthcare": ["医疗器械", "生物科技", "医药", "健康科技"],
    "education": ["教育科技", "文化传播", "培训"],
    "logistics": ["物流", "供应链管理", "国际货运代理"],
    "energy": ["新能源", "电力设备", "光伏科技", "环保科技"],
    "food": ["食品", "饮料", "餐饮管理", "农业发展"],
    "construction": ["建设工程", "建筑装饰", "工程咨询", "建材"],
    "government": ["城市建设投资", "公共服务"],
}
LEGAL_FORMS = [("有限公司", 70), ("股份有限公司", 18), ("集团有限公司", 7), ("集团", 5)]

EN_PREFIXES = ["Blue", "North", "Silver", "Pacific", "Summit", "Bright", "Atlas", "Harbor", "Green", "Nova",
               "Pioneer", "Crescent", "Granite", "Meridian", "Evergreen", "Orion", "Redwood", "Sterling"]
EN_NOUNS = ["Ridge", "Bridge", "Wave", "Field", "Point", "Stone", "Peak", "Gate", "Line", "Works", "Labs"]
EN_INDUSTRY = {
    "technology": "Technologies", "manufacturing": "Manufacturing", "retail": "Trading", "finance": "Capital",
    "healthcare": "Medical", "education": "Learning", "logistics": "Logistics", "energy": "Energy",
    "food": "Foods", "construction": "Construction",
}
EN_FORMS = {"US": ["Inc.", "LLC", "Corp."], "DE": ["GmbH", "AG"], "FR": ["SAS", "SA"], "GB": ["Ltd", "PLC"],
            "JP": ["K.K.", "Co., Ltd."], "SG": ["Pte. Ltd."], "HK": ["Limited", "Holdings Limited"]}

# --- Person names --------------------------------------------------------------------------------
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玲飞鹏辉俊浩宇轩欣怡子涵梓萱雨晨思远嘉琪")
LATIN_FIRST = ["James", "Mary", "John", "Linda", "Michael", "Sarah", "David", "Emma", "Daniel", "Laura", "Thomas",
               "Anna", "Lukas", "Sophie", "Pierre", "Claire", "Hiroshi", "Yuki", "Oliver", "Grace", "Ethan", "Chloe"]
LATIN_LAST = ["Smith", "Johnson", "Brown", "Miller", "Wilson", "Taylor", "Anderson", "Schmidt", "Müller", "Martin",
              "Dubois", "Tanaka", "Suzuki", "Clarke", "Evans", "Walker", "Chen", "Wong", "Lee", "Tan"]
TITLES = [("总经理", "管理层"), ("副总经理", "管理层"), ("采购经理", "采购部"), ("采购专员", "采购部"),
          ("财务总监", "财务部"), ("IT 主管", "信息部"), ("行政经理", "行政部"), ("技术总监", "技术部"),
          ("项目经理", "项目部"), ("运营经理", "运营部")]
EN_TITLES = [("CEO", "Management"), ("Purchasing Manager", "Procurement"), ("CFO", "Finance"),
             ("IT Manager", "IT"), ("Operations Director", "Operations")]

MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186",
                   "187", "188", "189", "198", "199"]

# GB 32100-2015: the 31 characters a unified social credit code may use, and the position weights.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714 (the embedded organisation code)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015)."""
    total = sum(CREDIT_CODE_CHARS.index(char) * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_is_valid(code: str) -> bool:
    return (len(code) == 18 and all(char in CREDIT_CODE_CHARS for char in code)
            and credit_code_check_char(code[:17]) == code[17])


def credit_code(rng: random.Random, division_code: str) -> str:
    """A well-formed code for an enterprise ('91') registered in `division_code`, including a valid
    GB 11714 organisation-code check character at position 17 and the GB 32100 check at 18."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    check = 11 - sum(int(char) * weight for char, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(check, str(check))
    first17 = "91" + division_code + body + org_check
    return first17 + credit_code_check_char(first17)


def mobile(rng: random.Random) -> str:
    """A +86 mobile number in E.164, e.g. +8613800138000."""
    return "+86" + rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random, area_code: str) -> str:
    """A fixed line in E.164 (8 local digits; 7 where the city's numbering plan has 7)."""
    first = str(rng.randint(2, 8))
    rest = rng.randrange(10**7)
    number = f"+86{area_code}{first}{rest:07d}"
    if not phonenumbers.is_valid_number(phonenumbers.parse(number)):
        number = f"+86{area_code}{first}{rest // 10:06d}"
    return number


def chinese_person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def latin_person(rng: random.Random) -> str:
    return f"{rng.choice(LATIN_FIRST)} {rng.choice(LATIN_LAST)}"


def chinese_brand(rng: random.Random) -> str:
    first = rng.choice(BRAND_SYLLABLES)
    second = rng.choice([char for char in BRAND_SYLLABLES if char != first])
    return first + second


def chinese_company(rng: random.Random, *, province: str, city: str, industry: str, brand: str) -> str:
    """Region + brand + industry word + legal form, e.g. 深圳华创智能科技有限公司."""
    place = rng.choice([city, province, city]).removesuffix("市").removesuffix("省")
    place = re.sub(r"(壮族|维吾尔)?自治区$", "", place)
    word = rng.choice(INDUSTRY_WORDS.get(industry, ["实业"]))
    form = rng.choices([form for form, _ in LEGAL_FORMS], weights=[w for _, w in LEGAL_FORMS])[0]
    return place + brand + word + form


def english_company(rng: random.Random, *, country: str, industry: str) -> str:
    return " ".join([rng.choice(EN_PREFIXES) + rng.choice(EN_NOUNS).lower(),
                     EN_INDUSTRY.get(industry, "Group"), rng.choice(EN_FORMS[country])])


_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9]+")


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) for search: 字节跳动 -> ("zijietiaodong", "zjtd"). Latin words count as
    syllables of their own: "Blue Ridge" -> ("blueridge", "br")."""
    syllables: list[str] = []
    for chunk in lazy_pinyin(name):
        if _HAN.search(chunk):
            continue  # a character pypinyin does not know: leave it out
        syllables.extend(word.lower() for word in _WORD.findall(chunk))
    return "".join(syllables)[:400], "".join(syllable[0] for syllable in syllables)[:100]


def ascii_slug(name: str) -> str:
    """Lower-case ASCII letters for addresses: 华创 -> huachuang."""
    return pinyin_keys(name)[0][:30] or "company"
