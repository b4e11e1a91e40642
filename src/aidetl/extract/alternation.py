"""Alternations of many literal words that the regex engine scans fast.

Python's re tries the branches of an alternation one after another at every position
where any of them may start. Grouping the words by their first character makes it try only
the words starting with the character there, with the same result: the first word, in the
order given, written at the leftmost position.
"""

from __future__ import annotations

import re


def by_first_character(words: list[str]) -> str:
    """A pattern matching what re.compile("|".join(map(re.escape, words))) matches."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word)
    return "|".join(
        re.escape(first) + "(?:" + "|".join(re.escape(w[1:]) for w in group) + ")"
        for first, group in groups.items()
    )


def behind_first_characters(pattern: str, firsts: str) -> str:
    """`pattern` behind a lookahead for the characters its matches can start with. An
    alternation whose branches open with groups or lookbehinds gets no fast skip from the
    regex engine, which then tries every branch at every position; the lookahead rejects
    most positions at once. `firsts` must hold every character a match can start with."""
    return f"(?=[{re.escape(''.join(sorted(set(firsts))))}])(?:{pattern})"
