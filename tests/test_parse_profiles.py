"""Site profiles: bundled TOML loads, hosts select profiles, bad profiles are ConfigErrors."""

from __future__ import annotations

import pytest

from aidetl.errors import ConfigError
from aidetl.parse import parse_html
from aidetl.siteprofiles import get_profile, load_profiles, profile_for_host, profile_from_dict


def test_bundled_profiles_load_and_name_hosts() -> None:
    profiles = load_profiles()
    assert {"demo", "netease", "sina", "qq", "thepaper", "ifeng", "sohu"} <= set(profiles)
    assert all(p.hosts and p.body for p in profiles.values())


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("news.163.com", "netease"),
        ("finance.sina.com.cn", "sina"),
        ("www.thepaper.cn", "thepaper"),
        ("new.qq.com", "qq"),
        ("www.sohu.com", "sohu"),
        ("news.ifeng.com", "ifeng"),
    ],
)
def test_profile_chosen_by_host(host: str, name: str) -> None:
    profile = profile_for_host(host)
    assert profile is not None and profile.name == name


def test_unrelated_host_has_no_profile() -> None:
    assert profile_for_host("example.org") is None
    assert profile_for_host("not163.com") is None


def test_unknown_keys_and_bad_types_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        profile_from_dict("x", {"hosts": ["a.com"], "bodyy": ["#x"]})
    with pytest.raises(ConfigError):
        profile_from_dict("x", {"hosts": ["a.com"], "body": [1]})
    with pytest.raises(ConfigError):
        get_profile("nope")


NETEASE = """<html><head><title>县里修路120公里_网易新闻</title></head><body>
<div class="N-nav"><a href="/">首页</a><a href="/n">新闻</a></div>
<div class="post_content_main"><h1>县里修路120公里</h1>
<div class="post_time_source">2019-09-07 09:59:22　来源: <a id="ne_article_source">新京报</a></div>
<div class="post_body"><div id="endText" class="post_text">
<p>去年全县新建、改建农村公路120公里，总投资3.5亿元，惠及群众12万人。</p>
<p>今年还将投入1.2亿元，新建桥梁15座，实现村村通硬化路。</p>
<div class="gg200x300">广告位招商</div>
<div class="ep-source"><span class="ep-editor">责任编辑：杜硕_NB12556</span></div>
</div></div></div>
<div class="post_comment"><p>网友评论：这条路修得真好，我们村也通了，感谢政府。</p></div>
</body></html>"""


def test_netease_profile_reads_fields_and_cuts_ads() -> None:
    """On a 163.com page the profile finds time, outlet and editor; ads stay out of the body."""
    article = parse_html(NETEASE, url="https://www.163.com/news/article/X.html")
    assert article.title == "县里修路120公里"
    assert (
        article.published_at is not None
        and article.published_at.isoformat() == "2019-09-07T09:59:22+08:00"
    )
    assert article.outlet == "新京报"
    assert article.editor == "杜硕_NB12556"
    assert article.body.startswith("去年全县新建") and "今年还将投入" in article.body
    assert "广告" not in article.body and "网友评论" not in article.body


def test_profile_selector_on_a_disclaimer_falls_back_to_generic() -> None:
    """A body selector that hits only a short disclaimer loses to the generic block."""
    page = NETEASE.replace('id="endText" class="post_text"', 'class="post_text"').replace(
        '<div class="gg200x300">',
        '<div id="endText">本文为独家授权，转载请注明出处。</div><div class="gg200x300">',
    )
    article = parse_html(page, url="https://www.163.com/news/article/X.html")
    assert "去年全县新建" in article.body and "今年还将投入" in article.body


SELECT_PAGE = """<div id="main" class="post a"><h1 class="topic-3bY8">题</h1>
<div class="meta"><span class="time x">2020-01-01</span></div>
<p class="time">not in meta</p><div class="text-3zQ"><p>正文</p></div></div>"""


@pytest.mark.parametrize(
    ("selector", "texts"),
    [
        ("#main", None),
        ("div.meta .time", ["2020-01-01"]),
        (".time", ["2020-01-01", "not in meta"]),
        ("h1[class^=topic]", ["题"]),
        ("div[class^=text-]", ["正文"]),
        ("p.time", ["not in meta"]),
        ("div.post.a h1", ["题"]),
        ("div + p", ["not in meta"]),  # outside the fast grammar: soupsieve answers
        (".meta p", []),
    ],
)
def test_index_select_matches_css(selector: str, texts: list[str] | None) -> None:
    """The index answers profile selectors like CSS does, in document order."""
    from bs4 import BeautifulSoup

    from aidetl.htmlselect import Index

    soup = BeautifulSoup(SELECT_PAGE, "lxml", multi_valued_attributes=None)
    found = Index(soup).select(selector)
    expected = [el.get_text() for el in soup.select(selector)]
    assert [el.get_text() for el in found] == expected
    if texts is not None:
        assert [el.get_text() for el in found] == texts


def test_index_skips_removed_elements() -> None:
    from bs4 import BeautifulSoup

    from aidetl.htmlselect import Index

    soup = BeautifulSoup(SELECT_PAGE, "lxml", multi_valued_attributes=None)
    index = Index(soup)
    soup.select_one("div.meta").extract()
    assert [el.get_text() for el in index.select(".time")] == ["not in meta"]


SOHU_PAGE = """<html><head><title>某村修路 - 搜狐</title></head><body>
<div class="text"><h1>某村修路</h1><article class="article" id="mp-editor">
<p>今年村里新修水泥路八公里，总投资六百万元，沿线三个自然村的村民出行更方便了。</p>
<p>村民说，过去雨天出门一脚泥，现在孩子上学再也不用绕远路。</p>
<p>返回搜狐，查看更多</p></article></div></body></html>"""


@pytest.mark.parametrize("generic", [False, True])
def test_site_furniture_lines_live_in_the_profile(generic: bool) -> None:
    """The site's own line ("返回搜狐，查看更多") is cut by its profile, kept without it."""
    article = parse_html(SOHU_PAGE, url="https://www.sohu.com/a/1_2", generic=generic)
    assert article.body.startswith("今年村里新修水泥路八公里")
    assert ("返回搜狐" in article.body) is generic
