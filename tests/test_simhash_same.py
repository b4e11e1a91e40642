"""simhash64's fast form gives exactly the fingerprints of the plain per-bit sum it replaced
(fingerprints already stored in warehouses must still match new ones)."""

from __future__ import annotations

import random

from aidetl.dedup import _hash, shingles, simhash64
from bench.sitegen import render_article


def reference(text: str) -> int:
    """The plain form: add each shingle's weight to every bit its hash has set."""
    weights = shingles(text)
    if not weights:
        return 0
    total = sum(weights.values())
    ones = [0] * 64
    for shingle, weight in weights.items():
        h = _hash(shingle)
        for bit in range(64):
            if h >> bit & 1:
                ones[bit] += weight
    return sum(1 << bit for bit in range(64) if 2 * ones[bit] > total)


def test_fast_simhash_equals_the_plain_sum() -> None:
    rnd = random.Random(7)
    alphabet = "中国电信扶贫资金亿元万户村年的了在和是ab12 ，。"
    texts = ["", "a", "ab", "abc", "中", "中国", "来源：人民网", "中国电信。" * 40]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 400))) for _ in range(300)]
    texts += [render_article(n) for n in range(30)]
    for text in texts:
        assert simhash64(text) == reference(text), text[:40]
