"""The content-addressed raw page archive."""

from __future__ import annotations

import gzip
import hashlib
import threading

import pytest

from aidetl.archive import Archive


def test_put_returns_sha256_and_get_returns_the_bytes(tmp_path):
    archive = Archive(tmp_path)
    content = "扶贫 <html>".encode() * 100
    key = archive.put(content)
    assert key == hashlib.sha256(content).hexdigest()
    assert archive.get(key) == content
    assert archive.exists(key)


def test_stored_compressed_under_two_level_fanout(tmp_path):
    archive = Archive(tmp_path)
    content = b"a" * 10_000
    key = archive.put(content)
    path = tmp_path / key[:2] / key[2:4] / f"{key}.gz"
    assert path.stat().st_size < len(content) // 10
    assert gzip.decompress(path.read_bytes()) == content


def test_put_is_idempotent_and_leaves_no_temp_files(tmp_path):
    archive = Archive(tmp_path)
    keys = set()
    threads = [
        threading.Thread(target=lambda: keys.add(archive.put(b"same bytes"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 1
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [f"{keys.pop()}.gz"]


def test_missing_key_raises_keyerror_and_bad_key_is_refused(tmp_path):
    archive = Archive(tmp_path)
    assert not archive.exists("0" * 64)
    with pytest.raises(KeyError):
        archive.get("0" * 64)
    with pytest.raises(KeyError):
        archive.get("../../etc/passwd")
