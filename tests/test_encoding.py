"""encoding: BOM, header, meta and detection; wrong declarations are overruled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidetl.encoding import decode_html, normalize_charset, sniff

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAGES = SHARED / "pages"
TEXT = "<p>2018年以来，中国电信累计投入扶贫资金超5亿元，帮扶贫困人口约800人。</p>" * 5


def page(charset: str | None, body: str = TEXT) -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if charset
        else ""
    )
    return f"<html><head>{meta}<title>扶贫</title></head><body>{body}</body></html>"


@pytest.mark.parametrize("name", ["gbk", "GB2312", "gb18030", "x-gbk", "cp936"])
def test_chinese_legacy_charsets_map_to_gb18030(name: str) -> None:
    assert normalize_charset(name) == "gb18030"


def test_unknown_charset_is_none() -> None:
    assert normalize_charset("no-such-charset") is None


def test_gbk_page_declared_gbk_decodes_as_gb18030() -> None:
    text, codec = decode_html(page("gbk").encode("gbk"))
    assert codec == "gb18030" and "扶贫资金超5亿元" in text


def test_utf8_page_declared_gb2312_is_read_as_utf8() -> None:
    """A UTF-8 page that claims gb2312 is noticed and decoded as UTF-8."""
    decoded = sniff(page("gb2312").encode("utf-8"))
    assert decoded.encoding == "utf-8" and decoded.declared == "gb18030" and decoded.mismatch
    assert "扶贫资金超5亿元" in decoded.text


def test_gbk_page_declared_utf8_is_read_as_gb18030() -> None:
    decoded = sniff(page("utf-8").encode("gb18030"))
    assert decoded.encoding == "gb18030" and decoded.mismatch
    assert "扶贫资金超5亿元" in decoded.text


def test_header_charset_is_used_when_the_bytes_agree() -> None:
    text, codec = decode_html(page(None).encode("gb18030"), header_charset="GBK")
    assert codec == "gb18030" and "帮扶贫困人口" in text


def test_bom_wins() -> None:
    text, codec = decode_html(b"\xef\xbb\xbf" + page("gbk").encode("utf-8"))
    assert codec == "utf-8" and text.startswith("<html>")


def test_undeclared_bytes_are_detected() -> None:
    assert decode_html(page(None).encode("gb18030"))[1] == "gb18030"
    assert decode_html(page(None).encode("utf-8"))[1] == "utf-8"


def test_a_stray_bad_byte_does_not_overrule_a_declaration() -> None:
    """One truncated character in a long gbk page keeps gb18030, with a replacement char."""
    raw = page("gbk", TEXT * 20).encode("gbk")
    raw = raw[:400] + b"\x81" + raw[400:]
    text, codec = decode_html(raw)
    assert codec == "gb18030" and "扶贫资金超5亿元" in text


def test_ascii_page_keeps_its_declaration() -> None:
    assert (
        decode_html(b"<html><head><meta charset='gbk'></head><body>hi</body></html>")[1]
        == "gb18030"
    )


@pytest.mark.skipif(not PAGES.is_dir(), reason=f"{PAGES} is absent")
def test_every_shared_page_gets_its_true_encoding() -> None:
    """All pages of shared/pages whose true encoding is known decode with it (wrong labels included)."""
    wrong = []
    for line in (PAGES / "pages.jsonl").open(encoding="utf-8"):
        info = json.loads(line)
        if info["encoding"] == "unknown":
            continue
        codec = decode_html((PAGES / info["html"]).read_bytes())[1]
        if codec != info["encoding"]:
            wrong.append((info["id"], info["encoding"], codec))
    assert wrong == []
