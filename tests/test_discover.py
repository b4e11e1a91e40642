"""Discovery from feeds, sitemaps and list pages served on loopback."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from servers import Reply, serve

from aidetl.budgets import Budgets
from aidetl.discover import discover, gunzip
from aidetl.fetch import Fetcher, FetchSettings
from aidetl.models import ListPage, Source

XML = "application/xml"
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol3;</loc></url></urlset>"""


def rss(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>扶贫新闻</title>
<item><title>新</title><link>{base}/news/1.html?utm_source=rss</link>
  <pubDate>Tue, 05 Mar 2024 08:00:00 +0800</pubDate></item>
<item><title>旧</title><link>{base}/news/0.html</link>
  <pubDate>Mon, 01 Jan 2018 08:00:00 +0800</pubDate></item>
<item><title>重复</title><link>{base}/news/1.html#comments</link></item>
<item><title>外站</title><link>http://elsewhere.example/x.html</link></item>
<item><title>无日期</title><link>/news/2.html</link></item>
</channel></rss>"""


def atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>a</title><link href="{base}/atom/1.html"/><updated>2024-03-05T08:00:00Z</updated></entry>
</feed>"""


def urlset(base: str, *items: tuple[str, str | None]) -> str:
    body = "".join(
        f"<url><loc>{base}{path}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>"
        for path, mod in items
    )
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'


def news_sitemap(base: str) -> str:
    return f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/n/1.html</loc><news:news><news:publication>
<news:name>报</news:name><news:language>zh</news:language></news:publication>
<news:publication_date>2024-03-06T09:00:00+08:00</news:publication_date></news:news></url>
</urlset>"""


def index(base: str, *children: tuple[str, str | None]) -> str:
    body = "".join(
        f"<sitemap><loc>{loc if loc.startswith('http') else base + loc}</loc>"
        + (f"<lastmod>{mod}</lastmod>" if mod else "")
        + "</sitemap>"
        for loc, mod in children
    )
    return (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    )


def source(**kwargs) -> Source:
    return Source("site", allowed_domains=("127.0.0.1",), delay=0.0, **kwargs)


def fetcher() -> Fetcher:
    return Fetcher(
        "aidetl-test", FetchSettings(budgets=Budgets(connect=2.0, between_bytes=2.0), retries=0)
    )


def paths(result) -> list[str]:
    return [u.url.split(":", 2)[2].split("/", 1)[1] for u in result]


def test_rss_feed_urls_are_canonical_deduplicated_and_in_domain():
    with serve({}) as srv:
        srv.routes["/feed.xml"] = Reply(body=rss(srv.base), content_type="application/rss+xml")
        result = discover(source(feeds=(srv.url("/feed.xml"),)), fetcher())
        feed_request = srv.hits("/feed.xml")[0]
    assert paths(result) == ["news/1.html", "news/0.html", "news/2.html"]
    assert result.urls[0].newest_date == datetime(2024, 3, 5, 0, 0, tzinfo=UTC)
    assert result.rejected == ["http://elsewhere.example/x.html"]
    assert result.errors == []
    assert feed_request.headers["user-agent"] == "aidetl-test"  # our Fetcher fetched it
    assert any(a.url.endswith("/feed.xml") and a.status == 200 for a in result.attempts)


def test_since_drops_entries_dated_before_it_and_keeps_undated_ones():
    with serve({}) as srv:
        srv.routes["/feed.xml"] = Reply(body=rss(srv.base), content_type="text/xml")
        result = discover(
            source(feeds=(srv.url("/feed.xml"),)), fetcher(), since=datetime(2024, 1, 1)
        )
    assert paths(result) == ["news/1.html", "news/2.html"]


def test_atom_feed_is_read():
    with serve({}) as srv:
        srv.routes["/atom"] = Reply(body=atom(srv.base), content_type="application/atom+xml")
        result = discover(source(feeds=(srv.url("/atom"),)), fetcher())
    assert paths(result) == ["atom/1.html"]


def test_broken_feed_is_an_error_with_its_attempt_and_others_still_run():
    with serve({}) as srv:
        srv.routes["/good"] = Reply(body=atom(srv.base), content_type="application/atom+xml")
        src = source(feeds=(srv.url("/missing"), srv.url("/good")))
        result = discover(src, fetcher())
    assert paths(result) == ["atom/1.html"]
    assert len(result.errors) == 1 and "/missing" in result.errors[0] and "404" in result.errors[0]
    assert any(a.url.endswith("/missing") and a.status == 404 for a in result.attempts)


def test_xml_bomb_feed_and_sitemap_are_refused_with_a_clear_error():
    with serve({"/bomb.xml": Reply(body=BOMB, content_type=XML)}) as srv:
        src = source(feeds=(srv.url("/bomb.xml"),), sitemaps=(srv.url("/bomb.xml"),))
        result = discover(src, fetcher())
    assert result.urls == []
    assert len(result.errors) == 2
    assert all("XML bomb" in e for e in result.errors)


def test_sitemap_index_with_gzipped_and_news_sitemaps():
    with serve({}) as srv:
        base = srv.base
        plain = urlset(
            base, ("/a/1.html", "2024-03-01"), ("/a/old.html", "2017-05-01"), ("/a/1.html", None)
        )
        srv.routes.update(
            {
                "/sitemap.xml": Reply(
                    body=index(
                        base,
                        ("/s1.xml", "2024-03-02"),
                        ("/s2.xml.gz", None),
                        ("/news.xml", None),
                        ("/stale.xml", "2016-01-01"),
                        ("http://elsewhere.example/s.xml", None),
                    ),
                    content_type=XML,
                ),
                "/s1.xml": Reply(body=plain, content_type=XML),
                "/s2.xml.gz": Reply(
                    body=gzip.compress(
                        urlset(base, ("/b/2.html", "2024-03-03T10:00:00+08:00")).encode()
                    ),
                    content_type="application/x-gzip",
                ),
                "/news.xml": Reply(body=news_sitemap(base), content_type=XML),
                "/stale.xml": Reply(body=urlset(base, ("/c/ancient.html", None)), content_type=XML),
            }
        )
        result = discover(
            source(sitemaps=(srv.url("/sitemap.xml"),)), fetcher(), since=datetime(2024, 1, 1)
        )
        requested = [r.path for r in srv.log]
    assert paths(result) == ["a/1.html", "b/2.html", "n/1.html"]
    assert result.urls[2].newest_date == datetime(2024, 3, 6, 1, 0, tzinfo=UTC)
    assert "/stale.xml" not in requested  # its index lastmod is older than since
    assert len(result.errors) == 1 and "elsewhere.example" in result.errors[0]


def test_gzip_bomb_sitemap_is_refused():
    bomb = gzip.compress(b" " * 60_000_000, compresslevel=9)
    with serve({"/s.xml.gz": Reply(body=bomb, content_type="application/gzip")}) as srv:
        result = discover(source(sitemaps=(srv.url("/s.xml.gz"),)), fetcher())
    assert result.urls == []
    assert len(result.errors) == 1 and "gzip bomb" in result.errors[0]


def test_text_sitemap_lists_one_url_a_line():
    with serve({}) as srv:
        text = f"{srv.base}/t/1.html\n\n{srv.base}/t/2.html?utm_campaign=x\nnot a url\n"
        srv.routes["/sitemap.txt"] = Reply(body=text, content_type="text/plain")
        result = discover(source(sitemaps=(srv.url("/sitemap.txt"),)), fetcher())
    assert paths(result) == ["t/1.html", "t/2.html"]


def test_gunzip_leaves_plain_bytes_alone():
    assert gunzip("u", b"<urlset/>") == b"<urlset/>"


def test_list_pages_follow_next_links_up_to_max_pages():
    def listing(n: int) -> Reply:
        links = f'<a href="/art/{n}-1.html">一</a> <a href=\'/art/{n}-2.html?spm=x\'>二</a> <a href="/about">关于</a>'
        return Reply(
            body=f'<html><body>{links}<a href="/list?page={n + 1}">下一页</a></body></html>'
        )

    with serve({f"/list?page={n}": listing(n) for n in range(1, 6)}) as srv:
        pager = ListPage(
            srv.url("/list?page=1"), link_pattern=r"/art/\d", next_pattern=r"page=\d+", max_pages=3
        )
        result = discover(source(list_pages=(pager,)), fetcher())
        requested = [r.path for r in srv.log if r.path.startswith("/list")]
    assert requested == ["/list?page=1", "/list?page=2", "/list?page=3"]
    assert paths(result) == [f"art/{n}-{k}.html" for n in (1, 2, 3) for k in (1, 2)]


def test_robots_disallowed_feed_is_an_error_and_never_requested():
    routes = {
        "/robots.txt": Reply(body="User-agent: *\nDisallow: /feed", content_type="text/plain")
    }
    with serve(routes) as srv:
        result = discover(source(feeds=(srv.url("/feed.xml"),)), fetcher())
        assert srv.hits("/feed.xml") == []
    assert result.urls == [] and "robots.txt" in result.errors[0]
    assert any(a.error_class == "DisallowedError" for a in result.attempts)


def test_sitemap_index_cycles_and_self_listing_read_each_document_once():
    """An index listing itself and a child, the child listing the index back, the same feed
    twice: every document is requested once; the depth limit is never what stops it."""
    with serve({}) as srv:
        base = srv.base
        srv.routes.update(
            {
                "/robots.txt": Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
                "/index.xml": Reply(
                    body=index(base, ("/index.xml", None), ("/child.xml", None)), content_type=XML
                ),
                "/child.xml": Reply(
                    body=index(
                        base, ("/index.xml?", None), ("/leaf.xml", None), ("/child.xml", None)
                    ),
                    content_type=XML,
                ),
                "/leaf.xml": Reply(body=urlset(base, ("/a/1.html", None)), content_type=XML),
                "/feed.xml": Reply(body=rss(base), content_type=XML),
            }
        )
        src = source(
            sitemaps=(srv.url("/index.xml"), srv.url("/leaf.xml")),
            feeds=(srv.url("/feed.xml"), srv.url("/feed.xml#again")),
        )
        result = discover(src, fetcher())
        requested = sorted(r.path for r in srv.log)
    assert requested == ["/child.xml", "/feed.xml", "/index.xml", "/leaf.xml", "/robots.txt"]
    assert "a/1.html" in paths(result)
    assert not [e for e in result.errors if "deeper" in e]
