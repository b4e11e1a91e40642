"""URL canonical form, dedup key and the safety checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidetl.errors import DisallowedError
from aidetl.urls import adhoc_source, canonicalize, check_url, dedup_key, host_of


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://WWW.Example.CN:80/a?b=2&a=1#top", "http://www.example.cn/a?a=1&b=2"),
        ("https://example.cn:443/x?utm_source=wx&utm_medium=m&id=7", "https://example.cn/x?id=7"),
        (
            "https://example.cn/x?spm=a.b.c&from=timeline&share=1&isappinstalled=0",
            "https://example.cn/x",
        ),
        ("https://example.cn:8443/x", "https://example.cn:8443/x"),
        ("https://example.cn", "https://example.cn/"),
        ("https://例子.中国/新闻", "https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB"),
        ("  http://example.cn/a%20b  ", "http://example.cn/a%20b"),
    ],
)
def test_canonicalize_drops_noise_and_normalises_host_port_query(raw, canonical):
    assert canonicalize(raw) == canonical


def test_canonicalize_is_idempotent():
    url = "https://例子.中国/新闻?b=中&a=1&utm_x=1#f"
    assert canonicalize(canonicalize(url)) == canonicalize(url)


def test_dedup_key_folds_scheme_and_trailing_slash_but_not_paths():
    assert dedup_key("http://a.cn/news/") == dedup_key("https://A.cn:443/news?utm_source=x")
    assert dedup_key("http://a.cn/") == dedup_key("https://a.cn")
    assert dedup_key("http://a.cn/news/1") != dedup_key("http://a.cn/news/2")


def test_host_of_is_lowercase_punycode_without_port():
    assert host_of("http://WWW.A.cn:8080/x") == "www.a.cn"
    assert host_of("https://例子.中国/") == "xn--fsqu00a.xn--fiqs8s"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<h1>x</h1>",
        "file:///etc/passwd",
        "ftp://a.cn/x",
        "http://user:pw@a.cn/x",
        "http://a.cn@evil.cn/x",
        "http://a.cn/x\r\nHost: evil",
        "http://a.cn/\x00",
        "http://a.cn/" + "x" * 2050,
        "http:///nohost",
        "http://a.cn:99999/",
    ],
)
def test_check_url_refuses_unsafe_urls(url):
    with pytest.raises(DisallowedError):
        check_url(url, ("a.cn",))


def test_check_url_allows_domain_and_subdomains_only():
    check_url("https://a.cn/x", ("a.cn",))
    check_url("https://news.A.cn/x", ("a.cn",))
    for bad in ("https://evila.cn/x", "https://a.cn.evil.com/x", "https://b.cn/"):
        with pytest.raises(DisallowedError, match="outside the allowed domains"):
            check_url(bad, ("a.cn",))


def test_check_url_matches_idn_hosts_in_either_spelling():
    check_url("https://新闻.例子.中国/x", ("例子.中国",))
    check_url("https://xn--fsqu00a.xn--fiqs8s/x", ("例子.中国",))


def test_empty_allowed_domains_allow_any_http_host():
    check_url("https://anything.example/x", ())


def test_adhoc_source_allows_exactly_the_given_hosts():
    source = adhoc_source(["http://a.cn/1", "https://B.cn/2", "http://a.cn/3"], delay=0.5)
    assert source.allowed_domains == ("a.cn", "b.cn")
    assert source.delay == 0.5


def test_adhoc_source_without_delay_keeps_the_polite_default():
    assert adhoc_source(["http://a.cn/1"], None).delay == 1.0


SEGMENT = st.text(alphabet="abc中文-_.~%20", min_size=0, max_size=8)
PARAM = st.tuples(st.sampled_from(["id", "page", "utm_source", "spm", "q"]), SEGMENT)


@given(
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    host=st.sampled_from(["a.cn", "News.A.cn", "例子.中国"]),
    path=st.lists(SEGMENT, max_size=4),
    params=st.lists(PARAM, max_size=4),
    slash=st.booleans(),
)
def test_canonical_form_is_stable_and_dedup_ignores_scheme_and_slash(
    scheme, host, path, params, slash
):
    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"{scheme}://{host}/{'/'.join(path)}{'/' if slash else ''}" + (
        f"?{query}" if query else ""
    )
    canonical = canonicalize(url)
    assert canonicalize(canonical) == canonical
    assert "utm_source" not in canonical and "spm=" not in canonical
    other_scheme = "https" if scheme.lower() == "http" else "http"
    assert dedup_key(url.replace(scheme, other_scheme, 1)) == dedup_key(url)
    check_url(canonical, ("a.cn", "例子.中国"))
