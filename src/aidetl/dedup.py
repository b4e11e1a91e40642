"""Reposts: the same article republished by several outlets (转载) must count once.

simhash64 fingerprints a body over character shingles after dropping whitespace and
punctuation, so a repost with its own header, footer and a few edited characters lands
within a few bits of the original. bands() splits a fingerprint into four 16-bit keys: two
fingerprints within 3 bits share at least one key (pigeonhole), so a warehouse can find
candidates with an equality index and confirm them with hamming().
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

SHINGLE = 2  # characters per shingle: bigrams act as words and keep an edit cheap (2 shingles)
MAX_DISTANCE = 3
BAND_BITS = 16
MASK64 = (1 << 64) - 1
# everything that is not a letter, digit or CJK character: spaces, punctuation, symbols
NOISE = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")


# a short line that only says where the text came from: 来源：人民网, (责任编辑：张三)
CREDIT_LINE = re.compile(
    r"^.{0,60}(?:来源|编辑|责编|转载|版权|原标题|声明|关注|扫码|二维码|微信|点击|分享|作者|记者|"
    r"通讯员|稿件|出处|链接|侵权|原文).{0,60}$",
    re.M,
)


def normalise(text: str) -> str:
    """Body letters, digits and CJK, lower case, without credit lines: "中国电信，  2018年"
    → "中国电信2018年"."""
    return NOISE.sub("", CREDIT_LINE.sub("", text)).lower()


def shingles(text: str, size: int = SHINGLE) -> Counter[str]:
    clean = normalise(text)
    if len(clean) <= size:
        return Counter([clean]) if clean else Counter()
    return Counter(clean[i : i + size] for i in range(len(clean) - size + 1))


def _hash(shingle: str) -> int:
    return int.from_bytes(_digest(shingle), "big")


def simhash64(text: str) -> int:
    """An unsigned 64-bit simhash of the text's character shingles (0 for empty text)."""
    weights = shingles(text)
    if not weights:
        return 0
    # Each shingle's 8-byte hash, repeated as often as the shingle occurs, in one bytes
    # object: column k (every 8th byte) is byte k of every hash, and how many of them
    # have a given bit set is a translate and a count, both in C. The same sums as a
    # loop over shingles and bits, at a tenth of the cost (a page body: ~0.4 ms, not 4).
    blob = b"".join(_digest(shingle) * weight for shingle, weight in weights.items())
    total = len(blob) // 8
    result = 0
    for byte in range(8):
        column = blob[7 - byte :: 8]  # big-endian: the last byte is the lowest
        for bit in range(8):
            if 2 * column.translate(BIT_SET[bit]).count(1) > total:
                result |= 1 << (8 * byte + bit)
    return result


# BIT_SET[k][v] is 1 when bit k of the byte value v is set
BIT_SET = tuple(bytes((v >> bit) & 1 for v in range(256)) for bit in range(8))


def _digest(shingle: str) -> bytes:
    return hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints."""
    return ((a ^ b) & MASK64).bit_count()


def is_near_duplicate(a: int, b: int, max_distance: int = MAX_DISTANCE) -> bool:
    """True when two fingerprints are within max_distance bits (a repost, not a new story)."""
    return hamming(a, b) <= max_distance


def bands(h: int, count: int = MAX_DISTANCE + 1) -> list[int]:
    """`count` lookup keys, (i << 16) | slice i of the 64 bits (four 16-bit slices by default).

    Fingerprints within count - 1 bits share at least one key, so an index on the keys finds
    every candidate for is_near_duplicate(max_distance=count - 1).
    """
    if not 4 <= count <= 64:  # at most 16 bits a slice, so the band index never overlaps it
        raise ValueError(f"band count must be 4..64, got {count}")
    keys, low = [], 0
    for i in range(count):
        high = 64 * (i + 1) // count
        width = high - low
        keys.append((i << BAND_BITS) | ((h >> low) & ((1 << width) - 1)))
        low = high
    return keys


def to_signed(h: int) -> int:
    """The same 64 bits as a signed integer, for a BIGINT column."""
    h &= MASK64
    return h - (1 << 64) if h >> 63 else h


def from_signed(h: int) -> int:
    """Back from a BIGINT column to the unsigned fingerprint."""
    return h & MASK64
