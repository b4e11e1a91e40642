"""Benchmark: figure extraction throughput vs cn2an.transform over the same text.

Text: the shared seed article (when ../shared is beside the clone) plus every case text
in tests/cases/figures.jsonl, repeated to at least 5 MB. Prints chars/s on one core and
the ratio against cn2an.transform(text, "cn2an") measured in the same process.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

from aidetl.extract import extract_figures

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_cd1afa15144c904d.txt"
CASES = ROOT / "tests" / "cases" / "figures.jsonl"
TARGET_CHARS = 5_000_000
CHUNK_CHARS = 20_000  # extraction runs per article-sized chunk, like the pipeline


def corpus() -> list[str]:
    """Article-sized chunks totalling at least TARGET_CHARS."""
    parts = [
        json.loads(line)["text"]
        for line in CASES.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if SEED.exists():
        parts.append(SEED.read_text(encoding="utf-8"))
    else:
        print("bench_extract: ../shared absent, seed article skipped")
    unit = "\n".join(parts)
    text = unit * (TARGET_CHARS // len(unit) + 1)
    return [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]


def measure(fn, chunks: list[str]) -> float:
    """CPU seconds of this process to run fn over every chunk (per-core, robust to load)."""
    started = time.process_time()
    for chunk in chunks:
        fn(chunk)
    return time.process_time() - started


def main() -> None:
    import cn2an  # bench-only dependency

    chunks = corpus()
    chars = sum(len(c) for c in chunks)
    ours = measure(extract_figures, chunks)
    figures = sum(len(extract_figures(c)) for c in chunks[:10])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cn2an warns on every numeral it cannot read
        theirs = measure(lambda c: cn2an.transform(c, "cn2an"), chunks)
    print(
        f"bench_extract: {chars:,} chars, extract_figures {chars / ours:,.0f} chars/s "
        f"per core ({figures} figures in the first 10 chunks)"
    )
    print(
        f"bench_extract: cn2an.transform {chars / theirs:,.0f} chars/s; "
        f"extract_figures is {theirs / ours:.1f}x cn2an.transform"
    )


if __name__ == "__main__":
    main()
