"""Every example query in the README runs against a loaded warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch

DOC = Path(__file__).resolve().parents[1] / "README.md"
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)  # ```sql\nSELECT …```


def doc_queries() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    statements = []
    for block in SQL_BLOCK.findall(text):
        body = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
        statements += [s.strip() for s in body.split(";") if s.strip()]
    return statements


def test_the_doc_has_example_queries() -> None:
    assert len(doc_queries()) >= 6


@pytest.mark.parametrize("sql", doc_queries())
def test_documented_query_runs(sql: str, tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "docs.duckdb")
    wh.load_batch(synthetic_batch("docs", 0, 5, 4))
    columns, _ = wh.query(sql)
    assert columns
