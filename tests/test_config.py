"""Settings and sources.toml: what a site table becomes, and clear errors when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidetl.config import load_settings, load_sources, select_sources, source_from_table
from aidetl.errors import ConfigError
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
