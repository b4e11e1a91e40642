"""Settings and sources.toml: what a site table becomes, and clear errors when it is wrong."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from aidetl.config import (
    load_fetch_settings,
    load_settings,
    load_sources,
    select_sources,
    source_from_table,
)
from aidetl.errors import ConfigError
from aidetl.fetch_settings import FetchSettings
from aidetl.urls import adhoc_source, host_allowed

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_sources_file_loads():
    sources = load_sources(ROOT / "sources.toml")
    assert sources and all(s.allowed_domains for s in sources)


def test_defaults_fill_what_a_source_leaves_out():
    source = source_from_table(
        {"name": "a", "feeds": ["http://news.example.com/rss"]}, {"delay": 3}
    )
    assert source.delay == 3.0 and source.max_in_flight == 1 and source.timezone == "Asia/Shanghai"


def test_allowed_domains_default_to_the_hosts_of_the_entry_points():
    source = source_from_table(
        {
            "name": "a",
            "sitemaps": ["http://News.Example.com/sitemap.xml"],
            "list_pages": [{"url": "https://list.example.org/1.html", "link_pattern": "x"}],
        },
        {},
    )
    assert source.allowed_domains == ("list.example.org", "news.example.com")


def test_a_source_with_no_entry_point_allows_no_host():
    source = source_from_table({"name": "empty"}, {})
    assert not host_allowed("example.com", source.allowed_domains)


def test_adhoc_urls_with_no_usable_host_allow_no_host():
    assert not host_allowed("example.com", adhoc_source(["javascript:alert(1)"]).allowed_domains)
    assert host_allowed("a.example.com", adhoc_source(["http://a.example.com/x"]).allowed_domains)


def test_bad_files_and_names_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_sources(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[source]\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sources(bad)
    with pytest.raises(ConfigError, match="no name"):
        source_from_table({}, {})
    with pytest.raises(ConfigError, match="unknown source"):
        select_sources(load_sources(ROOT / "sources.toml"), ["nope"])


def test_settings_come_from_the_environment():
    settings = load_settings(
        {"AIDETL_WAREHOUSE": "/x/w.duckdb", "AIDETL_CONTACT": "ops@example.org"}
    )
    assert settings.warehouse == Path("/x/w.duckdb")
    assert settings.archive == Path("warehouse/raw/")
    assert "aidetl/" in settings.user_agent and "ops@example.org" in settings.user_agent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fetch_settings_come_from_defaults_and_each_source(tmp_path: Path):
    path = write(
        tmp_path,
        "[defaults]\nretries = 1\nbackoff = 2\nmax_bytes = 5000\npool_size = 4\n"
        '[[source]]\nname = "a"\nfeeds = ["http://a.example/rss"]\nretries = 0\nmax_redirects = 2\n'
        '[[source]]\nname = "b"\nfeeds = ["http://b.example/rss"]\n',
    )
    default, by_name = load_fetch_settings(path)
    assert default == FetchSettings(retries=1, backoff=2.0, max_bytes=5000, pool_size=4)
    assert by_name["a"] == replace(default, retries=0, max_redirects=2)
    assert by_name["b"] == default
    assert [s.name for s in load_sources(path)] == ["a", "b"]  # fetch keys are not source keys


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\nretrys = 2\n", r"unknown key 'retrys' in \[defaults\]"),
        ('[[source]]\nname = "a"\ndelai = 1\n', r"unknown key 'delai' in \[\[source\]\] 'a'"),
        ("colour = 1\n", "unknown key 'colour' in the top level"),
        ('[[source]]\nname = "a"\npool_size = 4\n', "pool_size is set once per run"),
        ("[defaults]\nretries = -1\n", "retries must be a whole number ≥ 0"),
        ("[defaults]\nmax_bytes = 1.5\n", "max_bytes must be a whole number"),
        ('[defaults]\nbackoff = "soon"\n', "backoff must be a number"),
    ],
)
def test_a_wrong_key_or_value_is_one_config_error_naming_it(tmp_path: Path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_fetch_settings(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
