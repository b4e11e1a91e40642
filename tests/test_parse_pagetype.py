"""Page types: articles, lists, multi-post pages, threads and non-articles, and what each gives.

The pages are small models of the kinds the generic extractor met on unseen sites: a blog
page showing the post with its neighbours, a column index, a forum thread, a brief beside a
block of teasers, a body split by an inline related-links box, an encyclopaedia entry.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from aidetl.models import FetchAttempt, Page, Source
from aidetl.parse import NotArticleError, parse_article, parse_html, read_html
from aidetl.pipeline import FetchedBatch, batch_of, process_batch
from aidetl.warehouse import Warehouse

POSTS = {
    "a": (
        "村里的茶园今年丰收",
        "2021-04-02",
        "今年春天，村里的茶园迎来丰收，采茶工人每天要采鲜叶三百多斤。合作社统一收购，"
        "按照每斤八十元的价格结算，茶农的收入比去年高出不少。村支书说，茶园是三年前由驻村"
        "工作队帮着建起来的，当时没有人相信山坡上能种出好茶。",
        "如今茶园面积已经扩大到六百亩，带动一百二十户村民就业。明年还要建一座加工厂，让"
        "鲜叶在村里就能变成成品茶，卖出更好的价钱。",
    ),
    "b": (
        "山路修通以后的第一个集市",
        "2021-04-09",
        "山路修通以后，镇上第一次办起了集市。天还没亮，卖菜的、卖山货的就从四面八方赶来，"
        "把街道两边摆得满满当当。县交通局介绍，这条路全长十八公里，总投资两千四百万元，"
        "去年年底正式通车。",
        "一位卖蜂蜜的老人说，以前背着蜂蜜走山路要五个小时，现在坐车半个小时就到了。"
        "集市一直热闹到中午，成交额超过三十万元。",
    ),
    "c": (
        "小学操场换上了新跑道",
        "2021-04-16",
        "开学第一天，孩子们发现操场换上了红色的塑胶跑道。这条跑道由一家企业捐资修建，"
        "投入资金四十五万元，还配了篮球架和乒乓球台。校长说，学校有学生三百一十人，"
        "以前下雨天操场全是泥，体育课只能在教室里上。",
        "企业负责人表示，还将为学校捐建一间图书室，预计年底前完工，藏书五千册。",
    ),
}


def blog_page(title: str = "乡村手记 - 一个人的博客") -> str:
    """A blog page that shows three posts in full, newest first, with a recent-posts list."""
    posts = "".join(
        f'<article class="post" id="post-{n}"><h2 class="entry-title">'
        f'<a href="/2021/04/{key}.html" rel="bookmark">{head}</a></h2>'
        f'<div class="entry-meta">发表于 {day}</div>'
        f'<div class="entry-content"><p>{one}</p><p>{two}</p></div></article>'
        for n, (key, (head, day, one, two)) in enumerate(POSTS.items(), start=11)
    )
    recent = "".join(f'<li><a href="/2021/04/{k}.html">{v[0]}</a></li>' for k, v in POSTS.items())
    return (
        f"<html><head><title>{title}</title></head><body>"
        '<div id="header"><a href="/">乡村手记</a></div>'
        f'<div id="content">{posts}</div>'
        f'<div id="secondary"><h3>最近文章</h3><ul>{recent}</ul></div></body></html>'
    )


@pytest.mark.parametrize(
    ("url", "title", "key"),
    [
        ("http://blog.example/2021/04/b.html", "乡村手记 - 一个人的博客", "b"),  # permalink
        ("http://blog.example/2021/04/#post-13", "乡村手记 - 一个人的博客", "c"),  # anchor
        ("http://blog.example/p?id=7", "山路修通以后的第一个集市 | 乡村手记", "b"),  # title
        ("http://blog.example/2021/04/", "乡村手记 - 一个人的博客", "a"),  # position
    ],
)
def test_multi_post_page_gives_the_post_the_url_points_to(url: str, title: str, key: str) -> None:
    """On a page of several posts, the body, headline and date are the addressed post's only."""
    article = parse_html(blog_page(title), url=url)
    head, day, one, two = POSTS[key]
    assert article.page_type == "multi_post"
    assert article.body == f"{one}\n\n{two}"
    assert article.title == head
    assert article.published_at is not None
    assert article.published_at.date() == date.fromisoformat(day)


def test_multi_post_page_loads_as_one_article() -> None:
    """A multi-post page still goes to the warehouse: its addressed post is the article."""
    html = blog_page().encode("utf-8")
    page = Page(
        url="http://blog.example/2021/04/a.html", final_url="http://blog.example/2021/04/a.html",
        status=200, headers={}, content=html, text=html.decode(), encoding="utf-8",
        fetched_at=datetime(2021, 5, 1, tzinfo=UTC),
    )  # fmt: skip
    article = parse_article(page, Source(name="blog"))
    assert article.page_type == "multi_post"
    assert "茶园" in article.body and "集市" not in article.body


THREAD = (
    "<html><head><title>村里通了自来水 - 家乡论坛</title></head><body>"
    '<table class="bm"><tr><td>家乡论坛 › 乡村生活 › 帖子</td></tr></table>'
    '<div id="postlist">'
    '<div id="post_101"><table class="plhin"><tr><td class="pls">老张</td><td class="plc">'
    '<div class="pi"><strong>楼主</strong> <em>发表于 2019-3-1 10:20</em></div>'
    '<div class="t_f" id="postmessage_101">我们村终于通上了自来水。以前吃水要去两里外的井里挑，'
    "冬天井台结冰，老人孩子都不敢去。去年县里投了一百二十万元，铺了八公里管道，全村"
    "二百四十户都用上了干净的水。<br>感谢帮忙跑项目的驻村干部，也感谢出工出力的乡亲们。"
    "</div></td></tr></table></div>"
    '<div id="post_102"><table class="plhin"><tr><td class="pls">小李</td><td class="plc">'
    '<div class="pi"><strong>沙发</strong> <em>发表于 2019-3-1 11:02</em></div>'
    '<div class="t_f" id="postmessage_102">恭喜恭喜，我们村明年也要通了，听说水费每吨两块五。</div>'
    "</td></tr></table></div>"
    '<div id="post_103"><table class="plhin"><tr><td class="pls">王姐</td><td class="plc">'
    '<div class="pi"><strong>3楼</strong> <em>发表于 2019-3-2 08:45</em></div>'
    '<div class="t_f" id="postmessage_103">水质怎么样？有没有检测过，家里老人总担心喝了不卫生，'
    "我们那边的井水就查出来过超标，后来打了一口一百五十米的深井才算解决，前后花了三十多万。"
    "</div></td></tr></table></div></div></body></html>"
)


def test_forum_thread_gives_the_opening_post() -> None:
    """A thread is read as its opening post; the replies (and their figures) stay out."""
    article = parse_html(THREAD, url="http://bbs.example/thread-9-1-1.html")
    assert article.page_type == "forum"
    assert article.body.startswith("我们村终于通上了自来水。")
    assert "出工出力的乡亲们。" in article.body
    assert "两块五" not in article.body and "深井" not in article.body


def test_forum_anchor_points_to_a_reply() -> None:
    """A URL that names one floor (#post_103) gives that floor's text."""
    article = parse_html(THREAD, url="http://bbs.example/thread-9-1-1.html#post_103")
    assert article.body.startswith("水质怎么样？")
    assert "自来水" not in article.body


def list_page(teasers: bool) -> str:
    """A column index: twenty headline links with dates, or ten headlines with teasers."""
    if teasers:
        items = "".join(
            f'<div class="news-item"><h3><a href="/n/{i}.html">第{i}期：{POSTS["abc"[i % 3]][0]}</a></h3>'
            f"<p>{POSTS['abc'[i % 3]][2][:60]}</p><span>2021-04-{i + 10}</span></div>"
            for i in range(10)
        )
    else:
        items = "".join(
            f'<li><a href="/n/{i}.html">{POSTS["abc"[i % 3]][0]}（第{i}期）</a>'
            f"<span>2021-04-{i + 10}</span></li>"
            for i in range(20)
        )
        items = f'<ul class="list">{items}</ul>'
    return (
        "<html><head><title>乡村振兴 - 某某新闻网</title></head><body>"
        '<div class="top"><a href="/">首页</a></div><h1>乡村振兴</h1>'
        f'<div class="main">{items}</div>'
        '<div class="pages"><a href="?p=2">下一页</a></div>'
        "<p>主办单位：某某新闻网，电话：0000-12345678。</p></body></html>"
    )


def fetched(url: str, html: str) -> Page:
    return Page(
        url=url, final_url=url, status=200, headers={}, content=html.encode(), text=html,
        encoding="utf-8", fetched_at=datetime(2021, 5, 1, tzinfo=UTC),
    )  # fmt: skip


def test_list_page_is_a_fetch_outcome_in_the_pipeline() -> None:
    """Processing a batch records the list page on its fetch attempt, loads only the post."""
    source = Source(name="news")
    pages = (
        fetched("http://news.example/xczx/", list_page(False)),
        fetched("http://blog.example/2021/04/a.html", blog_page()),
    )
    attempts = tuple(
        FetchAttempt(url=p.url, attempt=1, fetched_at=p.fetched_at, status=200) for p in pages
    )
    done = process_batch(FetchedBatch(source, pages, attempts, 0, 1))
    assert [a.url for a in done.articles] == ["http://blog.example/2021/04/a.html"]
    by_url = {a.url: a for a in done.attempts}
    listed = by_url["http://news.example/xczx/"]
    assert listed.error_class == "NotArticleError"
    assert "list page" in (listed.error_message or "")
    assert by_url["http://blog.example/2021/04/a.html"].error_class is None


def test_page_type_is_stored_on_each_fetch(tmp_path: Path) -> None:
    """In a real warehouse, fetches.page_type says what each page was: the list page is
    recorded as "list" with no article, the blog page as "multi_post" with its post loaded,
    a failed fetch as NULL."""
    pages = (
        fetched("http://news.example/xczx/", list_page(False)),
        fetched("http://blog.example/2021/04/a.html", blog_page()),
    )
    when = datetime(2021, 5, 1, tzinfo=UTC)
    attempts = tuple(FetchAttempt(url=p.url, attempt=1, fetched_at=when, status=200) for p in pages)
    attempts += (
        FetchAttempt(url="http://news.example/gone", attempt=1, fetched_at=when, status=404),
    )
    done = process_batch(FetchedBatch(Source(name="news"), pages, attempts, 0, 1))
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.migrate()
    wh.load_batch(batch_of("r1", done))
    rows = wh.query("SELECT url, page_type FROM fetches ORDER BY url")[1]
    assert rows == [
        ("http://blog.example/2021/04/a.html", "multi_post"),
        ("http://news.example/gone", None),
        ("http://news.example/xczx/", "list"),
    ]
    loaded = wh.query("SELECT url FROM articles")[1]
    assert loaded == [("http://blog.example/2021/04/a.html",)]


@pytest.mark.parametrize("teasers", [False, True], ids=["links", "teasers"])
def test_list_page_is_recorded_not_loaded(teasers: bool) -> None:
    """An index page is typed "list"; the pipeline's parse raises NotArticleError saying why."""
    html = list_page(teasers)
    article, kind = read_html(html, url="http://news.example/xczx/index.html")
    assert article.page_type == kind.kind == "list"
    assert "link entries" in kind.why
    page = Page(
        url="http://news.example/xczx/", final_url="http://news.example/xczx/", status=200,
        headers={}, content=html.encode(), text=html, encoding="utf-8",
        fetched_at=datetime(2021, 5, 1, tzinfo=UTC),
    )  # fmt: skip
    with pytest.raises(NotArticleError, match="list page"):
        parse_article(page, Source(name="news"))


def test_page_without_prose_is_non_article() -> None:
    """A page with a few labels and links and no sentences is typed non_article."""
    html = (
        "<html><head><title>用户登录</title></head><body><h1>用户登录</h1>"
        "<div>用户名</div><div>密码</div><div><a href='/reg'>注册新用户</a></div></body></html>"
    )
    assert parse_html(html, url="http://news.example/login").page_type == "non_article"


BRIEF = (
    "<html><head><title>县里新建三座桥_某某网</title></head><body>"
    '<div class="wrap"><div class="left"><h1>县里新建三座桥</h1>'
    '<div class="info">2021-06-01 09:00 来源：某某日报</div>'
    '<div class="txt"><p>记者从县交通局获悉，今年全县新建桥梁三座，总投资一千二百万元，'
    "六月底前全部完工通车。</p><p>三座桥建成后，沿河五个村的村民到镇上的路程将缩短一半以上。</p>"
    "</div></div>"
    '<div class="right"><h3>热点推荐</h3>'
    + "".join(
        f'<div class="item"><h4><a href="/n/{i}.html">{POSTS["abc"[i % 3]][0]}</a></h4>'
        f"<p>{POSTS['abc'[i % 3]][2][:90]}</p></div>"
        for i in range(6)
    )
    + "</div></div></body></html>"
)


def test_short_brief_beside_teasers_is_kept_whole() -> None:
    """A two-paragraph brief next to a column of teasers is the article, whole."""
    article = parse_html(BRIEF, url="http://news.example/2021/0601/1.html")
    assert article.page_type == "article"
    assert article.body == (
        "记者从县交通局获悉，今年全县新建桥梁三座，总投资一千二百万元，六月底前全部完工通车。"
        "\n\n三座桥建成后，沿河五个村的村民到镇上的路程将缩短一半以上。"
    )


def split_page() -> str:
    """An article whose body is cut in two blocks by a related-links box and a caption."""
    head, _, one, two = POSTS["b"]
    _, _, three, four = POSTS["c"]
    return (
        f"<html><head><title>{head}</title></head><body><div class='article'><h1>{head}</h1>"
        f"<div class='article-text'><p>{one}</p><p>{two}</p></div>"
        "<div class='inline-box'><h4>相关阅读</h4><ul>"
        + "".join(f"<li><a href='/r/{i}.html'>{POSTS['a'][0]}（{i}）</a></li>" for i in range(4))
        + "</ul></div><div class='pic'><p>图为新修的山路。记者 王某 摄</p></div>"
        f"<div class='article-text'><p>{three}</p><p>{four}</p></div>"
        "</div></body></html>"
    )


def test_body_split_by_inline_blocks_is_joined() -> None:
    """Both halves of a split body are kept, the related-links box between them is not."""
    article = parse_html(split_page(), url="http://news.example/2021/1.html")
    assert article.body.startswith(POSTS["b"][2])
    assert article.body.endswith(POSTS["c"][3])
    assert "相关阅读" not in article.body


def encyclopaedia_page() -> str:
    """An entry with an infobox, a navigation box and a reference list around its prose."""
    _, _, one, two = POSTS["a"]
    infobox = "".join(f"<tr><th>项目{i}</th><td>数值{i}</td></tr>" for i in range(12))
    navbox = "".join(f"<a href='/w/{i}'>条目{i}号</a> · " for i in range(40))
    return (
        "<html><head><title>茶园 - 某某百科</title></head><body><div id='content'>"
        "<h1>茶园</h1><div class='mw-body-content'>"
        f"<table class='infobox'>{infobox}</table>"
        f"<p>{one}</p><p>{two}</p>"
        f"<table class='navbox'><tr><th>相关条目</th><td>{navbox}说明：以上条目按拼音排序。</td></tr></table>"
        "<ol class='references'><li>某某日报，2021年4月2日，第3版。</li>"
        "<li>某某县志，第二卷，第12页。</li></ol>"
        "</div></div></body></html>"
    )


def test_body_continued_under_another_name_is_joined() -> None:
    """div.text, an ad box, a caption, then div.text-more: the second half is still the body
    (two lines of prose, no link, no heading), and the ad's links are not."""
    head, _, one, two = POSTS["b"]
    _, _, three, four = POSTS["c"]
    html = (
        f"<html><head><title>{head}</title></head><body><h1>{head}</h1><div class='wrap'>"
        f"<div class='text'><p>{one}</p><p>{two}</p></div>"
        "<div class='box'><a href='/x'>买一送一，限时抢购</a> <a href='/y'>点击领取优惠</a></div>"
        "<div class='imgcap'><p>图为新修的山路。</p></div>"
        f"<div class='text-more'><p>{three}</p><p>{four}</p></div></div>"
        "<div class='foot'><a href='/about'>关于我们</a></div></body></html>"
    )
    article = parse_html(html, url="http://news.example/2021/2.html")
    assert article.body.startswith(one) and article.body.endswith(four)
    assert "限时抢购" not in article.body


def test_previous_and_next_post_excerpts_are_not_the_body() -> None:
    """A short post with "上一篇：" / "下一篇：" boxes that quote a long line of their posts:
    the body is the post's own two lines, neither excerpt."""
    head, _, one, two = POSTS["b"]
    html = (
        f"<html><head><title>{head}</title></head><body><div class='post'><h2>{head}</h2>"
        f"<div class='c'><p>{one[:40]}</p><p>{two[:40]}</p></div></div>"
        f"<div class='prev'><h3><a href='/1.html'>上一篇：{POSTS['a'][0]}</a></h3>"
        f"<p>{POSTS['a'][2]}{POSTS['a'][3]}</p></div>"
        f"<div class='next'><h3>下一篇：<a href='/3.html'>{POSTS['c'][0]}</a></h3>"
        f"<p>{POSTS['c'][2]}{POSTS['c'][3]}</p></div></body></html>"
    )
    article = parse_html(html, url="http://blog.example/2.html")
    assert article.body == f"{one[:40]}\n\n{two[:40]}"


def test_encyclopaedia_boxes_are_not_kept() -> None:
    """Infobox, navigation box and references around an entry's prose are left out."""
    article = parse_html(encyclopaedia_page(), url="http://wiki.example/w/茶园")
    assert article.body == f"{POSTS['a'][2]}\n\n{POSTS['a'][3]}"


def test_unnamed_fact_card_is_not_kept() -> None:
    """A <dl> of terms and values with no sentence (a card whose class names nothing known)
    sits inside the entry's block and is left out; the entry's prose stays."""
    _, _, one, two = POSTS["a"]
    card = "".join(f"<dt>项目{i}</dt><dd>数值{i}</dd>" for i in range(8))
    html = (
        "<html><head><title>茶园 - 某某百科</title></head><body><h1>茶园</h1>"
        f"<div class='entry'><dl class='lemma-card'>{card}</dl><p>{one}</p><p>{two}</p></div>"
        "</body></html>"
    )
    assert parse_html(html, url="http://wiki.example/w/茶园").body == f"{one}\n\n{two}"


def test_parse_json_line_carries_the_page_type() -> None:
    """`aidetl parse` prints page_type beside the other fields."""
    from aidetl.parse import article_to_json

    data = article_to_json(parse_html(THREAD, url="http://bbs.example/thread-9-1-1.html"))
    assert data["page_type"] == "forum"


def column_page() -> str:
    """A column's page: the newest post in full, then excerpts of three earlier posts."""
    head, day, one, two = POSTS["b"]
    excerpts = "".join(
        f'<div class="col-item"><h3><a href="/col/{k}.html">{v[0]}</a></h3>'
        f"<p>{v[2][:70]}……</p></div>"
        for k, v in POSTS.items()
    )
    return (
        f"<html><head><title>乡村专栏 - 某某网</title></head><body><div class='col'>"
        f'<div class="col-item"><h3><a href="/col/b.html">{head}</a></h3><p>{day}</p>'
        f'<div class="col-text"><p>{one}</p><p>{two}</p></div></div>{excerpts}'
        "</div></body></html>"
    )


def test_column_page_gives_the_full_post_not_the_excerpts() -> None:
    """A full post among excerpts of its neighbours is a multi-post page: the full one only."""
    article = parse_html(column_page(), url="http://news.example/col/")
    assert article.page_type == "multi_post"
    assert article.title == POSTS["b"][0]
    assert article.body == f"{POSTS['b'][2]}\n\n{POSTS['b'][3]}"


NOTICE = (
    "声明：本网转载其他媒体之作品，意在为公众提供免费服务。如权利所有人拒绝在本网发布其作品，"
    "可与本网联系，本网视情况可立即将其撤除。凡注明来源为本网的作品，版权均属本网所有，"
    "未经授权不得转载、摘编或利用其它方式使用上述作品。"
)
BRIEF_LINES = (
    "记者从县交通局获悉，今年全县新建桥梁三座，总投资一千二百万元，六月底前全部完工通车。",
    "三座桥建成后，沿河五个村的村民到镇上的路程将缩短一半以上，村民出行更加便利。",
)


def test_site_notice_does_not_outweigh_a_brief() -> None:
    """A long copyright notice under a two-paragraph brief is neither picked nor kept."""
    html = (
        "<html><body><div class='main'><h1>县里新建三座桥</h1><div class='con'>"
        f"<p>{BRIEF_LINES[0]}</p><p>{BRIEF_LINES[1]}</p></div>"
        f"<div class='sm'><p>{NOTICE}</p></div></div></body></html>"
    )
    assert parse_html(html, url="http://x.example/a.html").body == "\n\n".join(BRIEF_LINES)


def test_brief_beside_summaries_with_more_links_is_kept_alone() -> None:
    """Teasers that give the summary first and the link last ("…。[详细]") are cut like
    headline-first ones: six of them outweigh a one-paragraph brief."""
    items = "".join(
        f"<li><p>{POSTS['abc'[i % 3]][2][:60]}</p><a href='/n/{i}.html'>[详细]</a></li>"
        for i in range(6)
    )
    html = (
        "<html><body><div class='main'><h1>县里新建三座桥</h1>"
        f"<div class='con'><p>{BRIEF_LINES[0]}{BRIEF_LINES[1]}</p></div></div>"
        f"<ul class='more'>{items}</ul></body></html>"
    )
    assert parse_html(html, url="http://x.example/a.html").body == "".join(BRIEF_LINES)


def test_teaser_box_labels_go_with_their_teasers() -> None:
    """A brief read from the whole page (summary and text in blocks of their own) keeps
    neither the teasers of the boxes beside it nor the boxes' labels ("热点", "推荐")."""
    boxes = "".join(
        f"<div class='box'><h3>{label}</h3><ul>"
        + "".join(
            f"<li><a href='/{label}/{i}.html'>{POSTS['abc'[i % 3]][0]}</a></li>" for i in range(6)
        )
        + "</ul></div>"
        for label in ("热点", "推荐")
    )
    html = (
        "<html><body><h1>县里新建三座桥</h1>"
        f"<div class='summary'>{BRIEF_LINES[0]}</div>"
        f"<div class='photo'><p>图为新桥。</p></div><div class='body'><p>{BRIEF_LINES[1]}</p></div>"
        f"<div class='r'>{boxes}</div></body></html>"
    )
    body = parse_html(html, url="http://x.example/a.html").body
    assert body.startswith(BRIEF_LINES[0]) and body.endswith(BRIEF_LINES[1])
    assert "热点" not in body and "推荐" not in body


@pytest.mark.parametrize("repeated", [False, True], ids=["lead", "summary"])
def test_lead_block_before_the_body_is_joined_once(repeated: bool) -> None:
    """A lead paragraph in a block of its own opens the body; a summary the body repeats
    is left out (its figures would count twice)."""
    lead = BRIEF_LINES[0]
    body = [lead, BRIEF_LINES[1]] if repeated else [BRIEF_LINES[1], POSTS["a"][2]]
    html = (
        "<html><body><div class='main'><h1>县里新建三座桥</h1><div class='sub'>"
        f"<div class='summary'>{lead}</div></div><div class='text'>"
        + "".join(f"<p>{p}</p>" for p in body)
        + "</div><div class='sub'>本报记者 某某</div></div></body></html>"
    )
    article = parse_html(html, url="http://x.example/a.html")
    assert article.body.startswith("\n\n".join(body if repeated else [lead, *body]))


def test_one_sentence_page_is_an_article() -> None:
    """A flash of one sentence is an article, not a non-article."""
    html = "<html><body><p>2020年累计投入帮扶资金5亿元，带动3000户增收。</p></body></html>"
    assert parse_html(html, url="http://news.example/1.html").page_type == "article"
