"""Page → Article: title, time, author, outlet and the body text of a news page.

A site profile (aidetl/profiles/*.toml) gives CSS selectors; whatever it does not find
(or a site without profile) is handled by the generic density extractor in htmltext.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bs4 import BeautifulSoup, Tag

from aidetl import htmltext, metadata, pagetype
from aidetl.encoding import decode_html
from aidetl.errors import ConfigError, NotArticleError, ParseError
from aidetl.htmlselect import Index
from aidetl.models import Article, Page, Source, not_article_message
from aidetl.siteprofiles import Profile, get_profile, profile_for_host

log = logging.getLogger(__name__)

# "datePublished": "2019-09-07T09:59:22+08:00" inside JSON-LD or inline page data
JSON_DATE = re.compile(
    r"""["'](?:datePublished|pubDate|publish_time|publishTime)["']\s*:\s*["']([^"']{8,40})["']"""
)
# A short line of page furniture opening the body: "2020-02-27 21:37 来源：XX日报 作者：XX"
META_LINE = re.compile(
    r"(来源|作者|编辑|记者|发布时间|发表时间|点击|浏览|字号|(?:19|20)\d\d[-年/.]\d{1,2}[-月/.]\d{1,2})"
)
# Where-am-I trail over a headline: "您所在的位置： 首页 > 快讯 > 公司", "首页 > 新闻 > 正文"
BREADCRUMB = re.compile(r"^.{0,6}(当前|所在|您的|现在)位置\s*[:：]|^(首页|主页|网站首页)\s*[>›»]")
# A short label line with no clause in it: a byline, a column name, a headline
LABEL_LINE = re.compile(r"^[^，。！？；,!?;]{1,40}$")
# Icon-font glyphs and counters left of a share bar: "\ue60e4" (a thumbs-up and its count)
ICON_LINE = re.compile(r"^[\ue000-\uf8ff\d\s]*[\ue000-\uf8ff][\ue000-\uf8ff\d\s]*$")
HEAD_LINES = 6  # lines at the top of a body searched for headline and byline furniture
# A bare address line under a headline: "http://house.sina.com.cn"
URL_LINE = re.compile(r"^https?://\S+$")
# A closing editor credit, kept in Article.editor rather than the body: "【责任编辑：任杰】"
EDITOR_LINE = re.compile(r"^[\[【(（]?\s*(责任编辑|责编|编辑)\s*[:：]\s*\S{0,20}\s*[\]】)）]?$")
MIN_PROFILE_BODY = 20  # characters a profile's body selector must yield to be believed
MAX_BOX_LABEL = 12  # characters left in a teaser box that are its label, not text
NEAR_CHARS = 400  # how much text after the headline is searched for the date and byline


def parse_article(page: Page, source: Source | None = None) -> Article:
    """The article of a fetched page, with the source's profile and timezone when given.

    NotArticleError for list, index and other non-article pages: the pipeline records it on
    the page's fetch instead of loading the page as an article.
    """
    url = page.final_url or page.url
    article, kind = read_html(
        page.text or page.content,
        url=url,
        profile=source.profile if source else None,
        timezone=source.timezone if source else "Asia/Shanghai",
    )
    if not kind.loadable:
        raise NotArticleError(not_article_message(url, kind.kind, kind.why))
    return article_with(
        article, source=source.name if source else page.source, archive_key=page.archive_key
    )


def article_with(article: Article, **changes: Any) -> Article:
    values = {name: getattr(article, name) for name in Article.__slots__}  # type: ignore[attr-defined]
    values.update(changes)
    return Article(**values)


def parse_html(
    html: bytes | str,
    url: str = "",
    profile: str | None = None,
    *,
    timezone: str = "Asia/Shanghai",
    generic: bool = False,
) -> Article:
    """Parse one page's HTML into an Article; ParseError when there is no article text.

    generic=True reads the page with no site profile (and so no rule written for its site):
    how the extractor does on a site nobody has seen, as the parse gate measures it.
    """
    return read_html(html, url, profile, timezone=timezone, generic=generic)[0]


def read_html(
    html: bytes | str,
    url: str = "",
    profile: str | None = None,
    *,
    timezone: str = "Asia/Shanghai",
    generic: bool = False,
) -> tuple[Article, pagetype.PageKind]:
    """The page's Article and the page-type decision behind it."""
    text = decode_html(html)[0] if isinstance(html, bytes) else html
    if not text.strip():
        raise ParseError(f"{url or 'page'}: empty document")
    chosen = None if generic else choose_profile(profile, url)
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParseError(f"{url}: unknown timezone {timezone!r}") from exc
    soup = htmltext.make_soup(text)
    root = soup.body or soup
    index = Index(soup) if chosen else None
    title, title_el = find_title(soup, chosen, index)
    near = text_after(title_el) if title_el is not None else ""
    published = find_time(soup, chosen, index, near, text, root, tz)
    byline = selected_text(index, chosen.author) if chosen and index else None
    outlet = selected_text(index, chosen.outlet) if chosen and index else None
    editor = selected_text(index, chosen.editor) if chosen and index else None
    try:
        labels = pagetype.has_neighbour_label(text)
        kind, scope, stats = find_scope(root, chosen, index, url, soup, labels)
        if scope is not root:  # one post of several: its own headline, date and byline
            title, title_el, near, published = post_heading(
                scope, title, title_el, near, published, tz
            )
        paras = extract_body(scope, chosen, index, title_el, title, stats)
    except RecursionError as exc:  # the tree walks recurse: ~1000 nested elements is the end
        raise ParseError(f"{url or 'page'}: HTML nested too deeply to read") from exc
    if not paras:
        raise ParseError(f"{url or 'page'}: no article text found")
    ends = "\n".join(paras[:2] + paras[-3:])
    editor_name = (
        metadata.find_editor(editor or "")
        or metadata.find_editor(near)
        or metadata.find_editor("\n".join(paras[-4:]))
    )
    paras = drop_editor_lines(paras)
    return Article(
        url=url,
        canonical_url=canonical_url(soup, url),
        site=urlsplit(url).hostname or "",
        title=title,
        published_at=published,
        author=clean_author(byline) or metadata.find_author(near) or metadata.find_author(ends),
        outlet=clean_outlet(outlet) or metadata.find_outlet(near) or metadata.find_outlet(ends),
        body="\n\n".join(paras),
        editor=editor_name,
        page_type=kind.kind,
    ), kind


def choose_profile(name: str | None, url: str) -> Profile | None:
    if name:
        try:
            return get_profile(name)
        except ConfigError as exc:
            raise ParseError(str(exc)) from exc
    host = urlsplit(url).hostname if "://" in url else None
    return profile_for_host(host) if host else None


def select_first(index: Index, selectors: tuple[str, ...]) -> Tag | None:
    """The first element with text matched by the first selector that matches any."""
    for selector in selectors:
        for found in index.select(selector):
            if found.get_text(strip=True):
                return found
    return None


def selected_text(index: Index, selectors: tuple[str, ...]) -> str | None:
    found = select_first(index, selectors)
    return htmltext.normalize_space(found.get_text(" ")) if found is not None else None


def find_title(
    soup: BeautifulSoup, profile: Profile | None, index: Index | None
) -> tuple[str | None, Tag | None]:
    if profile and profile.title and index:
        found = select_first(index, profile.title)
        if found is not None:
            return htmltext.normalize_space(found.get_text(" ")), found
    return metadata.find_title(soup)


def text_after(tag: Tag) -> str:
    """About NEAR_CHARS characters of text that follow an element (the byline area)."""
    out: list[str] = []
    size = 0
    for string in tag.find_all_next(string=True, limit=80):
        piece = htmltext.normalize_space(string)
        if piece:
            out.append(piece)
            size += len(piece)
            if size > NEAR_CHARS:
                break
    return " ".join(out)


def find_time(
    soup: BeautifulSoup,
    profile: Profile | None,
    index: Index | None,
    near: str,
    html: str,
    root: Tag,
    tz: ZoneInfo,
) -> datetime | None:
    if profile and profile.time and index:
        found = selected_text(index, profile.time)
        value = metadata.parse_text_date(found, tz) if found else None
        if value:
            return value
    embedded = tuple(m.group(1) for m in JSON_DATE.finditer(html))
    value = metadata.find_time(soup, near, "", tz, embedded)
    if value:
        return value
    return metadata.text_time(htmltext.normalize_space(root.get_text(" "))[:30000], tz)


def find_scope(
    root: Tag,
    profile: Profile | None,
    index: Index | None,
    url: str,
    soup: BeautifulSoup,
    labels: bool = True,
) -> tuple[pagetype.PageKind, Tag, dict[int, htmltext.Stats] | None]:
    """Clean the page, decide its type, and return the part that holds this URL's text:
    on a multi-post page or a thread the post the URL points to, else the whole page with
    its measures (taken once, kept for the extraction). labels: the markup holds a
    上一篇/下一篇 label (pagetype.has_neighbour_label), so its boxes are looked for."""
    if profile and index:
        for selector in profile.remove:
            for tag in index.select(selector):
                tag.extract()
    htmltext.drop_junk(root)
    stats = htmltext.measure(root)
    kind = pagetype.classify(root, stats, neighbours=labels)
    if kind.kind in (pagetype.MULTI_POST, pagetype.FORUM):
        return kind, pagetype.pick_post(kind, url, doc_title(soup)), None
    boxes = {id(t.parent): t.parent for t in kind.teasers if t.parent is not None}
    for teaser in kind.teasers:  # a column of linked teasers can outweigh a short brief
        htmltext.forget(stats, teaser)
        teaser.extract()
    for box in boxes.values():
        drop_emptied(box, root, stats)
    return kind, root, stats


def drop_emptied(box: Tag, root: Tag, stats: dict[int, htmltext.Stats]) -> None:
    """Cut what is left of a teaser box once its teasers are gone: the box and the blocks
    around it that hold only its label ("热点推荐"), no prose and no more than a short line."""
    doomed = None
    node: Tag | None = box
    while node is not None and node is not root:
        st = stats.get(id(node))
        if st is None or st.mass > 0 or st.text > MAX_BOX_LABEL:
            break
        doomed, node = node, node.parent
    if doomed is not None:
        htmltext.forget(stats, doomed)
        doomed.extract()


def doc_title(soup: BeautifulSoup) -> str | None:
    """The <title> text and og:title together: what the page says it is about."""
    head = soup.head or soup
    parts = [head.title.get_text() if head.title else ""]
    parts += [str(m.get("content") or "") for m in head.find_all("meta", property="og:title")]
    return " ".join(parts) or None


def post_heading(
    post: Tag,
    title: str | None,
    title_el: Tag | None,
    near: str,
    published: datetime | None,
    tz: ZoneInfo,
) -> tuple[str | None, Tag | None, str, datetime | None]:
    """Headline, nearby text and date of one post, where the post has a heading of its own."""
    heading = pagetype.heading_of(post)
    if heading is None:
        return title, title_el, near, published
    near = text_after(heading)
    when = metadata.text_time(near, tz)
    return htmltext.normalize_space(heading.get_text(" ")), heading, near, when or published


def extract_body(
    root: Tag,
    profile: Profile | None,
    index: Index | None,
    title_el: Tag | None,
    title: str | None = None,
    stats: dict[int, htmltext.Stats] | None = None,
) -> list[str]:
    """Body paragraphs from the profile's selector, else from the densest block.

    A profile block is believed unless it holds less than half the prose of the block the
    generic extractor picks (a template change can leave a selector on a disclaimer).
    stats are root's measures when already taken (None: one post, measured here).
    """
    if title_el is not None and title_el.parent is not None:
        if stats is not None:
            htmltext.forget(stats, title_el)
        title_el.extract()
    one_post = stats is None
    stats = htmltext.measure(root) if stats is None else stats
    block = htmltext.pick_block(root, stats)
    leads = htmltext.lead_blocks(block, stats)
    chosen = select_first(index, profile.body) if profile and index else None
    if chosen is not None and one_post and root not in chosen.parents:
        chosen = None  # one post of several: the profile's block may be another post's
    if chosen is not None and chosen is not block:
        picked = htmltext.prose_size(block)
        if htmltext.prose_size(chosen) >= max(MIN_PROFILE_BODY, picked / 2):
            block, leads = chosen, []
            stats = None  # measured below the profile's block afresh
    paras = htmltext.content_paragraphs(block, stats)
    if leads:
        paras = join_leads([p for lead in leads for p in htmltext.content_paragraphs(lead)], paras)
    if profile and profile.drop_lines:
        paras = [p for p in paras if p not in profile.drop_lines]
    return trim_furniture(paras, title)


def join_leads(leads: list[str], paras: list[str]) -> list[str]:
    """Lead paragraphs before the body, except those the body repeats (an editor's summary
    of its first lines would count every figure twice)."""
    squeezed = "".join(paras).replace(" ", "")
    return [p for p in leads if p.replace(" ", "") not in squeezed] + paras


def trim_furniture(paras: list[str], title: str | None = None) -> list[str]:
    """Drop the headline, breadcrumb, byline and date lines that open a block.

    Short label lines just above a byline or date line go with it: "石佳/中国青年报" over
    "2019-09-24 09:10", an SEO headline over "发布时间：…".
    """
    squeezed = (title or "").replace(" ", "")

    def is_title(line: str) -> bool:
        flat = line.replace(" ", "")
        return bool(squeezed) and squeezed in flat and len(flat) <= len(squeezed) + 12

    def is_meta(line: str) -> bool:
        short = len(line) < 80 and "。" not in line and "，" not in line
        return short and bool(META_LINE.search(line) or BREADCRUMB.search(line))

    start, head = 0, min(HEAD_LINES, len(paras) - 1)
    last = max((i for i in range(head) if is_meta(paras[i])), default=-1)
    if last > 0 and all(LABEL_LINE.match(line) for line in paras[:last]):
        start = last + 1
    while start < head:
        line = paras[start]
        if is_title(line) or is_meta(line) or URL_LINE.match(line) or ICON_LINE.match(line):
            start += 1
        else:
            break
    return paras[start:]


def drop_editor_lines(paras: list[str]) -> list[str]:
    """Cut closing "责任编辑：X" lines; the editor is a field of its own."""
    end = len(paras)
    while end > 1 and EDITOR_LINE.match(paras[end - 1]):
        end -= 1
    return paras[:end]


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    """<link rel=canonical> or og:url when it points into the same site, else url."""
    head = soup.head or soup
    candidates = [link.get("href") for link in head.find_all("link", rel="canonical")]
    candidates += [m.get("content") for m in head.find_all("meta", property="og:url")]
    site = registered_domain(urlsplit(url).hostname or "")
    for href in candidates:
        if not href or not url:
            continue
        absolute = urljoin(url, str(href).strip())
        host = urlsplit(absolute).hostname or ""
        if (
            absolute.startswith(("http://", "https://"))
            and site
            and registered_domain(host) == site
        ):
            return absolute
    return url


def registered_domain(host: str) -> str:
    """Last two labels of a host (three under .com.cn-style suffixes)."""
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) > 2 and labels[-2] in ("com", "net", "org", "gov", "edu", "co") else 2
    return ".".join(labels[-keep:])


def clean_author(text: str | None) -> str | None:
    if not text:
        return None
    return metadata.find_author(text) or text.removeprefix("作者").strip(":： ") or None


def clean_outlet(text: str | None) -> str | None:
    if not text:
        return None
    return metadata.find_outlet(text) or text or None


def article_to_json(article: Article) -> dict[str, Any]:
    """The JSON line `aidetl parse` prints for one article (file is added by the CLI)."""
    return {
        "url": article.url,
        "title": article.title,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": article.author,
        "outlet": article.outlet,
        "editor": article.editor,
        "page_type": article.page_type,
        "body": article.body,
    }
