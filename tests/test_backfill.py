"""aidetl backfill: WARC records through the crawl's parse → extract → load path, resumable.

Every WARC is written here (bench.bench_backfill.write_warc): the demo newsroom's pages
(GBK ones included), non-HTML and non-200 records, a page of another domain, a truncated
final record; one is served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aidetl import backfill
from aidetl.archive import Archive
from aidetl.cli import main
from aidetl.config import Settings
from aidetl.warehouse import Warehouse
from bench.bench_backfill import Capture, write_warc

NEWSROOM = Path(backfill.__file__).parent / "newsroom"
HOST = "newsroom.aidetl.test"
DOMAIN = (HOST,)


def newsroom_captures(when: datetime = datetime(2021, 6, 1, tzinfo=UTC)) -> list[Capture]:
    """Every article page of the demo newsroom as a 200 text/html response (no charset in
    the header, as many servers send it: GBK pages declare theirs in a meta tag)."""
    manifest = json.loads((NEWSROOM / "manifest.json").read_text(encoding="utf-8"))
    return [
        Capture(f"http://{HOST}{a['path']}", (NEWSROOM / a["path"].lstrip("/")).read_bytes(),
                content_type="text/html", when=when)
        for a in manifest["articles"]
    ]  # fmt: skip


def noise() -> list[Capture]:
    """Records a backfill must leave out."""
    page = (NEWSROOM / "articles/2018/0416-ccb-yanchuan-apples.html").read_bytes()
    return [
        Capture("http://x", b"software: test\r\n", warc_type="warcinfo"),
        Capture(f"http://{HOST}/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png"),
        Capture(f"http://{HOST}/gone.html", b"<html><body>gone</body></html>", status=404),
        Capture("http://elsewhere.example/a.html", page),
        Capture(f"http://{HOST}/binary.html", b"\x7fELF" + bytes(300)),
    ]  # fmt: skip


def settings(tmp: Path) -> Settings:
    return Settings(
        warehouse=tmp / "wh.duckdb", archive=tmp / "raw", sources_file=tmp / "none.toml"
    )


def run(tmp: Path, warcs: list[Path | str], **kwargs) -> dict:
    return backfill.run_backfill(
        settings(tmp), [str(w) for w in warcs], domains=DOMAIN, **kwargs
    ).as_dict()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """The warehouse's content without what names the run that loaded it."""
    queries = {
        "articles": "SELECT article_id, current_version_id, url, title, published_at, source FROM articles",
        "versions": "SELECT version_id, article_id, content_hash, archive_key, simhash, duplicate_of FROM article_versions",
        "facts": "SELECT fact_id, version_id, text, value, kind, subject FROM facts",
        "fetches": "SELECT fetch_id, url, warc, warc_offset, archive_key, fetched_at, encoding FROM fetches",
        "ledger": "SELECT warc, next_offset, records, pages, complete, error FROM backfill_files",
    }  # fmt: skip
    wh = Warehouse(path)
    return {name: sorted(wh.query(sql)[1], key=repr) for name, sql in queries.items()}


def test_pages_load_like_fetches_with_their_warc_provenance(tmp_path):
    captures = newsroom_captures()
    warc = write_warc(tmp_path / "news.warc.gz", noise()[:3] + captures + noise()[3:])
    summary = run(tmp_path, [warc])
    assert summary["fetched"] == len(captures) and summary["new_articles"] == len(captures)
    assert summary["new_facts"] > 100 and summary["failed"] == 0
    wh = Warehouse(tmp_path / "wh.duckdb")
    rows = wh.query(
        "SELECT url, warc, warc_offset, fetched_at, archive_key, encoding, status FROM fetches"
    )[1]
    assert {r[0] for r in rows} == {c.url for c in captures}  # no PNG, 404, ELF or other host
    raw = warc.read_bytes()
    archive = Archive(tmp_path / "raw")
    for url, name, offset, fetched_at, key, _, status in rows:
        assert name == str(warc.resolve()) and status == 200
        assert raw[offset : offset + 2] == b"\x1f\x8b"  # a record (gzip member) starts there
        assert fetched_at == datetime(2021, 6, 1, tzinfo=UTC)  # WARC-Date
        body = next(c.body for c in captures if c.url == url)
        assert archive.get(key) == body  # the raw bytes, as a fetch archives them
    encodings = {url.rsplit("/", 1)[1]: enc for url, _, _, _, _, enc, _ in rows}
    assert encodings["0612-stategrid-solar.gbk.html"] == "gb18030"
    titles = dict(wh.query("SELECT url, title FROM articles")[1])
    assert (
        "国家电网光伏扶贫电站"
        in titles[f"http://{HOST}/articles/2018/0612-stategrid-solar.gbk.html"]
    )
    assert wh.query("SELECT complete, error, pages FROM backfill_files")[1] == [
        (True, None, len(captures))
    ]


def test_twice_adds_nothing_and_a_changed_capture_is_a_new_version(tmp_path):
    captures = newsroom_captures()
    first = write_warc(tmp_path / "a.warc.gz", captures)
    run(tmp_path, [first])
    before = snapshot(tmp_path / "wh.duckdb")
    again = run(tmp_path, [first])
    assert again["unchanged"] == 1 and again["fetched"] == 0
    assert snapshot(tmp_path / "wh.duckdb") == before
    # a later crawl: one page unchanged, one changed
    later = datetime(2022, 1, 1, tzinfo=UTC)
    same = dataclasses.replace(captures[0], when=later)
    edited = captures[1].body.replace(b"</p>", "（更正）</p>".encode(), 1)
    changed = dataclasses.replace(captures[1], when=later, body=edited)
    result = run(tmp_path, [write_warc(tmp_path / "b.warc.gz", [same, changed])])
    assert result["fetched"] == 2 and result["new_articles"] == 0
    wh = Warehouse(tmp_path / "wh.duckdb")
    versions = dict(
        wh.query(
            "SELECT a.url, count(*) FROM article_versions v JOIN articles a USING (article_id) GROUP BY 1"
        )[1]
    )
    assert versions[same.url] == 1 and versions[changed.url] == 2


def truncated_warc(tmp: Path) -> tuple[Path, int]:
    captures = newsroom_captures()
    whole = write_warc(tmp / "whole.warc.gz", captures)
    cut = tmp / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[:-300])
    return cut, len(captures) - 1


def test_a_truncated_final_record_loads_the_rest_and_is_reported(tmp_path, capsys):
    cut, good = truncated_warc(tmp_path)
    code = main(["backfill", str(cut), "--domain", HOST, "--plain", "--warehouse", str(tmp_path / "wh.duckdb"),
                 "--archive", str(tmp_path / "raw"), "--sources", str(tmp_path / "none.toml")])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert len(err) == 1 and "damaged record at offset" in err[0] and str(cut.resolve()) in err[0]
    wh = Warehouse(tmp_path / "wh.duckdb")
    assert wh.query("SELECT count(*) FROM articles")[1] == [(good,)]
    ((complete, error),) = wh.query("SELECT complete, error FROM backfill_files")[1]
    assert not complete and "damaged" in error


@pytest.mark.parametrize("content", [None, b"", b"<html>not an archive</html>\n" * 50])
def test_a_missing_or_non_warc_file_is_one_line(tmp_path, capsys, content):
    path = tmp_path / "x.warc.gz"
    if content is not None:
        path.write_bytes(content)
    code = main(
        [
            "backfill",
            str(path),
            "--domain",
            HOST,
            "--plain",
            "--warehouse",
            str(tmp_path / "wh.duckdb"),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert ("no such WARC file" if content is None else "not a WARC file") in err[0]
    assert not (tmp_path / "wh.duckdb").exists()


class Stop(Exception):
    pass


def interrupted_then_resumed(tmp: Path, warcs: list, stop_after: int, monkeypatch) -> dict:
    """A backfill in chunks of 3 pages stopped after `stop_after` loads, then run again."""
    monkeypatch.setattr(backfill, "PAGES_PER_CHUNK", 3)
    loads = []

    def count(summary) -> None:
        loads.append(1)
        if len(loads) == stop_after:
            raise Stop

    with pytest.raises(Stop):
        run(tmp, warcs, on_chunk=count)
    progress = Warehouse(tmp / "wh.duckdb").query(
        "SELECT next_offset, complete FROM backfill_files"
    )[1]
    assert progress and not progress[0][1] and progress[0][0] > 0  # stopped part way
    return run(tmp, warcs)


def test_an_interrupted_backfill_resumes_to_the_same_warehouse(tmp_path, monkeypatch):
    warc = write_warc(tmp_path / "n.warc.gz", newsroom_captures() + noise())
    whole = tmp_path / "whole"
    whole.mkdir()
    run(whole, [warc])
    resumed = interrupted_then_resumed(tmp_path, [warc], 2, monkeypatch)
    assert resumed["fetched"] == len(newsroom_captures()) - 6  # two chunks of 3 were loaded
    assert snapshot(tmp_path / "wh.duckdb") == snapshot(whole / "wh.duckdb")


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """http.server with `Range: bytes=N-` answered 206 (as object stores answer it)."""

    ranges: list[str] = []
    agents: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.agents.append(self.headers.get("User-Agent"))
        wanted, ranged = self.headers.get("Range"), self.path.startswith("/range/")
        self.path = self.path.removeprefix("/range")
        if not (wanted and ranged):
            return super().do_GET()
        self.ranges.append(wanted)
        data = Path(self.translate_path(self.path)).read_bytes()
        start = int(wanted.removeprefix("bytes=").rstrip("-"))
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path):
    """tmp_path over HTTP on 127.0.0.1: /NAME without Range support (a resumed read skips
    the bytes before its offset), /range/NAME with it."""
    handler = functools.partial(RangeHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow  # serves over HTTP
@pytest.mark.parametrize("path", ["n.warc.gz", "range/n.warc.gz"])
def test_a_warc_at_a_url_streams_and_resumes(tmp_path, served, monkeypatch, path):
    write_warc(tmp_path / "n.warc.gz", newsroom_captures() + noise())
    url = f"{served}/{path}"
    RangeHandler.ranges.clear()
    RangeHandler.agents.clear()
    local = tmp_path / "local"
    local.mkdir()
    run(local, [tmp_path / "n.warc.gz"])
    interrupted_then_resumed(tmp_path, [url], 1, monkeypatch)
    here, there = snapshot(local / "wh.duckdb"), snapshot(tmp_path / "wh.duckdb")
    for name in ("articles", "versions", "facts"):
        assert here[name] == there[name]
    assert {r[2] for r in there["fetches"]} == {url}
    assert [r[1:] for r in here["ledger"]] == [r[1:] for r in there["ledger"]]
    assert set(RangeHandler.agents) == {settings(tmp_path).user_agent}  # aidetl's, not requests'
    if path.startswith("range/"):  # the resumed read asked for the rest only
        assert len(RangeHandler.ranges) == 1 and RangeHandler.ranges[0] != "bytes=0-"


def test_without_domain_the_sources_decide_and_lend_their_profile(tmp_path):
    from aidetl.demo import demo_sources_toml

    sources = tmp_path / "sources.toml"
    sources.write_text(demo_sources_toml(f"http://{HOST}"), encoding="utf-8")
    warc = write_warc(tmp_path / "n.warc.gz", newsroom_captures()[:3] + noise())
    result = backfill.run_backfill(
        dataclasses.replace(settings(tmp_path), sources_file=sources), [str(warc)]
    ).as_dict()
    assert result["fetched"] == 3
    rows = Warehouse(tmp_path / "wh.duckdb").query("SELECT DISTINCT source FROM articles")[1]
    assert rows == [("demo",)]


def test_no_domain_and_no_source_with_domains_is_one_clear_error(tmp_path, capsys):
    warc = write_warc(tmp_path / "n.warc.gz", newsroom_captures()[:1])
    (tmp_path / "sources.toml").write_text("", encoding="utf-8")
    code = main(["backfill", str(warc), "--plain", "--warehouse", str(tmp_path / "wh.duckdb"),
                 "--sources", str(tmp_path / "sources.toml")])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--domain" in err[0]


def test_a_dead_cluster_does_not_hide_the_error_that_ended_the_run(caplog):
    """Restarting paused profilers on a cluster that is gone logs a line and raises nothing."""
    from aidetl.backfill import restore_profilers

    class GoneClient:
        calls: list = []

        def run(self, *args, **kwargs):
            self.calls.append(kwargs.get("workers"))
            raise OSError("Timed out trying to connect to tcp://127.0.0.1:1")

    client = GoneClient()
    restore_profilers(client, {"tcp://w1": ["profile"], "tcp://w2": []})
    assert client.calls == [["tcp://w1"]]
    assert "could not restart the profiler" in caplog.text
