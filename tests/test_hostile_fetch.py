"""Hostile answers and URLs through the whole plain pipeline: each is refused or stopped
with a failure row in `fetches` saying why, and a good page from the same run still lands.

Every test runs aidetl.sequencer.run_ingest against the loopback fixture server
(tests/servers.py) and checks the server's request log for what must never be asked for.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import brotli
import pytest
from memory import peak_rss_growth_mb
from servers import Reply, serve

from aidetl import pipeline, sequencer
from aidetl.config import Settings
from aidetl.models import ListPage, Source
from aidetl.warehouse import Warehouse

pytestmark = pytest.mark.slow

XML = "application/xml"
ROBOTS = Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain")
GOOD = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>某公司助力脱贫</title></head>
<body><div class="article"><h1>某公司助力山区脱贫攻坚</h1>
<div class="meta"><span class="time">2020-05-18 10:00</span></div><div class="content">
<p>2018年以来，该公司累计投入扶贫资金超5亿元，帮扶132个村，惠及贫困户12000户，当地贫困发生率下降到1.2%。</p>
<p>公司还采购农产品3000万元，带动800名群众就业，新建道路45公里，修建灌溉渠道12公里，助力村民增收。</p>
<p>下一步，公司计划再投入2亿元，力争在60个村实现宽带网络全覆盖，覆盖率提高到98%以上。</p>
</div></div></body></html>"""
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>'
)  # fmt: skip
GIGABYTE_MB = 1024
ZERO_MB = b"\0" * (1 << 20)


def settings_in(tmp_path: Path) -> Settings:
    return Settings(
        warehouse=tmp_path / "w.duckdb", archive=tmp_path / "raw", sources_file=tmp_path / "no.toml"
    )


def site(srv, **kw) -> Source:
    return Source(name="hostile", allowed_domains=("127.0.0.1",), delay=0.0, **kw)


def ingest(tmp_path: Path, sources: list[Source], urls: list[str] | None = None):
    settings = settings_in(tmp_path)
    summary = sequencer.run_ingest(settings, sources, urls=urls, delay=0.0)
    return summary, Warehouse(settings.warehouse)


def urlset(*locs: str) -> str:
    items = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'


def failures(wh: Warehouse) -> dict[str, tuple[str, str, int]]:
    """url → (error class, message, bytes) of every failed attempt."""
    _, rows = wh.query(
        "SELECT url, error_class, error_message, bytes FROM fetches WHERE error_class IS NOT NULL"
    )
    return {url: (cls, msg, size) for url, cls, msg, size in rows}


def article_urls(wh: Warehouse) -> set[str]:
    return {url for (url,) in wh.query("SELECT url FROM articles")[1]}


def good_landed(wh: Warehouse, url: str) -> None:
    assert url in article_urls(wh)
    (facts,) = wh.query(
        "SELECT count(*) FROM facts JOIN articles USING (article_id) WHERE url = ?", [url]
    )[1][0]
    assert facts >= 5


def gzip_bomb(mb: int = GIGABYTE_MB) -> bytes:
    """A gzip stream of `mb` MB of zeros (~1 KB a MB): one member repeated."""
    return gzip.compress(ZERO_MB, compresslevel=9, mtime=0) * mb


def deflate_bomb(mb: int = GIGABYTE_MB) -> bytes:
    """A zlib ("deflate") stream of `mb` MB of zeros: full-flushed blocks repeat byte for byte."""
    c = zlib.compressobj(9, zlib.DEFLATED, 15)
    first = c.compress(ZERO_MB) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(ZERO_MB) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush()[:-4]
    adler = (((mb << 20) % 65521) << 16) | 1  # adler32 of n zero bytes
    return first + block * (mb - 1) + tail + adler.to_bytes(4, "big")


def brotli_bomb(mb: int = GIGABYTE_MB) -> bytes:
    c = brotli.Compressor(quality=0)
    return b"".join(c.process(ZERO_MB) for _ in range(mb)) + c.finish()


def test_the_bombs_really_are_bombs():
    """The test bombs are valid streams (checked at 4 MB) that expand a thousandfold or more."""
    assert zlib.decompress(deflate_bomb(4)) == ZERO_MB * 4
    assert gzip.decompress(gzip_bomb(4)) == ZERO_MB * 4
    assert brotli.decompress(brotli_bomb(4)) == ZERO_MB * 4
    assert len(deflate_bomb()) < 2_000_000 and len(gzip_bomb()) < 2_000_000


def test_billion_laughs_sitemap_and_feed_are_refused_and_the_good_page_loads(tmp_path):
    """Entity expansion is refused ("XML bomb") in a sitemap and a feed; the good page loads."""
    with serve({"/robots.txt": ROBOTS, "/good.html": Reply(body=GOOD)}) as srv:
        srv.routes["/bomb.xml"] = Reply(body=BILLION_LAUGHS, content_type=XML)
        srv.routes["/feed.xml"] = Reply(
            body=BILLION_LAUGHS.replace("urlset", "rss"), content_type="application/rss+xml"
        )
        srv.routes["/ok.xml"] = Reply(body=urlset(srv.url("/good.html")), content_type=XML)
        source = site(
            srv, sitemaps=(srv.url("/bomb.xml"), srv.url("/ok.xml")), feeds=(srv.url("/feed.xml"),)
        )
        growth, _ = peak_rss_growth_mb(lambda: ingest(tmp_path, [source]))
    wh = Warehouse(tmp_path / "w.duckdb")
    failed = failures(wh)
    for path in ("/bomb.xml", "/feed.xml"):
        cls, message, _ = failed[srv.url(path)]
        assert cls == "DiscoveryError" and "XML bomb" in message
    good_landed(wh, srv.url("/good.html"))
    assert growth < 100  # nothing was expanded (a billion laughs is ~3 GB)


XXE_SITEMAP = """<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY secret SYSTEM "file://{secret}"><!ENTITY remote SYSTEM "{leak}">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/x?&secret;</loc></url><url><loc>&remote;</loc></url></urlset>"""
XXE_FEED = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{secret}"><!ENTITY % p SYSTEM "{leak}"> %p;]>
<rss version="2.0"><channel><title>t</title><item><title>&secret;</title>
<link>{base}/x?&secret;</link></item></channel></rss>"""
# Not well-formed (unclosed <channel>), so the lenient feed parser gets it: still nothing read.
XXE_BROKEN_FEED = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>&secret;</title><item><title>&secret;</title>
<link>{base}/x?&secret;</link></item><item><link>{base}/good.html</link></item></rss>"""


def test_external_entities_read_no_file_and_make_no_request(tmp_path):
    """XXE in sitemaps and feeds: refused; the local file is never read, /leak never asked."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4242", encoding="utf-8")
    with serve({"/robots.txt": ROBOTS, "/good.html": Reply(body=GOOD)}) as srv:
        fill = {"secret": secret, "leak": srv.url("/leak"), "base": srv.base}
        srv.routes["/xxe.xml"] = Reply(body=XXE_SITEMAP.format(**fill), content_type=XML)
        srv.routes["/xxe-feed.xml"] = Reply(body=XXE_FEED.format(**fill), content_type=XML)
        srv.routes["/broken.xml"] = Reply(body=XXE_BROKEN_FEED.format(**fill), content_type=XML)
        srv.routes["/ok.xml"] = Reply(body=urlset(srv.url("/good.html")), content_type=XML)
        source = site(
            srv,
            sitemaps=(srv.url("/xxe.xml"), srv.url("/ok.xml")),
            feeds=(srv.url("/xxe-feed.xml"), srv.url("/broken.xml")),
        )
        ingest(tmp_path, [source])
        asked = {r.path.split("?")[0] for r in srv.log}
    wh = Warehouse(tmp_path / "w.duckdb")
    assert "/leak" not in asked and "/x" not in asked
    failed = failures(wh)
    for path in ("/xxe.xml", "/xxe-feed.xml", "/broken.xml"):
        assert failed[srv.url(path)][0] == "DiscoveryError"
    for table in ("fetches", "articles", "article_versions", "facts", "runs"):
        _, rows = wh.query(f"SELECT * FROM {table}")
        assert "TOPSECRET" not in repr(rows), table
    good_landed(wh, srv.url("/good.html"))


def test_gzip_sitemap_that_inflates_to_a_gigabyte_stops_at_the_limit(tmp_path):
    """A 1 MB sitemap.xml.gz inflating to 1 GB is refused at 50 MB; RSS never jumps by a GB."""
    with serve({"/robots.txt": ROBOTS, "/good.html": Reply(body=GOOD)}) as srv:
        srv.routes["/s.xml.gz"] = Reply(body=gzip_bomb(), content_type="application/gzip")
        srv.routes["/ok.xml"] = Reply(body=urlset(srv.url("/good.html")), content_type=XML)
        source = site(srv, sitemaps=(srv.url("/s.xml.gz"), srv.url("/ok.xml")))
        growth, _ = peak_rss_growth_mb(lambda: ingest(tmp_path, [source]))
    wh = Warehouse(tmp_path / "w.duckdb")
    cls, message, _ = failures(wh)[srv.url("/s.xml.gz")]
    assert cls == "DiscoveryError" and "gzip bomb" in message and "50000000" in message
    good_landed(wh, srv.url("/good.html"))
    assert growth < 250, f"peak RSS rose {growth:.0f} MB"


@pytest.mark.parametrize(
    ("encoding", "make"), [("gzip", gzip_bomb), ("deflate", deflate_bomb), ("br", brotli_bomb)]
)
def test_content_encoding_bomb_is_stopped_at_max_bytes(tmp_path, encoding, make):
    """A page whose gzip/deflate/brotli body inflates to 1 GB is cut off at max_bytes (10 MB):
    TooLargeError with the decoded bytes read, no RSS jump, and the good page still loads."""
    bomb = Reply(body=make(), headers={"Content-Encoding": encoding})
    with serve({"/robots.txt": ROBOTS, "/good.html": Reply(body=GOOD), "/bomb.html": bomb}) as srv:
        srv.routes["/ok.xml"] = Reply(
            body=urlset(srv.url("/bomb.html"), srv.url("/good.html")), content_type=XML
        )
        source = site(srv, sitemaps=(srv.url("/ok.xml"),))
        growth, _ = peak_rss_growth_mb(lambda: ingest(tmp_path, [source]))
    wh = Warehouse(tmp_path / "w.duckdb")
    cls, message, decoded = failures(wh)[srv.url("/bomb.html")]
    assert cls == "TooLargeError" and "decoded" in message
    assert 10_000_000 < decoded <= 10_000_000 + 64 * 1024  # stopped at the limit, not after
    good_landed(wh, srv.url("/good.html"))
    assert growth < 150, f"peak RSS rose {growth:.0f} MB"


def hostile_urls(base: str) -> list[str]:
    """URLs that must never reach the network: each with the reason it is refused."""
    port = base.rsplit(":", 1)[1]
    return [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{port}/ftp.html",
        f"http://user:pw@127.0.0.1:{port}/userinfo.html",
        f"{base}/long/{'a' * 5000}.html",
        f"{base}/ctl.html\r\nX-Injected: 1",
        f"{base}/nul\x00.html",
        "http://127.0.0.1:99999/badport.html",
        "http://[::1/badipv6.html",
    ]


def test_hostile_urls_given_on_the_command_line_are_never_requested(tmp_path):
    """--url with javascript:, data:, file:, ftp:, userinfo, 5000 characters, control
    characters, bad ports: each one a DisallowedError row; only robots.txt and the good page
    reach the server."""
    with serve({"/robots.txt": ROBOTS, "/good.html": Reply(body=GOOD)}) as srv:
        bad = hostile_urls(srv.base)
        urls = [srv.url("/good.html"), *bad]
        sources = pipeline.resolve_sources(settings_in(tmp_path), urls=urls, delay=0.0)
        summary, wh = ingest(tmp_path, sources, urls=urls)
        asked = [r.path for r in srv.log]
    assert sorted(asked) == ["/good.html", "/robots.txt"]
    failed = failures(wh)
    assert {failed[u][0] for u in bad} == {"DisallowedError"}
    assert summary.disallowed == len(bad) and summary.failed == 0
    good_landed(wh, srv.url("/good.html"))


def test_hostile_links_in_sitemaps_feeds_and_list_pages_are_never_requested(tmp_path):
    """The same URLs, IDN and off-site hosts added, listed by a sitemap, a feed and a list
    page: only http(s) on 127.0.0.1 is requested, each refusal is a row saying why."""
    with serve({"/robots.txt": ROBOTS, "/good.html": Reply(body=GOOD)}) as srv:
        bad = [*hostile_urls(srv.base), "http://例子.测试/idn.html", "https://evil.example/x.html"]
        xml_safe = [u.replace("&", "&amp;").replace("<", "&lt;") for u in bad]
        xml_safe = [u.replace("\r", "&#13;").replace("\n", "&#10;") for u in xml_safe]
        xml_safe = [u for u in xml_safe if "\x00" not in u]  # NUL cannot be said in XML
        items = "".join(f"<item><title>x</title><link>{u}</link></item>" for u in xml_safe)
        links = "".join(f'<a href="{u}">article</a>' for u in bad if "\r" not in u)
        links += '<a href="//evil.example/protocol-relative.html">article</a>'
        srv.routes.update(
            {
                "/sitemap.xml": Reply(body=urlset(*xml_safe), content_type=XML),
                "/feed.xml": Reply(
                    body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
                    f"{items}</channel></rss>",
                    content_type="application/rss+xml",
                ),
                "/list.html": Reply(
                    body=f"<html><body>{links}<a href='/good.html'>article</a></body></html>"
                ),
            }
        )
        source = site(
            srv,
            sitemaps=(srv.url("/sitemap.xml"),),
            feeds=(srv.url("/feed.xml"),),
            list_pages=(ListPage(url=srv.url("/list.html"), link_pattern=r"."),),
        )
        summary, wh = ingest(tmp_path, [source])
        asked = {r.path for r in srv.log}
        headers = [r.headers for r in srv.log]
    # feedparser itself drops CR/LF from a feed's links, so "/ctl.html\r\nX-Injected: 1"
    # arrives as a harmless path on the allowed host; no header was ever injected
    expected = {"/robots.txt", "/sitemap.xml", "/feed.xml", "/list.html", "/good.html"}
    assert asked - expected <= {"/ctl.htmlX-Injected:%201"} and expected <= asked
    assert not any("x-injected" in h for h in headers)
    _, rows = wh.query(
        "SELECT url, error_message FROM fetches WHERE error_class = 'DisallowedError'"
    )
    reasons = " | ".join(message for _, message in rows)
    for why in ("is not http(s)", "user info", "longer than 2048", "control characters",
                "outside the allowed domains", "malformed URL"):  # fmt: skip
        assert why in reasons
    assert summary.failed <= 1  # only that 404, if feedparser let it through
    good_landed(wh, srv.url("/good.html"))
