"""Bytes to text: the charset from the HTTP header, the meta tag, the BOM, or detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# <meta charset="gbk"> or <meta http-equiv="Content-Type" content="text/html; charset=gb2312">
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

# Chinese legacy encodings are all decoded as their superset.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030"}

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return SUPERSETS.get(name, SUPERSETS.get(canonical, canonical))


def decode_html(content: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode a page; return (text, encoding used). A declared charset that fails is overruled."""
    for bom, name in BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace"), name
    meta = META_CHARSET.search(content[:4096])
    for declared in (header_charset, meta.group(1).decode("ascii", "ignore") if meta else None):
        codec = normalize_charset(declared)
        if codec is None:
            continue
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue  # the declaration is wrong (a GBK body labelled UTF-8, say): detect
    return detect(content)


def detect(content: bytes) -> tuple[str, str]:
    """Guess the encoding, preferring strict UTF-8 and then GB18030 for Chinese pages."""
    for codec in ("utf-8", "gb18030"):
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            pass
    best = from_bytes(content).best()
    codec = normalize_charset(best.encoding) if best else None
    codec = codec or "utf-8"
    return content.decode(codec, errors="replace"), codec
