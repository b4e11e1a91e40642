"""HTML to article text: cleaning, paragraph rendering and the generic density extractor.

The generic extractor scores every block by the paragraphs it holds (Readability's idea,
weighted like CETD / GeneralNewsExtractor by punctuation and against link text): each
paragraph of real prose gives its score to its own block, half to the parent and a quarter
to the grandparent; the best block wins and siblings that look like more of the same join it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

# Whole elements that never carry article text, cut from the markup before parsing.
# e.g. <script>var a = "<p>";</script>, <style>p {}</style>, <!-- ad -->
PRE_STRIP = re.compile(
    r"<(script|style|noscript|template|svg|textarea|select|object|iframe)\b[^>]*>.*?</\1\s*>|<!--.*?-->",
    re.I | re.S,
)
# Tags dropped from the tree wholesale.
JUNK_TAGS = (
    "nav",
    "footer",
    "aside",
    "button",
    "input",
    "form-control",
    "label",
    "map",
    "embed",
    "video",
    "audio",
    "canvas",
    "link",
    "meta",
    "head",
)
# class/id tokens of boilerplate blocks: share bars, comments, related lists, QR-code ads...
# e.g. class="share-box", id="comment_list", class="related-news", class="wechat-ad"
JUNK_NAME = re.compile(
    r"(^|[-_\s])(share|sharing|bdshare|comments?|cmt|related|relate|recommend|recom|footer|foot|"
    r"nav|navbar|menu|breadcrumbs?|crumbs?|sidebar|side|aside|copyright|qrcode|qr|wechat|weixin|"
    r"ad|ads|advert|advertisement|adv|banner|hotnews|hot|rank|ranking|tags?|toolbar|pager|"
    r"pagination|page-?nav|login|reg|search|topbar|top-?nav|statement|disclaimer|more-?news|"
    r"jump|dianzan|praise|reward|print|fontsize|font-size|gotop|backtop)([-_\s\d]|$)",
    re.I,
)
# ...unless the name also says it is the article: class="article-content-side" stays.
KEEP_NAME = re.compile(
    r"article|content|main|body|text|post|entry|detail|story|zw|cnt|news_?con", re.I
)
BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table tbody thead section article blockquote "
    "pre dd dt dl header main center figure figcaption hr address fieldset form body html caption".split()
)
CANDIDATE_TAGS = frozenset(
    "div td section article main blockquote body center font span dd li form pre".split()
)
# Punctuation of prose: ，。！？；、：“”  and their ASCII cousins.
PUNCT = re.compile(r"[，。！？；、：“”‘’（）《》,.!?;:]")
SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+")
# Lines of share widgets and QR-code ads that sit inside content blocks.
# e.g. "截屏,微信识别二维码", "微信号:19991967303", "(点击微信号复制,添加好友)", "打开微信"
JUNK_LINE = re.compile(
    r"^(截屏.{0,4}微信识别二维码|微信号[:：]\s*\S*|\(?（?点击微信号复制.{0,10}|打开微信|"
    r"微信号已复制.*|分享到[:：]?.{0,30}|扫一扫.{0,20}|扫描二维码.{0,20}|长按二维码.{0,20}|"
    r"返回搜狐，查看更多|点击进入专题[:：]?.{0,40}|\[?打印\]?|\[?关闭\]?|【?纠错】?|"
    r"X?\S{0,12}服务|转播到腾讯微博|推荐阅读[:：]?|相关阅读[:：]?|相关新闻[:：]?|延伸阅读[:：]?)$"
)


@dataclass(slots=True)
class Stats:
    """Text, link-text and score totals of one element (mutable while scoring)."""

    text: int = 0
    links: int = 0
    punct: int = 0
    score: float = 0.0
    paras: int = 0
    children: list[Tag] = field(default_factory=list)


def strip_markup(html: str) -> str:
    """Remove scripts, styles, comments and other never-text elements before parsing."""
    return PRE_STRIP.sub(" ", html)


def make_soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(strip_markup(html), "lxml")


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace (full-width, NBSP...) into one space and trim."""
    return SPACES.sub(" ", text).strip()


def is_junk(tag: Tag) -> bool:
    """A boilerplate block by its tag name, class or id, or hidden by inline style."""
    if tag.name in JUNK_TAGS:
        return True
    attrs = tag.attrs
    if not attrs:
        return False
    style = attrs.get("style")
    if style and "display:none" in style.replace(" ", "").lower():
        return True
    names = " ".join(attrs.get("class") or ()) + " " + str(attrs.get("id") or "")
    if not names.strip():
        return False
    return bool(JUNK_NAME.search(names)) and not KEEP_NAME.search(names)


def drop_junk(root: Tag) -> None:
    """Decompose boilerplate elements (and comments left after pre-stripping)."""
    for node in root.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        if is_junk(tag):
            tag.decompose()


def paragraphs(root: Tag) -> list[str]:
    """The text of an element as paragraphs: block tags and <br> break lines.

    A line made only of link text (a menu item, "read more") is left out.
    """
    out: list[str] = []
    buf: list[str] = []
    plain = [False]  # does the pending line have text outside links?

    def flush() -> None:
        line = normalize_space("".join(buf))
        buf.clear()
        if line and plain[0]:
            out.append(line)
        plain[0] = False

    def walk(node: Tag, in_link: bool) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                if child.name in BLOCK_TAGS:
                    flush()
                    walk(child, in_link)
                    flush()
                elif child.name != "img":
                    walk(child, in_link or child.name == "a")
            elif type(child) is NavigableString:
                buf.append(child)
                if not in_link and not child.isspace():
                    plain[0] = True

    walk(root, False)
    flush()
    return out


def measure(root: Tag) -> dict[int, Stats]:
    """Stats for every element: text, link text and punctuation below it, paragraph score."""
    stats: dict[int, Stats] = {}

    def visit(node: Tag, in_link: bool) -> Stats:
        st = Stats()
        stats[id(node)] = st
        link = in_link or node.name == "a"
        for child in node.children:
            if isinstance(child, Tag):
                sub = visit(child, link)
                st.text += sub.text
                st.links += sub.links
                st.punct += sub.punct
            elif type(child) is NavigableString:
                text = SPACES.sub("", child)
                if text:
                    st.text += len(text)
                    st.links += len(text) if link else 0
                    st.punct += len(PUNCT.findall(text))
        return st

    visit(root, False)
    credit_lines(root, stats)
    return stats


def credit_lines(root: Tag, stats: dict[int, Stats]) -> None:
    """Score each line of prose (text between block breaks) and credit its block."""
    buf: list[str] = []

    def flush(owner: Tag) -> None:
        score = paragraph_score("".join(buf))
        buf.clear()
        if score > 0:
            st = stats[id(owner)]
            st.score += score
            st.paras += 1

    def walk(node: Tag, owner: Tag, in_link: bool) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                if child.name in BLOCK_TAGS:
                    flush(owner)
                    walk(child, child, in_link)
                    flush(child)
                else:
                    walk(child, owner, in_link or child.name == "a")
            elif type(child) is NavigableString and not in_link:
                buf.append(SPACES.sub("", child))

    walk(root, root, False)
    flush(root)


def paragraph_score(line: str) -> float:
    """How much a run of inline text looks like prose (0 for labels and menu items)."""
    n = len(line)
    if n < 8:
        return 0.0
    punct = len(PUNCT.findall(line))
    if punct == 0 and n < 40:
        return 0.0
    return 1.0 + punct + min(n / 80.0, 4.0)


def spread_scores(root: Tag, stats: dict[int, Stats]) -> dict[int, float]:
    """Give each block's paragraph score to itself, half to its parent, a quarter above."""
    total: dict[int, float] = {}
    for tag in [root, *root.find_all(True)]:
        own = stats[id(tag)].score
        if own <= 0:
            continue
        weight = 1.0
        node: Tag | None = tag
        for _ in range(4):
            if node is None or not isinstance(node, Tag):
                break
            total[id(node)] = total.get(id(node), 0.0) + own * weight
            node = node.parent
            weight /= 2 if weight == 1.0 else 3
    return total


def link_density(st: Stats) -> float:
    return st.links / st.text if st.text else 1.0


def pick_block(root: Tag) -> Tag:
    """The element most likely to be the article body."""
    stats = measure(root)
    total = spread_scores(root, stats)
    best, best_score = root, -1.0
    for tag in [root, *root.find_all(True)]:
        raw = total.get(id(tag))
        if raw is None:
            continue
        st = stats[id(tag)]
        score = raw * (1.0 - link_density(st)) ** 2
        if tag.name not in CANDIDATE_TAGS and tag.name != "p":
            score *= 0.9
        if score > best_score:
            best, best_score = tag, score
    if best.name == "p" and isinstance(best.parent, Tag):
        best = best.parent
    return best


def content_paragraphs(block: Tag) -> list[str]:
    """Render the chosen block, leaving out link lists and widget lines."""
    drop_link_lists(block)
    return [p for p in paragraphs(block) if not JUNK_LINE.match(p)]


def drop_link_lists(block: Tag) -> None:
    """Remove descendants that are mostly links with no prose (related lists, tag clouds)."""
    stats = measure(block)
    for tag in block.find_all(
        ("div", "ul", "ol", "table", "dl", "section", "p", "span", "td", "li")
    ):
        if tag.decomposed:
            continue
        st = stats.get(id(tag))
        if st is None or st.text == 0:
            continue
        if st.links / st.text > 0.6 and st.text - st.links < 40:
            tag.decompose()
