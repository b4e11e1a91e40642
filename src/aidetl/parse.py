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

from aidetl import htmltext, metadata
from aidetl.encoding import decode_html
from aidetl.errors import ConfigError, ParseError
from aidetl.htmlselect import Index
from aidetl.models import Article, Page, Source
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
# A bare address line under a headline: "http://house.sina.com.cn"
URL_LINE = re.compile(r"^https?://\S+$")
# A closing editor credit, kept in Article.editor rather than the body: "【责任编辑：任杰】"
EDITOR_LINE = re.compile(r"^[\[【(（]?\s*(责任编辑|责编|编辑)\s*[:：]\s*\S{0,20}\s*[\]】)）]?$")
MIN_PROFILE_BODY = 20  # characters a profile's body selector must yield to be believed
NEAR_CHARS = 400  # how much text after the headline is searched for the date and byline


def parse_article(page: Page, source: Source | None = None) -> Article:
    """The article of a fetched page, with the source's profile and timezone when given."""
    article = parse_html(
        page.text or page.content,
        url=page.final_url or page.url,
        profile=source.profile if source else None,
        timezone=source.timezone if source else "Asia/Shanghai",
    )
    return article_with(
        article, source=source.name if source else page.source, archive_key=page.archive_key
    )


def article_with(article: Article, **changes: Any) -> Article:
    values = {name: getattr(article, name) for name in Article.__slots__}  # type: ignore[attr-defined]
    values.update(changes)
    return Article(**values)


def parse_html(
    html: bytes | str, url: str = "", profile: str | None = None, *, timezone: str = "Asia/Shanghai"
) -> Article:
    """Parse one page's HTML into an Article; ParseError when there is no article text."""
    text = decode_html(html)[0] if isinstance(html, bytes) else html
    if not text.strip():
        raise ParseError(f"{url or 'page'}: empty document")
    chosen = choose_profile(profile, url)
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
        paras = extract_body(root, chosen, index, title_el, title)
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
    )


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


def extract_body(
    root: Tag,
    profile: Profile | None,
    index: Index | None,
    title_el: Tag | None,
    title: str | None = None,
) -> list[str]:
    """Body paragraphs from the profile's selector, else from the densest block.

    A profile block is believed unless it holds less than half the prose of the block the
    generic extractor picks (a template change can leave a selector on a disclaimer).
    """
    if profile and index:
        for selector in profile.remove:
            for tag in index.select(selector):
                tag.extract()
    if title_el is not None and title_el.parent is not None:
        title_el.extract()
    htmltext.drop_junk(root)
    block = htmltext.pick_block(root)
    chosen = select_first(index, profile.body) if profile and index else None
    if chosen is not None and chosen is not block:
        picked = htmltext.prose_size(block)
        if htmltext.prose_size(chosen) >= max(MIN_PROFILE_BODY, picked / 2):
            block = chosen
    return trim_furniture(htmltext.content_paragraphs(block), title)


def trim_furniture(paras: list[str], title: str | None = None) -> list[str]:
    """Drop the headline, byline and date lines that open a block."""
    start = 0
    squeezed = (title or "").replace(" ", "")
    while start < min(4, len(paras) - 1):
        line = paras[start]
        flat = line.replace(" ", "")
        is_title = bool(squeezed) and squeezed in flat and len(flat) <= len(squeezed) + 12
        is_meta = len(line) < 80 and bool(META_LINE.search(line)) and "。" not in line
        if is_title or is_meta or URL_LINE.match(line):
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
        "body": article.body,
    }
