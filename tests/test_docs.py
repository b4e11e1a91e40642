"""The README is a front door: the two commands first, short, every command listed, and
every doc it or the schema points to exists."""

from __future__ import annotations

import re
from pathlib import Path

from aidetl.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LINK = re.compile(r"\]\((docs/[^)#]+)\)")  # [docs/warehouse.md](docs/warehouse.md)
DOC_MENTION = re.compile(r"\bdocs/[\w-]+\.md\b")  # "see docs/warehouse.md" in a comment


def test_readme_opens_with_make_demo_and_make_test():
    text = README.read_text(encoding="utf-8")
    opening = text.split("```", 2)[1].strip().splitlines()
    assert text.startswith("# aidetl\n\n```\n")
    assert opening == ["make demo", "make test"]


def test_readme_is_under_8_kb():
    assert README.stat().st_size < 8 * 1024


def test_readme_lists_every_command_and_exit_code():
    text = README.read_text(encoding="utf-8")
    action = next(a for a in build_parser()._actions if a.dest == "command")
    for name in action.choices:
        assert f"`aidetl {name}" in text, name
    for code in ("0", "1", "2", "3", "4"):
        assert f"\n| {code} | " in text, code


def test_every_linked_or_mentioned_doc_exists():
    """README links, and docs/… mentions in the SQL migrations, point at files."""
    mentioned = set(LINK.findall(README.read_text(encoding="utf-8")))
    for sql in (ROOT / "warehouse").glob("*.sql"):
        mentioned |= set(DOC_MENTION.findall(sql.read_text(encoding="utf-8")))
    assert "docs/warehouse.md" in mentioned
    missing = sorted(m for m in mentioned if not (ROOT / m).is_file())
    assert not missing, missing


def test_links_between_docs_resolve():
    for doc in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(([\w./-]+\.md)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).is_file(), f"{doc.name} links to missing {target}"


def test_docs_cover_each_reader():
    for name, words in {
        "warehouse.md": ("Tables", "Views", "Loading", "Concurrency"),
        "operations.md": ("Prefect server", "deployments", "schedule", "Dask", "PREFECT_API_URL"),
        "accuracy.md": ("gate", "score_figures.py"),
        "benchmarks.md": ("make bench", "adhoc"),
    }.items():
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert all(w in text for w in words), (name, [w for w in words if w not in text])


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", text, re.M))


def test_test_and_lint_tools_are_pinned_apart_from_the_runtime():
    """make demo installs requirements.txt only: no test or lint tool is in it; they are
    pinned in requirements-dev.txt, which names no registry and agrees with the runtime pins."""
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    tools = {"pytest", "pytest-timeout", "hypothesis", "ruff", "mypy"}
    assert tools <= set(dev) and not tools & set(runtime)
    assert "://" not in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    assert all(runtime[name] == version for name, version in dev.items() if name in runtime)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^check: lint$", makefile, re.M) and "requirements-dev.txt" in makefile
