"""Benchmark: full extraction (figures with their context, what `aidetl extract` prints) in
chars/s per core, on 5 KB articles and on one 5 MB file, beside cn2an.transform on the same text.

Text: the real pages' bodies in ../shared/pages (else the seed article and the case texts of
tests/cases/), repeated to 5 MB. Prints, per core (CPU seconds of the process or, for the CLI,
of its child): extract_facts on 5 KB articles, extract_facts on the 5 MB text in one call (and
the ratio of the two rates: 1.0 is linear), `aidetl extract` on the 5 MB file, the figure pass
alone, and cn2an.transform(text, "cn2an") on the same articles and file, with the ratios.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from aidetl.extract import extract_facts, extract_figures

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PAGES = SHARED / "pages" / "pages.jsonl"
SEED = SHARED / "seed" / "000_cd1afa15144c904d.txt"
CASES = ROOT / "tests" / "cases"
BIG_CHARS = 5_000_000
ARTICLE_CHARS = 5_000


def source_text() -> str:
    """Real article bodies when ../shared is beside the clone, else the repository's cases."""
    if PAGES.exists():
        bodies = [json.loads(line).get("gold_text") or "" for line in PAGES.open(encoding="utf-8")]
        return "\n".join(b for b in bodies if b)
    print("bench_extract: ../shared absent, the case texts stand in for articles")
    parts = []
    for name in ("figures.jsonl", "context.jsonl"):
        for line in (CASES / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                parts.append(json.loads(line)["text"])
    return "\n".join(parts)


def big_text(unit: str) -> str:
    """`unit` repeated and cut to BIG_CHARS characters."""
    return (unit * (BIG_CHARS // len(unit) + 1))[:BIG_CHARS]


def articles(text: str) -> list[str]:
    """`text` cut into 5 KB articles."""
    return [text[i : i + ARTICLE_CHARS] for i in range(0, len(text), ARTICLE_CHARS)]


def cpu(fn: Callable[[str], object], texts: list[str]) -> float:
    """CPU seconds of this process to run fn over every text (per core, robust to load)."""
    started = time.process_time()
    for text in texts:
        fn(text)
    return time.process_time() - started


def cli_cpu(path: Path) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, lines printed) of `aidetl extract FILE` in a child."""
    aidetl = Path(sys.executable).with_name("aidetl")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [str(aidetl), "extract", str(path)], capture_output=True, check=True, text=True
    ).stdout
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return spent, wall, out.count("\n")


def rate(chars: int, seconds: float) -> str:
    return f"{chars / seconds:,.0f} chars/s"


def main() -> None:
    import cn2an  # bench-only dependency

    text = big_text(source_text())
    chunks = articles(text)
    chars = len(text)
    small = cpu(extract_facts, chunks)
    big = cpu(extract_facts, [text])
    figures = cpu(extract_figures, chunks)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.txt"
        path.write_text(text, encoding="utf-8")
        cli, wall, lines = cli_cpu(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cn2an warns on every numeral it cannot read
        theirs_small = cpu(lambda c: cn2an.transform(c, "cn2an"), chunks)
        theirs_big = cpu(lambda c: cn2an.transform(c, "cn2an"), [text])
    print(f"bench_extract: {chars:,} chars ({len(chunks)} articles of 5 KB), per core:")
    print(f"  extract_facts, 5 KB articles     {rate(chars, small)}")
    print(
        f"  extract_facts, one 5 MB text     {rate(chars, big)}  "
        f"(linearity: {small / big:.2f} of the article rate)"
    )
    print(
        f"  aidetl extract, 5 MB file (CLI)  {rate(chars, cli)}  ({wall:.1f} s wall, {lines:,} facts)"
    )
    print(f"  extract_figures alone, articles  {rate(chars, figures)}")
    print(f"  cn2an.transform, 5 KB articles   {rate(chars, theirs_small)}")
    print(f"  cn2an.transform, one 5 MB text   {rate(chars, theirs_big)}")
    print(
        f"bench_extract: extract_facts is {theirs_small / small:.2f}x cn2an.transform on articles, "
        f"{theirs_big / big:.2f}x on the 5 MB text; the CLI {theirs_big / cli:.2f}x"
    )


if __name__ == "__main__":
    main()
