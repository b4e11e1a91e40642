"""Settings from the environment and sites from sources.toml."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aidetl.errors import ConfigError
from aidetl.fetch_settings import KEYS as FETCH_KEYS
from aidetl.fetch_settings import RUN_WIDE, FetchSettings, settings_from_table
from aidetl.models import ListPage, Source

DEFAULT_WAREHOUSE = "warehouse/aidetl.duckdb"
DEFAULT_ARCHIVE = "warehouse/raw/"
DEFAULT_SOURCES = "sources.toml"
DEFAULT_CONTACT = "https://github.com/aidetl/aidetl"

# What a [[source]] table (or [defaults], for every source) may set besides fetch settings
SOURCE_KEYS = frozenset({
    "name", "feeds", "sitemaps", "list_pages", "allowed_domains", "delay", "max_in_flight",
    "profile", "organisation", "timezone",
})  # fmt: skip
TOP_KEYS = frozenset({"defaults", "source"})


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the warehouse and archive live, and how aidetl introduces itself."""

    warehouse: Path
    archive: Path
    sources_file: Path
    contact: str = DEFAULT_CONTACT

    @property
    def user_agent(self) -> str:
        from aidetl import __version__

        return f"aidetl/{__version__} (+{self.contact})"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read AIDETL_WAREHOUSE, AIDETL_ARCHIVE, AIDETL_SOURCES and AIDETL_CONTACT."""
    env = dict(os.environ) if env is None else env
    return Settings(
        warehouse=Path(env.get("AIDETL_WAREHOUSE") or DEFAULT_WAREHOUSE),
        archive=Path(env.get("AIDETL_ARCHIVE") or DEFAULT_ARCHIVE),
        sources_file=Path(env.get("AIDETL_SOURCES") or DEFAULT_SOURCES),
        contact=env.get("AIDETL_CONTACT") or DEFAULT_CONTACT,
    )


def read_sources_file(path: Path) -> dict:
    """The sources file's tables, every key checked (a misspelt key is an error, not ignored)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    check_keys(data, path)
    return data


def check_keys(data: dict, path: Path | str) -> None:
    """Raise ConfigError naming the first key no table of a sources file knows."""
    known = SOURCE_KEYS | FETCH_KEYS
    tables = [("the top level", data, TOP_KEYS), ("[defaults]", data.get("defaults", {}), known)]
    for i, table in enumerate(data.get("source", [])):
        name = table.get("name", f"#{i + 1}") if isinstance(table, dict) else f"#{i + 1}"
        tables.append((f"[[source]] {name!r}", table, known - RUN_WIDE))
    for where, table, allowed in tables:
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {where} is not a table")
        unknown = sorted(set(table) - allowed)
        if unknown and unknown[0] in RUN_WIDE:
            raise ConfigError(f"{path}: {unknown[0]} is set once per run, under [defaults]")
        if unknown:
            raise ConfigError(
                f"{path}: unknown key {unknown[0]!r} in {where}; known keys: {', '.join(sorted(allowed))}"
            )


def load_sources(path: Path) -> list[Source]:
    """Parse a sources file: one [[source]] table per site."""
    data = read_sources_file(path)
    defaults = data.get("defaults", {})
    return [source_from_table(table, defaults, path) for table in data.get("source", [])]


def load_fetch_settings(path: Path | None) -> tuple[FetchSettings, dict[str, FetchSettings]]:
    """The fetch settings of a sources file: [defaults]'s (for any source, ad-hoc URLs too),
    and each [[source]]'s by name. No file (a run of --url only): the built-in defaults."""
    if path is None or not Path(path).is_file():
        return FetchSettings(), {}
    data = read_sources_file(path)
    try:
        default = settings_from_table(data.get("defaults", {}))
        by_name = {
            table["name"]: settings_from_table(table, default)
            for table in data.get("source", [])
            if "name" in table
        }
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return default, by_name


def source_from_table(table: dict, defaults: dict, path: Path | str = "<sources>") -> Source:
    """Build one Source from its TOML table, with [defaults] filling the gaps."""
    merged = {**defaults, **table}
    if "name" not in merged:
        raise ConfigError(f"{path}: a [[source]] has no name")
    try:
        list_pages = tuple(ListPage(**lp) for lp in merged.get("list_pages", []))
        entry_points = [
            *merged.get("feeds", []),
            *merged.get("sitemaps", []),
            *(lp.url for lp in list_pages),
        ]
        return Source(
            name=merged["name"],
            feeds=tuple(merged.get("feeds", [])),
            sitemaps=tuple(merged.get("sitemaps", [])),
            list_pages=list_pages,
            allowed_domains=tuple(merged.get("allowed_domains") or entry_hosts(entry_points)),
            delay=float(merged.get("delay", 1.0)),
            max_in_flight=int(merged.get("max_in_flight", 1)),
            profile=merged.get("profile"),
            organisation=merged.get("organisation") or None,
            timezone=merged.get("timezone", "Asia/Shanghai"),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: source {merged['name']!r}: {exc}") from exc


def entry_hosts(urls: list[str]) -> list[str]:
    """The hosts of a source's feeds, sitemaps and list pages: its default allowed domains."""
    hosts = sorted({urlsplit(u).hostname or "" for u in urls} - {""})
    return hosts or ["invalid"]  # ".invalid" never resolves: a source with no entry allows nothing


def select_sources(sources: list[Source], names: list[str] | None) -> list[Source]:
    """The sources named (all when none are), failing clearly on an unknown name."""
    if not names:
        return sources
    known = {s.name: s for s in sources}
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(f"unknown source(s) {missing}; configured: {sorted(known)}")
    return [known[n] for n in names]
