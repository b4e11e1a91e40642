"""Raw page bytes, content-addressed and gzip-compressed, so facts can be re-extracted offline.

Layout: ROOT/ab/cd/<sha256>.gz where "abcd" are the key's first four hex digits. Writes go
to a temporary file in the same directory and are renamed into place, so a reader never
sees half a file and two writers of the same bytes both succeed.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from aidetl.errors import MissingFromArchive

log = logging.getLogger(__name__)

# A sha256 hex digest, e.g. "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
KEY = re.compile(r"[0-9a-f]{64}")


class Archive:
    """A directory of compressed raw pages keyed by the sha256 of their bytes."""

    def __init__(self, root: Path | str, compresslevel: int = 6) -> None:
        self.root = Path(root)
        self.compresslevel = compresslevel

    def path_of(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise MissingFromArchive(f"not an archive key: {key!r}")
        return self.root / key[:2] / key[2:4] / f"{key}.gz"

    def put(self, content: bytes) -> str:
        """Store the bytes (once) and return their key."""
        key = hashlib.sha256(content).hexdigest()
        path = self.path_of(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".gz")
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(
                    fileobj=raw, mode="wb", compresslevel=self.compresslevel, mtime=0
                ) as gz,
            ):
                gz.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        log.debug("archived %d bytes as %s", len(content), key)
        return key

    def get(self, key: str) -> bytes:
        """The bytes stored under `key`; MissingFromArchive (a KeyError) when absent."""
        path = self.path_of(key)
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read()
        except FileNotFoundError as exc:
            raise MissingFromArchive(f"no page archived under {key}") from exc

    def exists(self, key: str) -> bool:
        return self.path_of(key).exists()
