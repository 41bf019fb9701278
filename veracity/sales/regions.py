"""Which sales region a customer's province belongs to. A small explicit table (the seven
conventional regions of mainland China, plus Hong Kong, Macau and Taiwan), in Chinese and pinyin."""

from veracity.sales.models import Region

_PROVINCES: dict[Region, tuple[tuple[str, str], ...]] = {
    Region.NORTH: (("北京", "beijing"), ("天津", "tianjin"), ("河北", "hebei"), ("山西", "shanxi"),
                   ("内蒙古", "inner mongolia")),
    Region.NORTHEAST: (("辽宁", "liaoning"), ("吉林", "jilin"), ("黑龙江", "heilongjiang")),
    Region.EAST: (("上海", "shanghai"), ("江苏", "jiangsu"), ("浙江", "zhejiang"), ("安徽", "anhui"),
                  ("福建", "fujian"), ("江西", "jiangxi"), ("山东", "shandong"), ("台湾", "taiwan")),
    Region.CENTRAL: (("河南", "henan"), ("湖北", "hubei"), ("湖南", "hunan")),
    Region.SOUTH: (("广东", "guangdong"), ("广西", "guangxi"), ("海南", "hainan"), ("香港", "hong kong"),
                   ("澳门", "macau")),
    Region.SOUTHWEST: (("重庆", "chongqing"), ("四川", "sichuan"), ("贵州", "guizhou"), ("云南", "yunnan"),
                       ("西藏", "tibet")),
    Region.NORTHWEST: (("陕西", "shaanxi"), ("甘肃", "gansu"), ("青海", "qinghai"), ("宁夏", "ningxia"),
                       ("新疆", "xinjiang")),
}
PROVINCE_REGIONS: dict[str, Region] = {
    name: region for region, names in _PROVINCES.items() for pair in names for name in pair
}
PROVINCE_REGIONS.update({"nei mongol": Region.NORTH, "neimenggu": Region.NORTH, "xizang": Region.SOUTHWEST,
                         "macao": Region.SOUTH, "xianggang": Region.SOUTH, "aomen": Region.SOUTH})

# Longest first, so "维吾尔自治区" is removed before "自治区".
_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市",
             " province", " municipality", " sar", " sheng", " shi")


def _normalise(province: str) -> str:
    text = " ".join((province or "").split()).lower()
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)].strip()
    return text


def region_for(*, country: str, province: str) -> str:
    """The Region value for a customer's address, or "" when it cannot be told."""
    if country and country.upper() != "CN":
        return Region.INTERNATIONAL
    region = PROVINCE_REGIONS.get(_normalise(province))
    return region.value if region else ""
