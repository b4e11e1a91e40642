"""Parse speed and accuracy: aidetl.parse against trafilatura and GeneralNewsExtractor.

Runs every page of shared/pages through parse_html (with site profiles, and without them
in the leave-one-site-out row), trafilatura.extract and gne side by side (same process,
same decoded text, interleaved so machine load hits all alike), then
prints pages/s per core, our speed ratio against trafilatura, and the body-F1 / title /
date table on the human- and silver-gold pages (scored like shared/tools/score_pages.py).
"""

from __future__ import annotations

import collections
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from aidetl.encoding import decode_html
from aidetl.parse import parse_html

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAGES = SHARED / "pages"


def grams(text: str | None) -> collections.Counter[str]:
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return collections.Counter(t[i : i + 2] for i in range(len(t) - 1))


def f1(pred: str | None, gold: str) -> float:
    p, g = grams(pred), grams(gold)
    common = sum((p & g).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def day(value: object) -> tuple[int, ...] | None:
    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", str(value or ""))
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def ours(raw: bytes, text: str, url: str) -> dict[str, str | None]:
    try:
        article = parse_html(raw, url=url)
    except Exception:  # noqa: BLE001 - a failure scores zero, the bench goes on
        return {"title": None, "date": None, "body": ""}
    when = article.published_at.isoformat() if article.published_at else None
    return {"title": article.title, "date": when, "body": article.body}


def ours_generic(raw: bytes, text: str, url: str) -> dict[str, str | None]:
    """Ours without site profiles: each site read as if unseen (leave-one-site-out)."""
    try:
        article = parse_html(raw, url=url, generic=True)
    except Exception:  # noqa: BLE001 - a failure scores zero, the bench goes on
        return {"title": None, "date": None, "body": ""}
    when = article.published_at.isoformat() if article.published_at else None
    return {"title": article.title, "date": when, "body": article.body}


def traf(raw: bytes, text: str, url: str) -> dict[str, str | None]:
    import trafilatura

    return {"title": None, "date": None, "body": trafilatura.extract(text) or ""}


def gne(raw: bytes, text: str, url: str) -> dict[str, str | None]:
    from gne import GeneralNewsExtractor

    try:
        result = GeneralNewsExtractor().extract(text)
    except Exception:  # noqa: BLE001
        result = {}
    return {
        "title": result.get("title"),
        "date": result.get("publish_time"),
        "body": result.get("content", ""),
    }


EXTRACTORS: dict[str, Callable[[bytes, str, str], dict[str, str | None]]] = {
    "aidetl": ours,
    "aidetl-loso": ours_generic,
    "trafilatura": traf,
    "gne": gne,
}


def run(pages: list[dict], rounds: int = 1) -> tuple[dict[str, float], dict[str, list]]:
    """Seconds per extractor and its outputs, page by page in the same loop."""
    seconds = dict.fromkeys(EXTRACTORS, 0.0)
    outputs: dict[str, list] = {name: [] for name in EXTRACTORS}
    for page in pages:
        raw = (PAGES / page["html"]).read_bytes()
        url = f"http://{page['site']}/{page['id']}.html"
        text = decode_html(raw)[0]  # peers get text decoded for them; we decode ourselves
        for name, extract in EXTRACTORS.items():
            started = time.process_time()
            for _ in range(rounds):
                result = extract(raw, text, url)
            seconds[name] += time.process_time() - started
            outputs[name].append(result)
    return seconds, outputs


def score(pages: list[dict], results: list[dict]) -> dict[str, str]:
    rows: dict[str, list[float]] = collections.defaultdict(list)
    titled = titles = dated = dates = 0
    for page, result in zip(pages, results, strict=True):
        if page.get("gold_text"):
            rows[page["gold_kind"]].append(f1(result["body"], page["gold_text"]))
        if page.get("gold_title"):
            titled += 1
            titles += re.sub(r"\s", "", result["title"] or "") == re.sub(
                r"\s", "", page["gold_title"]
            )
        if day(page.get("gold_date")):
            dated += 1
            dates += day(result["date"]) == day(page["gold_date"])
    table = {kind: f"{sum(v) / len(v):.3f}" for kind, v in sorted(rows.items())}
    table["title"] = f"{titles}/{titled}"
    table["date"] = f"{dates}/{dated}"
    return table


def main() -> None:
    if not PAGES.is_dir():
        print(f"bench_parse: skipped, {PAGES} is absent")
        return
    pages = [json.loads(line) for line in (PAGES / "pages.jsonl").open(encoding="utf-8")]
    seconds, outputs = run(pages)
    print(f"bench_parse: {len(pages)} pages, CPU seconds (one core)")
    for name, spent in seconds.items():
        print(f"  {name:12s} {len(pages) / spent:7.1f} pages/s per core")
    ratio = seconds["trafilatura"] / seconds["aidetl"]
    print(f"  aidetl vs trafilatura speed: {ratio:.2f}x (target >= 1.5x)")
    print(f"  {'extractor':12s} {'human F1':>9s} {'silver F1':>9s} {'title':>7s} {'date':>7s}")
    for name, results in outputs.items():
        table = score(pages, results)
        if name == "trafilatura":  # extract() returns text only: no title or date to score
            table["title"] = table["date"] = "-"
        print(
            f"  {name:12s} {table.get('human', '-'):>9s} {table.get('silver', '-'):>9s} "
            f"{table['title']:>7s} {table['date']:>7s}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
