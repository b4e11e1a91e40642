"""HTML to article text: cleaning, paragraph rendering and the generic density extractor.

The generic extractor scores every block by the paragraphs it holds (Readability's idea,
weighted like CETD / GeneralNewsExtractor by punctuation and against link text): each
paragraph of real prose gives its score to its own block, half to the parent and a quarter
to the grandparent; the best block wins and siblings that look like more of the same join it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag

# The inside of a start tag, quote-aware: <img src="a.jpg?x>/y" alt='b'>
ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
# Whole elements that never carry article text, cut from the markup before parsing.
# e.g. <script>var a = "<p>";</script>, <style>p {}</style>, <!-- ad --> (not <iframe src=x />)
PRE_STRIP = re.compile(
    r"<(script|style|noscript|template|svg|textarea|select|object|iframe)\b"
    + ATTRS
    + r"(?<!/)>.*?</\1\s*>"
    r"|<!--.*?-->",
    re.I | re.S,
)
# A leading XML declaration: the HTML parser skips it anyway, and markup that opens with
# one (an XHTML page, a feed fetched as a page) makes BeautifulSoup warn that it looks like XML.
XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]{0,200}>", re.I)
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
    r"jump|dianzan|praise|reward|print|fontsize|font-size|gotop|backtop|"
    r"infobox|navbox|reflist|references|toc|catlinks|editsection|basic-info|catalog)([-_\s\d]|$)",
    re.I,
)
# Comment threads are prose-rich yet never the article: class="comment-list", id="cmt_box"
COMMENT_NAME = re.compile(r"(^|[-_\s])(comments?|cmt|reply|replies)([-_\s\d]|$)", re.I)
MAX_JUNK_SENTENCES = 8  # a block named like boilerplate with more sentences than this is kept
# ...unless the name also says it is the article: class="article-content-side" stays.
KEEP_NAME = re.compile(
    r"article|content|main|body|text|post|entry|detail|story|zw|cnt|news_?con", re.I
)
_BLOCKS = r"(?:div|p|li|ul|ol|tr|td|th|table|tbody|thead|h[1-6]|br|section|article|dl|dd|dt|head|meta|link|option|form|header|footer|nav|aside|body|html|title|hr|input|img)"
# Whitespace beside block tags never shows: "</p>\n   <div>" parses to fewer text nodes as "</p><div>".
BLOCK_SPACE_BEFORE = re.compile(r"\s+(?=</?" + _BLOCKS + r"\b)", re.I)
BLOCK_SPACE_AFTER = re.compile(r"(</?" + _BLOCKS + r"\b" + ATTRS + r">)\s+", re.I)
# Inline elements with nothing inside and images: fewer nodes, same text.
# e.g. <i class="icon-share"></i>, <span> </span>, <img src="a.jpg" alt="">
EMPTY_INLINE = re.compile(
    r"<(span|i|em|b|a|strong|font|s|u)\b" + ATTRS + r">\s*</\1>|<(?:img|input|wbr)\b" + ATTRS + ">",
    re.I,
)
# Containers removed from a chosen block when they are mostly links (a link inside prose stays).
LIST_TAGS = frozenset("div ul ol table dl section p span td li dd center font".split())
BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table tbody thead section article blockquote "
    "pre dd dt dl header main center figure figcaption hr address fieldset form body html caption".split()
)
# Children whose prose counts as the parent's own when deciding to climb.
INLINE_PARAS = (
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "strong",
    "b",
    "font",
    "span",
    "pre",
)
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5")
ONE_LINE_YIELDS = 0.8  # share of a one-line block's prose a block of several lines needs
# Rows and cells: a table's cells share a signature without being parts of one body.
TABLE_PARTS = frozenset("tr td th tbody thead li dd dt".split())
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
    r"点击进入专题[:：]?.{0,40}|\[?打印\]?|\[?关闭\]?|【?纠错】?|"
    r"X?\S{0,12}服务|推荐阅读[:：]?|相关阅读[:：]?|相关新闻[:：]?|延伸阅读[:：]?)$"
)


DIGITS = re.compile(r"\d+")


# A site's copyright, disclaimer or reprint notice, e.g. "版权所有：某某网 未经授权禁止转载",
# "声明：本网转载其他媒体之作品，意在为公众提供免费服务……凡注明来源为本网的作品，版权均属本网所有"
NOTICE = re.compile(
    r"版权所有|版权(均|归|属).{0,20}所有|未经.{0,12}(授权|许可|同意).{0,12}(不得|禁止|严禁)|"
    r"(本网|本站|本网站)(转载|所载)"
)
MAX_NOTICE = 300  # a longer paragraph that mentions copyright is prose about it
MIN_FACT_TERMS = 4  # terms of a <dl> without prose that make it a fact box, not text
MAX_LEAD_BLOCKS = 2  # prose blocks just before the body (a summary, a lead) joined to it


@dataclass(slots=True)
class Stats:
    """Text, link-text and score totals of one element (mutable while scoring)."""

    text: int = 0
    links: int = 0
    punct: int = 0
    score: float = 0.0
    paras: int = 0
    mass: float = 0.0  # undecayed paragraph score of the element and all below it
    lines: int = 0  # lines of prose in the element and all below it
    tag: Tag | None = None
    parent: Stats | None = None


def strip_markup(html: str) -> str:
    """Remove scripts, styles, comments and other never-text elements before parsing."""
    return PRE_STRIP.sub(" ", html)


def make_soup(html: str) -> BeautifulSoup:
    """Parse once with lxml; class stays one string (cheaper, and selectors still match)."""
    html = BLOCK_SPACE_AFTER.sub(r"\1", BLOCK_SPACE_BEFORE.sub("", strip_markup(html)))
    html = XML_DECLARATION.sub("", EMPTY_INLINE.sub("", html), count=1)
    return BeautifulSoup(html, "lxml", multi_valued_attributes=None)


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
    style = str(attrs.get("style") or "")
    if style and "display:none" in style.replace(" ", "").lower():
        return True
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if not names.strip():
        return False
    if not JUNK_NAME.search(names):
        return False
    comments = COMMENT_NAME.search(names) is not None
    if KEEP_NAME.search(names):
        # "comment-box user-post-box": the comments, whatever else the name says (unless
        # the block holds the headline, so the article itself)
        return comments and tag.find("h1") is None
    # A wrapper named after its navigation (class="blq-int-nav") may still hold the story.
    return comments or tag.get_text().count("。") < MAX_JUNK_SENTENCES


def drop_junk(root: Tag) -> None:
    """Remove boilerplate elements in one walk that does not enter what it removes."""
    doomed: list[Tag] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                if is_junk(child):
                    doomed.append(child)
                else:
                    walk(child)

    walk(root)
    for tag in doomed:
        tag.extract()


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

    def visit(node: Tag, in_link: bool, parent: Stats | None) -> Stats:
        st = Stats(tag=node, parent=parent)
        stats[id(node)] = st
        link = in_link or node.name == "a"
        for child in node.children:
            if isinstance(child, Tag):
                sub = visit(child, link, st)
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

    visit(root, False, None)
    credit_lines(root, stats)
    for st in reversed(stats.values()):  # pre-order reversed: children before parents
        st.mass += st.score
        st.lines += st.paras
        if st.parent is not None:
            st.parent.mass += st.mass
            st.parent.lines += st.lines
    return stats


def forget(stats: dict[int, Stats], tag: Tag) -> None:
    """Update measures for an element cut from the tree: its totals leave its ancestors.

    Cheaper than measuring again; a line the element shared with inline text around it
    keeps its old score (headlines and teaser runs are blocks of their own).
    """
    gone = stats.pop(id(tag), None)
    if gone is None:
        return
    node = gone.parent
    while node is not None:
        node.text -= gone.text
        node.links -= gone.links
        node.punct -= gone.punct
        node.mass -= gone.mass
        node.lines -= gone.lines
        node = node.parent
    for below in tag.find_all(True):
        stats.pop(id(below), None)


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
    """How much a run of inline text looks like prose (0 for labels, menus and notices)."""
    n = len(line)
    if n < 8:
        return 0.0
    punct = len(PUNCT.findall(line))
    if punct == 0 and n < 40:
        return 0.0
    if is_notice(line):
        return 0.0
    return 1.0 + punct + min(n / 80.0, 4.0)


def is_notice(line: str) -> bool:
    """A site's copyright or reprint notice: prose-shaped, never the article."""
    return len(line) < MAX_NOTICE and ("权" in line or "转载" in line) and bool(NOTICE.search(line))


def spread_scores(stats: dict[int, Stats]) -> dict[int, float]:
    """Give each block's paragraph score to itself, half to its parent, a sixth above."""
    total: dict[int, float] = {}
    for key, st in stats.items():
        if st.score <= 0:
            continue
        total[key] = total.get(key, 0.0) + st.score
        node, weight = st.parent, 0.5
        for _ in range(3):
            if node is None:
                break
            total[id(node.tag)] = total.get(id(node.tag), 0.0) + st.score * weight
            node, weight = node.parent, weight / 3
    return total


def link_density(st: Stats) -> float:
    return st.links / st.text if st.text else 1.0


def pick_block(root: Tag, stats: dict[int, Stats] | None = None) -> Tag:
    """The element most likely to be the article body (stats: root's measures, if taken)."""
    stats = measure(root) if stats is None else stats
    total = spread_scores(stats)
    best, best_score = root, -1.0
    several, several_score = None, -1.0  # the best block of two lines or more
    for key, raw in total.items():
        st = stats[key]
        score = raw * (1.0 - link_density(st)) ** 2
        if st.tag is not None and st.tag.name not in CANDIDATE_TAGS and st.tag.name != "p":
            score *= 0.9
        if score > best_score and st.tag is not None:
            best, best_score = st.tag, score
        if st.lines >= 2 and score > several_score and st.tag is not None:
            several, several_score = st.tag, score
    if best.name == "p" and isinstance(best.parent, Tag):
        best = best.parent
    if several is not None and stats[id(best)].lines < 2:
        # A block of one line (a brief's lead in a div of its own) gives way to a block of
        # several that holds about as much prose: a short article is taken whole.
        if stats[id(several)].mass >= ONE_LINE_YIELDS * stats[id(best)].mass:
            best = several
    return climb(best, stats)


def is_kin(other: Tag, best: Tag) -> bool:
    """A sibling block of the same kind that continues the body, not an item of its own.

    A block with a heading inside is a post or teaser beside this one (joined, a column
    page's full post would take its neighbours' excerpts with it).
    """
    return (
        other.name not in TABLE_PARTS
        and signature(other) == signature(best)
        and other.find(HEADING_TAGS) is None
    )


def is_plain_prose(block: Tag, best: Tag, stats: dict[int, Stats]) -> bool:
    """Two lines of prose or more with no link and no heading, a quarter of the body's weight:
    more of the body under another name (div.text, then div.text-more after an ad), not a
    teaser, a post, a link box or a line of widget text."""
    st = stats.get(id(block))
    return (
        st is not None
        and st.lines >= 2
        and st.mass >= 0.25 * stats[id(best)].mass
        and not st.links
        and block.name not in TABLE_PARTS
        and block.find(HEADING_TAGS) is None
    )


def climb(best: Tag, stats: dict[int, Stats]) -> Tag:
    """Move up while the parent holds a good share of prose in its own paragraphs.

    An article whose paragraphs sit partly in <p> children of the container and partly
    in a nested block (a "read more" wrapper, a page-2 div) is taken whole, and so is a body
    cut into blocks of one kind (two div.article-text around a related-links box).
    """
    for _ in range(3):
        parent = best.parent
        if (
            not isinstance(parent, Tag)
            or parent.name in ("html", "[document]")
            or id(parent) not in stats
        ):
            break
        own = stats[id(parent)].score + sum(
            stats[id(c)].mass
            for c in parent.children
            if isinstance(c, Tag)
            and c is not best
            and (c.name in INLINE_PARAS or is_kin(c, best) or is_plain_prose(c, best, stats))
        )
        if own < 0.25 * stats[id(best)].mass or link_density(stats[id(parent)]) > 0.35:
            break
        best = parent
    return best


def signature(tag: Tag) -> tuple[str, str, str]:
    """Tag name, class and id with digits blurred: id="post_12" and id="post_13" agree."""
    return (
        tag.name,
        DIGITS.sub("#", str(tag.get("class") or "")),
        DIGITS.sub("#", str(tag.get("id") or "")),
    )


def prose_size(tag: Tag) -> int:
    """Characters of text outside links below an element."""
    stats = measure(tag)
    st = stats[id(tag)]
    return st.text - st.links


def content_paragraphs(block: Tag, stats: dict[int, Stats] | None = None) -> list[str]:
    """Render the chosen block, leaving out link lists, widget lines and site notices."""
    drop_link_lists(block, stats)
    return [p for p in paragraphs(block) if not JUNK_LINE.match(p) and not is_notice(p)]


def lead_blocks(block: Tag, stats: dict[int, Stats]) -> list[Tag]:
    """Prose blocks right before the body block that open it: a summary, a lead paragraph.

    A brief whose first paragraph sits in a block of its own (div.summary, then div.text)
    is taken whole. A block with links, a heading or no prose ends the search.
    """
    found: list[Tag] = []
    node = block.previous_sibling
    while node is not None and len(found) < MAX_LEAD_BLOCKS:
        if isinstance(node, Tag):
            st = stats.get(id(node))
            if (
                st is None
                or st.mass <= 0
                or st.links
                or node.name in TABLE_PARTS
                or node.find(HEADING_TAGS) is not None
            ):
                break
            found.append(node)
        node = node.previous_sibling
    return found[::-1]


def is_fact_box(box: Tag, st: Stats) -> bool:
    """A list of MIN_FACT_TERMS terms or more (<dt>) and their values with no line of prose."""
    return st.mass <= 0 and len(box.find_all("dt", limit=MIN_FACT_TERMS)) >= MIN_FACT_TERMS


def drop_link_lists(block: Tag, stats: dict[int, Stats] | None = None) -> None:
    """Remove descendants that are mostly links with no prose (related lists, tag clouds)
    and fact boxes of terms and values without a sentence (an encyclopaedia's <dl> card)."""
    stats = measure(block) if stats is None else stats
    doomed: list[Tag] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if not isinstance(child, Tag):
                continue
            st = stats.get(id(child))
            if (
                child.name in LIST_TAGS
                and st
                and st.text
                and st.links / st.text > 0.6
                and st.text - st.links < 40
            ) or (child.name == "dl" and st and is_fact_box(child, st)):
                doomed.append(child)
            else:
                walk(child)

    walk(block)
    for tag in doomed:
        tag.extract()
