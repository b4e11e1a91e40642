"""Title, publication time, author, editor and outlet of a news page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Meta tags that carry the publication time, by name / property / itemprop (lower-cased).
# e.g. <meta property="article:published_time" content="2019-09-07T09:59:22+08:00">
TIME_METAS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "og:release_date",
    "published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "publish-time",
    "datepublished",
    "date_published",
    "article:publish_time",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "article.published",
    "releasedate",
    "release_date",
    "firstpublishedtime",
    "weibo:article:create_at",
    "bytedance:published_time",
    "apub:time",
    "created",
    "date",
    "ptime",
    "pdate",
)
TITLE_METAS = ("og:title", "twitter:title", "title", "headline", "sharetitle", "itemtitle")
# Separators before a site-name suffix: "标题_网易新闻", "标题 - 新浪网", "标题|澎湃新闻"
TITLE_SEP = re.compile(r"\s*(?:_|\||｜| - | – | — |--|-{1}(?=[^-]{2,20}$))\s*")
# 2020-02-27 21:37:35, 2020/2/27 21:37, 2020年02月27日 21:37, 2020.02.27, 2020年2月27日21时37分
DATE_TEXT = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?(?!\d)"
)
# 7/5/2005 9:23:57 PM: month first, as en-US servers print dates; taken only after a label
US_DATE = re.compile(
    r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])\b"
)
# A time label before a date: "发布时间：", "发表于", "日期:"
DATE_LABEL = re.compile(
    r"(发布时间|发表时间|发布日期|发稿时间|时间|日期|发表于|发布于|更新时间|pubdate)\s*[:：]?\s*$",
    re.I,
)
# "+08:00" / "+0800" / "Z" at the end of an ISO date
ISO_TZ = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
# 本报记者 张三, 记者：张三 李四, 作者：张三, 文/张三, 撰文：张三 (a name is 2-4 Han characters)
AUTHOR = re.compile(
    r"(?:(?:本报|本刊|特约|实习)?记者\s*[:：|]?\s*|(?:作者|撰文|撰稿|通讯员)\s*[:：|]\s*|文\s*[/／]\s*)"
    r"(?!了|从|在|对|向|近|获|注意|表示|采访|发现|走访|来到|看到|梳理|一行|问|说|介绍|告诉|调查|联系|的|也|还|就|是)"
    r"((?:(?!责任|编辑|来源|摄影|通讯员|报道|发自|图)[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+(?=[\u4e00-\u9fff])|(?![\u4e00-\u9fff]))){1,4})"
)
# 责任编辑：张三, 编辑：张三, [责任编辑:肖春芳], 责编：张三
EDITOR = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*([\u4e00-\u9fffA-Za-z0-9_·]{2,20})")
# 来源：XX日报, 来源: 新华网, 本文来源：新京报
OUTLET = re.compile(r"来源\s*[:：]\s*([^\s|，,。<>\[\]【】()（）]{2,20})")


def clean_title(text: str) -> str:
    """Drop a site-name suffix: '标题_网易新闻' → '标题'; keeps the longest leading part."""
    text = " ".join(text.split())
    parts = TITLE_SEP.split(text)
    if len(parts) < 2:
        return text
    head = parts[0]
    return head if len(head) >= 4 else text


def meta_content(soup: BeautifulSoup, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, content) of meta tags whose name/property/itemprop is one of names, in order."""
    found: list[tuple[int, str, str]] = []
    head = soup.head if soup.head is not None and soup.head.find("meta") else soup
    for meta in head.find_all("meta"):
        key = (
            str(meta.get("property") or meta.get("name") or meta.get("itemprop") or "")
            .strip()
            .lower()
        )
        if key in names and meta.get("content"):
            found.append((names.index(key), key, str(meta["content"]).strip()))
    return [(k, v) for _, k, v in sorted(found, key=lambda x: x[0])]


def starts_in_head(squeezed: str, title: str) -> bool:
    """True when `squeezed` (a heading, spaces removed) stands in `title` and starts before
    its site-name suffix: a logo heading such as "痞客邦 PIXNET" matches only the suffix."""
    title = title.replace(" ", "")
    pos = title.find(squeezed)
    return pos >= 0 and pos < max(len(TITLE_SEP.split(title)[0]), 1)


def find_title(soup: BeautifulSoup) -> tuple[str | None, Tag | None]:
    """The headline and, when found, the element that shows it on the page."""
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    metas = [v for _, v in meta_content(soup, TITLE_METAS)]
    headings = [
        h
        for h in soup.find_all(("h1", "h2", "h3"), limit=30)
        if 4 <= len(h.get_text(strip=True)) <= 120
    ]
    for heading in headings:
        text = " ".join(heading.get_text(" ", strip=True).split())
        squeezed = text.replace(" ", "")
        if squeezed and any(starts_in_head(squeezed, t) for t in (page_title, *metas)):
            return text, heading
    for value in metas:
        if len(value) >= 4:
            return clean_title(value), None
    h1 = next((h for h in headings if h.name == "h1"), None)
    if h1 is not None:
        return " ".join(h1.get_text(" ", strip=True).split()), h1
    if page_title:
        return clean_title(page_title), None
    return None, None


def to_datetime(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    tz: tzinfo = SHANGHAI,
) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def parse_iso(value: str, tz: tzinfo = SHANGHAI) -> datetime | None:
    """An ISO-ish timestamp (or a Unix epoch) as an aware datetime; naive ones are read in tz."""
    value = value.strip()
    if re.fullmatch(r"\d{10}(\d{3})?", value):
        seconds = int(value[:10])
        return datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    iso = value.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", value) else value
    iso = ISO_TZ.sub(lambda m: "+00:00" if m[1] == "Z" else m[1][:3] + ":" + m[1][-2:], iso)
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        return parse_text_date(value, tz)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def parse_text_date(text: str, tz: tzinfo = SHANGHAI) -> datetime | None:
    match = DATE_TEXT.search(text)
    return match_to_datetime(match, tz) if match else None


def match_to_datetime(match: re.Match[str], tz: tzinfo = SHANGHAI) -> datetime | None:
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    return to_datetime(year, month, day, hour, minute, second, tz=tz)


def find_time(
    soup: BeautifulSoup,
    near: str,
    everywhere: str,
    tz: tzinfo = SHANGHAI,
    embedded: tuple[str, ...] = (),
) -> datetime | None:
    """Publication time from meta tags, <time>, embedded JSON (JSON-LD), then dates in the text."""
    for _, value in meta_content(soup, TIME_METAS):
        found = parse_iso(value, tz)
        if found and plausible(found):
            return found
    times = soup.find_all("time")
    stamped = [str(t["datetime"]) for t in times if t.get("datetime")]
    for value in (*stamped, *embedded):
        found = parse_iso(value, tz)
        if found and plausible(found):
            return found
    # A bare <time>2019-09-06</time> is as often a related-list date as the article's.
    shown = " ".join(t.get_text(" ", strip=True) for t in times[:1])
    return text_time(near, tz) or text_time(shown, tz) or text_time(everywhere, tz)


def text_time(text: str, tz: tzinfo = SHANGHAI) -> datetime | None:
    """The best date in a stretch of page text: a labelled one, else one with a time, else the first."""
    found = [
        (m.start(), match_to_datetime(m, tz), bool(m.group(4))) for m in DATE_TEXT.finditer(text)
    ]
    found += [(m.start(), us_to_datetime(m, tz), True) for m in US_DATE.finditer(text)]
    found = sorted(f for f in found if plausible(f[1]))
    if not found:
        return None
    labelled = [f for f in found if DATE_LABEL.search(text[max(0, f[0] - 12) : f[0]])]
    us_unlabelled = {m.start() for m in US_DATE.finditer(text)} - {f[0] for f in labelled}
    found = [f for f in found if f[0] not in us_unlabelled]  # month-first only when labelled
    timed = [f for f in found if f[2]]
    return (labelled or timed or found or [(0, None, False)])[0][1]


def us_to_datetime(match: re.Match[str], tz: tzinfo = SHANGHAI) -> datetime | None:
    month, day, year, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if match.group(7).lower() == "pm" else 0)
    return to_datetime(year, month, day, hour, minute, second, tz=tz)


def plausible(value: datetime | None) -> bool:
    return (
        value is not None and 1990 <= value.year and value <= datetime.now(UTC) + timedelta(days=2)
    )


def find_author(text: str) -> str | None:
    match = AUTHOR.search(text)
    return (
        " ".join(match.group(1).replace("、", " ").replace("，", " ").replace(",", " ").split())
        if match
        else None
    )


def find_editor(text: str) -> str | None:
    match = EDITOR.search(text)
    return match.group(1) if match else None


def find_outlet(text: str) -> str | None:
    match = OUTLET.search(text)
    return match.group(1) if match else None
