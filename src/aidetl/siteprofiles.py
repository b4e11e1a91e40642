"""Site profiles: per-site CSS selectors kept as data in aidetl/profiles/*.toml.

A profile names the hosts it serves and, for each field, a list of selectors tried in
order; `remove` lists selectors of blocks to cut before the body is read, `drop_lines` whole
body lines that are the site's own furniture ("返回搜狐，查看更多"). A selector that finds
nothing lets the generic extractor do the job. Anything that names one site lives here, so
reading a page without its profile (parse_html(generic=True)) shows how an unseen site fares.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from aidetl.errors import ConfigError

FIELDS = ("title", "body", "time", "author", "outlet", "editor", "remove", "drop_lines")


@dataclass(frozen=True, slots=True)
class Profile:
    """Selectors for one site; empty tuples mean "use the generic extractor"."""

    name: str
    hosts: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    time: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    outlet: tuple[str, ...] = ()
    editor: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    drop_lines: tuple[str, ...] = ()

    def serves(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)


def profile_from_dict(name: str, data: dict[str, object]) -> Profile:
    """Build a Profile from a parsed TOML table, checking every field is a list of strings."""
    unknown = set(data) - set(FIELDS) - {"hosts", "name"}
    if unknown:
        raise ConfigError(f"profile {name}: unknown keys {sorted(unknown)}")
    values: dict[str, tuple[str, ...]] = {}
    for key in ("hosts", *FIELDS):
        raw = data.get(key, [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise ConfigError(f"profile {name}: {key} must be a list of strings")
        values[key] = tuple(raw)
    return Profile(name=str(data.get("name", name)), **values)


@functools.cache
def load_profiles() -> dict[str, Profile]:
    """Every bundled profile by name (read once per process)."""
    folder = resources.files("aidetl") / "profiles"
    profiles: dict[str, Profile] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            name = entry.name.removesuffix(".toml")
            try:
                data = tomllib.loads(entry.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"profile {name}: {exc}") from exc
            profiles[name] = profile_from_dict(name, data)
    return profiles


def get_profile(name: str) -> Profile:
    """The named profile; ConfigError when there is none."""
    try:
        return load_profiles()[name]
    except KeyError:
        raise ConfigError(f"no site profile named {name!r}") from None


def profile_for_host(host: str) -> Profile | None:
    """The profile serving host, or None so the generic extractor runs."""
    for profile in load_profiles().values():
        if profile.serves(host):
            return profile
    return None
