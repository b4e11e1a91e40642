"""Organisation mentions: who a figure belongs to.

Three shapes: known brands and their aliases (中国电信集团有限公司 → 中国电信), branches of
a brand kept as written with the brand as parent (中国电信四川公司, 四川电信, 国网四川省电力
公司), and names built on an organisation suffix (XX县人民政府, 中国扶贫基金会). Pronouns
(公司, 该公司, 我们) are found separately: they point back to the article's organisation.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter
from dataclasses import dataclass

from aidetl.extract.alternation import behind_first_characters, by_first_character
from aidetl.extract.places import find_places

# canonical name → aliases (longest first in the pattern)
BRANDS: dict[str, tuple[str, ...]] = {
    "中国电信": (
        "中国电信集团有限公司",
        "中国电信集团公司",
        "中国电信股份有限公司",
        "中国电信集团",
        "中国电信",
    ),
    "中国移动": ("中国移动通信集团有限公司", "中国移动通信集团", "中国移动"),
    "中国联通": ("中国联合网络通信集团有限公司", "中国联通集团", "中国联通"),
    "中国铁塔": ("中国铁塔股份有限公司", "中国铁塔"),
    "国家电网": ("国家电网有限公司", "国家电网公司", "国家电网", "国网"),
    "南方电网": ("中国南方电网有限责任公司", "中国南方电网", "南方电网", "南网"),
    "中国石化": ("中国石油化工集团有限公司", "中国石化集团", "中国石化", "中石化"),
    "中国石油": ("中国石油天然气集团有限公司", "中国石油集团", "中国石油", "中石油"),
    "中国海油": ("中国海洋石油集团有限公司", "中国海油", "中海油"),
    "中国农业银行": ("中国农业银行股份有限公司", "中国农业银行", "农业银行", "农行"),
    "中国工商银行": ("中国工商银行", "工商银行", "工行"),
    "中国建设银行": ("中国建设银行", "建设银行", "建行"),
    "中国银行": ("中国银行",),
    "交通银行": ("交通银行",),
    "中国邮政储蓄银行": ("中国邮政储蓄银行", "邮储银行"),
    "中国邮政": ("中国邮政集团有限公司", "中国邮政集团", "中国邮政"),
    "国家开发银行": ("国家开发银行", "国开行"),
    "中国农业发展银行": ("中国农业发展银行", "农业发展银行", "农发行"),
    "中国人寿": ("中国人寿保险", "中国人寿"),
    "中国平安": ("中国平安保险", "中国平安", "平安集团"),
    "中国人保": ("中国人民保险集团", "中国人保"),
    "中国华能": ("中国华能集团有限公司", "中国华能", "华能集团"),
    "三峡集团": ("中国长江三峡集团有限公司", "中国长江三峡集团", "三峡集团"),
    "国家能源集团": ("国家能源投资集团", "国家能源集团"),
    "中粮集团": ("中粮集团有限公司", "中粮集团", "中粮"),
    "中国建筑": ("中国建筑集团有限公司", "中国建筑", "中建集团"),
    "中国中铁": ("中国中铁",),
    "中国铁建": ("中国铁建",),
    "中国宝武": ("中国宝武",),
    "华为": ("华为技术有限公司", "华为公司", "华为"),
    "中兴": ("中兴通讯", "中兴"),
    "腾讯": ("腾讯公司", "腾讯"),
    "阿里巴巴": ("阿里巴巴集团", "阿里巴巴"),
    "京东": ("京东集团", "京东"),
    "拼多多": ("拼多多",),
    "美团": ("美团",),
    "百度": ("百度公司", "百度"),
    "碧桂园": ("碧桂园集团", "碧桂园"),
    "恒大集团": ("恒大集团",),
    "国务院扶贫办": ("国务院扶贫开发领导小组办公室", "国务院扶贫办"),
    "国家乡村振兴局": ("国家乡村振兴局",),
    "财政部": ("财政部",),
    "农业农村部": ("农业农村部",),
    "商务部": ("商务部",),
    "教育部": ("教育部",),
    "民政部": ("民政部",),
    "工业和信息化部": ("工业和信息化部", "工信部"),
    "人力资源和社会保障部": ("人力资源和社会保障部", "人力资源社会保障部", "人社部"),
    "国家发展改革委": ("国家发展和改革委员会", "国家发展改革委", "国家发改委"),
    "国资委": ("国务院国资委", "国资委"),
    "中组部": ("中组部",),
    "中国扶贫基金会": ("中国扶贫基金会",),
    # central banks and regulators
    "中国人民银行": ("中国人民银行", "人民银行", "央行"),
    "美联储": ("美国联邦储备委员会", "美联储"),
    "欧洲央行": ("欧洲中央银行", "欧洲央行"),
    "日本央行": ("日本银行", "日本央行"),
    "英国央行": ("英格兰银行", "英国央行"),
    "中国证监会": ("中国证券监督管理委员会", "中国证监会", "证监会"),
    "中国银保监会": ("中国银行保险监督管理委员会", "银保监会"),
    "中国证券金融公司": ("中国证券金融股份有限公司", "中国证券金融公司", "证金公司"),
    "中央汇金": ("中央汇金投资有限责任公司", "中央汇金", "汇金公司"),
    # companies often in economic news (canonical → aliases; a name not here is found by
    # its suffix: 集团, 公司, 银行, 证券, 交易所 …)
    "万达集团": ("大连万达集团", "万达集团", "万达"),
    "绿地集团": ("绿地控股", "绿地集团"),
    "万科": ("万科集团", "万科企业", "万科"),
    "恒大": ("中国恒大", "恒大"),
    "携程": ("携程旅行网", "携程集团", "携程网", "携程"),
    "同程旅游": ("同程旅游", "同程网", "同程艺龙", "同程"),
    "途牛": ("途牛旅游网", "途牛"),
    "艺龙": ("艺龙旅行网", "艺龙"),
    "去哪儿网": ("去哪儿网",),
    "驴妈妈": ("驴妈妈旅游网", "驴妈妈"),
    "苏宁": ("苏宁易购", "苏宁"),
    "小米": ("小米集团", "小米公司"),
    "网易": ("网易公司", "网易"),
    "新浪": ("新浪公司", "新浪网", "新浪"),
    "搜狐": ("搜狐公司", "搜狐"),
    "字节跳动": ("字节跳动",),
    "滴滴": ("滴滴出行",),
    "联想": ("联想集团",),
    "海尔": ("海尔集团", "海尔"),
    "格力": ("格力电器", "格力"),
    "美的": ("美的集团",),
    "比亚迪": ("比亚迪",),
    "吉利": ("吉利汽车", "吉利控股"),
    "上汽集团": ("上海汽车集团", "上汽集团", "上汽"),
    "一汽": ("中国第一汽车集团", "一汽集团", "一汽"),
    "东风汽车": ("东风汽车集团", "东风汽车"),
    "东风本田": ("东风本田",),
    "东风悦达起亚": ("东风悦达起亚",),
    "北京现代": ("北京现代",),
    "现代汽车": ("韩国现代汽车", "现代汽车", "韩国现代"),
    "大众": ("德国大众", "大众汽车", "一汽大众", "上海大众"),
    "通用汽车": ("美国通用汽车", "通用汽车", "上海通用"),
    "福特": ("福特汽车", "福特"),
    "丰田汽车": ("丰田汽车", "丰田"),
    "本田汽车": ("本田汽车",),
    "宝马": ("宝马集团", "宝马"),
    "中国国际金融": ("中国国际金融有限公司", "中国国际金融股份有限公司", "中金公司"),
    "中信证券": ("中信证券",),
    "中信集团": ("中国中信集团", "中信集团"),
    "摩根大通": ("摩根大通",),
    "高盛": ("高盛集团", "高盛"),
    "摩根士丹利": ("摩根士丹利", "大摩"),
    "贝莱德": ("贝莱德集团", "贝莱德"),
    "PIMCO": ("太平洋投资管理公司", "PIMCO"),
    "苹果公司": ("苹果公司",),
    "微软": ("微软公司", "微软"),
    "谷歌": ("谷歌公司", "谷歌"),
    "亚马逊": ("亚马逊公司",),
    "三星": ("三星集团", "三星电子"),
}
# The short brand a branch uses: 四川电信 → 中国电信, 江苏移动 → 中国移动
BRANCH_SHORT = {
    "电信": "中国电信",
    "移动": "中国移动",
    "联通": "中国联通",
    "铁塔": "中国铁塔",
    "农行": "中国农业银行",
    "工行": "中国工商银行",
    "建行": "中国建设银行",
    "邮政": "中国邮政",
    "邮储银行": "中国邮政储蓄银行",
    "石化": "中国石化",
    "电力公司": "国家电网",
    "供电公司": "国家电网",
}
ALIASES = {alias: name for name, aliases in BRANDS.items() for alias in aliases}
_LONGEST_FIRST = sorted(ALIASES, key=len, reverse=True)


# 中国电信, 中国电信集团有限公司, 农行 (aliases, longest first)
BRAND = re.compile(by_first_character(_LONGEST_FIRST))
# after a brand: 四川公司, 凉山分行, 四川省电力公司 (the place is checked against places)
BRANCH_AFTER = re.compile(
    r"(?P<place>[\u4e00-\u9fff]{2,8}?)(?:分公司|公司|分行|支行|电力公司|供电公司|分局)"
)
# a brand's own body: 腾讯基金会, 阿里巴巴公益基金会, 京东物流公司 is not matched (only bodies)
OWN_BODY = re.compile(
    r"[\u4e00-\u9fff]{0,4}?(?:基金会|慈善会|研究院|工会)"
    r"|(?:文化|商业|旅游|地产|金融|科技|物流|影视|体育|院线)?(?:旅业|集团|控股|地产|影业|院线|物流|金融|保险)"
)
# a branch brand after a place: 四川电信, 江苏移动公司, 凉山州农行
LOCAL = re.compile(r"(?:电信|移动|联通|铁塔|农行|工行|建行|邮政|邮储银行)(?:分?公司)?")
# an organisation suffix; the name is the words before it: 盐源县人民政府, 中国扶贫基金会
GOVERNMENT = re.compile(
    r"人民政府|县委|市委|省委|州委|政府|扶贫开发局|扶贫办|乡村振兴局|农业农村局|财政局|民政局|教育局"
    r"|商务局|人社局|发改委|发展改革委|人社厅|扶贫办|农业农村厅|财政厅|民政厅|教育厅|商务厅|扶贫开发办公室"
)
SUFFIX = re.compile(
    GOVERNMENT.pattern
    + r"|基金会|慈善会|慈善总会|红十字会|商会|协会|合作社|集团有限公司|股份有限公司"
    r"|有限责任公司|有限公司|集团|银行|研究院|证券(?![化市业公投交监从])|交易所|旅业"
)
# Words that end a built name on the left: 向盐源县人民政府 → 盐源县人民政府
NAME_LEAD = re.compile(
    r"^.*(?:联合|携手|通过|协调|动员|依托|发起|组织|捐赠|资助|委托|会同|邀请|支持|帮助|推动|"
    r"引导|联系|指导|积极|成立|设立|记者|了解到|据|在|向|由|为|和|与|及|是|了|将|给|对|从|经|把|被|同|跟|的|等|"
    r"到|共|让|请|以|于|也|还|并|已|均|都|曾|又|再|即|就|才|所|各|该|本|我|这|那|其|有|做|则|而|"
    r"获得|现任|担任|决定|此外|旗下|包括|以及|表示|显示|宣布|成为|加入|收购|称|说|指出|透露|认为|"
    r"他|她|它|们|日|月|年)"
)
# Names that are not an organisation of their own: 省级公司, 龙头企业的合作社 …
GENERIC = re.compile(
    r"^(?:省级|市级|县级|地市|子|分|全|各|该|本|我|这家|一家|家|龙头|专业|农民|村级|乡镇|当地|地方|相关"
    r"|影子|商业|民营|村镇|外资|中资|国有|股份制|城商|农商|大型|中小|多家|某|部分|主要|其他|境外|海外|央企|国企"
    r"|上市|券商|证券|利益|犯罪|黑社会|财团|军事|政治)"
    r"|某"
)
# 公司, 该公司, 我们, 本行: the article's own organisation
PRONOUN_BODY = (
    r"(?:该|本|我|全)(?:公司|集团|企业|行)|我们|它(?!们)"
    r"|(?:(?<![\u4e00-\u9fff])|(?<=今日|昨日|日前|近日|目前|此前|同日|当天|今天|昨天))"
    r"(?:公司|集团)(?![\u4e00-\u9fff]?级)"
)
PRONOUN = re.compile(behind_first_characters(PRONOUN_BODY, "该本我全它公集"))
# right before an organisation that receives or partners rather than acts
RECIPIENT_BEFORE = re.compile(
    r"(?:向|为|给|对|帮助|帮扶|协调|动员|联合|携手|支持|与|和|同|及|、|联系|邀请|引入|引进|吸引|助力)$"
)


@dataclass(frozen=True, slots=True)
class OrgMention:
    """An organisation as written, where it is, and its canonical parent when a branch."""

    name: str
    start: int
    end: int
    parent: str | None = None
    recipient: bool = False  # introduced by 向/为/与/、…: not the actor


def find_orgs(text: str, start: int = 0, end: int | None = None) -> list[OrgMention]:
    """Organisation mentions in text[start:end], left to right (linear in the text: the
    mentions found so far are kept sorted and searched by bisection)."""
    end = len(text) if end is None else end
    found = _Found([_brand(text, m, end) for m in BRAND.finditer(text, start, end)])
    for m in LOCAL.finditer(text, start, end):
        if not found.covers(m.start()):
            found.add(_local(text, m, start))
    for m in SUFFIX.finditer(text, start, end):
        if not found.covers(m.start()):
            found.add(_named(text, m, max(start, found.end_before(m.start()))))
    return found.items


class _Found:
    """Organisation mentions sorted by start, with the two questions find_orgs asks."""

    def __init__(self, items: list[OrgMention]):
        self.items = sorted(items, key=lambda o: o.start)
        self.starts = [o.start for o in self.items]

    def add(self, more: list[OrgMention]) -> None:
        for o in more:
            i = bisect.bisect_right(self.starts, o.start)
            self.starts.insert(i, o.start)
            self.items.insert(i, o)

    def covers(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and self.items[i].start <= pos < self.items[i].end

    def end_before(self, pos: int) -> int:
        """The end of the last mention that ends at or before `pos` (0: none)."""
        i = bisect.bisect_right(self.starts, pos) - 1
        while i >= 0 and self.items[i].end > pos:
            i -= 1
        return self.items[i].end if i >= 0 else 0


def _brand(text: str, m: re.Match, end: int) -> OrgMention:
    """中国电信 alone, or with its branch: 中国电信四川公司 (parent 中国电信); a brand's own
    foundation or subsidiary keeps its full name: 腾讯公益慈善基金会 (parent 腾讯)."""
    canonical = ALIASES[m.group(0)]
    own = OWN_BODY.match(text, m.end(), end)
    if own:
        return _make(text, text[m.start() : own.end()], m.start(), own.end(), canonical)
    branch = BRANCH_AFTER.match(text, m.end(), end)
    if branch and _is_place(branch.group("place")):
        return _make(text, text[m.start() : branch.end()], m.start(), branch.end(), canonical)
    return _make(text, canonical, m.start(), m.end(), None)


def _local(text: str, m: re.Match, floor: int) -> list[OrgMention]:
    """四川电信 → a branch of 中国电信, named as written."""
    places = find_places(text, max(floor, m.start() - 10), m.start())
    chain = [p for p in places if p.end == m.start()]
    if not chain:
        return []
    first = _chain_start(places, chain[0])  # 四川凉山电信
    short = m.group(0).removesuffix("分公司").removesuffix("公司")
    return [_make(text, text[first : m.end()], first, m.end(), BRANCH_SHORT[short])]


def _named(text: str, m: re.Match, floor: int) -> list[OrgMention]:
    """盐源县人民政府, 中国扶贫基金会: the words before the suffix up to a lead word."""
    s = name_start(text, max(floor, m.start() - 14), m.start())
    if s >= m.start() or text[m.start() - 1] in "全本该各我级":  # 全集团, 县级公司
        return []
    places = find_places(text, s, m.start())
    if GOVERNMENT.fullmatch(m.group(0)):  # a government is named by its place: 福建省政府
        near = [
            p for p in places if m.start() - p.end <= 4 and not _has_lead(text[p.end : m.start()])
        ]
        if not near:
            return []
        first = _chain_start(places, near[-1])
        return [_make(text, text[first : m.end()], first, m.end(), None)]
    if places:
        s = places[0].start
    else:
        lead = NAME_LEAD.match(text[s : m.start()])
        s += lead.end() if lead else 0
    while s < m.start() and text[s] in NAME_MARKS:  # ）纽约商业交易所: a name opens no bracket
        s += 1
    written = text[s : m.end()]
    if m.start() - s < 2 or GENERIC.match(written):  # 家合作社, 省级公司
        return []
    return [_make(text, written, s, m.end(), None)]


def name_start(text: str, start: int, end: int) -> int:
    """Where a name ending at `end` may start, at `start` the earliest: right after the last
    character in text[start:end] a name is not written in (end when that is the last)."""
    for i in range(end - 1, start - 1, -1):
        if not _is_han(text[i]):
            return i + 1
    return start


def _has_lead(gap: str) -> bool:
    return bool(gap) and bool(NAME_LEAD.match(gap))


def _chain_start(places: list, last) -> int:
    """The start of the place chain ending with `last`: 四川省凉山州 starts at 四川省."""
    first = last
    while True:
        before = [p for p in places if p.end == first.start]
        if not before:
            return first.start
        first = before[0]


def _is_han(chunk: str) -> bool:
    """Characters a name is written in: Han, Latin letters (TCL集团), brackets (北新建材（昆明）)."""
    return all(
        "\u4e00" <= c <= "\u9fff" or c in NAME_MARKS or c.isascii() and c.isalpha() for c in chunk
    )


NAME_MARKS = frozenset("（）()")


def _is_place(chunk: str) -> bool:
    places = find_places(chunk)
    return bool(places) and places[0].start == 0 and places[-1].end >= len(chunk) - 1


def _make(text: str, name: str, s: int, e: int, parent: str | None) -> OrgMention:
    before = text[max(0, s - 2) : s]
    recipient = bool(RECIPIENT_BEFORE.search(before))
    return OrgMention(name, s, e, parent, recipient)


def main_organisation(text: str) -> str | None:
    """The organisation an article is about: its most frequent canonical name (two or more)."""
    counts = Counter(m.parent or m.name for m in find_orgs(text))
    if not counts:
        return None
    name, count = counts.most_common(1)[0]
    return name if count >= 2 else None


def has_pronoun(text: str, start: int, end: int, orgs: list[OrgMention]) -> bool:
    """True when 公司/我们/该公司 stands alone (not inside an organisation name) in the span."""
    for m in PRONOUN.finditer(text, start, end):
        if not any(o.start <= m.start() < o.end for o in orgs):
            return True
    return False


# the company-form ending a short name drops: 华坚集团 → 华坚, 海新科技有限公司 → 海新科技
COMPANY_FORM = re.compile(r"(?:集团)?(?:股份)?(?:有限责任公司|有限公司|公司)$|集团$")


def short_names(orgs: list[OrgMention]) -> dict[str, OrgMention]:
    """Short forms an article may use after naming a company in full: 华坚集团 → 华坚.
    Only names built on a company suffix (brands have their own aliases), at least two
    characters left, not a place alone."""
    found: dict[str, OrgMention] = {}
    for o in orgs:
        if o.parent is None and o.name in BRANDS and o.name not in ALIASES:
            found.setdefault(o.name, o)  # 小米集团 … 小米: the brand's own short name
        if o.parent is not None or o.name in ALIASES.values():
            continue
        stem = COMPANY_FORM.sub("", o.name)
        if stem == o.name:
            continue  # not a company: 福建省政府, 中国扶贫基金会
        places = find_places(stem)
        if places and places[0].start == 0:
            stem = stem[places[-1].end :] if places[-1].end < len(stem) else ""
        if len(stem) >= 2 and _is_han(stem) and not GENERIC.match(stem):
            found.setdefault(stem, o)
    return found


def find_short_mentions(
    text: str, names: dict[str, OrgMention], known: list[OrgMention]
) -> list[OrgMention]:
    """Mentions of the short forms outside the names already found."""
    if not names:
        return []
    covered = _Found(known)
    return [
        _make(text, names[word].name, start, start + len(word), None)
        for start, word in occurrences(text, sorted(names, key=_escaped_length, reverse=True))
        if not covered.covers(start)
    ]


def _escaped_length(word: str) -> int:
    return len(re.escape(word))  # the order the flat alternation had: longest pattern first


# below this many (word × character) steps, str.find beats compiling an alternation
FIND_STEPS = 2_000_000


def occurrences(text: str, words: list[str]) -> list[tuple[int, str]]:
    """(start, word) of what re.finditer("|".join(words)) finds: left to right, at each
    start the first of `words` written there, not overlapping. A short text's few words are
    found with str.find (compiling a regex for every article's own words cost more than
    the scan); a long text is scanned once by the words' alternation grouped by first
    character (str.find would walk the text once per word)."""
    if len(words) * len(text) < FIND_STEPS:
        return occurrences_by_find(text, words)
    pattern = re.compile(by_first_character(words))
    return [(m.start(), m.group()) for m in pattern.finditer(text)]


def occurrences_by_find(text: str, words: list[str]) -> list[tuple[int, str]]:
    """occurrences() with str.find, each word's next start kept in a heap."""
    heap = [(at, rank, w) for rank, w in enumerate(words) if w and (at := text.find(w)) >= 0]
    heapq.heapify(heap)
    found: list[tuple[int, str]] = []
    while heap:
        start, _, word = heap[0]  # the leftmost start; at it, the first word in order
        found.append((start, word))
        pos = start + len(word)
        while heap and heap[0][0] < pos:  # words starting inside the match: look further on
            _, rank, w = heapq.heappop(heap)
            at = text.find(w, pos)
            if at >= 0:
                heapq.heappush(heap, (at, rank, w))
    return found
