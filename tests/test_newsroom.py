"""The bundled demo newsroom: files, encodings, structure, links and manifest agree."""

import difflib
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from protego import Protego

ROOT = Path(__file__).resolve().parents[1] / "src" / "aidetl" / "newsroom"
BASE = "http://127.0.0.1:54321"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
ARTICLES = MANIFEST["articles"]
PUBLIC = [a for a in ARTICLES if not a["disallowed"]]
IDS = [a["path"] for a in ARTICLES]


def read_page(entry: dict) -> str:
    return (ROOT / entry["path"].lstrip("/")).read_bytes().decode(entry["encoding"])


def soup_of(entry: dict) -> BeautifulSoup:
    return BeautifulSoup(read_page(entry), "lxml")


def body_text(entry: dict) -> str:
    body = soup_of(entry).select_one("#article-body")
    return "\n".join(p.get_text() for p in body.find_all("p") if "editor" not in p.get("class", []))


def served(name: str) -> str:
    """A .xml/.txt file as the demo server sends it: {{BASE}} substituted."""
    return (ROOT / name).read_text(encoding="utf-8").replace("{{BASE}}", BASE)


def rss_paths() -> set[str]:
    tree = ET.fromstring(served("rss.xml"))
    return {item.findtext("link").removeprefix(BASE) for item in tree.iter("item")}


def sitemap_paths() -> set[str]:
    tree = ET.fromstring(served("sitemap.xml"))
    return {loc.text.removeprefix(BASE) for loc in tree.iter(f"{SITEMAP_NS}loc")}


def list_paths() -> set[str]:
    paths: set[str] = set()
    for n in (1, 2, 3):
        soup = BeautifulSoup((ROOT / f"list/{n}.html").read_text(encoding="utf-8"), "lxml")
        paths |= {a["href"] for a in soup.select("ul.news-list a")}
    return paths


def test_manifest_lists_enough_articles_with_one_private_and_one_repost():
    """At least 14 public articles, exactly one disallowed page, at least one repost pair."""
    assert len(PUBLIC) >= 14
    assert [a["path"] for a in ARTICLES if a["disallowed"]] == ["/private/internal-memo.html"]
    assert any(a["repost_of"] for a in ARTICLES)


@pytest.mark.parametrize("entry", ARTICLES, ids=IDS)
def test_article_file_decodes_in_its_stated_encoding(entry):
    """Every page exists and decodes strictly in its encoding; GBK pages are not valid UTF-8."""
    raw = (ROOT / entry["path"].lstrip("/")).read_bytes()
    raw.decode(entry["encoding"])
    assert entry["path"].endswith(".gbk.html") == (entry["encoding"] == "gbk")
    if entry["encoding"] == "gbk":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")


def test_at_least_three_gbk_pages_and_one_without_any_charset_declaration():
    """Detection has work: three GBK pages, at least one declaring no charset at all."""
    gbk = [a for a in ARTICLES if a["encoding"] == "gbk"]
    assert len(gbk) >= 3
    bare = [a for a in gbk if not re.search(r"charset", read_page(a), re.I)]
    assert bare


@pytest.mark.parametrize("entry", ARTICLES, ids=IDS)
def test_article_has_title_time_meta_and_paragraph_body(entry):
    """h1.title matches the manifest; span.time shows the published minute; body has paragraphs."""
    soup = soup_of(entry)
    assert soup.select_one("div.article h1.title").get_text(strip=True) == entry["title"]
    digits = re.findall(r"\d+", soup.select_one("div.meta span.time").get_text())
    assert [int(d) for d in digits[:5]] == [int(d) for d in re.findall(r"\d+", entry["published"])]
    assert entry["outlet"] in soup.select_one("div.meta span.source").get_text()
    assert soup.select_one("div.meta span.author").get_text(strip=True) == entry["author"]
    assert len(soup.select("#article-body p")) >= 4
    assert soup.select_one("#article-body p.editor").get_text().find("责任编辑") >= 0
    assert soup.select_one("div.related a[href^='/articles/']")
    assert "微信号" in soup.select_one("div.wechat-ad").get_text()
    assert re.search(r"ICP备", soup.select_one("footer").get_text())


@pytest.mark.parametrize("entry", PUBLIC, ids=[a["path"] for a in PUBLIC])
def test_public_article_body_is_600_to_1500_characters(entry):
    """Public bodies are news-sized: 600–1500 characters without the editor line."""
    assert 600 <= len(body_text(entry).replace("\n", "")) <= 1500


def test_some_pages_carry_pubdate_and_og_title_and_some_only_the_visible_time():
    """Parsers must cope with both: meta pubdate/og:title present on most, absent on some."""
    has_meta = [bool(soup_of(a).select_one("meta[name=pubdate]")) for a in ARTICLES]
    assert sum(has_meta) > len(ARTICLES) / 2
    assert not all(has_meta)


@pytest.mark.parametrize("entry", ARTICLES, ids=IDS)
def test_expected_mentions_occur_in_the_article_body(entry):
    """Every manifest figure is written verbatim in the body, with a sane value and qualifier."""
    text = body_text(entry)
    assert 3 <= len(entry["expected"]) <= 6
    for fig in entry["expected"]:
        assert fig["text"] in text, fig["text"]
        assert fig["value"] > 0
        assert fig["qualifier"] in {"exact", "over", "under", "about", "range"}
        assert (fig["qualifier"] == "range") == ("value_max" in fig)


def test_every_article_is_linked_from_a_list_page_the_feed_or_the_sitemap():
    """Discovery can reach every article, and the manifest's link flags match the files."""
    lists, rss, sitemap = list_paths(), rss_paths(), sitemap_paths()
    for a in ARTICLES:
        assert a["path"] in lists | rss | sitemap, a["path"]
        assert (a["path"] in lists, a["path"] in rss, a["path"] in sitemap) == (
            a["in_lists"],
            a["in_rss"],
            a["in_sitemap"],
        )


def test_link_sources_overlap_and_differ():
    """Some articles are in both feed and lists (dedup); some only in the sitemap or lists."""
    lists, rss, sitemap = list_paths(), rss_paths(), sitemap_paths()
    assert len(lists & rss) >= 5
    assert sitemap - lists - rss
    assert lists - rss - sitemap


def test_private_memo_is_linked_everywhere_but_disallowed_by_robots():
    """The memo is discoverable via lists, RSS and sitemap, yet robots.txt forbids it."""
    path = "/private/internal-memo.html"
    assert path in list_paths() and path in rss_paths() and path in sitemap_paths()
    robots = Protego.parse(served("robots.txt"))
    assert not robots.can_fetch(BASE + path, "aidetl")
    assert all(robots.can_fetch(BASE + a["path"], "aidetl") for a in PUBLIC)
    assert robots.crawl_delay("aidetl") is None
    assert list(robots.sitemaps) == [BASE + "/sitemap.xml"]
    assert "9876万元" in body_text(next(a for a in ARTICLES if a["disallowed"]))


def test_feed_and_sitemap_are_well_formed_with_absolute_links_and_dates():
    """RSS items have absolute links and pubDate; sitemap entries have lastmod."""
    rss = ET.fromstring(served("rss.xml"))
    items = list(rss.iter("item"))
    assert items and all(i.findtext("pubDate") for i in items)
    assert all(i.findtext("link").startswith(BASE + "/") for i in items)
    urls = list(ET.fromstring(served("sitemap.xml")).iter(f"{SITEMAP_NS}url"))
    assert urls and all(u.findtext(f"{SITEMAP_NS}lastmod") for u in urls)


def test_placeholder_only_in_xml_and_txt_files():
    """{{BASE}} appears in rss/sitemap/robots and never in HTML, which uses relative links."""
    for name in ("rss.xml", "sitemap.xml", "robots.txt"):
        assert "{{BASE}}" in (ROOT / name).read_text(encoding="utf-8")
    for page in ROOT.rglob("*.html"):
        assert b"{{BASE}}" not in page.read_bytes(), page


def test_list_pages_paginate_with_next_links():
    """/list/1 → /list/2 → /list/3 via 下一页; the last page has no next link."""
    for n in (1, 2, 3):
        soup = BeautifulSoup((ROOT / f"list/{n}.html").read_text(encoding="utf-8"), "lxml")
        nxt = soup.find("a", string="下一页")
        assert (nxt["href"] if nxt else None) == (f"/list/{n + 1}.html" if n < 3 else None)
        assert 4 <= len(soup.select("ul.news-list a")) <= 6


def test_index_links_latest_articles_and_the_list_pages():
    """The front page links several articles and the first list page."""
    soup = BeautifulSoup((ROOT / "index.html").read_text(encoding="utf-8"), "lxml")
    hrefs = {a["href"] for a in soup.find_all("a")}
    assert len({h for h in hrefs if h.startswith("/articles/")}) >= 5
    assert "/list/1.html" in hrefs


def test_repost_is_a_near_copy_from_another_outlet():
    """The repost has a different outlet and source line but almost the same body."""
    by_path = {a["path"]: a for a in ARTICLES}
    for repost in (a for a in ARTICLES if a["repost_of"]):
        original = by_path[repost["repost_of"]]
        assert repost["outlet"] != original["outlet"]
        assert "转载" in soup_of(repost).select_one("span.source").get_text()
        a, b = body_text(original), body_text(repost)
        assert a != b
        assert difflib.SequenceMatcher(None, a, b).ratio() > 0.9


def test_committed_pages_are_exactly_what_the_generator_writes(tmp_path):
    """The pages share their header, share block and footer by construction: newsroom_build.py
    is their one source, and a page edited by hand (or a generator change not re-run) fails here."""
    import newsroom_build

    newsroom_build.build(tmp_path)
    committed = ROOT
    made = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert made, "the generator wrote nothing"
    differ = [
        str(rel)
        for rel in sorted(made)
        if (committed / rel).read_bytes() != (tmp_path / rel).read_bytes()
    ]
    assert differ == []
    kept = {p.relative_to(committed) for p in committed.rglob("*") if p.is_file()}
    assert kept == made, f"files the generator does not make: {sorted(map(str, kept - made))}"


# -- stable demo addresses: one canonical origin, served through a loopback proxy ---------


def test_the_canonical_origin_is_served_as_a_proxy_and_nothing_else():
    """Pages name DEMO_ORIGIN; a proxy request for it is answered, one for another host is
    refused (403), and a direct request to the loopback address still works."""
    import requests

    from aidetl.demo import DEMO_ORIGIN, serve_newsroom

    with serve_newsroom(origin=DEMO_ORIGIN) as served:
        assert served.base == DEMO_ORIGIN and served.address.startswith("http://127.0.0.1:")
        via = {"http": served.address}
        feed = requests.get(f"{DEMO_ORIGIN}/rss.xml", proxies=via, timeout=10)
        assert feed.status_code == 200 and f"<link>{DEMO_ORIGIN}/articles/" in feed.text
        other = requests.get("http://example.com/rss.xml", proxies=via, timeout=10)
        assert other.status_code == 403
        direct = requests.get(f"{served.address}/robots.txt", timeout=10)
        assert f"Sitemap: {DEMO_ORIGIN}/sitemap.xml" in direct.text
        assert served.requests == ["/rss.xml", "/robots.txt"]


def test_proxy_environment_routes_plain_http_and_is_undone(monkeypatch):
    """Inside the block requests goes through the proxy for the demo origin but straight to
    loopback (Prefect's server); afterwards the variables are as they were."""
    import requests

    from aidetl.demo import DEMO_ORIGIN, proxy_environment, serve_newsroom

    monkeypatch.setenv("no_proxy", "intranet.example")
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    with serve_newsroom(origin=DEMO_ORIGIN) as served:
        with proxy_environment(served.address, direct=("prefect.example",)):
            bypass = os.environ["no_proxy"].split(",")
            assert {"127.0.0.1", "localhost", "prefect.example", "intranet.example"} <= set(bypass)
            page = requests.get(f"{DEMO_ORIGIN}/robots.txt", timeout=10)
            assert page.status_code == 200 and "Disallow: /private/" in page.text
            assert requests.get(f"{served.address}/robots.txt", timeout=10).status_code == 200
        assert "http_proxy" not in os.environ and os.environ["no_proxy"] == "intranet.example"


def test_demo_sources_allow_only_the_canonical_host():
    from aidetl.demo import DEMO_ORIGIN, demo_sources_toml

    text = demo_sources_toml(DEMO_ORIGIN)
    assert 'allowed_domains = ["newsroom.aidetl.test"]' in text
    assert f'feeds = ["{DEMO_ORIGIN}/rss.xml"]' in text
