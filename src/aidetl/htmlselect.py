"""Fast CSS selection for site profiles: one walk builds an index, lookups are cheap.

Soupsieve tests every element against every selector (about 3 ms per selector on a portal
page); profiles use a small grammar that an id/class/tag index answers directly:
compounds like `div.post_text`, `#endText`, `h1[class^=topic]`, joined by spaces (the
descendant combinator). Anything else (`p + p`, `:first-child`) goes to soupsieve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

# One compound: tag name, #id, .classes and [attr=value] / [attr^=value] tests.
# e.g. "div.post_text", "#endText", "h1[class^=topic]", ".date-source"
COMPOUND = re.compile(
    r"^(?P<tag>[a-zA-Z][a-zA-Z0-9]*)?(?P<rest>(?:#[\w-]+|\.[\w-]+|\[[\w-]+\^?=[\"']?[\w-]+[\"']?\])*)$"
)
PART = re.compile(r"#([\w-]+)|\.([\w-]+)|\[([\w-]+)(\^?=)[\"']?([\w-]+)[\"']?\]")


@dataclass(frozen=True, slots=True)
class Compound:
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str, str], ...]  # (name, "=" or "^=", value)

    def matches(self, el: Tag) -> bool:
        if self.tag and el.name != self.tag:
            return False
        if self.ids and el.get("id") not in self.ids:
            return False
        if self.classes:
            tokens = str(el.get("class") or "").split()
            if not all(c in tokens for c in self.classes):
                return False
        for name, op, value in self.attrs:
            actual = str(el.get(name) or "")
            words = actual.split() if name == "class" else [actual]
            if op == "=" and value not in words:
                return False
            if op == "^=" and not any(w.startswith(value) for w in words):
                return False
        return True


def parse_selector(selector: str) -> tuple[Compound, ...] | None:
    """The compounds of a descendant-only selector, or None when it needs soupsieve."""
    compounds = []
    for token in selector.split():
        match = COMPOUND.match(token)
        if not match:
            return None
        ids, classes, attrs = [], [], []
        for part in PART.finditer(match["rest"]):
            if part[1]:
                ids.append(part[1])
            elif part[2]:
                classes.append(part[2])
            else:
                attrs.append((part[3], part[4], part[5]))
        compounds.append(Compound(match["tag"], tuple(ids), tuple(classes), tuple(attrs)))
    return tuple(compounds) or None


class Index:
    """Elements of a tree by id, class token and tag name, in document order."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.by_id: dict[str, list[Tag]] = {}
        self.by_class: dict[str, list[Tag]] = {}
        self.by_tag: dict[str, list[Tag]] = {}
        for el in soup.find_all(True):
            self.by_tag.setdefault(el.name, []).append(el)
            ident = el.get("id")
            if ident:
                self.by_id.setdefault(str(ident), []).append(el)
            for token in str(el.get("class") or "").split():
                self.by_class.setdefault(token, []).append(el)

    def candidates(self, last: Compound) -> list[Tag]:
        if last.ids:
            return self.by_id.get(last.ids[0], [])
        if last.classes:
            return self.by_class.get(last.classes[0], [])
        if last.tag:
            return self.by_tag.get(last.tag, [])
        prefixes = [v for name, op, v in last.attrs if name == "class" and op == "^="]
        if prefixes:
            found = [
                el
                for key, els in self.by_class.items()
                if key.startswith(prefixes[0])
                for el in els
            ]
            return sorted(set(found), key=found.index)
        return list(self.soup.find_all(True))

    def select(self, selector: str) -> list[Tag]:
        """Elements matching selector that are still in the tree, in document order."""
        compounds = parse_selector(selector)
        if compounds is None:
            return list(self.soup.select(selector))
        *ancestors, last = compounds
        out = []
        for el in self.candidates(last):
            if last.matches(el) and has_ancestors(el, ancestors) and attached(el, self.soup):
                out.append(el)
        return out

    def select_one(self, selector: str) -> Tag | None:
        found = self.select(selector)
        return found[0] if found else None


def has_ancestors(el: Tag, ancestors: list[Compound]) -> bool:
    """Descendant combinators: each compound matches some ancestor, innermost last."""
    node = el.parent
    for compound in reversed(ancestors):
        while node is not None and not (isinstance(node, Tag) and compound.matches(node)):
            node = node.parent
        if node is None:
            return False
        node = node.parent
    return True


def attached(el: Tag, root: BeautifulSoup) -> bool:
    """False for elements cut out of the tree (by a profile's remove list, say)."""
    node: Tag | None = el
    while node is not None:
        if node is root:
            return True
        node = node.parent
    return False
