"""The report in a real headless Chromium: its inline script draws every chart without errors,
the filters work from the URL hash, and the screenshot is not blank. No network involved."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from report_fixtures import build_warehouse

from aidetl.report import write_report
from aidetl.warehouse import Warehouse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium not installed (scripts/ensure-chromium.sh)"
    ),
]
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
)  # fmt: skip
BAR_BLUE = (0x2F, 0x6F, 0xB3)  # PALETTE[0] in templates/report.html
SVG_TAG = re.compile(r'<svg [^>]*data-chart="(\w+)"[^>]*>')


@pytest.fixture(scope="module")
def report_url(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("browser")
    out = write_report(build_warehouse(root / "aidetl.duckdb"), root / "report.html")
    return out.resolve().as_uri()


def chromium(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def dump_dom(url: str, tmp: Path) -> tuple[str, str]:
    done = chromium(["--dump-dom", url], tmp)
    return done.stdout, done.stderr


def svg_attrs(dom: str) -> dict[str, str]:
    """data-chart name -> the rendered <svg> start tag."""
    return {m.group(1): m.group(0) for m in SVG_TAG.finditer(dom)}


def attr(tag: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', tag).group(1)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "Uncaught" in line or ":CONSOLE" in line]


def test_every_chart_renders_as_svg_without_script_errors(report_url, tmp_path):
    dom, stderr = dump_dom(report_url, tmp_path)
    assert 'data-rendered="yes"' in dom
    assert 'data-js-errors="' not in dom and '<div class="js-error">' not in dom
    assert console_errors(stderr) == []
    charts = svg_attrs(dom)
    assert set(charts) == {"money", "metrics", "places"}
    assert all(int(attr(tag, "data-bars")) > 0 for tag in charts.values())
    assert float(attr(charts["money"], "data-total")) == 230_000_000  # summable figures, CNY
    assert re.search(r'data-shown="3"', dom)  # three money facts listed by default


def test_filters_from_the_url_hash_narrow_charts_and_table(report_url, tmp_path):
    dom, stderr = dump_dom(report_url + "#source=gov&kind=count", tmp_path)
    assert console_errors(stderr) == []
    charts = svg_attrs(dom)
    assert float(attr(charts["money"], "data-total")) == 200_000_000
    assert attr(charts["places"], "data-bars") == "1"  # only 云南省
    assert re.search(r'data-shown="1"', dom)  # 5万人 is gov's only count
    dom, _ = dump_dom(report_url + "#source=gov&to=2020", tmp_path)
    assert (
        svg_attrs(dom) == {} and dom.count('<p class="empty">No data for these filters.</p>') == 3
    )


def test_an_empty_warehouse_renders_without_script_errors(tmp_path):
    path = tmp_path / "empty.duckdb"
    Warehouse(path).migrate()
    out = write_report(path, tmp_path / "empty.html")
    dom, stderr = dump_dom(out.resolve().as_uri(), tmp_path)
    assert 'data-rendered="yes"' in dom and 'data-js-errors="' not in dom
    assert console_errors(stderr) == []
    assert svg_attrs(dom) == {} and dom.count('<p class="empty">No data yet.</p>') == 7


def test_screenshot_shows_drawn_bars(report_url, tmp_path):
    shot = tmp_path / "report.png"
    chromium([f"--screenshot={shot}", "--window-size=1280,2000", report_url], tmp_path)
    width, height, pixels = read_png(shot)
    assert (width, height) == (1280, 2000)
    colours = {pixels[i : i + 3] for i in range(0, len(pixels), 3 * 97)}
    assert len(colours) > 20  # text, bars, legend: far from a blank page
    assert bytes(BAR_BLUE) in colours


def read_png(path: Path) -> tuple[int, int, bytes]:
    """A tiny PNG decoder (8-bit RGB/RGBA, no interlace): width, height, RGB bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    rows = unfilter(zlib.decompress(idat), width * channels, height, channels)
    rgb = bytearray()
    for row in rows:
        rgb += row if channels == 3 else bytes(b for i, b in enumerate(row) if i % 4 != 3)
    return width, height, bytes(rgb)


def unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    rows, prev = [], bytes(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
        if kind == 0:
            prev = line
        elif kind == 2:  # "up", the common case: no dependency along the row
            prev = bytes((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        else:
            out = bytearray(line)
            for i in range(stride):
                left = out[i - bpp] if i >= bpp else 0
                corner = prev[i - bpp] if i >= bpp else 0
                out[i] = (out[i] + predict(kind, left, prev[i], corner)) & 0xFF
            prev = bytes(out)
        rows.append(prev)
    return rows


def predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    estimate = left + up - corner  # Paeth
    pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
    return left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
