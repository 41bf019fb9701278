"""The demo product catalog: categories, product families and their price ranges."""

import random
from decimal import Decimal

# category -> (SKU prefix, unit, [(name, low price, high price)], variants)
CATALOG: dict[str, tuple[str, str, list[tuple[str, int, int]], list[str]]] = {
    "办公设备": ("OFF", "pcs", [("激光打印机", 1200, 6800), ("多功能一体机", 2600, 15800), ("碎纸机", 380, 2400),
                             ("投影仪", 2900, 12800), ("会议平板", 9800, 36800), ("扫描仪", 900, 5600)], ["标准版", "商务版", "高配版", "旗舰版"]),
    "IT 硬件": ("ITH", "pcs", [("商用笔记本电脑", 4200, 12800), ("台式工作站", 5600, 22800), ("27 英寸显示器", 1100, 3600),
                             ("机架式服务器", 18800, 86000), ("千兆交换机", 900, 12800), ("企业级固态硬盘", 680, 4200), ("无线接入点", 480, 2600)],
               ["14 英寸", "16 英寸", "入门款", "专业款"]),
    "软件许可": ("SWL", "license", [("CRM 专业版", 1200, 3600), ("财务软件", 2800, 9800), ("安全防护套件", 260, 980),
                                 ("协同办公套件", 300, 1200), ("数据备份软件", 900, 4800),
                                 ("设计软件", 1800, 8800)], ["单用户", "团队版", "企业版"]),
    "技术服务": ("SRV", "hour", [("上门技术支持", 300, 800), ("系统集成实施", 600, 1500), ("数据迁移服务", 500, 1200), ("培训服务", 400, 1000)],
                ["标准", "加急"]),
    "年度维保": ("MNT", "year", [("硬件维保服务", 2000, 18000), ("软件升级订阅", 1500, 12000), ("驻场运维", 36000, 120000)], ["银牌", "金牌"]),
    "工业配件": ("IND", "pcs", [("深沟球轴承", 12, 380), ("伺服电机", 1800, 9800), ("PLC 控制模块", 2200, 12800),
                             ("工业传感器", 260, 2400), ("气动阀门", 180, 1600)], ["A 型", "B 型", "C 型", "D 型"]),
    "包装材料": ("PKG", "box", [("瓦楞纸箱", 45, 180), ("气泡缓冲膜", 60, 220), ("封箱胶带", 38, 120)], ["小号", "中号", "大号", "特大号"]),
    "化工原料": ("CHM", "kg", [("环氧树脂", 28, 85), ("工业酒精", 8, 26), ("聚氨酯涂料", 35, 120), ("润滑油", 22, 90)], ["工业级", "电子级", "食品级"]),
    "线缆耗材": ("CAB", "m", [("六类网线", 3, 9), ("光纤跳线", 8, 40), ("电力电缆", 18, 160)], ["室内", "室外", "阻燃"]),
    "食品饮料": ("FNB", "box", [("矿泉水整箱", 28, 60), ("茶叶礼盒", 168, 980), ("咖啡豆", 120, 420), ("坚果礼盒", 98, 398), ("办公零食", 60, 260)],
                ["标准装", "礼品装", "企业定制装"]),
}
# A few imported products are priced in US dollars.
USD_SKUS_PER_CATEGORY = {"软件许可": 3, "IT 硬件": 2}


def build_catalog(rng: random.Random, *, target: int = 150) -> list[dict]:
    """About `target` product dicts (sku, name, category, unit, list_price, cost_price, currency)."""
    candidates = []
    for category, (prefix, unit, families, variants) in CATALOG.items():
        for family_no, (family, low, high) in enumerate(families, start=1):
            for variant_no, variant in enumerate(variants, start=1):
                candidates.append((category, prefix, unit, family_no, family, low, high, variant_no, variant))
    rng.shuffle(candidates)
    chosen = sorted(candidates[:target], key=lambda item: (item[1], item[3], item[7]))
    products = []
    usd_left = dict(USD_SKUS_PER_CATEGORY)
    for category, prefix, unit, family_no, family, low, high, variant_no, variant in chosen:
        price = Decimal(rng.randint(low * 100, high * 100)) / 100
        price = price.quantize(Decimal("1")) if price > 100 else price.quantize(Decimal("0.01"))
        currency = "CNY"
        if usd_left.get(category):
            usd_left[category] -= 1
            currency = "USD"
            price = (price / Decimal("7.2")).quantize(Decimal("0.01"))
        cost = (price * Decimal(rng.randint(45, 80)) / 100).quantize(Decimal("0.01"))
        products.append({
            "sku": f"{prefix}-{family_no:02d}{variant_no:02d}",
            "name": f"{family}（{variant}）",
            "category": category,
            "unit": unit,
            "list_price": price,
            "cost_price": cost,
            "currency": currency,
        })
    return products
