"""Is a body that claims to be a page really text? Refuse it before parsing when it is not.

A server may label anything `text/html; charset=utf-8`: an image, an archive, random bytes.
GB18030 decodes almost any byte string without an error, so "it decoded" proves nothing;
what gives binary away is its first bytes (a file signature), the share of control
characters no page contains, or how much of it the chosen codec could not decode. The
charset itself is decided in encoding.py; this module only judges the result.
"""

from __future__ import annotations

import re

from aidetl.errors import NotTextError

# (leading bytes, what they are): b"\x89PNG\r\n\x1a\n…" → "a PNG image"
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office file)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"\x00asm", "WebAssembly"),
    (b"OggS", "Ogg audio or video"),
    (b"RIFF", "a RIFF file (WAV, AVI, WebP)"),
    (b"\x1a\x45\xdf\xa3", "Matroska or WebM video"),
    (b"ID3", "MP3 audio"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
)
# MP4 and QuickTime say "ftyp" at byte 4: b"\x00\x00\x00\x18ftypmp42"
FTYP = re.compile(rb"^.{4}ftyp", re.S)
# Control characters a page never holds (tab, newline, form feed and carriage return are fine):
# "\x00\x01\x02…" in random bytes, about one character in ten.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
SAMPLE_CHARS = 100_000  # the ratios are judged on the start of the page
MAX_CONTROL_RATIO = 0.01  # a real page has a handful at most; binary has ~10%
MAX_REPLACED_RATIO = 0.02  # characters the codec could not decode (shown as U+FFFD)
MIN_SAMPLE = 64  # below this a ratio says little: a few bytes only fail on a signature


def check_text(url: str, content: bytes, text: str, status: int | None = None) -> None:
    """Raise NotTextError (saying why) when `content`, decoded as `text`, is not text."""
    what = signature_of(content)
    if what:
        raise NotTextError(url, f"not text: the body is {what}", status)
    sample = text[:SAMPLE_CHARS]
    if len(sample) < MIN_SAMPLE:
        return
    controls = len(CONTROL.findall(sample)) / len(sample)
    if controls > MAX_CONTROL_RATIO:
        raise NotTextError(
            url, f"not text: {controls:.0%} control characters (binary data?)", status
        )
    replaced = sample.count("\ufffd") / len(sample)
    if replaced > MAX_REPLACED_RATIO:
        raise NotTextError(
            url, f"not text: {replaced:.0%} of the characters could not be decoded", status
        )


def signature_of(content: bytes) -> str | None:
    """What a known binary file signature at the start of `content` says it is, if any."""
    for magic, what in SIGNATURES:
        if content.startswith(magic):
            return what
    return "an MP4 or QuickTime file" if FTYP.match(content[:12]) else None
