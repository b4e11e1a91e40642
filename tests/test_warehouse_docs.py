"""Every SQL example in the README and in docs/ runs against a loaded warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)  # ```sql\nSELECT …```


def doc_queries(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    statements = []
    for block in SQL_BLOCK.findall(text):
        body = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
        statements += [s.strip() for s in body.split(";") if s.strip()]
    return statements


EXAMPLES = [(doc, sql) for doc in DOCS for sql in doc_queries(doc)]


def test_the_docs_have_example_queries() -> None:
    assert len(doc_queries(ROOT / "docs" / "warehouse.md")) >= 6
    assert doc_queries(ROOT / "README.md")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("docs") / "docs.duckdb")
    wh.load_batch(synthetic_batch("docs", 0, 5, 4))
    return wh


@pytest.mark.parametrize(
    "sql", [sql for _, sql in EXAMPLES], ids=[f"{d.name}:{i}" for i, (d, _) in enumerate(EXAMPLES)]
)
def test_documented_query_runs(sql: str, loaded: Warehouse) -> None:
    columns, _ = loaded.query(sql)
    assert columns
