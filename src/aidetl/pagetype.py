"""What kind of page this is, decided before its body is extracted.

A news URL does not always lead to one article. Some pages list other pages (a column index,
search results), some show the post with its neighbours (a blog's front or month page), some
are a forum thread, some carry no prose at all. The decision looks for the page's dominant
run of repeated units (siblings of the same tag, class and id pattern) and asks what the
units are: long prose under a heading (posts), floors of a thread (forum), short link entries
(a list). A page whose prose lies outside any such run is an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import NavigableString, Tag

from aidetl.htmltext import SPACES, Stats, signature

ARTICLE = "article"
LIST = "list"
MULTI_POST = "multi_post"
FORUM = "forum"
NON_ARTICLE = "non_article"
# Page types whose text is loaded as an article (the others are recorded and skipped).
LOADABLE = frozenset({ARTICLE, MULTI_POST, FORUM})

# Containers that can hold one post, one floor of a thread or one entry of a list.
UNIT_TAGS = frozenset("div li article section table tbody tr dl dd".split())
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5".split())
# class/id of a post's heading: class="entry-title", class="post_title", id="thread_subject"
TITLE_NAME = re.compile(r"(^|[-_\s])(title|subject|tit|headline|hd)([-_\s\d]|$)", re.I)
# Floor markers of a forum thread: "楼主", "沙发", "12楼", "#3", "只看该作者" (not "发表于":
# blogs print it above every post too)
FLOOR_MARK = re.compile(
    r"楼主|沙发|板凳|地板|(?<![\d.])\d{1,4}\s*楼(?![a-zA-Z\u4e00-\u9fff])|#\d{1,4}(?!\d)|只看该作者"
)
MIN_POST_PROSE = 150  # prose characters (outside links) that make a unit a post, not a teaser
MIN_POST_PARAS = 2  # ...or this many paragraphs of prose
MIN_POSTS = 2  # units that must be posts for a multi-post page or a thread
MIN_LIST_ENTRIES = 6  # link entries a list page shows at the least
MIN_TEASERS = 3  # linked teasers in a run beside an article that are cut before extraction
MIN_GROUP_SHARE = 0.6  # share of the page's prose score the run of posts must hold
# A list page is decided only when it is plain: its entries hold most of the page's text and
# the prose outside them scores under about one sentence (a footer line). A brief of two
# sentences beside a long run of links stays an article: losing an article costs more than
# loading an index.
MIN_LIST_SHARE = 0.6
MAX_LIST_OUTSIDE = 8.0
# The label of a link to the previous or next post: "上一篇：", "下一篇:" (a sentence that
# opens with "上一篇文章中…" has no colon and is not one)
NEIGHBOUR_LABEL = re.compile(r"^\s*(上一篇|下一篇|前一篇|后一篇|上一条|下一条)\s*(?:[:：]|$)")
NEIGHBOUR_HINT = re.compile("一[篇条]")  # a literal start: scanned fast over the markup
MAX_NEIGHBOUR = 400  # characters of a previous/next box with its excerpt
MIN_GROUP_TEXT = 60  # characters a parent needs for its children to be looked at as units


@dataclass(frozen=True, slots=True)
class PageKind:
    """The page type, one line saying why, and the repeated units it found (page order)."""

    kind: str
    why: str
    units: tuple[Tag, ...] = ()
    teasers: tuple[Tag, ...] = ()  # on an article page: runs of linked teasers beside it
    lead: Tag | None = None  # the first unit shown in full: the post when the URL names none

    @property
    def loadable(self) -> bool:
        return self.kind in LOADABLE


@dataclass(slots=True)
class Group:
    """Sibling units of one signature under one parent, with their summed measures."""

    members: list[Tag]
    text: int = 0
    mass: float = 0.0


def classify(root: Tag, stats: dict[int, Stats], neighbours: bool = True) -> PageKind:
    """The type of the page under root (cleaned of junk, headline still in place).

    stats are root's measures (htmltext.measure), shared with the body extraction after.
    neighbours=False: the page has no 上一篇/下一篇 label (has_neighbour_label found none in
    its markup), so the walk that looks for those boxes is skipped.
    """
    top = stats[id(root)]
    if top.mass <= 0:  # one sentence is enough for an article (a flash: "5亿元，3000户。")
        return PageKind(NON_ARTICLE, f"no line of prose in {top.text} characters of text")
    groups = unit_groups(stats)
    if not groups:
        found = neighbour_links(root, stats) if neighbours else ()
        return PageKind(ARTICLE, "no repeated units", teasers=found)
    group = max(groups, key=lambda g: g.text)
    units = tuple(group.members)
    posts = [m for m in units if is_post(m, stats)]
    floors = [m for m in units if FLOOR_MARK.search(head_text(m))] if posts else []
    share = group.mass / top.mass
    if len(floors) >= MIN_POSTS and posts and share >= MIN_GROUP_SHARE:
        kept = {id(m) for m in posts} | {id(m) for m in floors}
        thread = tuple(m for m in units if id(m) in kept)
        return PageKind(FORUM, f"{len(floors)} floors of a thread", thread)
    headed = tuple(m for m in units if heading_of(m) is not None) if posts else ()
    headed_ids = {id(m) for m in headed}
    full = [m for m in posts if id(m) in headed_ids]
    # Two posts in full, or one in full among excerpts of others (a column's page)
    several = len(full) >= MIN_POSTS or (full and len(headed) > MIN_POSTS)
    if several and share >= MIN_GROUP_SHARE:
        why = f"{len(headed)} posts with headings, {len(full)} in full"
        return PageKind(MULTI_POST, why, headed, lead=full[0])
    entries = [m for m in units if is_entry(m, stats)]
    outside = top.mass - group.mass
    plain = outside < MAX_LIST_OUTSIDE and group.text >= MIN_LIST_SHARE * top.text
    if len(entries) >= MIN_LIST_ENTRIES and not posts and plain:
        why = f"{len(entries)} link entries, prose score {outside:.0f} outside them"
        return PageKind(LIST, why, units)
    teasers = tuple(m for g in groups if is_teaser_run(g, stats) for m in g.members)
    teasers += neighbour_links(root, stats) if neighbours else ()
    return PageKind(ARTICLE, f"repeated units hold {share:.0%} of the prose", teasers=teasers)


def has_neighbour_label(markup: str) -> bool:
    """Whether the page's markup holds 上一篇, 下一条 or the like anywhere (cheap: decides
    whether neighbour_links walks the tree)."""
    return any(
        m.start() > 0 and markup[m.start() - 1] in "上下前后"
        for m in NEIGHBOUR_HINT.finditer(markup)
    )


def neighbour_links(root: Tag, stats: dict[int, Stats]) -> tuple[Tag, ...]:
    """The "上一篇：…" and "下一篇：…" boxes of the posts before and after this one, when they
    show an excerpt (one that can outweigh a short post): the nearest block around the label
    with a link and a line of prose, if that is all it holds (one line, MAX_NEIGHBOUR chars)."""
    found: list[Tag] = []
    for label in root.find_all(string=NEIGHBOUR_LABEL):
        for parent in label.parents:
            st = stats.get(id(parent))
            if st is None or parent is root or st.text > MAX_NEIGHBOUR or st.lines > 1:
                break
            if st.links and st.mass > 0:
                found.append(parent)
                break
    return tuple({id(box): box for box in found}.values())


def unit_groups(stats: dict[int, Stats]) -> list[Group]:
    """Every run of two or more sibling units with text that share a signature."""
    found: list[Group] = []
    for st in stats.values():
        node = st.tag
        if node is None or st.text < MIN_GROUP_TEXT:
            continue
        kids = [c for c in node.contents if type(c) is Tag and c.name in UNIT_TAGS]
        if len(kids) < 2:
            continue
        groups: dict[tuple[str, str, str], Group] = {}
        for child in kids:
            sub = stats[id(child)]
            if sub.text:
                group = groups.setdefault(signature(child), Group([]))
                group.members.append(child)
                group.text += sub.text
                group.mass += sub.mass
        found.extend(g for g in groups.values() if len(g.members) >= 2)
    return found


def is_teaser_run(group: Group, stats: dict[int, Stats]) -> bool:
    """Three or more units that each open or close with a link and add a little prose:
    teasers ("headline, summary" or "summary, [详细]")."""
    if len(group.members) < MIN_TEASERS:
        return False
    return all(
        is_entry(m, stats) and (opens_with_link(m) or closes_with_link(m)) for m in group.members
    )


def closes_with_link(unit: Tag) -> bool:
    """Whether the unit's last text is link text (a "more" link after a summary)."""
    for node in reversed(list(unit.descendants)):
        if type(node) is NavigableString and not node.isspace():
            return any(parent.name == "a" for parent in node.parents if parent is not unit)
    return False


def opens_with_link(unit: Tag) -> bool:
    """Whether the unit's first text is link text (a headline linking elsewhere)."""
    for node in unit.descendants:
        if type(node) is NavigableString and not node.isspace():
            return any(parent.name == "a" for parent in node.parents if parent is not unit)
    return False


def is_post(unit: Tag, stats: dict[int, Stats]) -> bool:
    st = stats[id(unit)]
    prose = st.text - st.links
    if st.links > prose:
        return False
    return prose >= MIN_POST_PROSE or st.lines >= MIN_POST_PARAS


def is_entry(unit: Tag, stats: dict[int, Stats]) -> bool:
    """A list entry: a link, little prose of its own."""
    st = stats[id(unit)]
    return st.links > 0 and st.text - st.links < MIN_POST_PROSE


def head_text(unit: Tag) -> str:
    """The first hundred characters of a unit (where a floor number or byline sits)."""
    out: list[str] = []
    size = 0
    for node in unit.descendants:  # a walk that stops early (find_all would collect all)
        if type(node) is NavigableString:
            piece = SPACES.sub("", node)
            out.append(piece)
            size += len(piece)
            if size > 100:
                break
    return "".join(out)


def heading_of(unit: Tag) -> Tag | None:
    """A unit's heading: its first h1–h5, else its first element named like a title."""
    found = unit.find(HEADING_TAGS)
    if isinstance(found, Tag):
        return found
    for tag in unit.find_all(True, limit=40):
        names = f"{tag.get('class') or ''} {tag.get('id') or ''}"
        if names.strip() and TITLE_NAME.search(names) and tag.get_text(strip=True):
            return tag
    return None


def pick_post(kind: PageKind, url: str, doc_title: str | None) -> Tag:
    """The unit this URL points to: by #anchor, by permalink, by title, else the first one
    shown in full (the first floor of a thread)."""
    units = kind.units
    fragment = urlsplit(url).fragment
    if fragment:
        for unit in units:
            if unit.get("id") == fragment or unit.find(True, id=fragment) is not None:
                return unit
            if unit.find("a", attrs={"name": fragment}) is not None:
                return unit
    target = url.split("#")[0].rstrip("/")
    if target and kind.kind == MULTI_POST:
        for unit in units:
            heading = heading_of(unit)
            links = heading.find_all("a", href=True) if heading is not None else []
            links += unit.find_all("a", rel="bookmark", href=True)
            for link in links:
                if urljoin(url, str(link["href"])).split("#")[0].rstrip("/") == target:
                    return unit
    squeezed = SPACES.sub("", doc_title or "")
    if squeezed and kind.kind == MULTI_POST:
        for unit in units:
            heading = heading_of(unit)
            name = SPACES.sub("", heading.get_text()) if heading is not None else ""
            if len(name) >= 4 and name in squeezed:
                return unit
    return kind.lead if kind.lead is not None else units[0]
