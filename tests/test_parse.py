"""parse: HTML to Article with the demo profile, the generic extractor and metadata."""

from __future__ import annotations

import warnings
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aidetl.errors import ParseError
from aidetl.models import Page, Source
from aidetl.parse import article_to_json, parse_article, parse_html, trim_furniture

DEMO_PAGE = """<html><head><title>扶贫资金超5亿元_示范日报</title>
<link rel="canonical" href="http://127.0.0.1:8000/news/1.html"></head><body>
<div class="header"><a href="/">首页</a> <a href="/news">新闻</a></div>
<nav><a href="/a">要闻</a><a href="/b">财经</a></nav>
<div class="article"><h1 class="title">扶贫资金超5亿元</h1>
<div class="meta"><span class="time">2020-02-27 21:37</span> <span class="source">来源：示范日报</span>
<span class="author">本报记者 佟醒</span></div>
<div class="content" id="article-body">
<p>　　2018年以来，集团累计投入扶贫专项捐赠资金超5亿元，帮扶贫困人口约350户800人。</p>
<p>帮扶小组协调产业链合作伙伴引入无偿帮扶资金超千万元,打造产业扶贫园区。</p>
<p>预计建成1000亩的高产油茶林。&nbsp;&nbsp;实施姬松茸种植项目。</p>
<div class="share">分享到：微博 微信</div>
<div class="wechat-ad"><p>截屏,微信识别二维码</p><p>微信号:19991967303</p><p>打开微信</p></div>
</div>
<div class="related"><a href="/2">相关新闻一</a><a href="/3">相关新闻二</a></div></div>
<div class="footer">版权所有 © 示范日报</div></body></html>"""

GENERIC_PAGE = """<html><head><title>某县新建道路120公里 - 某某新闻网</title>
<meta name="publishdate" content="2021-03-05 08:30:00"></head><body>
<div id="top"><ul><li><a href="/1">首页</a></li><li><a href="/2">国内</a></li></ul></div>
<table><tr><td class="left"><a href="/x">热点新闻一条一条</a><br><a href="/y">热点新闻二条二条</a></td>
<td class="main"><h2>某县新建道路120公里</h2><div>发布时间：2021-03-05 08:30 来源：某某日报</div>
<div class="zw">去年全县新建、改建农村公路120公里，总投资3.5亿元，惠及群众12万人。<br>
今年还将投入1.2亿元，新建桥梁15座，实现村村通硬化路。<br>
县交通局负责人表示，道路建设带动了乡村旅游，全年接待游客同比增长35%。</div>
<div>责任编辑：王五</div></td></tr></table>
<div class="bottom"><a href="/about">关于我们</a> | <a href="/c">联系我们</a></div></body></html>"""


def test_demo_profile_extracts_fields_and_drops_widgets() -> None:
    """The demo profile reads title/time/outlet/author and keeps share and QR blocks out."""
    article = parse_html(DEMO_PAGE.encode("utf-8"), url="http://127.0.0.1:8000/news/1.html?x=1")
    assert article.title == "扶贫资金超5亿元"
    assert article.published_at == datetime(2020, 2, 27, 21, 37, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert article.outlet == "示范日报"
    assert article.author == "佟醒"
    assert article.canonical_url == "http://127.0.0.1:8000/news/1.html"
    assert article.site == "127.0.0.1"
    paras = article.body.split("\n\n")
    assert len(paras) == 3
    assert paras[0].startswith("2018年以来")
    assert paras[2] == "预计建成1000亩的高产油茶林。 实施姬松茸种植项目。"
    for junk in ("微信", "分享", "相关新闻", "首页", "版权"):
        assert junk not in article.body


def test_explicit_profile_wins_over_host() -> None:
    """profile="demo" applies on any host."""
    article = parse_html(DEMO_PAGE, url="https://example.org/a.html", profile="demo")
    assert article.author == "佟醒"
    assert article.canonical_url == "https://example.org/a.html"  # canonical on another site


def test_generic_extractor_finds_br_paragraphs_and_metadata() -> None:
    """Without a profile the densest block wins; <br> lines become paragraphs."""
    article = parse_html(GENERIC_PAGE, url="http://news.example.cn/2021/1.html")
    assert article.title == "某县新建道路120公里"
    assert article.published_at == datetime(2021, 3, 5, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    paras = article.body.split("\n\n")
    assert paras[0].startswith("去年全县新建")
    assert any(p.startswith("县交通局负责人") for p in paras)
    assert "热点新闻" not in article.body and "关于我们" not in article.body
    assert article.editor == "王五"
    assert "责任编辑" not in article.body  # the editor credit is a field, not body text
    assert article.outlet == "某某日报"


def test_page_opening_with_an_xml_declaration_parses_as_html_without_warnings() -> None:
    """An XHTML page that starts with <?xml ...?> gives the same article and no warning."""
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n' + GENERIC_PAGE
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # BeautifulSoup's "looks like XML" would raise here
        article = parse_html(xhtml, url="http://news.example.cn/2021/1.html")
    assert article.title == "某县新建道路120公里"
    assert article.body == parse_html(GENERIC_PAGE, url="http://news.example.cn/2021/1.html").body


def test_parse_article_uses_page_and_source() -> None:
    """parse_article reads page.text, the source's profile and names the source."""
    page = Page(
        url="http://x.test/1",
        final_url="http://x.test/1",
        status=200,
        headers={},
        content=DEMO_PAGE.encode(),
        text=DEMO_PAGE,
        encoding="utf-8",
        fetched_at=datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC")),
        archive_key="abc",
    )
    article = parse_article(page, Source(name="demo", profile="demo"))
    assert article.source == "demo" and article.archive_key == "abc"
    assert article.title == "扶贫资金超5亿元"


def test_empty_or_textless_page_raises_parse_error() -> None:
    """No article text is a ParseError, never None."""
    with pytest.raises(ParseError):
        parse_html(b"", url="http://x.test/")
    with pytest.raises(ParseError):
        parse_html("<html><body><a href='/'>home</a></body></html>", url="http://x.test/")


def test_unknown_profile_is_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_html(DEMO_PAGE, profile="no-such-profile")


def test_article_to_json_has_iso_time_with_offset() -> None:
    """published_at is ISO 8601 with the +08:00 offset."""
    data = article_to_json(parse_html(DEMO_PAGE, profile="demo"))
    assert data["published_at"] == "2020-02-27T21:37:00+08:00"
    assert set(data) >= {"title", "published_at", "author", "outlet", "body"}


def blog_with_comments() -> str:
    """A blog post followed by a longer comment thread whose box is also named a post box."""
    post = "".join(
        f"<p>第{i}天我们沿着山路走到营地，枫叶已经红了一半，风一吹就落满了小路。</p>"
        for i in range(1, 4)
    )
    replies = "".join(
        f"<ul class='single-post'><li class='post-info'>#{i} 访客 于 2013/12/28</li>"
        f"<li class='post-text'>照片拍得真好，明年秋天我们也想去看看，请问营地要提前多久预订？</li>"
        f"<li class='reply-text'>谢谢来访！一般提前两周就可以，枫红季节最好早一点，周末人很多。</li></ul>"
        for i in range(1, 9)
    )
    return (
        "<html><head><title>山里的枫叶</title></head><body><div id='article-box'>"
        f"<h1>山里的枫叶</h1><div class='article-content'>{post}</div></div>"
        "<div id='comment-box' class='user-post-box'><h3>留言列表 (8)</h3>"
        f"<div class='user-post-text'>{replies}</div></div></body></html>"
    )


def test_comment_thread_is_cut_even_when_named_like_a_post() -> None:
    """id="comment-box" class="user-post-box": the comments go, whatever the class says;
    eight prose replies would otherwise outweigh a three-paragraph post."""
    article = parse_html(blog_with_comments(), url="http://blog.example/post/1.html")
    assert article.body.startswith("第1天我们沿着山路走到营地")
    assert article.body.endswith("风一吹就落满了小路。")
    assert "预订" not in article.body


@pytest.mark.parametrize(
    "head",
    [
        ["您所在的位置： 首页 > 快讯 > 公司", "2019-09-26 12:11来源：证券时报网作者：李在山"],
        ["石佳/中国青年报", "2019-09-24 09:10", "字号"],
        ["最新出炉：全省新建桥梁三座", "发布时间： 2019-09-26 10:09:11", "\ue60e4"],
    ],
    ids=["breadcrumb", "byline-over-date", "headline-over-date"],
)
def test_header_lines_over_the_body_are_cut(head: list[str]) -> None:
    """A breadcrumb, and short label lines above a date or source line, open no body."""
    body = [
        "记者从县交通局获悉，今年全县新建桥梁三座，总投资一千二百万元，六月底前全部完工。",
        "三座桥建成后，沿河五个村的村民到镇上的路程将缩短一半以上，2019年9月通车。",
    ]
    assert trim_furniture(head + body, "一个别的标题") == body


def test_a_first_sentence_with_a_date_is_body() -> None:
    """A dated opening clause ("【本报2005年07月03日讯】一九八九年四月，…") is the article."""
    paras = ["茉莉", "【本报2005年07月03日讯】一九八九年四月，我在湖南开会", "会议安排了一天游玩。"]
    assert trim_furniture(paras, "我是怎样卷入的") == paras


def test_a_block_named_reply_is_not_cut_for_the_name_alone() -> None:
    """The word "reply" marks comments only beside a boilerplate name: a thread's floors or an
    answer page's text (class="reply-content") stay."""
    html = blog_with_comments().replace(
        "<div class='article-content'>", "<div class='reply-content'>"
    )
    article = parse_html(html, url="http://blog.example/post/1.html")
    assert article.body.startswith("第1天我们沿着山路走到营地")
