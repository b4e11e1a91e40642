"""Is the warehouse file a whole DuckDB database? Checked before DuckDB opens it, read-only.

A DuckDB file starts with a 4 KiB main header ("DUCK" at byte 8) and two 4 KiB database
headers; the newer one (higher iteration) says how many blocks follow and how large each is.
A file shorter than that was truncated (a full disk, a copy cut short). DuckDB itself
catches a damaged block by its checksum; `damage()` recognises those errors by their words,
so they are never mistaken for another process holding the file.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import duckdb

from aidetl.errors import WarehouseCorrupt

MAGIC = b"DUCK"
MAGIC_OFFSET = 8
HEADER_SIZE = 4096
DATA_START = 3 * HEADER_SIZE  # main header + two database headers
# A database header: checksum, iteration, meta block, free list, block count, block size …
DB_HEADER = struct.Struct("<6Q")
REMEDY = "move it aside or restore a backup — aidetl never resets it"

# DuckDB's words for a damaged or cut-short file:
# 'Corrupt database file: computed checksum 27… does not match stored checksum … in block at
# location 12288', 'Could not read enough bytes from file "w.duckdb": attempted to read …',
# 'The file "w.duckdb" exists, but it is not a valid DuckDB database file!'
DAMAGE_WORDS = re.compile(
    r"corrupt database|could not read enough bytes|not a valid duckdb database"
    r"|checksum .* does not match",
    re.I,
)


def check_intact(path: Path) -> None:
    """Raise WarehouseCorrupt when the file at `path` cannot be a whole DuckDB database."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(DATA_START)
            size = handle.seek(0, 2)
    except FileNotFoundError:
        return  # no file yet: the first writer creates it
    except OSError as exc:
        raise WarehouseCorrupt(str(path), f"cannot be read ({exc}); check the disk") from exc
    if size == 0:
        return  # an empty file: DuckDB makes a database of it, nothing is lost
    if head[MAGIC_OFFSET : MAGIC_OFFSET + len(MAGIC)] != MAGIC:
        raise WarehouseCorrupt(str(path), f"not a DuckDB database (wrong magic); {REMEDY}")
    if size < DATA_START:
        raise WarehouseCorrupt(
            str(path), f"truncated: {size} bytes, not even its headers; {REMEDY}"
        )
    expected = expected_size(head)
    if size < expected and not free_tail_trimmed(path, head, size):
        raise WarehouseCorrupt(
            str(path), f"truncated: {size} of the {expected} bytes its header lists; {REMEDY}"
        )


def free_tail_trimmed(path: Path, head: bytes, size: int) -> bool:
    """Did DuckDB itself cut free blocks off the end? A checkpoint that leaves the last
    blocks free truncates the file but keeps the header's block count (seen with DuckDB 2.0
    once indexes or deletes free blocks). Then the file ends on a block boundary and still
    holds every block in use, which DuckDB reports on a read-only open (harmless to a cut
    file: it only reads, and a block it cannot read is an error `damage()` recognises)."""
    _, _, _, _, blocks, block_size = newest_header(head)
    if block_size == 0 or (size - DATA_START) % block_size:
        return False
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            total, free = con.execute(
                "SELECT total_blocks, free_blocks FROM pragma_database_size()"
            ).fetchall()[0]
    except duckdb.Error as exc:  # held by another process: the open that follows says so
        return DAMAGE_WORDS.search(str(exc)) is None
    return total == blocks and total - free <= (size - DATA_START) // block_size


def expected_size(head: bytes) -> int:
    """Bytes the newer database header accounts for (headers + block count × block size)."""
    _, _, _, _, blocks, block_size = newest_header(head)
    if blocks > 2**32 or block_size > 2**30:  # nonsense numbers: DuckDB's checksum says more
        return DATA_START
    return DATA_START + blocks * block_size


def newest_header(head: bytes) -> tuple[int, ...]:
    """The database header with the higher iteration: the one DuckDB reads."""
    headers = [DB_HEADER.unpack_from(head, offset) for offset in (HEADER_SIZE, 2 * HEADER_SIZE)]
    return max(headers, key=lambda h: h[1])


def damage(path: Path, exc: duckdb.Error) -> WarehouseCorrupt | None:
    """The WarehouseCorrupt that a DuckDB error means, if it says the file is damaged."""
    if DAMAGE_WORDS.search(str(exc)) is None:
        return None
    return WarehouseCorrupt(str(path), f"damaged ({str(exc)[:300]}); {REMEDY}")
