"""Bytes to text: the charset from the BOM, the HTTP header, the meta tag, or detection.

Declarations lie often enough on Chinese sites (a page labelled gb2312 that is really UTF-8,
or the reverse) that a declaration is only believed when the bytes decode cleanly under it.
Strict UTF-8 is tried first whenever the bytes are not plain ASCII: GBK text practically
never forms valid multi-byte UTF-8, while UTF-8 text often decodes "cleanly" as GB18030.
Big5 (Hong Kong, Taiwan, overseas outlets) also decodes "cleanly" as GB18030, into nonsense:
when nothing declares a charset, the two readings are told apart by where their characters
fall in each table (see looks_like_big5).
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

# <meta charset="gbk">, <meta http-equiv="Content-Type" content="text/html; charset=gb2312">
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# <?xml version="1.0" encoding="gb2312"?> or a wrapper tag carrying encoding="gbk"
XML_ENCODING = re.compile(rb"""<[?a-z][^>]{0,2000}?\sencoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)

# Chinese legacy encodings are all decoded as their superset.
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "x-gbk": "gb18030",
    "hz": "gb18030",
    "euc-cn": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
}
# Browsers read a page labelled latin-1 as windows-1252, and big5 as its HKSCS superset.
ALIASES = {"latin_1": "cp1252", "iso8859-1": "cp1252", "big5": "big5hkscs"}

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# A few undecodable bytes in a long page (a truncated character, a stray byte) are tolerated.
MAX_BAD_RATIO = 0.001

# Where common characters sit in each table: GB2312 level 1 (the 3,755 most used hanzi) has
# lead bytes B0–D7 and trail bytes A1–FE; Big5's frequently used characters have lead bytes
# A4–C6. Chinese text read in the right table puts most characters there; read in the wrong
# one, far fewer ("的" is AA BA in Big5: a GB level-2 or symbol area).
GB_COMMON_LEADS = range(0xB0, 0xD8)
BIG5_COMMON_LEADS = range(0xA4, 0xC7)
SAMPLE_CHARS = 20_000  # characters looked at to tell Big5 from GB


@dataclass(frozen=True, slots=True)
class Decoded:
    """The text of a page, the codec used, and what the page or server had declared."""

    text: str
    encoding: str
    declared: str | None = None  # codec name of the declaration that was believed or overruled
    mismatch: bool = False  # a declaration existed and the bytes are something else


def normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in SUPERSETS:
        return SUPERSETS[name]
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    for table in (SUPERSETS, ALIASES):
        if name in table or canonical in table:
            return table.get(name, table.get(canonical))
    return canonical


def declared_charset(content: bytes, header_charset: str | None = None) -> str | None:
    """The codec the header or, failing that, the document itself declares."""
    codec = normalize_charset(header_charset)
    if codec:
        return codec
    head = content[:8192]
    for pattern in (META_CHARSET, XML_ENCODING):  # searched lazily: the header usually decides
        match = pattern.search(head)
        codec = normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None
        if codec:
            return codec
    return None


def decode_counting(content: bytes, codec: str) -> tuple[str, int]:
    """The bytes decoded under codec, and how many decoding errors that took (0: clean)."""
    try:
        return content.decode(codec), 0
    except UnicodeDecodeError:
        text = content.decode(codec, errors="replace")
        return text, max(1, text.count("\ufffd"))


def sniff(content: bytes, header_charset: str | None = None) -> Decoded:
    """Decide the encoding of a page and decode it, noting a wrong declaration."""
    for bom, name in BOMS:
        if content.startswith(bom):
            return Decoded(content.decode(name, errors="replace"), name.removesuffix("-sig"))
    declared = declared_charset(content, header_charset)
    if content.isascii():
        return Decoded(content.decode("ascii"), declared or "utf-8", declared)
    candidates = ["utf-8"] + [c for c in (declared, "gb18030") if c and c != "utf-8"]
    limit = max(1, int(len(content) * MAX_BAD_RATIO))
    tried = []
    for order, codec in enumerate(candidates):
        text, bad = decode_counting(content, codec)
        if codec == "gb18030" and declared is None and looks_like_big5(content, text):
            text, bad, codec = *decode_counting(content, "big5hkscs"), "big5hkscs"
        if bad == 0 or (codec == declared and bad <= limit):
            return finish(text, codec, declared)
        # Mixed pages (stray bytes or a GBK paragraph inside UTF-8): when valid multi-byte
        # UTF-8 characters, which GBK text rarely forms, outnumber the errors, keep UTF-8.
        if codec == "utf-8" and len(text) - len(text.encode("ascii", "ignore")) > 2 * bad:
            return finish(text, codec, declared)
        tried.append((bad, order, codec, text))
    best = from_bytes(content[:200_000]).best()
    guess = normalize_charset(best.encoding) if best else None
    if guess and guess not in candidates:
        text, bad = decode_counting(content, guess)
        tried.append((bad, len(tried), guess, text))
    _, _, codec, text = min(tried, key=lambda t: (t[0], t[1]))
    return finish(text, codec, declared)


def common_share(text: str, codec: str, leads: range) -> float:
    """Share of the non-ASCII characters of `text` whose `codec` lead byte is in `leads`."""
    wide = common = 0
    for ch in text[:SAMPLE_CHARS]:
        if ch < "\x80":
            continue
        wide += 1
        try:
            encoded = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        common += len(encoded) == 2 and encoded[0] in leads and encoded[1] >= 0xA1
    return common / wide if wide else 0.0


def looks_like_big5(content: bytes, gb_text: str) -> bool:
    """Undeclared bytes that read cleanly as Big5 and whose characters sit in Big5's common
    area more than their GB18030 reading sits in GB2312's: "投入資金1.2億元" in Big5."""
    sample = content[: SAMPLE_CHARS * 2]
    try:
        big5_text = sample.decode("big5hkscs")
    except UnicodeDecodeError as err:
        if err.start < len(sample) - 1:  # a character cut at the sample's end is fine
            return False
        big5_text = sample[: err.start].decode("big5hkscs")
    big5 = common_share(big5_text, "big5hkscs", BIG5_COMMON_LEADS)
    return big5 > common_share(gb_text, "gb18030", GB_COMMON_LEADS)


def finish(text: str, codec: str, declared: str | None) -> Decoded:
    mismatch = declared is not None and declared != codec
    if mismatch:
        log.info("declared charset %s is wrong; the bytes are %s", declared, codec)
    return Decoded(text, codec, declared, mismatch)


def decode_html(content: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode a page; return (text, encoding used). A declared charset that fails is overruled."""
    decoded = sniff(content, header_charset)
    return decoded.text, decoded.encoding


def detect(content: bytes) -> tuple[str, str]:
    """Guess the encoding with no declaration at all."""
    decoded = sniff(content)
    return decoded.text, decoded.encoding
